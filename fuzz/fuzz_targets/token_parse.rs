//! Arbitrary tokens through parsing, key choice, signature and claim rules. The first byte
//! picks the mode: an arbitrary token string, or an arbitrary payload signed with the test
//! HMAC key, so the claim rules (reached only after a valid signature) are fuzzed too.
#![no_main]

use std::sync::OnceLock;

use edge_token_validator::introspect::introspection_response;
use edge_token_validator::revocation::RevocationList;
use edge_token_validator::{b64, Algorithm, Jwks, UntrustedJws, Validator, ValidatorOptions};
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;

const HMAC_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const NOW: f64 = 1_700_000_000.0;

struct Fixture {
    validator: Validator,
    /// The HMAC key alone: a shared secret never sits in a set with public keys.
    hmac_keys: Jwks,
    /// The RFC 7515 A.3 P-256 key and the RFC 8037 A.2 Ed25519 key.
    public_keys: Jwks,
    revocations: RevocationList,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let parse = |json: &str, count: usize| {
            let jwks = Jwks::from_json(json.as_bytes()).expect("fixture JWKS parses");
            assert_eq!(jwks.keys().len(), count, "unusable: {:?}", jwks.excluded());
            jwks
        };
        let hmac_keys = parse(
            &format!(r#"{{"keys":[{{"kty":"oct","kid":"hs","k":"{HMAC_KEY}"}}]}}"#),
            1,
        );
        let public_keys = parse(
            r#"{"keys":[
              {"kty":"EC","kid":"es","crv":"P-256",
                "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
              {"kty":"OKP","kid":"ed","crv":"Ed25519",
                "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#,
            2,
        );
        let mut options = ValidatorOptions::new("https://issuer.example")
            .audience("api")
            .algorithms(&Algorithm::ALL);
        options.required_scopes = vec!["read".into()];
        options.max_token_age_seconds = Some(3600);
        let validator = Validator::new(options).expect("fixture options are valid");
        let mut revocations = RevocationList::new().with_max_token_lifetime(3600.0);
        revocations
            .revoke_jti("revoked", NOW + 60.0)
            .expect("valid entry");
        revocations
            .revoke_subject("alice", NOW - 10.0)
            .expect("valid entry");
        Fixture {
            validator,
            hmac_keys,
            public_keys,
            revocations,
        }
    })
}

fn hs256(header: &str, payload: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(payload)
    );
    let key = b64::decode(HMAC_KEY).expect("fixture key decodes");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64::encode(&mac.finalize().into_bytes()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    let token = if mode % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        }
    } else {
        let header = match mode % 8 {
            1 => r#"{"alg":"HS256","kid":"hs"}"#,
            3 => r#"{"alg":"HS256"}"#,
            5 => r#"{"alg":"HS256","kid":"hs","typ":"at+jwt"}"#,
            _ => r#"{"alg":"HS256","kid":"hs","crit":["exp"]}"#,
        };
        hs256(header, rest)
    };
    for jwks in [&fixture.hmac_keys, &fixture.public_keys] {
        if let Ok(jws) = UntrustedJws::parse(&token, 8192) {
            let _ = jws.header().kid();
            let _ = jws.prepare(&Algorithm::ALL, jwks);
        }
        let result = fixture.validator.validate(&token, jwks, NOW);
        if let Ok(verified) = &result {
            // Whatever verified went through every claim rule.
            assert!(verified.expires_at().is_some(), "exp is required");
            let _ = fixture.revocations.check(verified.claims(), NOW);
        }
        let answer = introspection_response(&result);
        assert_eq!(answer["active"], result.is_ok());
        if let Err(err) = &result {
            // Descriptions never carry token bytes: no long base64url-looking segment of
            // the token appears in one (fixed descriptions are short words and spaces).
            for segment in token.split('.') {
                if segment.len() >= 20 && !segment.contains(' ') {
                    assert!(!err.description().contains(segment), "{err}");
                }
            }
        }
    }
});
