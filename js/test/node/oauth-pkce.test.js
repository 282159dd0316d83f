// PKCE, random values, the authorization URL and the authorization response, in Node against
// the built package. oauth4webapi is the independent oracle for S256 challenges.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as lib from "../../index.js";
// Internal, to prove which path the synchronous helpers take (node --test gives each file its
// own process, so the core is not loaded until a test here loads it).
import { coreIsLoaded } from "../../lib/api.js";

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;
const { OAuthError } = lib;

function randomUnreservedVerifier(length) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function throwsOAuth(fn, error, message) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `${message ?? ""}: expected an OAuthError ${error}, nothing was thrown`);
  assert.ok(caught instanceof OAuthError, `${message ?? ""}: expected an OAuthError, got ${caught}`);
  assert.equal(caught.error, error, message);
  return caught;
}

// These two run first, before anything loads the wasm.
test("before the core loads: randomState/randomNonce still give 256-bit base64url values (WebCrypto path)", () => {
  assert.equal(coreIsLoaded(), false, "this test must run before the core is loaded");
  const values = new Set();
  for (let i = 0; i < 200; i++) {
    for (const value of [lib.randomState(), lib.randomNonce()]) {
      assert.match(value, BASE64URL_256_BITS);
      values.add(value);
    }
  }
  assert.equal(values.size, 400, "every value is distinct");
});

test("before the core loads: buildAuthorizationUrl says to await createPkcePair first", () => {
  assert.equal(coreIsLoaded(), false);
  assert.throws(
    () => lib.buildAuthorizationUrl({ authorizationEndpoint: "https://as.example/authorize", clientId: "c", redirectUri: "https://app.example/cb", state: "s", codeChallenge: "x" }),
    /not loaded yet; await createPkcePair\(\)/,
  );
});

test("RFC 7636 Appendix B: verifier dBjftJeZ… gives challenge E9Melhoa…; verification is exact", async () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  assert.equal(await lib.deriveCodeChallenge(verifier), challenge);
  assert.equal(await oauth.calculatePKCECodeChallenge(verifier), challenge, "the oracle agrees on the vector");
  assert.equal(await lib.verifyCodeChallenge(verifier, challenge), true);
  assert.equal(await lib.verifyCodeChallenge(verifier, challenge, "S256"), true);
  assert.equal(await lib.verifyCodeChallenge(verifier, `${challenge.slice(0, -1)}d`), false, "one character off");
  assert.equal(await lib.verifyCodeChallenge(verifier, challenge, "s256"), false, "method names are case-sensitive (RFC 7636 §4.3)");
  assert.equal(await lib.verifyCodeChallenge(verifier, verifier, "plain"), false, "plain is refused (RFC 9700 §2.1.1)");
  assert.equal(await lib.verifyCodeChallenge(verifier, challenge, undefined), true, "the default method is S256");
  assert.equal(await lib.verifyCodeChallenge(undefined, challenge), false);
});

test("1,000 generated pairs: 43–128 unreserved characters, all distinct, challenge equal to oauth4webapi's", async () => {
  const verifiers = new Set();
  const challenges = new Set();
  for (let i = 0; i < 1000; i++) {
    const pair = await lib.createPkcePair();
    assert.deepEqual(Object.keys(pair).sort(), ["codeChallenge", "codeChallengeMethod", "codeVerifier"]);
    assert.equal(pair.codeChallengeMethod, "S256");
    const { codeVerifier, codeChallenge } = pair;
    assert.ok(codeVerifier.length >= 43 && codeVerifier.length <= 128, `length ${codeVerifier.length}`);
    assert.match(codeVerifier, UNRESERVED);
    assert.equal(codeChallenge, await oauth.calculatePKCECodeChallenge(codeVerifier), `pair ${i}`);
    assert.equal(await lib.verifyCodeChallenge(codeVerifier, codeChallenge), true);
    verifiers.add(codeVerifier);
    challenges.add(codeChallenge);
  }
  assert.equal(verifiers.size, 1000, "verifiers are distinct");
  assert.equal(challenges.size, 1000, "challenges are distinct");
});

test("deriveCodeChallenge equals oauth4webapi on verifiers of every length 43–128 over the whole unreserved alphabet", async () => {
  for (let length = 43; length <= 128; length++) {
    const verifier = randomUnreservedVerifier(length);
    assert.equal(await lib.deriveCodeChallenge(verifier), await oauth.calculatePKCECodeChallenge(verifier), `length ${length}`);
  }
});

test("deriveCodeChallenge refuses verifiers outside RFC 7636 §4.1 (42 or 129 characters, reserved characters)", async () => {
  for (const bad of [randomUnreservedVerifier(42), randomUnreservedVerifier(129), `${randomUnreservedVerifier(42)}+`, `${randomUnreservedVerifier(42)} `, `${randomUnreservedVerifier(42)}é`]) {
    await assert.rejects(lib.deriveCodeChallenge(bad), TypeError, JSON.stringify(bad));
  }
  await assert.rejects(lib.deriveCodeChallenge(42), TypeError);
});

test("after the core loads: randomState/randomNonce come from the core, 256-bit base64url, distinct", async () => {
  await lib.createPkcePair();
  assert.equal(coreIsLoaded(), true);
  const values = new Set();
  for (let i = 0; i < 500; i++) {
    for (const value of [lib.randomState(), lib.randomNonce()]) {
      assert.match(value, BASE64URL_256_BITS);
      values.add(value);
    }
  }
  assert.equal(values.size, 1000);
});

const BASE = {
  authorizationEndpoint: "https://as.example/authorize",
  clientId: "spa",
  redirectUri: "https://app.example/callback",
  state: "state-123",
  codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
};

test("buildAuthorizationUrl: response_type=code, S256, state, scope, nonce and extra parameters", async () => {
  await lib.createPkcePair();
  const url = new URL(lib.buildAuthorizationUrl({ ...BASE, scope: "openid offline_access", nonce: "n-1", extraParams: { prompt: "consent", login_hint: "a@b", skipped: undefined } }));
  assert.equal(url.origin + url.pathname, "https://as.example/authorize");
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    response_type: "code",
    client_id: "spa",
    redirect_uri: "https://app.example/callback",
    scope: "openid offline_access",
    state: "state-123",
    nonce: "n-1",
    code_challenge: BASE.codeChallenge,
    code_challenge_method: "S256",
    prompt: "consent",
    login_hint: "a@b",
  });
  const minimal = new URL(lib.buildAuthorizationUrl(BASE));
  assert.equal(minimal.searchParams.has("scope"), false);
  assert.equal(minimal.searchParams.has("nonce"), false);
  const withQuery = new URL(lib.buildAuthorizationUrl({ ...BASE, authorizationEndpoint: "https://as.example/authorize?tenant=t1" }));
  assert.equal(withQuery.searchParams.get("tenant"), "t1", "the endpoint's own query is kept (RFC 6749 §3.1)");
  const viaSearchParams = new URL(lib.buildAuthorizationUrl({ ...BASE, extraParams: new URLSearchParams([["resource", "https://api.example"]]) }));
  assert.equal(viaSearchParams.searchParams.get("resource"), "https://api.example");
});

test("buildAuthorizationUrl: extraParams and the endpoint's query cannot override the protected parameters", async () => {
  await lib.createPkcePair();
  for (const name of ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "request", "request_uri"]) {
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, extraParams: { [name]: "x" } }), TypeError, name);
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, extraParams: new URLSearchParams({ [name]: "x" }) }), TypeError, name);
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, authorizationEndpoint: `https://as.example/authorize?${name}=x` }), TypeError, name);
  }
});

test("buildAuthorizationUrl: https only, except loopback hosts (the core's URL rule); no fragment", async () => {
  await lib.createPkcePair();
  for (const ok of ["http://127.0.0.1:9000/auth", "http://localhost/auth", "http://[::1]:8080/auth", "HTTPS://as.example/auth"]) {
    assert.doesNotThrow(() => lib.buildAuthorizationUrl({ ...BASE, authorizationEndpoint: ok }), ok);
  }
  for (const bad of ["http://as.example/auth", "http://localhost@evil.example/auth", "http://127.1/auth", "javascript:alert(1)", "ftp://as.example/auth", "https://as.example/auth#frag", "/auth"]) {
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, authorizationEndpoint: bad }), TypeError, bad);
  }
});

test("buildAuthorizationUrl: state, clientId, redirectUri and codeChallenge are required", async () => {
  await lib.createPkcePair();
  for (const name of ["state", "clientId", "redirectUri", "codeChallenge"]) {
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, [name]: undefined }), TypeError, name);
    assert.throws(() => lib.buildAuthorizationUrl({ ...BASE, [name]: "" }), TypeError, name);
  }
});

const CB = "https://app.example/callback";
const ISS = "https://as.example";

test("parseAuthorizationResponse: query form and fragment form; iss returned when present", () => {
  assert.deepEqual(lib.parseAuthorizationResponse(`${CB}?code=c1&state=s1`, { state: "s1" }), { code: "c1", state: "s1" });
  assert.deepEqual(lib.parseAuthorizationResponse(new URL(`${CB}#code=c2&state=s2`), { state: "s2" }), { code: "c2", state: "s2" });
  assert.deepEqual(lib.parseAuthorizationResponse(`${CB}?code=c3&state=s3&iss=${encodeURIComponent(ISS)}`, { state: "s3", issuer: ISS }), { code: "c3", state: "s3", iss: ISS });
  assert.deepEqual(lib.parseAuthorizationResponse(`${CB}?lang=en#code=c4&state=s4`, { state: "s4" }), { code: "c4", state: "s4" }, "app parameters in the query do not hide a fragment response");
});

test("parseAuthorizationResponse: a state mismatch or a missing state is state_mismatch (RFC 6749 §10.12, CSRF)", () => {
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=attacker`, { state: "mine" }), "state_mismatch");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=min`, { state: "mine" }), "state_mismatch", "a prefix is no match");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c`, { state: "mine" }), "state_mismatch", "missing state");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?error=access_denied`, { state: "mine" }), "state_mismatch", "an error response must carry our state too");
  assert.throws(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s`, {}), TypeError, "the expected state is required");
});

test("parseAuthorizationResponse: error=access_denied becomes an OAuthError with error, errorDescription, errorUri", () => {
  const error = throwsOAuth(
    () => lib.parseAuthorizationResponse(`${CB}?error=access_denied&error_description=End-User+aborted&error_uri=https%3A%2F%2Fas.example%2Ferr&state=s`, { state: "s" }),
    "access_denied",
  );
  assert.equal(error.errorDescription, "End-User aborted");
  assert.equal(error.errorUri, "https://as.example/err");
  assert.equal(error.status, undefined);
  assert.match(error.message, /access_denied: End-User aborted/);
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}#error=login_required&state=s`, { state: "s" }), "login_required", "fragment form");
});

test("parseAuthorizationResponse: RFC 9207 iss — a mismatch, or an absence when an issuer is expected, is issuer_mismatch", () => {
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s&iss=https%3A%2F%2Fevil.example`, { state: "s", issuer: ISS }), "issuer_mismatch", "mix-up");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s&iss=https%3A%2F%2Fas.example%2F`, { state: "s", issuer: ISS }), "issuer_mismatch", "exact comparison, no normalisation");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s`, { state: "s", issuer: ISS }), "issuer_mismatch", "absent iss");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?error=access_denied&state=s&iss=https%3A%2F%2Fevil.example`, { state: "s", issuer: ISS }), "issuer_mismatch", "error responses too");
  // Without an expected issuer the iss is returned, unchecked, for the caller.
  assert.equal(lib.parseAuthorizationResponse(`${CB}?code=c&state=s&iss=https%3A%2F%2Fother.example`, { state: "s" }).iss, "https://other.example");
});

test("parseAuthorizationResponse: repeated parameters, both forms at once, no response, no code are invalid_response", () => {
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&code=d&state=s`, { state: "s" }), "invalid_response", "two codes");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s&state=s`, { state: "s" }), "invalid_response", "two states");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=c&state=s#code=d&state=s`, { state: "s" }), "invalid_response", "query and fragment");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?lang=en`, { state: "s" }), "invalid_response", "nothing");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?state=s`, { state: "s" }), "invalid_response", "no code");
  throwsOAuth(() => lib.parseAuthorizationResponse(`${CB}?code=&state=s`, { state: "s" }), "invalid_response", "empty code");
});
