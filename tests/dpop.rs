//! DPoP (RFC 9449) and certificate binding (RFC 8705) at the resource server: each test
//! names the check of RFC 9449 §4.3 / §7.1 or RFC 8705 §3 it proves.

mod common;

use common::*;
use edge_token_validator::dpop::{self, check_binding, DpopRequest, Presentation};
use edge_token_validator::{Algorithm, ErrorCode, Jwk, Validator, ValidatorOptions, VerifiedToken};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const URL: &str = "https://api.example/orders/7";

fn proof_key_public() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": RFC7515_A3_X, "y": RFC7515_A3_Y})
}

fn proof_jkt() -> String {
    Jwk::from_json(proof_key_public().to_string().as_bytes())
        .unwrap()
        .thumbprint_b64()
}

fn ath(token: &str) -> String {
    edge_token_validator::b64::encode(&Sha256::digest(token.as_bytes()))
}

fn bound_token(jkt: &str) -> (String, VerifiedToken) {
    let mut claims = good_claims();
    claims["cnf"] = json!({ "jkt": jkt });
    let token = token_for(KID_RSA, &claims);
    let options = ValidatorOptions::new(ISSUER).audience(AUDIENCE);
    let verified = Validator::new(options)
        .unwrap()
        .validate(&token, &standard_jwks(), NOW)
        .unwrap();
    (token, verified)
}

fn proof_with(header: Value, claims: Value, signer: &Signer) -> String {
    sign_json(&header, &claims, signer)
}

fn good_proof(access_token: &str) -> (Value, Value) {
    (
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": proof_key_public()}),
        json!({"jti": "proof-1", "htm": "GET", "htu": URL, "iat": NOW, "ath": ath(access_token)}),
    )
}

/// Runs the whole check; the error code and whether a nonce is asked for on failure.
fn check(
    proof: &str,
    access_token: &str,
    verified: &VerifiedToken,
    method: &str,
    url: &str,
    nonce: Option<&str>,
) -> Result<dpop::AcceptedProof, (ErrorCode, bool)> {
    let (pending, key) = dpop::begin_proof(proof, &Algorithm::ASYMMETRIC)
        .map_err(|e| (e.error.code(), e.use_nonce))?;
    let jws =
        dpop::verify_proof_signature(pending, None).map_err(|e| (e.error.code(), e.use_nonce))?;
    let request = DpopRequest {
        method,
        url,
        access_token,
        nonce,
    };
    dpop::check_proof(jws, &key, &request, verified.claims(), NOW, 60.0)
        .map_err(|e| (e.error.code(), e.use_nonce))
}

#[test]
fn a_valid_proof_is_accepted_and_says_what_to_remember() {
    let (token, verified) = bound_token(&proof_jkt());
    let (h, c) = good_proof(&token);
    let accepted = check(
        &proof_with(h, c, &signer_for(KID_EC)),
        &token,
        &verified,
        "GET",
        URL,
        None,
    )
    .unwrap();
    assert_eq!(accepted.jti, "proof-1");
    assert_eq!(accepted.jkt, proof_jkt());
    assert_eq!(accepted.remember_until, NOW + 120.0);
    // §4.3 step 9: query and fragment are ignored.
    let (h, c) = good_proof(&token);
    assert!(check(
        &proof_with(h, c, &signer_for(KID_EC)),
        &token,
        &verified,
        "GET",
        &format!("{URL}?page=2#x"),
        None
    )
    .is_ok());
    check_binding(&verified, Presentation::Dpop { jkt: &accepted.jkt }, None).unwrap();
}

#[test]
fn rfc9449_4_3_each_check_refuses_with_dpop_invalid() {
    let (token, verified) = bound_token(&proof_jkt());
    let ec = signer_for(KID_EC);
    let refuse = |header: Value, claims: Value, signer: &Signer, method: &str, url: &str| {
        let result = check(
            &proof_with(header, claims, signer),
            &token,
            &verified,
            method,
            url,
            None,
        );
        assert_eq!(result.unwrap_err(), (ErrorCode::DpopInvalid, false));
    };
    let (h, c) = good_proof(&token);
    // step 5 typ, step 6 alg none / symmetric, step 7 private key
    refuse(
        json!({"typ": "JWT", "alg": "ES256", "jwk": proof_key_public()}),
        c.clone(),
        &ec,
        "GET",
        URL,
    );
    let mut with_private = proof_key_public();
    with_private["d"] = json!(RFC7515_A3_D);
    refuse(
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": with_private}),
        c.clone(),
        &ec,
        "GET",
        URL,
    );
    refuse(
        json!({"typ": "dpop+jwt", "alg": "ES256"}),
        c.clone(),
        &ec,
        "GET",
        URL,
    );
    let none = format!(
        "{}.{}.",
        edge_token_validator::b64::encode(
            json!({"typ":"dpop+jwt","alg":"none","jwk":proof_key_public()})
                .to_string()
                .as_bytes()
        ),
        edge_token_validator::b64::encode(c.to_string().as_bytes())
    );
    assert_eq!(
        check(&none, &token, &verified, "GET", URL, None)
            .unwrap_err()
            .0,
        ErrorCode::DpopInvalid
    );
    let hs = json!({"typ": "dpop+jwt", "alg": "HS256", "jwk": {"kty": "oct", "k": edge_token_validator::b64::encode(HS_SECRET)}});
    refuse(hs, c.clone(), &signer_for(KID_HS), "GET", URL);
    // step 8: the signature must be the embedded key's
    refuse(h.clone(), c.clone(), &signer_for(KID_P384), "GET", URL);
    // steps 9-10: method and URL
    refuse(h.clone(), c.clone(), &ec, "POST", URL);
    refuse(
        h.clone(),
        c.clone(),
        &ec,
        "GET",
        "https://api.example/orders/8",
    );
    refuse(
        h.clone(),
        c.clone(),
        &ec,
        "GET",
        "https://other.example/orders/7",
    );
    // step 11: iat window (±60 s plus the 60 s tolerance)
    let mut stale = c.clone();
    stale["iat"] = json!(NOW - 121.0);
    refuse(h.clone(), stale, &ec, "GET", URL);
    let mut future = c.clone();
    future["iat"] = json!(NOW + 121.0);
    refuse(h.clone(), future, &ec, "GET", URL);
    // ath: the hash of another token
    let mut wrong_ath = c.clone();
    wrong_ath["ath"] = json!(ath("another-token"));
    refuse(h.clone(), wrong_ath, &ec, "GET", URL);
    let mut no_jti = c.clone();
    no_jti.as_object_mut().unwrap().remove("jti");
    refuse(h.clone(), no_jti, &ec, "GET", URL);
}

#[test]
fn rfc9449_6_1_proof_key_must_be_the_tokens_cnf_jkt() {
    let (token, verified) = bound_token("some-other-thumbprint");
    let (h, c) = good_proof(&token);
    assert_eq!(
        check(
            &proof_with(h, c, &signer_for(KID_EC)),
            &token,
            &verified,
            "GET",
            URL,
            None
        )
        .unwrap_err(),
        (ErrorCode::DpopInvalid, false)
    );
}

#[test]
fn rfc9449_8_nonce_required_then_supplied() {
    let (token, verified) = bound_token(&proof_jkt());
    let (h, c) = good_proof(&token);
    let without = check(
        &proof_with(h.clone(), c.clone(), &signer_for(KID_EC)),
        &token,
        &verified,
        "GET",
        URL,
        Some("n-42"),
    );
    assert_eq!(
        without.unwrap_err(),
        (ErrorCode::DpopInvalid, true),
        "use_dpop_nonce"
    );
    let mut with_nonce = c;
    with_nonce["nonce"] = json!("n-42");
    assert!(check(
        &proof_with(h, with_nonce, &signer_for(KID_EC)),
        &token,
        &verified,
        "GET",
        URL,
        Some("n-42")
    )
    .is_ok());
}

#[test]
fn rfc9449_7_1_a_bound_token_presented_as_bearer_is_refused() {
    let (_, verified) = bound_token(&proof_jkt());
    assert_eq!(
        check_binding(&verified, Presentation::Bearer, None)
            .unwrap_err()
            .code(),
        ErrorCode::DpopInvalid
    );
    let options = ValidatorOptions::new(ISSUER).audience(AUDIENCE);
    let plain = Validator::new(options)
        .unwrap()
        .validate(&token_for(KID_RSA, &good_claims()), &standard_jwks(), NOW)
        .unwrap();
    check_binding(&plain, Presentation::Bearer, None).unwrap();
}

#[test]
fn rfc8705_3_certificate_bound_tokens_need_the_matching_certificate() {
    let thumbprint = dpop::thumbprint_from_hex(&"ab".repeat(32)).unwrap();
    let mut claims = good_claims();
    claims["cnf"] = json!({ "x5t#S256": thumbprint });
    let options = ValidatorOptions::new(ISSUER).audience(AUDIENCE);
    let verified = Validator::new(options)
        .unwrap()
        .validate(&token_for(KID_RSA, &claims), &standard_jwks(), NOW)
        .unwrap();
    check_binding(&verified, Presentation::Bearer, Some(&thumbprint)).unwrap();
    let other = dpop::thumbprint_from_hex(&"cd".repeat(32)).unwrap();
    assert_eq!(
        check_binding(&verified, Presentation::Bearer, Some(&other))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
    assert_eq!(
        check_binding(&verified, Presentation::Bearer, None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
}
