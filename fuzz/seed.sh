#!/bin/sh
# Writes a small seed corpus (corpus/ is git-ignored): a few valid inputs per target.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/token_parse corpus/jwks_parse corpus/pkce_verify corpus/json_inputs
# token_parse: mode byte 0 = token text; 1 = payload signed with the target's HMAC key.
printf '\000%s' 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwiYXVkIjoiYXBpIiwiZXhwIjoxMDB9.Ck0mZc4m3ixr9E0y4J1dNgu87cVLbD-eK8D7jdLcEv4' > corpus/token_parse/jws
printf '\001%s' '{"iss":"https://issuer.example","aud":"api","exp":1700000600,"iat":1699999990,"scope":"read","sub":"bob","jti":"j"}' > corpus/token_parse/claims
printf '\005%s' '{"iss":"https://issuer.example","aud":["api"],"exp":1700000600.5,"nbf":1,"scp":["read"],"cnf":{"jkt":"x"}}' > corpus/token_parse/claims_typ
printf '%s' '{"keys":[{"kty":"EC","kid":"es","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tso9X8ZDQUkI","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","use":"sig"},{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","key_ops":["verify"]},{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","alg":"HS256"}]}' > corpus/jwks_parse/mixed
printf '\000%s\n%s\n%s' 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' 'S256' > corpus/pkce_verify/rfc7636
printf '%s' '{"jti":"abc","exp":1700000000}' > corpus/json_inputs/revoke_jti
printf '%s' '{"active":true,"exp":1700000100,"scope":"a b"}' > corpus/json_inputs/introspection
printf '%s' '{"issuer":"https://issuer.example","jwks_uri":"https://issuer.example/jwks"}' > corpus/json_inputs/discovery
printf '%s' 'public, max-age="300", no-cache' > corpus/json_inputs/cache_control
printf '%s' 'http://[::1]:8787/jwks' > corpus/json_inputs/url
