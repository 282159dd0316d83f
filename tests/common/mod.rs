//! Shared helpers for the integration tests: the vectors folder, fixed test keys (all from
//! RFCs, so anyone can check them), deterministic signers and token builders.
//!
//! Every signer here is deterministic (HMAC, RSASSA-PKCS1-v1_5, ECDSA with RFC 6979 nonces,
//! Ed25519), so the tests need no random source and always build the same tokens.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod corpus;
mod forge;
pub use forge::*;

use std::path::PathBuf;

use edge_token_validator::{b64, Algorithm, Error, ErrorCode, Jwks, Validator, ValidatorOptions};
use serde_json::{json, Value};

/// The shared test vectors, when this checkout has them (CI and developer machines do).
///
/// Prints a loud notice when they are absent, so a fresh clone does not pass silently.
pub fn vectors_dir(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPED: ../shared/vectors not found ({}); {test} checked NOTHING. \
             Run from a checkout next to the shared test vectors. ***\n",
            dir.display()
        );
        None
    }
}

/// Reads and parses a JSON file of the shared vectors.
pub fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("bad JSON {}: {err}", path.display()))
}

pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

pub fn unb64(text: &str) -> Vec<u8> {
    b64::decode(text).expect("test constant is strict base64url")
}

/// Asserts the exact error code (and its stable string), with the description in the message.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(result: Result<T, Error>, expected: ErrorCode) {
    match result {
        Ok(value) => panic!("expected {}, got Ok({value:?})", expected.as_str()),
        Err(err) => {
            assert_eq!(
                err.code(),
                expected,
                "expected {}, got {} ({})",
                expected.as_str(),
                err.code().as_str(),
                err.description()
            );
            assert_eq!(err.code().as_str(), expected.as_str());
        }
    }
}

/// Asserts the outcome: valid when `expected` is None, else that exact error code.
#[track_caller]
pub fn assert_outcome<T: std::fmt::Debug>(result: Result<T, Error>, expected: Option<ErrorCode>) {
    match expected {
        None => {
            if let Err(err) = result {
                panic!(
                    "expected valid, got {} ({})",
                    err.code().as_str(),
                    err.description()
                );
            }
        }
        Some(code) => assert_code(result, code),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed keys. Each is published in an RFC, restated here.
// ---------------------------------------------------------------------------------------------

/// RFC 7515 Appendix A.1: the 64-byte HMAC key.
pub const RFC7515_A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

/// RFC 7515 Appendix A.2: the 2048-bit RSA key.
pub const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
pub const RFC7515_A2_E: &str = "AQAB";
pub const RFC7515_A2_D: &str = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
pub const RFC7515_A2_P: &str = "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
pub const RFC7515_A2_Q: &str = "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";

/// RFC 7515 Appendix A.3: the P-256 key.
pub const RFC7515_A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
pub const RFC7515_A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
pub const RFC7515_A3_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

/// RFC 7515 Appendix A.4: the P-521 public key.
pub const RFC7515_A4_X: &str =
    "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk";
pub const RFC7515_A4_Y: &str =
    "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2";

/// RFC 8037 Appendix A.1/A.2: the Ed25519 key.
pub const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
pub const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// A fixed secp256k1 scalar for ES256K tokens: RFC 6979 Appendix A.2.5's private key, which
/// is below the secp256k1 order too (no RFC publishes a secp256k1 JWS key).
pub const SECP256K1_D_HEX: &str =
    "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

/// A fixed P-384 scalar (RFC 6979 Appendix A.2.6's private key).
pub const P384_D_HEX: &str = "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5";

/// Group orders, big-endian.
pub const P256_N_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
pub const SECP256K1_N_HEX: &str =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

// ---------------------------------------------------------------------------------------------
// Signers.
// ---------------------------------------------------------------------------------------------

/// A way to sign a JWS signing input.
#[derive(Clone)]
pub enum Signer {
    Hs256(Vec<u8>),
    Rs256,
    Es256([u8; 32]),
    Es384([u8; 48]),
    Es256k([u8; 32]),
    EdDsa([u8; 32]),
    /// Fixed bytes, whatever the input.
    Raw(Vec<u8>),
}

impl Signer {
    pub fn rfc_es256() -> Signer {
        Signer::Es256(unb64(RFC7515_A3_D).try_into().unwrap())
    }
    pub fn rfc_eddsa() -> Signer {
        Signer::EdDsa(unb64(RFC8037_D).try_into().unwrap())
    }
    pub fn es256k() -> Signer {
        Signer::Es256k(hex(SECP256K1_D_HEX).try_into().unwrap())
    }
    pub fn es384() -> Signer {
        Signer::Es384(hex(P384_D_HEX).try_into().unwrap())
    }

    pub fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            Signer::Hs256(key) => hmac_sha256(key, input),
            Signer::Rs256 => rs256(input),
            Signer::Es256(d) => {
                use p256::ecdsa::signature::Signer as _;
                let key = p256::ecdsa::SigningKey::from_slice(d).unwrap();
                let sig: p256::ecdsa::Signature = key.sign(input);
                sig.to_bytes().to_vec()
            }
            Signer::Es384(d) => {
                use p384::ecdsa::signature::Signer as _;
                let key = p384::ecdsa::SigningKey::from_slice(d).unwrap();
                let sig: p384::ecdsa::Signature = key.sign(input);
                sig.to_bytes().to_vec()
            }
            Signer::Es256k(d) => {
                use k256::ecdsa::signature::Signer as _;
                let key = k256::ecdsa::SigningKey::from_slice(d).unwrap();
                let sig: k256::ecdsa::Signature = key.sign(input);
                sig.to_bytes().to_vec()
            }
            Signer::EdDsa(d) => {
                use ed25519_dalek::Signer as _;
                ed25519_dalek::SigningKey::from_bytes(d)
                    .sign(input)
                    .to_bytes()
                    .to_vec()
            }
            Signer::Raw(bytes) => bytes.clone(),
        }
    }
}

pub fn hmac_sha256(key: &[u8], input: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// RSASSA-PKCS1-v1_5 with SHA-256 under the RFC 7515 A.2 key.
pub fn rs256(input: &[u8]) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer as _};
    use rsa::BoxedUint;
    let int = |text: &str| BoxedUint::from_be_slice_vartime(&unb64(text));
    let key = rsa::PrivateKey::from_components(
        int(RFC7515_A2_N),
        int(RFC7515_A2_E),
        int(RFC7515_A2_D),
        vec![int(RFC7515_A2_P), int(RFC7515_A2_Q)],
    )
    .unwrap();
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
    signer.sign(input).to_vec()
}

/// The public coordinates of a P-256 scalar.
pub fn p256_public(d: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let key = p256::ecdsa::SigningKey::from_slice(d).unwrap();
    let point = key.verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    (bytes[1..33].to_vec(), bytes[33..65].to_vec())
}

/// The public coordinates of a P-384 scalar.
pub fn p384_public(d: &[u8; 48]) -> (Vec<u8>, Vec<u8>) {
    let key = p384::ecdsa::SigningKey::from_slice(d).unwrap();
    let point = key.verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    (bytes[1..49].to_vec(), bytes[49..97].to_vec())
}

/// The public coordinates of a secp256k1 scalar.
pub fn k256_public(d: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let key = k256::ecdsa::SigningKey::from_slice(d).unwrap();
    let point = key.verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    (bytes[1..33].to_vec(), bytes[33..65].to_vec())
}

/// The public key of an Ed25519 seed.
pub fn ed25519_public(d: &[u8; 32]) -> Vec<u8> {
    ed25519_dalek::SigningKey::from_bytes(d)
        .verifying_key()
        .to_bytes()
        .to_vec()
}

/// `order − s` for big-endian numbers of equal length (the other half of an ECDSA signature's
/// s: (r, s) and (r, n − s) both verify).
pub fn order_minus(order: &[u8], s: &[u8]) -> Vec<u8> {
    assert_eq!(order.len(), s.len());
    let mut out = vec![0u8; s.len()];
    let mut borrow = 0i16;
    for i in (0..s.len()).rev() {
        let mut digit = order[i] as i16 - s[i] as i16 - borrow;
        borrow = 0;
        if digit < 0 {
            digit += 256;
            borrow = 1;
        }
        out[i] = digit as u8;
    }
    assert_eq!(borrow, 0, "s larger than the order");
    out
}

// ---------------------------------------------------------------------------------------------
// JWKs and tokens.
// ---------------------------------------------------------------------------------------------

pub const KID_RSA: &str = "rsa-1";
pub const KID_EC: &str = "ec-1";
pub const KID_ED: &str = "ed-1";
pub const KID_HS: &str = "hs-1";
pub const KID_K1: &str = "k1-1";
pub const KID_P384: &str = "p384-1";
pub const KID_P521: &str = "p521-1";

/// The 32-byte HMAC secret of the `hs-1` test key.
pub const HS_SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

pub fn rsa_jwk(kid: &str) -> Value {
    json!({"kty": "RSA", "kid": kid, "n": RFC7515_A2_N, "e": RFC7515_A2_E})
}

pub fn ec_jwk(kid: &str) -> Value {
    json!({"kty": "EC", "kid": kid, "crv": "P-256", "x": RFC7515_A3_X, "y": RFC7515_A3_Y})
}

pub fn p256_jwk_of(d: &[u8; 32], kid: &str) -> Value {
    let (x, y) = p256_public(d);
    json!({"kty": "EC", "kid": kid, "crv": "P-256", "x": b64::encode(&x), "y": b64::encode(&y)})
}

pub fn p384_jwk(kid: &str) -> Value {
    let Signer::Es384(d) = Signer::es384() else {
        unreachable!()
    };
    let (x, y) = p384_public(&d);
    json!({"kty": "EC", "kid": kid, "crv": "P-384", "x": b64::encode(&x), "y": b64::encode(&y)})
}

pub fn p521_jwk(kid: &str) -> Value {
    json!({"kty": "EC", "kid": kid, "crv": "P-521", "x": RFC7515_A4_X, "y": RFC7515_A4_Y})
}

pub fn k256_jwk(kid: &str) -> Value {
    let Signer::Es256k(d) = Signer::es256k() else {
        unreachable!()
    };
    let (x, y) = k256_public(&d);
    json!({"kty": "EC", "kid": kid, "crv": "secp256k1", "x": b64::encode(&x), "y": b64::encode(&y)})
}

pub fn ed_jwk(kid: &str) -> Value {
    json!({"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": RFC8037_X})
}

pub fn hs_jwk(kid: &str) -> Value {
    json!({"kty": "oct", "kid": kid, "k": b64::encode(HS_SECRET)})
}

/// A JWKS document from JWK values.
pub fn jwks_doc(keys: &[Value]) -> Value {
    json!({ "keys": keys })
}

/// A key set from JWK values.
pub fn jwks(keys: &[Value]) -> Jwks {
    Jwks::from_json(jwks_doc(keys).to_string().as_bytes()).expect("test JWKS parses")
}

/// The public keys of the standard test key set, each with its own kid.
pub fn standard_keys() -> [Value; 6] {
    [
        rsa_jwk(KID_RSA),
        ec_jwk(KID_EC),
        ed_jwk(KID_ED),
        k256_jwk(KID_K1),
        p384_jwk(KID_P384),
        p521_jwk(KID_P521),
    ]
}

/// The standard test key set: one public key of each kind, each with its own kid.
pub fn standard_jwks() -> Jwks {
    let set = jwks(&standard_keys());
    assert_eq!(set.keys().len(), 6, "every standard test key is usable");
    set
}

/// The shared-secret key set. Secrets live in their own set: a document that also holds
/// public keys is public, and the core drops secrets from it.
pub fn hs_jwks() -> Jwks {
    let set = jwks(&[hs_jwk(KID_HS)]);
    assert_eq!(set.keys().len(), 1);
    set
}

/// The key set a standard kid's tokens are checked against.
pub fn jwks_for(kid: &str) -> Jwks {
    if kid == KID_HS {
        hs_jwks()
    } else {
        standard_jwks()
    }
}

/// The signer that matches a standard key id.
pub fn signer_for(kid: &str) -> Signer {
    match kid {
        KID_RSA => Signer::Rs256,
        KID_EC => Signer::rfc_es256(),
        KID_ED => Signer::rfc_eddsa(),
        KID_HS => Signer::Hs256(HS_SECRET.to_vec()),
        KID_K1 => Signer::es256k(),
        KID_P384 => Signer::es384(),
        other => panic!("no signer for {other}"),
    }
}

/// A compact JWS over the exact header and payload texts given (so tests can write
/// duplicate members, odd numbers and white space).
pub fn sign_raw(header: &str, payload: &str, signer: &Signer) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(payload.as_bytes())
    );
    let sig = signer.sign(input.as_bytes());
    format!("{input}.{}", b64::encode(&sig))
}

/// A compact JWS over JSON values.
pub fn sign_json(header: &Value, payload: &Value, signer: &Signer) -> String {
    sign_raw(&header.to_string(), &payload.to_string(), signer)
}

pub const ISSUER: &str = "https://issuer.example";
pub const AUDIENCE: &str = "https://api.example";
/// The validation time of the claim tests (2023-11-14).
pub const NOW: f64 = 1_700_000_000.0;

/// Claims that pass the standard options at `NOW`.
pub fn good_claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "exp": NOW + 600.0,
        "iat": NOW - 10.0,
        "scope": "read write",
    })
}

/// A token with the standard header for a standard key and the given claims.
pub fn token_for(kid: &str, claims: &Value) -> String {
    let alg = match kid {
        KID_RSA => "RS256",
        KID_EC => "ES256",
        KID_ED => "EdDSA",
        KID_HS => "HS256",
        KID_K1 => "ES256K",
        KID_P384 => "ES384",
        other => panic!("no alg for {other}"),
    };
    sign_json(&json!({"alg": alg, "kid": kid}), claims, &signer_for(kid))
}

/// The standard options: one issuer, one audience, every algorithm (HMAC included).
pub fn options() -> ValidatorOptions {
    ValidatorOptions::new(ISSUER)
        .audience(AUDIENCE)
        .algorithms(&Algorithm::ALL)
}

pub fn validator(options: ValidatorOptions) -> Validator {
    Validator::new(options).expect("test options are valid")
}

/// Validates with the standard options at `NOW`, against the key set of the token's kid.
pub fn validate(token: &str, kid: &str) -> Result<edge_token_validator::VerifiedToken, Error> {
    validator(options()).validate(token, &jwks_for(kid), NOW)
}

/// Validates with the given options at `NOW` against the standard (public) key set.
pub fn validate_with(
    options: ValidatorOptions,
    token: &str,
) -> Result<edge_token_validator::VerifiedToken, Error> {
    validator(options).validate(token, &standard_jwks(), NOW)
}
