//! Published examples from the JOSE RFCs, restated here (facts carry over), checked through
//! the public API, and cross-checked against `../shared/vectors/rfc/rfc_vectors.json` when
//! that folder exists.
//!
//! The RFC 7515 tokens carry `exp: 1300819380` (2011-03-22): where claims are checked, `now`
//! is before that.

mod common;

use common::*;
use edge_token_validator::token::DEFAULT_MAX_TOKEN_BYTES;
use edge_token_validator::{
    Algorithm, ErrorCode, Jwk, Jwks, UntrustedJws, Validator, ValidatorOptions, VerifiedJws,
};
use serde_json::{json, Value};

/// RFC 7515 A.1–A.3 share this payload (with CR LF line breaks).
const RFC7515_PAYLOAD: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const RFC7515_EXP: f64 = 1_300_819_380.0;

/// RFC 7515 Appendix A.1: HS256.
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// RFC 7515 Appendix A.2: RS256.
const A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
/// RFC 7515 Appendix A.3: ES256.
const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
/// RFC 7515 Appendix A.4: ES512 over the payload "Payload".
const A4_TOKEN: &str = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
/// RFC 7515 Appendix A.5: an Unsecured JWS (`alg: none`).
const A5_TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";
/// RFC 7515 Appendix E: a `crit` naming an extension nobody defines ("FAIL" payload).
const APPENDIX_E_TOKEN: &str = "eyJhbGciOiJub25lIiwNCiAiY3JpdCI6WyJodHRwOi8vZXhhbXBsZS5jb20vVU5ERUZJTkVEIl0sDQogImh0dHA6Ly9leGFtcGxlLmNvbS9VTkRFRklORUQiOnRydWUNCn0.RkFJTA.";

/// RFC 8037 Appendix A.4: Ed25519 over "Example of Ed25519 signing".
const RFC8037_A4_TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
/// RFC 8037 Appendix A.3: the thumbprint of the A.2 public key.
const RFC8037_A3_THUMBPRINT: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

/// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
const RFC7638_THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/// RFC 7797 §4.1: `b64` true (the ordinary encoding), payload "$.02", the A.1 key.
const RFC7797_4_1_TOKEN: &str =
    "eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ";
/// RFC 7797 §4.2: `b64` false with a detached payload ("$.02").
const RFC7797_4_2_DETACHED: &str =
    "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY";
/// RFC 7797 §4.2 with the unencoded payload put back in: it contains a `.` itself.
const RFC7797_4_2_ATTACHED: &str =
    "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.$.02.A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY";
/// RFC 7797 §5.2 style: an unencoded payload without `.`, MAC'ed under the RFC 7797 rules
/// (JWS cookbook); a JWT must still reject it.
const B64_FALSE_COMPACT: &str = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.This is the payload string!.ciks0B6Hs-amhOqxI5_iG6mPKnMDlWCb7J2Wu7mtIcg";

/// RFC 7520 §4: the payload of every signature example (a Tolkien quote, with U+2019).
const RFC7520_PAYLOAD_B64: &str = "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";
/// RFC 7520 §3.3 / §3.4: the RSA key (public part).
const RFC7520_RSA_N: &str = "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";
/// RFC 7520 §3.2: the P-521 key (public part).
const RFC7520_EC_X: &str =
    "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt";
const RFC7520_EC_Y: &str =
    "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1";
/// RFC 7520 §3.5: the HMAC key.
const RFC7520_HMAC_K: &str = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
const RFC7520_KID: &str = "bilbo.baggins@hobbiton.example";
const RFC7520_HMAC_KID: &str = "018c0ae5-4d9b-471b-bfd6-eef314bc7037";
/// RFC 7520 §4.1 (Figure 13): RS256.
const RFC7520_4_1_SIG: &str = "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
/// RFC 7520 §4.2 (Figure 20): PS384.
const RFC7520_4_2_SIG: &str = "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw";
/// RFC 7520 §4.3 (Figure 27): ES512.
const RFC7520_4_3_SIG: &str = "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2";
/// RFC 7520 §4.4 (Figure 34): HS256.
const RFC7520_4_4_SIG: &str = "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

fn a1_jwk() -> Value {
    json!({"kty": "oct", "k": RFC7515_A1_K, "kid": "HMAC key used in JWS A.1 example"})
}
fn a2_jwk() -> Value {
    json!({"kty": "RSA", "n": RFC7515_A2_N, "e": RFC7515_A2_E})
}
fn a3_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": RFC7515_A3_X, "y": RFC7515_A3_Y})
}
fn a4_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-521", "x": RFC7515_A4_X, "y": RFC7515_A4_Y})
}
fn rfc8037_jwk() -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})
}
fn rfc7797_jwk() -> Value {
    json!({"kty": "oct", "k": RFC7515_A1_K})
}

/// The JWS layer: parse, header rules, key choice, signature.
fn verify_jws(
    token: &str,
    allowed: &[Algorithm],
    keys: &Jwks,
) -> Result<VerifiedJws, edge_token_validator::Error> {
    UntrustedJws::parse(token, DEFAULT_MAX_TOKEN_BYTES)?
        .prepare(allowed, keys)?
        .verify_native()
}

fn one_key(jwk: &Value) -> Jwks {
    jwks(std::slice::from_ref(jwk))
}

/// Flips one bit in the middle of the signature segment (a still-canonical encoding).
fn tamper_signature(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = unb64(sig);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    format!("{rest}.{}", edge_token_validator::b64::encode(&bytes))
}

#[test]
fn rfc7515_a1_hs256() {
    let keys = one_key(&a1_jwk());
    let verified = verify_jws(A1_TOKEN, &[Algorithm::HS256], &keys).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::HS256);
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    assert_eq!(verified.header().typ(), Some("JWT"));
    // Recomputing the MAC with the RFC key gives the RFC's signature exactly.
    let (input, sig) = A1_TOKEN.rsplit_once('.').unwrap();
    assert_eq!(
        hmac_sha256(&unb64(RFC7515_A1_K), input.as_bytes()),
        unb64(sig)
    );
    assert_code(
        verify_jws(&tamper_signature(A1_TOKEN), &[Algorithm::HS256], &keys),
        ErrorCode::SignatureInvalid,
    );

    // Claims: valid before exp; HMAC must be asked for explicitly.
    let options = ValidatorOptions::new("joe").algorithms(&[Algorithm::HS256]);
    let token = validator(options.clone())
        .validate(A1_TOKEN, &keys, RFC7515_EXP - 3600.0)
        .unwrap();
    assert_eq!(token.claim_str("iss"), Some("joe"));
    assert_eq!(token.expires_at(), Some(RFC7515_EXP));
    assert_eq!(token.claims()["http://example.com/is_root"], json!(true));
    assert_code(
        validator(options).validate(A1_TOKEN, &keys, RFC7515_EXP + 3600.0),
        ErrorCode::Expired,
    );
    assert_code(
        validator(ValidatorOptions::new("joe")).validate(A1_TOKEN, &keys, RFC7515_EXP - 3600.0),
        ErrorCode::AlgorithmNotAllowed,
    );
}

#[test]
fn rfc7515_a2_rs256() {
    let keys = one_key(&a2_jwk());
    let verified = verify_jws(A2_TOKEN, &Algorithm::ASYMMETRIC, &keys).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::RS256);
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    // RSASSA-PKCS1-v1_5 is deterministic: the test signer reproduces the RFC signature, which
    // also proves the attack tests' RSA tokens are built right.
    let (input, sig) = A2_TOKEN.rsplit_once('.').unwrap();
    assert_eq!(rs256(input.as_bytes()), unb64(sig));
    assert_code(
        verify_jws(&tamper_signature(A2_TOKEN), &Algorithm::ASYMMETRIC, &keys),
        ErrorCode::SignatureInvalid,
    );
    // The same signature under RS384 / PS256 must not verify (one key, several algs).
    for alg in ["RS384", "PS256"] {
        let header = edge_token_validator::b64::encode(format!("{{\"alg\":\"{alg}\"}}").as_bytes());
        let (_, rest) = A2_TOKEN.split_once('.').unwrap();
        assert_code(
            verify_jws(&format!("{header}.{rest}"), &Algorithm::ASYMMETRIC, &keys),
            ErrorCode::SignatureInvalid,
        );
    }
    let token = validator(ValidatorOptions::new("joe"))
        .validate(A2_TOKEN, &keys, RFC7515_EXP - 1.0)
        .unwrap();
    assert_eq!(token.algorithm(), Algorithm::RS256);
    assert_eq!(token.kid(), None);
}

#[test]
fn rfc7515_a3_es256() {
    let keys = one_key(&a3_jwk());
    let verified = verify_jws(A3_TOKEN, &Algorithm::ASYMMETRIC, &keys).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::ES256);
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    assert_code(
        verify_jws(&tamper_signature(A3_TOKEN), &Algorithm::ASYMMETRIC, &keys),
        ErrorCode::SignatureInvalid,
    );
    // The RFC's private key matches its public key, and signs (RFC 6979) verifiable tokens.
    let d: [u8; 32] = unb64(RFC7515_A3_D).try_into().unwrap();
    assert_eq!(p256_public(&d), (unb64(RFC7515_A3_X), unb64(RFC7515_A3_Y)));
    let (input, _) = A3_TOKEN.rsplit_once('.').unwrap();
    let ours = format!(
        "{input}.{}",
        edge_token_validator::b64::encode(&Signer::rfc_es256().sign(input.as_bytes()))
    );
    verify_jws(&ours, &[Algorithm::ES256], &keys).unwrap();
    validator(ValidatorOptions::new("joe"))
        .validate(A3_TOKEN, &keys, RFC7515_EXP - 1.0)
        .unwrap();
}

#[test]
fn rfc7515_a4_es512() {
    let keys = one_key(&a4_jwk());
    let verified = verify_jws(A4_TOKEN, &Algorithm::ASYMMETRIC, &keys).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::ES512);
    assert_eq!(verified.payload(), b"Payload");
    assert_eq!(unb64(A4_TOKEN.rsplit_once('.').unwrap().1).len(), 132);
    assert_code(
        verify_jws(&tamper_signature(A4_TOKEN), &Algorithm::ASYMMETRIC, &keys),
        ErrorCode::SignatureInvalid,
    );
    // "Payload" is not a claims set: the JWS verifies, the JWT does not.
    assert_code(
        validator(ValidatorOptions::new("joe")).validate(A4_TOKEN, &keys, 0.0),
        ErrorCode::Malformed,
    );
}

#[test]
fn rfc7515_a5_unsecured_jws_is_unsupported() {
    // RFC 7515 A.5 / RFC 8725 §3.1: `none` is never implemented, whatever the allow-list.
    let keys = one_key(&a1_jwk());
    assert_code(
        verify_jws(A5_TOKEN, &Algorithm::ALL, &keys),
        ErrorCode::UnsupportedAlgorithm,
    );
    assert_code(
        validator(ValidatorOptions::new("joe").algorithms(&Algorithm::ALL)).validate(
            A5_TOKEN,
            &keys,
            RFC7515_EXP - 1.0,
        ),
        ErrorCode::UnsupportedAlgorithm,
    );
    // A.5's "key" is the empty octet string: no key at all.
    assert_code(
        Jwk::from_json(br#"{"kty":"oct","k":""}"#),
        ErrorCode::InvalidKey,
    );
}

#[test]
fn rfc7515_appendix_e_unknown_crit_is_rejected() {
    assert_code(
        UntrustedJws::parse(APPENDIX_E_TOKEN, DEFAULT_MAX_TOKEN_BYTES),
        ErrorCode::CritUnsupported,
    );
    // The same rule holds with a real algorithm and a valid signature.
    let header = "{\"alg\":\"HS256\",\r\n \"crit\":[\"http://example.com/UNDEFINED\"],\r\n \"http://example.com/UNDEFINED\":true\r\n}";
    let token = sign_raw(header, "FAIL", &Signer::Hs256(unb64(RFC7515_A1_K)));
    assert_code(
        verify_jws(&token, &Algorithm::ALL, &one_key(&a1_jwk())),
        ErrorCode::CritUnsupported,
    );
}

#[test]
fn rfc8037_a4_ed25519() {
    let keys = one_key(&rfc8037_jwk());
    let verified = verify_jws(RFC8037_A4_TOKEN, &Algorithm::ASYMMETRIC, &keys).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::EdDSA);
    assert_eq!(verified.payload(), b"Example of Ed25519 signing");
    // Ed25519 is deterministic: the RFC's private key reproduces the RFC's signature.
    let d: [u8; 32] = unb64(RFC8037_D).try_into().unwrap();
    assert_eq!(ed25519_public(&d), unb64(RFC8037_X));
    let (input, sig) = RFC8037_A4_TOKEN.rsplit_once('.').unwrap();
    assert_eq!(Signer::rfc_eddsa().sign(input.as_bytes()), unb64(sig));
    assert_code(
        verify_jws(
            &tamper_signature(RFC8037_A4_TOKEN),
            &Algorithm::ASYMMETRIC,
            &keys,
        ),
        ErrorCode::SignatureInvalid,
    );
}

#[test]
fn rfc8037_a3_and_rfc7638_thumbprints() {
    let okp = Jwk::from_json(rfc8037_jwk().to_string().as_bytes()).unwrap();
    assert_eq!(okp.thumbprint_b64(), RFC8037_A3_THUMBPRINT);
    // RFC 7638 §3.1, with the members the thumbprint ignores present, in another order.
    let rsa = Jwk::from_json(
        json!({"e": "AQAB", "kty": "RSA", "alg": "RS256", "kid": "2011-04-29", "n": RFC7638_N})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(rsa.thumbprint_b64(), RFC7638_THUMBPRINT);
    assert_eq!(
        edge_token_validator::b64::encode(&rsa.thumbprint()),
        RFC7638_THUMBPRINT
    );
    // A different key has a different thumbprint (the check can fail).
    let other = Jwk::from_json(a2_jwk().to_string().as_bytes()).unwrap();
    assert_ne!(other.thumbprint_b64(), RFC7638_THUMBPRINT);
}

#[test]
fn rfc7797_b64_true_verifies_and_b64_false_is_rejected() {
    let keys = one_key(&rfc7797_jwk());
    // §4.1: the ordinary encoding verifies at the JWS layer.
    let verified = verify_jws(RFC7797_4_1_TOKEN, &[Algorithm::HS256], &keys).unwrap();
    assert_eq!(verified.payload(), b"$.02");
    // §4.2: b64=false (RFC 7797 §7: JWTs must not use it) is an extension we do not support.
    assert_code(
        verify_jws(RFC7797_4_2_DETACHED, &Algorithm::ALL, &keys),
        ErrorCode::CritUnsupported,
    );
    // The unencoded payload put back: "$.02" adds a segment.
    assert_code(
        verify_jws(RFC7797_4_2_ATTACHED, &Algorithm::ALL, &keys),
        ErrorCode::Malformed,
    );
    // An unencoded payload without '.' is not base64url.
    assert_code(
        verify_jws(B64_FALSE_COMPACT, &Algorithm::ALL, &keys),
        ErrorCode::Malformed,
    );
    // Same header over an encoded payload, MAC valid under the normal rules: crit still wins.
    let token = sign_raw(
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        "$.02",
        &Signer::Hs256(unb64(RFC7515_A1_K)),
    );
    assert_code(
        verify_jws(&token, &Algorithm::ALL, &keys),
        ErrorCode::CritUnsupported,
    );
}

fn rfc7520_token(header: &str, sig: &str) -> String {
    format!(
        "{}.{RFC7520_PAYLOAD_B64}.{sig}",
        edge_token_validator::b64::encode(header.as_bytes())
    )
}

#[test]
fn rfc7520_section4_signatures() {
    let payload = unb64(RFC7520_PAYLOAD_B64);
    assert!(String::from_utf8(payload.clone())
        .unwrap()
        .starts_with("It\u{2019}s a dangerous business, Frodo"));
    // RFC 7520 §3.2, §3.3, §3.5 keys, as published (the RSA and EC keys carry no `alg`). The
    // RSA and EC keys share a kid, told apart by alg; the secret is in a set of its own (a
    // set with public keys is public, and the core drops secrets from it).
    let public = jwks(&[
        json!({"kty": "RSA", "kid": RFC7520_KID, "use": "sig", "n": RFC7520_RSA_N, "e": "AQAB"}),
        json!({"kty": "EC", "kid": RFC7520_KID, "use": "sig", "crv": "P-521",
               "x": RFC7520_EC_X, "y": RFC7520_EC_Y}),
    ]);
    assert_eq!(public.keys().len(), 2);
    let secret = one_key(&json!({"kty": "oct", "kid": RFC7520_HMAC_KID, "use": "sig",
                                 "alg": "HS256", "k": RFC7520_HMAC_K}));
    let cases = [
        (
            "§4.1 RS256",
            format!(r#"{{"alg":"RS256","kid":"{RFC7520_KID}"}}"#),
            RFC7520_4_1_SIG,
            Algorithm::RS256,
        ),
        (
            "§4.2 PS384",
            format!(r#"{{"alg":"PS384","kid":"{RFC7520_KID}"}}"#),
            RFC7520_4_2_SIG,
            Algorithm::PS384,
        ),
        (
            "§4.3 ES512",
            format!(r#"{{"alg":"ES512","kid":"{RFC7520_KID}"}}"#),
            RFC7520_4_3_SIG,
            Algorithm::ES512,
        ),
        (
            "§4.4 HS256",
            format!(r#"{{"alg":"HS256","kid":"{RFC7520_HMAC_KID}"}}"#),
            RFC7520_4_4_SIG,
            Algorithm::HS256,
        ),
    ];
    for (name, header, sig, alg) in cases {
        let keys = if alg == Algorithm::HS256 {
            &secret
        } else {
            &public
        };
        let token = rfc7520_token(&header, sig);
        let verified = verify_jws(&token, &Algorithm::ALL, keys)
            .unwrap_or_else(|err| panic!("RFC 7520 {name}: {err}"));
        assert_eq!(verified.algorithm(), alg, "{name}");
        assert_eq!(verified.payload(), payload.as_slice(), "{name}");
        let kid = if alg == Algorithm::HS256 {
            RFC7520_HMAC_KID
        } else {
            RFC7520_KID
        };
        assert_eq!(verified.key().kid(), Some(kid), "{name}");
        assert_code(
            verify_jws(&tamper_signature(&token), &Algorithm::ALL, keys),
            ErrorCode::SignatureInvalid,
        );
        // Outside the allow-list it is refused before any key is touched.
        let others: Vec<Algorithm> = Algorithm::ALL.into_iter().filter(|a| *a != alg).collect();
        assert_code(
            verify_jws(&token, &others, keys),
            ErrorCode::AlgorithmNotAllowed,
        );
    }
}

/// The shared `rfc_vectors.json` must say what this file restates, and the core must agree
/// with every entry it can check.
#[test]
fn cross_check_shared_rfc_vectors() {
    let Some(dir) = vectors_dir("rfc_vectors::cross_check_shared_rfc_vectors") else {
        return;
    };
    let doc = read_json(&dir.join("rfc/rfc_vectors.json"));
    let entries = doc.as_object().expect("rfc_vectors.json is an object");

    // The restated values, entry by entry.
    let restated: [(&str, &str, Option<Value>); 7] = [
        ("RFC7515_A1", A1_TOKEN, Some(a1_jwk())),
        ("RFC7515_A2", A2_TOKEN, Some(a2_jwk())),
        ("RFC7515_A3", A3_TOKEN, Some(a3_jwk())),
        ("RFC7515_A4", A4_TOKEN, Some(a4_jwk())),
        ("RFC7515_A5", A5_TOKEN, None),
        ("RFC8037_A4", RFC8037_A4_TOKEN, Some(rfc8037_jwk())),
        ("RFC7797_4_1_b64true", RFC7797_4_1_TOKEN, None),
    ];
    for (name, token, jwk) in &restated {
        let entry = &entries[*name];
        assert_eq!(entry["compact"].as_str(), Some(*token), "{name} token");
        if let Some(jwk) = jwk {
            assert_eq!(&entry["jwk_public"], jwk, "{name} key");
        }
    }
    assert_eq!(
        entries["RFC7515_AppE_crit_negative"]["compact"].as_str(),
        Some(APPENDIX_E_TOKEN)
    );
    assert_eq!(
        entries["RFC7797_4_2_b64false_detached"]["compact_detached"].as_str(),
        Some(RFC7797_4_2_DETACHED)
    );
    assert_eq!(
        entries["cookbook_b64false_compact"]["compact"].as_str(),
        Some(B64_FALSE_COMPACT)
    );
    assert_eq!(
        entries["RFC8037_A3_thumbprint"]["thumbprint_sha256"].as_str(),
        Some(RFC8037_A3_THUMBPRINT)
    );

    // And the core, driven by the file alone.
    let mut checked = 0;
    for (name, entry) in entries {
        let key_of = |member: &str| -> Option<Jwks> {
            entry.get(member).map(|jwk| {
                Jwks::from_json(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
            })
        };
        match name.as_str() {
            "RFC7636_AppB_PKCE" => {
                // PKCE belongs to src/pkce.rs, tested there; here only the file's shape.
                assert!(entry["code_verifier"].is_string());
                continue;
            }
            "RFC8037_A3_thumbprint" => {
                let jwk = Jwk::from_json(entry["jwk"].to_string().as_bytes()).unwrap();
                assert_eq!(
                    Some(jwk.thumbprint_b64().as_str()),
                    entry["thumbprint_sha256"].as_str()
                );
            }
            "RFC7797_4_2_b64false_detached" => {
                let keys = key_of("jwk").unwrap();
                let token = entry["compact_detached"].as_str().unwrap();
                assert_code(
                    verify_jws(token, &Algorithm::ALL, &keys),
                    ErrorCode::CritUnsupported,
                );
            }
            "RFC7515_AppE_crit_negative" => {
                let token = entry["compact"].as_str().unwrap();
                assert_eq!(entry["expect"], "reject");
                assert_code(
                    verify_jws(token, &Algorithm::ALL, &Jwks::default()),
                    ErrorCode::CritUnsupported,
                );
            }
            "cookbook_b64false_compact" => {
                let keys = key_of("jwk").unwrap();
                assert_eq!(entry["expect"], "reject");
                assert_code(
                    verify_jws(entry["compact"].as_str().unwrap(), &Algorithm::ALL, &keys),
                    ErrorCode::Malformed,
                );
            }
            _ => {
                let token = entry["compact"].as_str().unwrap();
                let alg = entry["alg"].as_str();
                if entry["verifies"] == json!(true) {
                    let keys = key_of("jwk_public").or_else(|| key_of("jwk")).unwrap();
                    let verified = verify_jws(token, &Algorithm::ALL, &keys)
                        .unwrap_or_else(|err| panic!("{name}: {err}"));
                    if let Some(alg) = alg {
                        assert_eq!(verified.algorithm().name(), alg, "{name}");
                    }
                    if let Some(len) = entry.get("siglen").and_then(Value::as_u64) {
                        assert_eq!(
                            unb64(token.rsplit_once('.').unwrap().1).len() as u64,
                            len,
                            "{name}"
                        );
                    }
                    assert_code(
                        verify_jws(&tamper_signature(token), &Algorithm::ALL, &keys),
                        ErrorCode::SignatureInvalid,
                    );
                } else {
                    // A.5: "n/a (must reject)"; its "key" is the empty octet string.
                    assert_eq!(alg, Some("none"), "{name}");
                    assert_code(
                        Jwk::from_json(entry["jwk_public"].to_string().as_bytes()),
                        ErrorCode::InvalidKey,
                    );
                    assert_code(
                        verify_jws(token, &Algorithm::ALL, &Jwks::default()),
                        ErrorCode::UnsupportedAlgorithm,
                    );
                }
            }
        }
        checked += 1;
    }
    // Every entry but PKCE (11 of 12): a new entry in the file makes this fail until handled.
    assert_eq!(entries.len(), 12);
    assert_eq!(checked, 11);
}

#[test]
fn validator_rejects_an_empty_allow_list_and_issuer() {
    // Options are checked once, with invalid_request (not a token error).
    assert_code(
        Validator::new(ValidatorOptions::new("joe").algorithms(&[])),
        ErrorCode::InvalidRequest,
    );
    assert_code(
        Validator::new(ValidatorOptions::new("")),
        ErrorCode::InvalidRequest,
    );
}
