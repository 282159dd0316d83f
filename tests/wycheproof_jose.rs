//! Wycheproof's JOSE-level vectors (C2SP/wycheproof `json_web_signature_test.json`, 401 cases,
//! and `json_web_key_test.json`, 26 cases), read from `../shared/vectors/wycheproof/`.
//!
//! Every case must agree with its label, except the eight the vectors README lists as
//! mislabelled: those must go the strict way, for the README's reason. Beyond agreeing, each
//! rejection must carry the error code that names why (so a case rejected for the wrong
//! reason fails too).
//!
//! The payloads are not JWT claims: these run the JWS layer (parse, header rules, key choice,
//! signature) with every algorithm allowed.

mod common;

use std::collections::BTreeMap;

use common::*;
use edge_token_validator::token::DEFAULT_MAX_TOKEN_BYTES;
use edge_token_validator::{Algorithm, Error, ErrorCode, Jwks, UntrustedJws, VerifiedJws};
use serde_json::{json, Value};

fn verify(token: &str, keys: &Jwks) -> Result<VerifiedJws, Error> {
    UntrustedJws::parse(token, DEFAULT_MAX_TOKEN_BYTES)?
        .prepare(&Algorithm::ALL, keys)?
        .verify_native()
}

/// A test's `jws`: compact text, or (JSON serialization cases) an object, which a compact-only
/// validator receives as its JSON text.
fn jws_text(test: &Value) -> String {
    match &test["jws"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The header's `alg`, when the first segment decodes (for the WrongPrimitive cases).
fn header_alg(token: &str) -> Option<String> {
    let header = edge_token_validator::b64::decode(token.split('.').next()?).ok()?;
    let value: Value = serde_json::from_slice(&header).ok()?;
    value["alg"].as_str().map(String::from)
}

/// The eight cases the vectors README calls mislabelled, the strict verdict, and why.
fn mislabelled(tc: u64) -> Option<(Result<(), ErrorCode>, &'static str)> {
    Some(match tc {
        367 | 370 => (
            Ok(()),
            "byte-identical to valid tc 357 but labelled invalid (upstream issue #236)",
        ),
        372 | 373 => (
            Err(ErrorCode::Malformed),
            "contains '?' and is labelled valid, yet its MAC does not match the raw signing input",
        ),
        346 | 350 => (
            Err(ErrorCode::UnknownKey),
            "key alg PS256 with header PS384: a key whose alg differs from the header must not be used",
        ),
        347 | 351 => (
            Err(ErrorCode::UnknownKey),
            "key alg \"ES521\" with header ES512: a key whose alg differs from the header must not be used",
        ),
        _ => return None,
    })
}

/// The code a strict validator gives for a (correctly labelled) invalid JWS case.
fn expected_jws_code(
    tc: u64,
    comment: &str,
    flags: &[Value],
    token: &str,
    key: &Value,
) -> ErrorCode {
    use ErrorCode::*;
    let flag = |name: &str| flags.iter().any(|f| f == name);
    match comment {
        // A segment or separator is gone, or added: not three segments, or an empty header
        // that is no JSON object.
        "rejectsEmptyString"
        | "rejectsExtraEmptyComponent"
        | "rejectsExtraComponent"
        | "rejectsMissingSignatureAndSeparator"
        | "rejectsMissingPayloadAndSeparator"
        | "rejectsMissingHeader"
        | "rejectsMissingHeaderAndSeparator"
        | "rejectsMissingHeaderAndSignature"
        | "rejectsMissingHeaderSignatureAndSeparator"
        | "rejectsMissingHeaderSignatureAndSeparators" => Malformed,
        // The JWS JSON serialization is not a compact JWS.
        _ if flag("JsonSerialization") => Malformed,
        // Not strict base64url: white space, foreign characters, non-canonical trailing bits.
        _ if (360..=375).contains(&tc) => Malformed,
        // RFC 8725 §3.1: `none` is not implemented.
        _ if flag("AlgIsNone") || comment == "rejectsNoneAlgorithmAndMissingSignature" => {
            UnsupportedAlgorithm
        }
        // The modified header names a kid the set lacks.
        "rejectsModifiedHeader" => UnknownKey,
        // HS256 over an EC key's bytes: no oct key to run HMAC with (RFC 8725 §2.1).
        "rejectsSymmetryConfusionAttacks_aesKeyFromEcVerificationKeyBytes" => UnknownKey,
        // `use: enc` / key_ops without verify: the only key is excluded.
        "rejectWrongUse" | "rejectWrongKeyOps" => UnknownKey,
        // The header's own `jwk` is ignored; the set's key does not verify the signature.
        "rejectsAttackerProvidedEmbeddedJwk" => SignatureInvalid,
        // Another primitive than the key's `alg`: the header names another alg (the key does
        // not fit), or the same alg over another scheme's signature.
        _ if flag("WrongPrimitive") => {
            if header_alg(token).as_deref() == key["alg"].as_str() {
                SignatureInvalid
            } else {
                UnknownKey
            }
        }
        // Everything else is a well-formed token whose signature is wrong: modified bytes,
        // bad PKCS #1 / PSS encodings, ECDSA r or s out of range, an empty signature.
        _ => SignatureInvalid,
    }
}

#[test]
fn json_web_signature_test() {
    let Some(dir) = vectors_dir("wycheproof_jose::json_web_signature_test") else {
        return;
    };
    let doc = read_json(&dir.join("wycheproof/json_web_signature_test.json"));
    assert_eq!(doc["numberOfTests"], 401);
    let tc357 = find_jws(&doc, 357);
    let mut checked = 0;
    let mut accepted = 0;
    let mut strict_overrides = 0;
    let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        // The key is `public` if present, else `private` (a single JWK).
        let key = group.get("public").unwrap_or(&group["private"]);
        let keys = Jwks::from_json(json!({ "keys": [key] }).to_string().as_bytes()).unwrap();
        for test in group["tests"].as_array().unwrap() {
            checked += 1;
            let tc = test["tcId"].as_u64().unwrap();
            let comment = test["comment"].as_str().unwrap();
            let flags = test["flags"].as_array().cloned().unwrap_or_default();
            let token = jws_text(test);
            let result = verify(&token, &keys);
            *by_code
                .entry(result.as_ref().map_or_else(|e| e.code().as_str(), |_| "ok"))
                .or_default() += 1;
            if result.is_ok() {
                accepted += 1;
            }
            let got = result.as_ref().map(|_| ()).map_err(Error::code);

            if let Some((strict, why)) = mislabelled(tc) {
                strict_overrides += 1;
                let label_valid = test["result"] == "valid";
                // The override really disagrees with the label...
                assert_ne!(strict.is_ok(), label_valid, "tc {tc} is not mislabelled");
                // ...and the core goes the strict way.
                if got != strict {
                    failures.push(format!("tc {tc} ({why}): expected {strict:?}, got {got:?}"));
                }
                if tc == 367 || tc == 370 {
                    assert_eq!(token, tc357, "tc {tc} should be byte-identical to tc 357");
                }
                continue;
            }

            match (test["result"].as_str().unwrap(), &result) {
                ("valid", Ok(verified)) => {
                    // The right algorithm, and the payload as encoded.
                    assert_eq!(
                        Some(verified.algorithm().name().to_string()),
                        header_alg(&token)
                    );
                    let payload_b64 = token.split('.').nth(1).unwrap();
                    assert_eq!(verified.payload(), unb64(payload_b64).as_slice(), "tc {tc}");
                }
                ("valid", Err(err)) => failures.push(format!(
                    "tc {tc} {comment}: labelled valid, rejected with {} ({})",
                    err.code(),
                    err.description()
                )),
                ("invalid", _) => {
                    let expected = expected_jws_code(tc, comment, &flags, &token, key);
                    if got != Err(expected) {
                        failures.push(format!(
                            "tc {tc} {comment}: labelled invalid, expected {expected}, got {got:?}"
                        ));
                    }
                }
                (other, _) => panic!("tc {tc}: unexpected label {other}"),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
    eprintln!("json_web_signature_test: {checked} cases, by outcome {by_code:?}");
    assert_eq!(checked, 401);
    assert_eq!(strict_overrides, 8);
    // 46 valid labels, minus the 6 mislabelled valid ones, plus tcs 367 and 370.
    assert_eq!(accepted, 42);
}

fn find_jws(doc: &Value, tc: u64) -> String {
    for group in doc["testGroups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            if test["tcId"] == tc {
                return jws_text(test);
            }
        }
    }
    panic!("tc {tc} not found")
}

/// Per JWK case: the expected result, and for rejections where the key set is the reason,
/// the exclusion reason the set must report.
fn expected_jwk_case(tc: u64) -> (Result<(), ErrorCode>, Option<&'static str>) {
    use ErrorCode::*;
    match tc {
        2 | 5 | 13 | 14 | 15 => (Ok(()), None),
        // A shared secret beside public keys is a published secret (MixedKeySet).
        1 => (
            Err(UnknownKey),
            Some("shared secret in a key set with public keys"),
        ),
        3 => (Err(SignatureInvalid), None),
        // Two keys under one kid (the twin is malformed): the kid names no key.
        4 => (Err(UnknownKey), Some("key member is not strict base64url")),
        6 | 21 => (Err(UnknownKey), Some("key is not for signatures (use)")),
        7 => (Err(UnknownKey), Some("ROCA fingerprint")),
        8 => (Err(UnknownKey), Some("shorter than 2048 bits")),
        9 => (Err(UnknownKey), Some("RSA exponent")),
        // An HS256 key below 256 bits, or an empty key: excluded.
        10 | 16 | 17 | 18 => (Err(UnknownKey), Some("HMAC key shorter than 256 bits")),
        // HS384 / HS512 with keys shorter than the hash: the key does not fit the alg.
        11 | 12 => (Err(UnknownKey), None),
        // Key alg ES521 / ES224 / A256GCM / A256KW: not the header's alg.
        19 | 20 | 25 | 26 => (Err(UnknownKey), None),
        22 => (Err(UnknownKey), Some("not on the curve")),
        23 => (Err(UnknownKey), Some("wrong length")),
        24 => (Err(UnknownKey), Some("required member missing")),
        other => panic!("jwk tc {other} has no expectation"),
    }
}

#[test]
fn json_web_key_test() {
    let Some(dir) = vectors_dir("wycheproof_jose::json_web_key_test") else {
        return;
    };
    let doc = read_json(&dir.join("wycheproof/json_web_key_test.json"));
    assert_eq!(doc["numberOfTests"], 26);
    let mut checked = 0;
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        // The key set is `public` if present, else `private`.
        let set = group.get("public").unwrap_or(&group["private"]);
        let keys = Jwks::from_json(set.to_string().as_bytes()).unwrap();
        for test in group["tests"].as_array().unwrap() {
            checked += 1;
            let tc = test["tcId"].as_u64().unwrap();
            let comment = test["comment"].as_str().unwrap();
            let got = verify(&jws_text(test), &keys)
                .map(|_| ())
                .map_err(|e| e.code());
            let (expected, reason) = expected_jwk_case(tc);
            // No override here: every JWK case agrees with its label.
            assert_eq!(
                expected.is_ok(),
                test["result"] == "valid",
                "jwk tc {tc}: expectation disagrees with the label"
            );
            if got != expected {
                failures.push(format!(
                    "jwk tc {tc} {comment}: expected {expected:?}, got {got:?}; excluded {:?}",
                    keys.excluded()
                ));
            }
            if let Some(reason) = reason {
                if !keys.excluded().iter().any(|x| x.reason.contains(reason)) {
                    failures.push(format!(
                        "jwk tc {tc} {comment}: no key excluded for {reason:?}; excluded {:?}",
                        keys.excluded()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
    assert_eq!(checked, 26);
}
