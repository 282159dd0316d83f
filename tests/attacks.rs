//! Known attacks on JWT validators, one test each, named for the attack, with its source
//! (RFC 8725 section, CVE, RFC rule) in the comment. Every test asserts exact error codes, and
//! most carry a positive control (the same token done right passes), so a test that stopped
//! exercising its attack would fail rather than pass quietly.

mod common;

use common::*;
use edge_token_validator::token::DEFAULT_MAX_TOKEN_BYTES;
use edge_token_validator::{b64, Algorithm, ErrorCode, Jwk, Jwks, UntrustedJws, ValidatorOptions};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Algorithm attacks
// ---------------------------------------------------------------------------------------------

/// RFC 8725 §2.1 and §3.1, CVE-2015-9235 (node-jsonwebtoken accepted `none`):
/// `alg: none` in any spelling is never accepted, with or without a signature.
#[test]
fn alg_none_in_any_case_is_unsupported() {
    for alg in NONE_SPELLINGS {
        assert_eq!(Algorithm::from_name(alg), None);
        for kid in [None, Some(KID_RSA)] {
            let mut head = json!({ "alg": alg });
            if let Some(kid) = kid {
                head["kid"] = json!(kid);
            }
            let unsigned = sign_json(&head, &good_claims(), &Signer::Raw(Vec::new()));
            assert!(unsigned.ends_with('.'));
            assert_code(
                validate(&unsigned, KID_RSA),
                ErrorCode::UnsupportedAlgorithm,
            );
            // A genuine RS256 signature over the same input changes nothing.
            let signed = sign_json(&head, &good_claims(), &Signer::Rs256);
            assert_code(validate(&signed, KID_RSA), ErrorCode::UnsupportedAlgorithm);
        }
    }
    // Registered names are case-sensitive (RFC 7515 §4.1.1): "rs256" is not RS256.
    let lower = rs256_token(&header("rs256", KID_RSA), &good_claims());
    assert_code(validate(&lower, KID_RSA), ErrorCode::UnsupportedAlgorithm);
    validate(&good_rs256(), KID_RSA).unwrap();
}

/// RFC 8725 §2.1 / §3.1, CVE-2015-9235, CVE-2016-10555 (jwt-simple): key confusion. The
/// token says HS256 and is MAC'ed with the bytes of the RSA *public* key, hoping the
/// validator feeds that key to HMAC.
#[test]
fn key_confusion_rs256_public_key_used_as_hmac_secret() {
    let rsa_only = jwks(&[rsa_jwk(KID_RSA)]);
    assert!(rsa_public_pem().starts_with(
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0t"
    ));
    let default_options = ValidatorOptions::new(ISSUER).audience(AUDIENCE);
    for (_, secret) in key_confusion_secrets() {
        for head in [
            json!({"alg": "HS256", "kid": KID_RSA}),
            json!({"alg": "HS256"}),
        ] {
            let forged = sign_json(&head, &good_claims(), &Signer::Hs256(secret.clone()));
            // The default allow-list is asymmetric only.
            assert_code(
                validator(default_options.clone()).validate(&forged, &rsa_only, NOW),
                ErrorCode::AlgorithmNotAllowed,
            );
            // HS256 allowed, but the only key is RSA: HMAC never runs with it.
            assert_code(
                validator(options()).validate(&forged, &rsa_only, NOW),
                ErrorCode::UnknownKey,
            );
            assert_code(
                validator(options()).validate(&forged, &standard_jwks(), NOW),
                ErrorCode::UnknownKey,
            );
        }
    }
    // The one-key path (as DPoP uses) refuses the pairing too.
    let rsa_key = Jwk::from_json(rsa_jwk(KID_RSA).to_string().as_bytes()).unwrap();
    assert!(!Algorithm::HS256.fits(rsa_key.material()));
    let forged = sign_json(
        &json!({"alg": "HS256"}),
        &good_claims(),
        &Signer::Hs256(unb64(RFC7515_A2_N)),
    );
    assert_code(
        UntrustedJws::parse(&forged, DEFAULT_MAX_TOKEN_BYTES)
            .unwrap()
            .prepare_with_key(&Algorithm::ALL, &rsa_key),
        ErrorCode::UnknownKey,
    );
    // Control: the RSA key does verify its own RS256 token under both option sets.
    validator(default_options)
        .validate(&good_rs256(), &rsa_only, NOW)
        .unwrap();
}

/// CVE-2018-0114 (node-jose), RFC 8725 §2.9 / §3.10: a header `jwk` (or `jku`, `x5u`, `x5c`)
/// naming the attacker's own key is never used to find a key (RFC 8725 §3.10).
#[test]
fn embedded_jwk_jku_x5u_x5c_are_never_used() {
    let attacker = Signer::Es256(ATTACKER_D);
    for (member, value) in embedded_key_members() {
        // kid of the attacker's key: no such key in the trusted set.
        let mut head = json!({"alg": "ES256", "kid": "attacker"});
        head[member] = value.clone();
        let forged = sign_json(&head, &good_claims(), &attacker);
        assert_code(validate(&forged, KID_EC), ErrorCode::UnknownKey);
        // No kid, or the trusted kid: the trusted key is used, and it rejects the signature.
        for kid in [None, Some(KID_EC)] {
            let mut head = json!({"alg": "ES256"});
            if let Some(kid) = kid {
                head["kid"] = json!(kid);
            }
            head[member] = value.clone();
            let forged = sign_json(&head, &good_claims(), &attacker);
            assert_code(validate(&forged, KID_EC), ErrorCode::SignatureInvalid);
        }
        // Control: the member is merely ignored; signed by the trusted key, the token passes
        // and the key that verified is the trusted one.
        let mut head = json!({"alg": "ES256", "kid": KID_EC});
        head[member] = value;
        let genuine = sign_json(&head, &good_claims(), &Signer::rfc_es256());
        let verified = validate(&genuine, KID_EC).unwrap();
        assert_eq!(verified.kid(), Some(KID_EC));
    }
}

/// Kid injection (RFC 8725 §2.9 and §3.10: path traversal or SQL text in `kid`, as in the
/// "kid: ../../dev/null" HMAC bypasses): the kid is only an opaque lookup key.
#[test]
fn kid_injection_is_only_an_opaque_lookup() {
    for kid in INJECTED_KIDS {
        let forged = rs256_token(&header("RS256", kid), &good_claims());
        let err = validate(&forged, KID_RSA).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnknownKey, "kid {kid:?}");
        // The error never echoes the attacker's text.
        if kid.len() > 2 {
            assert!(!err.description().contains(kid), "description echoes kid");
            assert!(!err
                .www_authenticate("api", None)
                .contains(kid.trim_end_matches('\u{0}')));
        }
        // The HMAC variant: an empty or file-content "secret" under an injected kid.
        for secret in [Vec::new(), b"\n".to_vec()] {
            let forged = sign_json(
                &header("HS256", kid),
                &good_claims(),
                &Signer::Hs256(secret),
            );
            assert_code(validate(&forged, KID_HS), ErrorCode::UnknownKey);
        }
    }
    // A kid that is not a string is malformed, not looked up.
    let forged = rs256_token(&json!({"alg": "RS256", "kid": 1}), &good_claims());
    assert_code(validate(&forged, KID_RSA), ErrorCode::Malformed);
    validate(&good_rs256(), KID_RSA).unwrap();
}

/// CVE-2022-21449 ("psychic signatures", Java 15–18): r = s = 0 verified for any message.
/// Also r or s equal to the group order. Checked on the native path and on the host path
/// (a host that wrongly says "valid" cannot override the shape check).
#[test]
fn psychic_ecdsa_signatures_are_rejected() {
    for (alg, kid, len) in ECDSA_KEYS {
        let zero = sign_json(
            &header(alg, kid),
            &good_claims(),
            &Signer::Raw(vec![0; len]),
        );
        assert_code(validate(&zero, kid), ErrorCode::SignatureInvalid);
        let pending = validator(options()).begin(&zero, &standard_jwks()).unwrap();
        assert!(
            !pending.needs_verdict(),
            "{alg}: r = s = 0 needs no host verdict"
        );
        assert_code(
            pending.accept_host_verdict(true),
            ErrorCode::SignatureInvalid,
        );
    }
    // r = s = n for P-256 and secp256k1.
    for (alg, kid, order) in ECDSA_ORDERS {
        let n = hex(order);
        let sig = [n.clone(), n].concat();
        let forged = sign_json(&header(alg, kid), &good_claims(), &Signer::Raw(sig));
        assert_code(validate(&forged, kid), ErrorCode::SignatureInvalid);
        let pending = validator(options())
            .begin(&forged, &standard_jwks())
            .unwrap();
        assert_code(
            pending.accept_host_verdict(true),
            ErrorCode::SignatureInvalid,
        );
    }
    // r = 0 with a genuine s.
    assert_code(
        validate(&es256_zero_r(), KID_EC),
        ErrorCode::SignatureInvalid,
    );
    let genuine = token_for(KID_EC, &good_claims());
    // Control: a genuine signature needs (and gets) a verdict.
    let pending = validator(options())
        .begin(&genuine, &standard_jwks())
        .unwrap();
    assert!(pending.needs_verdict());
    validate(&genuine, KID_EC).unwrap();
}

/// RFC 7518 §3.4: an ECDSA JWS signature is raw r‖s of exactly twice the coordinate length.
/// ASN.1 DER (what some libraries emit) and wrong lengths are rejected, also on the host path
/// (WebCrypto would reject DER too, but a lenient host might not).
#[test]
fn der_encoded_or_wrong_length_ecdsa_signatures_are_rejected() {
    for kid in [KID_EC, KID_K1, KID_P384] {
        let genuine = token_for(kid, &good_claims());
        let raw = ecdsa_signature(&genuine);
        for (name, sig) in ecdsa_signature_variants(&raw) {
            let forged = raw_signature(&genuine, &sig);
            let err = validate(&forged, kid).unwrap_err();
            assert_eq!(err.code(), ErrorCode::SignatureInvalid, "{kid} {name}");
            if sig.len() != raw.len() {
                let pending = validator(options())
                    .begin(&forged, &standard_jwks())
                    .unwrap();
                assert!(!pending.needs_verdict(), "{kid} {name}");
                assert_code(
                    pending.accept_host_verdict(true),
                    ErrorCode::SignatureInvalid,
                );
            }
        }
        validate(&genuine, kid).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Header and structure attacks
// ---------------------------------------------------------------------------------------------

/// RFC 7515 §4.1.11 and Appendix E (critical extensions): a `crit` this validator does not
/// understand (it understands none) rejects the token, however well it is signed.
#[test]
fn crit_is_rejected() {
    for head in &unsupported_crit_headers() {
        assert_code(
            validate(&rs256_token(head, &good_claims()), KID_RSA),
            ErrorCode::CritUnsupported,
        );
    }
    // A crit that is not a non-empty array of names is malformed (RFC 7515 §4.1.11).
    for crit in malformed_crits() {
        let head = json!({"alg": "RS256", "kid": KID_RSA, "crit": crit});
        assert_code(
            validate(&rs256_token(&head, &good_claims()), KID_RSA),
            ErrorCode::Malformed,
        );
    }
    validate(&good_rs256(), KID_RSA).unwrap();
}

/// RFC 7797 §7: JWTs must not use `b64: false` (the signature would cover raw bytes another
/// parser reads differently). With crit it is an unsupported extension; without crit, `b64`
/// is invalid (RFC 7797 §6).
#[test]
fn b64_false_is_rejected() {
    assert_code(
        validate(&rs256_token(&b64_false_header(), &good_claims()), KID_RSA),
        ErrorCode::CritUnsupported,
    );
    // The payload really unencoded, as RFC 7797 signs it: not base64url.
    assert_code(
        validate(&unencoded_payload_token(), KID_RSA),
        ErrorCode::Malformed,
    );
    for b64_value in [json!(false), json!(true)] {
        let head = json!({"alg": "RS256", "kid": KID_RSA, "b64": b64_value});
        assert_code(
            validate(&rs256_token(&head, &good_claims()), KID_RSA),
            ErrorCode::Malformed,
        );
    }
}

/// RFC 7516 §9 (telling JWE from JWS) and RFC 7519 §7.2: an access token here is a signed
/// compact JWS. Five segments (JWE) and any other count are malformed, as are nested JWTs
/// (`cty: JWT`, RFC 7519 §5.2), which would hand the inner token to a second, unguarded check.
#[test]
fn jwe_and_nested_jwts_are_malformed() {
    let jwe = jwe_compact();
    assert_eq!(jwe.split('.').count(), 5);
    assert_code(validate(&jwe, KID_RSA), ErrorCode::Malformed);
    assert_code(
        UntrustedJws::parse(&jwe, DEFAULT_MAX_TOKEN_BYTES),
        ErrorCode::Malformed,
    );
    let good = good_rs256();
    for broken in wrong_segment_counts(&good) {
        assert_code(validate(&broken, KID_RSA), ErrorCode::Malformed);
    }
    // Nested: the payload is itself a JWT, flagged by cty (any case, with or without the
    // "application/" prefix, RFC 7515 §4.1.10).
    for cty in NESTED_CTYS {
        let head = json!({"alg": "RS256", "kid": KID_RSA, "cty": cty});
        let outer = sign_raw(&head.to_string(), &good, &Signer::Rs256);
        assert_code(validate(&outer, KID_RSA), ErrorCode::Malformed);
        // Even when the payload happens to be a claims set.
        let outer = rs256_token(&head, &good_claims());
        assert_code(validate(&outer, KID_RSA), ErrorCode::Malformed);
    }
    // Another cty is not nesting.
    let head = json!({"alg": "RS256", "kid": KID_RSA, "cty": "json"});
    validate(&rs256_token(&head, &good_claims()), KID_RSA).unwrap();
}

/// RFC 7515 §4 and RFC 7519 §4 (member names MUST be unique; parsers reject duplicates or
/// keep the last): duplicate member names are rejected (two parsers keeping different duplicates disagree about what a token says:
/// the JSON parser differential of CVE-2017-12635).
#[test]
fn duplicate_header_and_payload_members_are_malformed() {
    let claims = good_claims().to_string();
    for head in DUPLICATE_HEADERS {
        assert_code(
            validate(&sign_raw(head, &claims, &Signer::Rs256), KID_RSA),
            ErrorCode::Malformed,
        );
    }
    let (payloads, single) = duplicate_payloads();
    for payload in &payloads {
        let token = sign_raw(RS256_HEADER, payload, &Signer::Rs256);
        assert_code(validate(&token, KID_RSA), ErrorCode::Malformed);
    }
    // Control: the same texts without the duplicate pass.
    validate(&sign_raw(RS256_HEADER, &single, &Signer::Rs256), KID_RSA).unwrap();
}

/// RFC 7515 §2 and §7.1: base64url without padding, line breaks, white space or other
/// characters, with canonical trailing bits (Wycheproof JWS tcs 360–375): one signature, one
/// spelling, so a token cannot be re-spelled past a deny-list or cache.
#[test]
fn non_canonical_base64url_is_malformed() {
    let good = good_rs256();
    for segment in good.split('.') {
        if let Some(other) = non_canonical(segment) {
            assert_eq!(
                base64ct_lenient_decode(&other),
                base64ct_lenient_decode(segment),
                "the variant means the same bytes to a lenient decoder"
            );
        }
    }
    let variants = base64url_variants(&good);
    let trailing = variants
        .iter()
        .filter(|(n, _)| n.starts_with("trailing"))
        .count();
    assert!(
        trailing >= 2,
        "at least two segments have unused bits to flip"
    );
    assert!(variants.iter().any(|(n, _)| n.starts_with("standard")));
    for (name, token) in &variants {
        let err = validate(token, KID_RSA).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed, "{name}");
    }
    validate(&good, KID_RSA).unwrap();
}

/// A lenient base64url decoder (ignores unused trailing bits), to show the variants above
/// would fool one.
fn base64ct_lenient_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        bits = bits << 6 | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Resource exhaustion, and the contract's `maxTokenBytes`: an oversize token
/// is refused by its length alone, before any decoding.
#[test]
fn oversize_token_is_rejected_before_decoding() {
    // Not base64url, not three segments: had it been decoded, this would be `malformed`.
    for junk in ["!".repeat(DEFAULT_MAX_TOKEN_BYTES + 1), "A".repeat(1 << 20)] {
        assert_code(validate(&junk, KID_RSA), ErrorCode::TokenTooLarge);
        assert_code(
            UntrustedJws::parse(&junk, DEFAULT_MAX_TOKEN_BYTES),
            ErrorCode::TokenTooLarge,
        );
    }
    // At the limit it is decoded (and found malformed).
    assert_code(
        validate(&"!".repeat(DEFAULT_MAX_TOKEN_BYTES), KID_RSA),
        ErrorCode::Malformed,
    );
    // A genuine token one byte over a configured cap; and exactly at it.
    let good = good_rs256();
    let mut options = options();
    options.max_token_bytes = good.len() - 1;
    assert_code(
        validator(options.clone()).validate(&good, &standard_jwks(), NOW),
        ErrorCode::TokenTooLarge,
    );
    options.max_token_bytes = good.len();
    validator(options)
        .validate(&good, &standard_jwks(), NOW)
        .unwrap();
    // A big but allowed claims set passes the size check and is validated normally.
    let padded = token_for(KID_RSA, &with_claim("pad", json!("x".repeat(4000))));
    assert!(padded.len() < DEFAULT_MAX_TOKEN_BYTES);
    validate(&padded, KID_RSA).unwrap();
    let huge = token_for(KID_RSA, &with_claim("pad", json!("x".repeat(6200))));
    assert!(huge.len() > DEFAULT_MAX_TOKEN_BYTES);
    assert_code(validate(&huge, KID_RSA), ErrorCode::TokenTooLarge);
}

// ---------------------------------------------------------------------------------------------
// Claims attacks
// ---------------------------------------------------------------------------------------------

/// RFC 7519 §2 (NumericDate): dates must be finite JSON numbers.
/// Strings, booleans and overflowing literals are invalid, not "absent" and not "forever";
/// fractions are allowed.
#[test]
fn numeric_date_types() {
    for claim in ["exp", "nbf", "iat"] {
        for bad in bad_numeric_dates() {
            let token = token_for(KID_RSA, &with_claim(claim, bad.clone()));
            let err = validate(&token, KID_RSA).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidClaim, "{claim} = {bad}");
        }
        // Overflowing literals, which a double turns into infinity.
        for literal in OVERFLOWING_LITERALS {
            let token = token_with_literal(claim, literal);
            let err = validate(&token, KID_RSA).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidClaim, "{claim} = {literal}");
        }
    }
    // Fractions (RFC 7519 §2: "non-integer values can be represented").
    let token = token_for(KID_RSA, &with_claim("exp", json!(NOW + 600.5)));
    assert_eq!(
        validate(&token, KID_RSA).unwrap().expires_at(),
        Some(NOW + 600.5)
    );
    let token = token_for(KID_RSA, &with_claim("exp", json!(NOW + 0.25)));
    validate(&token, KID_RSA).unwrap();
    // Exponent notation is a number like any other.
    let payload = format!(r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":1.7000006e9}}"#);
    let token = sign_raw(RS256_HEADER, &payload, &Signer::Rs256);
    assert_eq!(
        validate(&token, KID_RSA).unwrap().expires_at(),
        Some(1_700_000_600.0)
    );
    // exp is required.
    assert_code(
        validate(&token_for(KID_RSA, &without_claim("exp")), KID_RSA),
        ErrorCode::MissingClaim,
    );
}

/// RFC 7519 §4.1.1 / §4.1.3, RFC 9068 §4, RFC 8725 §3.8–3.9: `iss` and `aud` compare as
/// exact strings. Near misses (trailing slash, case, prefix, suffix) are mismatches.
#[test]
fn issuer_and_audience_near_misses() {
    for iss in ISSUER_NEAR_MISSES {
        let err =
            validate(&token_for(KID_RSA, &with_claim("iss", json!(iss))), KID_RSA).unwrap_err();
        assert_eq!(err.code(), ErrorCode::IssuerMismatch, "iss {iss:?}");
    }
    for aud in audience_near_misses() {
        let err = validate(
            &token_for(KID_RSA, &with_claim("aud", aud.clone())),
            KID_RSA,
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::AudienceMismatch, "aud {aud}");
    }
    // Wrong types are invalid, absence is missing.
    for (claim, value) in issuer_audience_wrong_types() {
        assert_code(
            validate(&token_for(KID_RSA, &with_claim(claim, value)), KID_RSA),
            ErrorCode::InvalidClaim,
        );
    }
    for claim in ["iss", "aud"] {
        assert_code(
            validate(&token_for(KID_RSA, &without_claim(claim)), KID_RSA),
            ErrorCode::MissingClaim,
        );
    }
    // An array that contains the audience is accepted (RFC 7519 §4.1.3).
    let token = token_for(
        KID_RSA,
        &with_claim("aud", json!(["https://other.example", AUDIENCE])),
    );
    validate(&token, KID_RSA).unwrap();
    // Several configured issuers: any one matches exactly.
    let mut several = options();
    several.issuers.push("https://second.example".into());
    let token = token_for(KID_RSA, &with_claim("iss", json!("https://second.example")));
    validate_with(several, &token).unwrap();
}

/// RFC 8725 §3.11 and RFC 9068 §2.1 / §4: explicit typing. With `tokenType` "at+jwt", an
/// ID token or plain JWT is refused; the media type compares without case and without the
/// "application/" prefix (RFC 7515 §4.1.9).
#[test]
fn typ_confusion() {
    let mut options = options();
    options.token_type = Some("at+jwt".into());
    for typ in NOT_AT_JWT {
        assert_code(
            validate_with(options.clone(), &typed_rs256(typ)),
            ErrorCode::TypeMismatch,
        );
    }
    for typ in AT_JWT_SPELLINGS {
        validate_with(options.clone(), &typed_rs256(Some(typ))).unwrap();
    }
    // Without tokenType configured, typ is not checked.
    validate(&typed_rs256(Some("JWT")), KID_RSA).unwrap();
    // A typ that is not a string is malformed.
    let head = json!({"alg": "RS256", "kid": KID_RSA, "typ": 1});
    assert_code(
        validate(&rs256_token(&head, &good_claims()), KID_RSA),
        ErrorCode::Malformed,
    );
}

// ---------------------------------------------------------------------------------------------
// Key attacks
// ---------------------------------------------------------------------------------------------

/// RFC 7518 §3.2–3.5 and §6, RFC 8037 §3.1, RFC 8725 §3.5: weak or invalid keys are refused
/// (alone: `invalid_key`; in a set: excluded, so tokens naming them get `unknown_key`).
/// RSA below 2048 bits, bad exponents, ROCA moduli (CVE-2017-15361), short HMAC secrets,
/// off-curve points (invalid-curve attacks, RFC 8725 §3.4), small-order Ed25519 keys.
#[test]
fn weak_keys_are_excluded() {
    let weak = weak_keys();
    for (name, jwk, reason) in &weak {
        let err = Jwk::from_json(jwk.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{name}");
        assert!(
            err.description().contains(reason),
            "{name}: {}",
            err.description()
        );
    }
    // Controls: the same shapes, done right, are accepted.
    for good in [
        json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "Aw"}),
        json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQAB"}),
        json!({"kty": "RSA", "n": b64::encode(&roca_like_modulus(2)), "e": "AQAB"}),
        json!({"kty": "oct", "k": b64::encode(&[7u8; 32])}),
        ec_jwk("x"),
        ed_jwk("x"),
    ] {
        Jwk::from_json(good.to_string().as_bytes()).unwrap();
    }
    // In a set, each weak key is excluded and a token naming it finds no key.
    for (i, (name, jwk, reason)) in weak.iter().enumerate() {
        let kid = format!("weak-{i}");
        let mut jwk = jwk.clone();
        jwk["kid"] = json!(kid);
        let set = jwks(&[jwk]);
        assert!(set.keys().is_empty(), "{name}");
        assert!(set.excluded()[0].reason.contains(reason), "{name}");
        let token = token_for_weak_key(name, &kid);
        assert_code(
            validator(options()).validate(&token, &set, NOW),
            ErrorCode::UnknownKey,
        );
    }
    // HS384 / HS512 need a key at least as long as their hash (RFC 7518 §3.2): a 32-byte
    // secret fits HS256 only.
    let secret = jwks(&[hs_jwk(KID_HS)]);
    for alg in ["HS384", "HS512"] {
        let token = sign_json(
            &header(alg, KID_HS),
            &good_claims(),
            &Signer::Raw(vec![0; 64]),
        );
        assert_code(
            validator(options()).validate(&token, &secret, NOW),
            ErrorCode::UnknownKey,
        );
    }
    validate(&token_for(KID_HS, &good_claims()), KID_HS).unwrap();
}

/// RFC 7517 §4.2 / §4.3: a key marked for encryption, or whose `key_ops` lack "verify", never
/// verifies a signature (Wycheproof JWS tcs 353–356).
#[test]
fn use_enc_and_key_ops_without_verify_are_excluded() {
    let token = token_for(KID_EC, &good_claims());
    for extra in &non_verify_uses() {
        let jwk = ec_jwk_with(extra);
        assert_code(
            Jwk::from_json(jwk.to_string().as_bytes()),
            ErrorCode::InvalidKey,
        );
        let set = jwks(&[jwk]);
        assert_eq!(set.excluded().len(), 1, "{extra}");
        assert_code(
            validator(options()).validate(&token, &set, NOW),
            ErrorCode::UnknownKey,
        );
    }
    for extra in &verify_uses() {
        validator(options())
            .validate(&token, &jwks(&[ec_jwk_with(extra)]), NOW)
            .unwrap();
    }
}

/// RFC 8725 §3.1 ("each key used with exactly one algorithm") and RFC 7517 §4.4: a key's own
/// `alg` must equal the header's. A PS256 key does not verify PS384 (Wycheproof tc 346), nor
/// a genuine RS256 signature.
#[test]
fn key_alg_mismatch_is_unknown_key() {
    let mut ps256_key = rsa_jwk(KID_RSA);
    ps256_key["alg"] = json!("PS256");
    let set = jwks(&[ps256_key]);
    let any_sig = Signer::Raw(vec![0x55; 256]);
    let ps384 = sign_json(&header("PS384", KID_RSA), &good_claims(), &any_sig);
    assert_code(
        validator(options()).validate(&ps384, &set, NOW),
        ErrorCode::UnknownKey,
    );
    // A genuinely valid RS256 signature by that very key: still the wrong algorithm.
    assert_code(
        validator(options()).validate(&good_rs256(), &set, NOW),
        ErrorCode::UnknownKey,
    );
    // The key is chosen for PS256 (the signature bytes then decide).
    let ps256 = sign_json(&header("PS256", KID_RSA), &good_claims(), &any_sig);
    assert_code(
        validator(options()).validate(&ps256, &set, NOW),
        ErrorCode::SignatureInvalid,
    );
    // Unregistered key algs ("ES521", "A256GCM") fit nothing.
    for alg in ["ES521", "A256GCM", "rs256"] {
        let mut key = rsa_jwk(KID_RSA);
        key["alg"] = json!(alg);
        assert_code(
            validator(options()).validate(&good_rs256(), &jwks(&[key]), NOW),
            ErrorCode::UnknownKey,
        );
    }
    // Control: with alg RS256 the RS256 token passes.
    let mut rs256_key = rsa_jwk(KID_RSA);
    rs256_key["alg"] = json!("RS256");
    validator(options())
        .validate(&good_rs256(), &jwks(&[rs256_key]), NOW)
        .unwrap();
}

/// RFC 7517 §4.5 and the contract: two compatible keys under one kid are ambiguous (an
/// attacker who can add a key under an existing kid must not get to pick), and so is a kid
/// whose twin was excluded as malformed (Wycheproof JWK tc 4). Keys of different types may
/// share a kid.
#[test]
fn ambiguous_kid_is_unknown_key() {
    let legit = token_for(KID_EC, &good_claims());
    let attacker = sign_json(
        &header("ES256", KID_EC),
        &good_claims(),
        &Signer::Es256(ATTACKER_D),
    );
    let both = jwks(&[ec_jwk(KID_EC), p256_jwk_of(&ATTACKER_D, KID_EC)]);
    assert_eq!(both.keys().len(), 2);
    for token in [&legit, &attacker] {
        assert_code(
            validator(options()).validate(token, &both, NOW),
            ErrorCode::UnknownKey,
        );
    }
    // Without a kid: several compatible keys are ambiguous, one is not.
    let no_kid = sign_json(
        &json!({"alg": "ES256"}),
        &good_claims(),
        &Signer::rfc_es256(),
    );
    assert_code(
        validator(options()).validate(&no_kid, &both, NOW),
        ErrorCode::UnknownKey,
    );
    validator(options())
        .validate(&no_kid, &jwks(&[ec_jwk(KID_EC), rsa_jwk(KID_RSA)]), NOW)
        .unwrap();
    // A malformed twin (non-canonical base64url) under the same kid.
    let shadowed = jwks(&[ec_jwk(KID_EC), malformed_ec_twin()]);
    assert_eq!(shadowed.keys().len(), 1);
    assert_code(
        validator(options()).validate(&legit, &shadowed, NOW),
        ErrorCode::UnknownKey,
    );
    // Different key types under one kid are alternatives, told apart by alg.
    let (keys, tokens) = shared_kid_keys_and_tokens();
    let shared = jwks(&keys);
    for (alg, token) in tokens {
        let verified = validator(options()).validate(&token, &shared, NOW).unwrap();
        assert_eq!(verified.algorithm().name(), alg);
    }
    // So is a key kept for encryption under the same kid.
    let mut enc = ec_jwk(KID_EC);
    enc["use"] = json!("enc");
    validator(options())
        .validate(&legit, &jwks(&[ec_jwk(KID_EC), enc]), NOW)
        .unwrap();
}

/// The contract: "one bad key is excluded without breaking the others" — a key set with
/// junk beside good keys still verifies with the good ones, and says what it left out.
#[test]
fn one_bad_key_does_not_break_the_good_ones() {
    let doc = one_bad_key_doc();
    let set = Jwks::from_json(doc.to_string().as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 3);
    let excluded: Vec<(usize, Option<&str>)> = set
        .excluded()
        .iter()
        .map(|x| (x.index, x.kid.as_deref()))
        .collect();
    assert_eq!(
        excluded,
        [
            (0, Some("small")),
            (1, Some("off")),
            (2, Some("future")),
            (3, None),
            (4, None),
            (5, Some("no-n")),
            (6, Some("enc")),
            (8, None),
            // The secret is dropped last: a set with public keys is public.
            (7, Some(KID_HS)),
        ]
    );
    for kid in [KID_RSA, KID_EC, KID_ED] {
        validator(options())
            .validate(&token_for(kid, &good_claims()), &set, NOW)
            .unwrap();
    }
    assert_code(
        validator(options()).validate(&token_for(KID_HS, &good_claims()), &set, NOW),
        ErrorCode::UnknownKey,
    );
    // A document without a keys array is unusable as a whole.
    for doc in [
        &b"{}"[..],
        b"[]",
        b"{\"keys\":{}}",
        b"not json",
        b"{\"keys\":[],\"keys\":[]}",
    ] {
        assert_code(Jwks::from_json(doc), ErrorCode::InvalidKey);
    }
}

/// RFC 8812 §3.2 / SEC 1: ECDSA has no low-S rule (that is Bitcoin's BIP 62/146), so a
/// high-S ES256K signature — n − s for a valid s — is valid (Wycheproof secp256k1 tc 1), as
/// is a high-S ES256 one. Refusing them would reject tokens from conforming signers.
#[test]
fn ecdsa_high_s_signatures_are_accepted() {
    for (_, kid, order) in ECDSA_ORDERS {
        let genuine = token_for(kid, &good_claims());
        let (high_s, flipped) = high_s_twin(kid, order);
        validate(&genuine, kid).unwrap();
        validate(&high_s, kid).unwrap();
        // ...but n + s or a modified s is not.
        let mut bad = flipped.clone();
        bad[63] ^= 1;
        assert_code(
            validate(&raw_signature(&genuine, &bad), kid),
            ErrorCode::SignatureInvalid,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/// RFC 9068 §2.2.3 (scope), RFC 8693 §4.2, and the `scp` array some providers send: required
/// scopes are whole space-delimited words, case-sensitive.
#[test]
fn required_scopes() {
    let mut options = options();
    options.required_scopes = vec!["admin".into()];
    let with = |claims: Value| validate_with(options.clone(), &token_for(KID_RSA, &claims));
    let (lacking, having, wrong) = scope_claims();
    for claims in lacking {
        assert_code(with(claims), ErrorCode::InsufficientScope);
    }
    for claims in having {
        assert!(with(claims).unwrap().scopes().iter().any(|s| s == "admin"));
    }
    for claims in wrong {
        assert_code(with(claims), ErrorCode::InvalidClaim);
    }
    // The error says insufficient_scope with HTTP 403 (RFC 6750 §3.1).
    let err = with(good_claims()).unwrap_err();
    assert_eq!(err.http_status(), 403);
}

/// RFC 7519 §4.1.4–4.1.6 with leeway (RFC 7519 §4.1.4 "some small leeway"): exp, nbf and iat
/// honour `clockToleranceSeconds` (default 60) exactly at the boundary.
#[test]
fn exp_nbf_iat_with_clock_tolerance() {
    for (claim, value, tolerance, expected) in clock_table() {
        let mut options = options();
        if let Some(seconds) = tolerance {
            options.clock_tolerance_seconds = seconds;
        }
        let token = token_for(KID_RSA, &with_claim(claim, json!(value)));
        assert_outcome(validate_with(options, &token), expected);
    }
}

/// The contract's `maxTokenAgeSeconds` (bounds the replay window of a leaked token): iat becomes
/// required and may be at most that old (plus tolerance).
#[test]
fn max_token_age() {
    let mut options = options();
    options.max_token_age_seconds = Some(300);
    let aged = |age: f64| {
        validate_with(
            options.clone(),
            &token_for(KID_RSA, &with_claim("iat", json!(NOW - age))),
        )
    };
    aged(300.0 + 60.0).unwrap();
    assert_code(aged(300.0 + 61.0), ErrorCode::TooOld);
    assert_code(aged(86_400.0), ErrorCode::TooOld);
    assert_code(
        validate_with(options.clone(), &token_for(KID_RSA, &without_claim("iat"))),
        ErrorCode::MissingClaim,
    );
    // Without the option an old iat is fine.
    validate(
        &token_for(KID_RSA, &with_claim("iat", json!(NOW - 86_400.0))),
        KID_RSA,
    )
    .unwrap();
}

/// RFC 9068 §2.2 lists claims an access token must carry; configured required claims are
/// checked for presence.
#[test]
fn required_claims_are_present() {
    let mut options = options();
    options.required_claims = vec!["sub".into(), "jti".into()];
    let token = token_for(KID_RSA, &good_claims());
    let err = validate_with(options.clone(), &token).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MissingClaim);
    assert!(err.description().contains("jti"));
    let complete = token_for(KID_RSA, &with_claim("jti", json!("id-1")));
    validate_with(options.clone(), &complete).unwrap();
    let no_sub = {
        let mut claims = without_claim("sub");
        claims["jti"] = json!("id-1");
        token_for(KID_RSA, &claims)
    };
    assert_code(validate_with(options, &no_sub), ErrorCode::MissingClaim);
}
