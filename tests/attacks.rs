//! Known attacks on JWT validators, one test each, named for the attack, with its source
//! (RFC 8725 section, CVE, RFC rule) in the comment. Every test asserts exact error codes, and
//! most carry a positive control (the same token done right passes), so a test that stopped
//! exercising its attack would fail rather than pass quietly.

mod common;

use common::*;
use edge_token_validator::token::DEFAULT_MAX_TOKEN_BYTES;
use edge_token_validator::{b64, Algorithm, ErrorCode, Jwk, Jwks, UntrustedJws, ValidatorOptions};
use serde_json::{json, Value};

fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "kid": kid})
}

fn with_claim(name: &str, value: Value) -> Value {
    let mut claims = good_claims();
    claims[name] = value;
    claims
}

fn without_claim(name: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn rs256_token(header: &Value, claims: &Value) -> String {
    sign_json(header, claims, &Signer::Rs256)
}

fn good_rs256() -> String {
    token_for(KID_RSA, &good_claims())
}

/// Replaces one segment (0 header, 1 payload, 2 signature) of a compact token.
fn replace_segment(token: &str, index: usize, text: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = text;
    parts.join(".")
}

fn raw_signature(token: &str, signature: &[u8]) -> String {
    replace_segment(token, 2, &b64::encode(signature))
}

fn ecdsa_signature(token: &str) -> Vec<u8> {
    unb64(token.rsplit('.').next().unwrap())
}

/// Minimal DER `INTEGER` for a big-endian unsigned value.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut value: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if value.first().is_none_or(|b| b & 0x80 != 0) {
        value.insert(0, 0);
    }
    der(0x02, &value)
}

/// The ASN.1 DER `Ecdsa-Sig-Value` other JOSE libraries wrongly accept or produce.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_integer(r);
    body.extend(der_integer(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

fn der_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![len as u8],
        0x80..=0xff => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(content.len()));
    out.extend_from_slice(content);
    out
}

/// The RFC 7515 A.2 public key as a PEM SubjectPublicKeyInfo: the "secret" of the classic
/// RS256 → HS256 confusion exploit.
fn rsa_public_pem() -> String {
    use base64ct::{Base64, Encoding};
    let mut rsa_key = der_integer(&unb64(RFC7515_A2_N));
    rsa_key.extend(der_integer(&unb64(RFC7515_A2_E)));
    let rsa_key = der(0x30, &rsa_key);
    let algorithm = der(
        0x30,
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ],
    );
    let mut bit_string = vec![0];
    bit_string.extend(rsa_key);
    let mut spki = algorithm;
    spki.extend(der(0x03, &bit_string));
    let spki = der(0x30, &spki);
    let text = Base64::encode_string(&spki);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// An attacker's own P-256 key.
const ATTACKER_D: [u8; 32] = [0x42; 32];

// ---------------------------------------------------------------------------------------------
// Algorithm attacks
// ---------------------------------------------------------------------------------------------

/// RFC 8725 §2.1 and §3.1, CVE-2015-9235 (node-jsonwebtoken accepted `none`):
/// `alg: none` in any spelling is never accepted, with or without a signature.
#[test]
fn alg_none_in_any_case_is_unsupported() {
    for alg in ["none", "None", "NONE", "nOnE", "none ", ""] {
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
    let secrets: [Vec<u8>; 4] = [
        rsa_public_pem().into_bytes(),
        rsa_jwk(KID_RSA).to_string().into_bytes(),
        unb64(RFC7515_A2_N),
        RFC7515_A2_N.as_bytes().to_vec(),
    ];
    assert!(rsa_public_pem().starts_with(
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0t"
    ));
    let default_options = ValidatorOptions::new(ISSUER).audience(AUDIENCE);
    for secret in secrets {
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
    let attacker_jwk = p256_jwk_of(&ATTACKER_D, "attacker");
    let embedded: [(&str, Value); 4] = [
        ("jwk", attacker_jwk.clone()),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIUb3RoZXI="])),
    ];
    for (member, value) in embedded {
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
    let injected = [
        "../../../../../../dev/null",
        "/dev/null",
        "' OR '1'='1",
        "rsa-1' --",
        "rsa-1\u{0}",
        "RSA-1",
        " rsa-1",
        "",
        "*",
        "%",
    ];
    for kid in injected {
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
    let cases: [(&str, &str, usize); 4] = [
        ("ES256", KID_EC, 64),
        ("ES384", KID_P384, 96),
        ("ES512", KID_P521, 132),
        ("ES256K", KID_K1, 64),
    ];
    for (alg, kid, len) in cases {
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
    for (alg, kid, order) in [
        ("ES256", KID_EC, P256_N_HEX),
        ("ES256K", KID_K1, SECP256K1_N_HEX),
    ] {
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
    let genuine = token_for(KID_EC, &good_claims());
    let mut sig = ecdsa_signature(&genuine);
    sig[..32].fill(0);
    assert_code(
        validate(&raw_signature(&genuine, &sig), KID_EC),
        ErrorCode::SignatureInvalid,
    );
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
        let mut variants = vec![
            ("DER", der_signature(&raw)),
            ("truncated", raw[..raw.len() - 1].to_vec()),
            ("trailing zero", [raw.clone(), vec![0]].concat()),
            ("leading zero", [vec![0], raw.clone()].concat()),
            ("empty", Vec::new()),
            ("r only", raw[..raw.len() / 2].to_vec()),
        ];
        // Both halves swapped keeps the length but is another signature.
        let (r, s) = raw.split_at(raw.len() / 2);
        variants.push(("s‖r", [s, r].concat()));
        for (name, sig) in variants {
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
    let crits = [
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["exp"]}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["http://example.com/UNDEFINED"],
               "http://example.com/UNDEFINED": true}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["b64"], "b64": true}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["cnf", "exp"]}),
    ];
    for head in &crits {
        assert_code(
            validate(&rs256_token(head, &good_claims()), KID_RSA),
            ErrorCode::CritUnsupported,
        );
    }
    // A crit that is not a non-empty array of names is malformed (RFC 7515 §4.1.11).
    for crit in [json!([]), json!("exp"), json!([1]), json!(null)] {
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
    let with_crit = json!({"alg": "RS256", "kid": KID_RSA, "b64": false, "crit": ["b64"]});
    assert_code(
        validate(&rs256_token(&with_crit, &good_claims()), KID_RSA),
        ErrorCode::CritUnsupported,
    );
    // The payload really unencoded, as RFC 7797 signs it: not base64url.
    let input = format!(
        "{}.{}",
        b64::encode(with_crit.to_string().as_bytes()),
        good_claims()
    );
    let unencoded = format!("{input}.{}", b64::encode(&rs256(input.as_bytes())));
    assert_code(validate(&unencoded, KID_RSA), ErrorCode::Malformed);
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
    let jwe_header = b64::encode(br#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rsa-1"}"#);
    let jwe = format!("{jwe_header}.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ");
    assert_eq!(jwe.split('.').count(), 5);
    assert_code(validate(&jwe, KID_RSA), ErrorCode::Malformed);
    assert_code(
        UntrustedJws::parse(&jwe, DEFAULT_MAX_TOKEN_BYTES),
        ErrorCode::Malformed,
    );
    let good = good_rs256();
    for broken in [
        format!("{good}."),
        format!(".{good}"),
        format!("{good}.{good}"),
        good.replacen('.', "", 1),
        good.replace('.', ""),
        String::from(".."),
        String::from("...."),
    ] {
        assert_code(validate(&broken, KID_RSA), ErrorCode::Malformed);
    }
    // Nested: the payload is itself a JWT, flagged by cty (any case, with or without the
    // "application/" prefix, RFC 7515 §4.1.10).
    for cty in ["JWT", "jwt", "application/jwt", "Application/JWT"] {
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
    let headers = [
        r#"{"alg":"RS256","kid":"rsa-1","alg":"none"}"#,
        r#"{"alg":"RS256","kid":"ec-1","kid":"rsa-1"}"#,
        r#"{"alg":"RS256","kid":"rsa-1","x":{"a":1,"a":2}}"#,
        // The same name spelled with an escape is the same name.
        r#"{"alg":"RS256","kid":"rsa-1","\u0061lg":"RS256"}"#,
    ];
    for head in headers {
        assert_code(
            validate(&sign_raw(head, &claims, &Signer::Rs256), KID_RSA),
            ErrorCode::Malformed,
        );
    }
    let exp = NOW + 600.0;
    let payloads = [
        format!(
            r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp},"exp":{}}}"#,
            exp + 1e9
        ),
        format!(
            r#"{{"iss":"https://evil.example","aud":"{AUDIENCE}","exp":{exp},"iss":"{ISSUER}"}}"#
        ),
        format!(
            r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp},"sub":"alice","sub":"admin"}}"#
        ),
        format!(
            r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp},"cnf":{{"jkt":"a","jkt":"b"}}}}"#
        ),
        format!(r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp},"exp":1e400}}"#),
    ];
    for payload in &payloads {
        let token = sign_raw(r#"{"alg":"RS256","kid":"rsa-1"}"#, payload, &Signer::Rs256);
        assert_code(validate(&token, KID_RSA), ErrorCode::Malformed);
    }
    // Control: the same texts without the duplicate pass.
    let single = format!(r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp}}}"#);
    validate(
        &sign_raw(r#"{"alg":"RS256","kid":"rsa-1"}"#, &single, &Signer::Rs256),
        KID_RSA,
    )
    .unwrap();
}

/// Flips the unused low bits of a segment's last character, where it has some: the same bytes
/// to a lenient decoder, a second spelling to a strict one.
fn non_canonical(segment: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let unused_bits = match segment.len() % 4 {
        2 => 4,
        3 => 2,
        _ => return None,
    };
    let last = *segment.as_bytes().last()?;
    let value = ALPHABET.iter().position(|c| *c == last)?;
    let changed = value ^ ((1 << unused_bits) - 1);
    let mut out = segment[..segment.len() - 1].to_string();
    out.push(ALPHABET[changed] as char);
    Some(out)
}

/// RFC 7515 §2 and §7.1: base64url without padding, line breaks, white space or other
/// characters, with canonical trailing bits (Wycheproof JWS tcs 360–375): one signature, one
/// spelling, so a token cannot be re-spelled past a deny-list or cache.
#[test]
fn non_canonical_base64url_is_malformed() {
    let good = good_rs256();
    let segments: Vec<String> = good.split('.').map(String::from).collect();
    let mut variants: Vec<(String, String)> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        variants.push((
            format!("padding {i}"),
            replace_segment(&good, i, &format!("{segment}=")),
        ));
        variants.push((
            format!("padding2 {i}"),
            replace_segment(&good, i, &format!("{segment}==")),
        ));
        let middle = segment.len() / 2;
        for insert in [" ", "\n", "\t", "\r\n", "+", "/", "%", "?"] {
            let spaced = format!("{}{insert}{}", &segment[..middle], &segment[middle..]);
            variants.push((
                format!("insert {insert:?} in {i}"),
                replace_segment(&good, i, &spaced),
            ));
        }
        if let Some(other) = non_canonical(segment) {
            assert_eq!(
                base64ct_lenient_decode(&other),
                base64ct_lenient_decode(segment),
                "the variant means the same bytes to a lenient decoder"
            );
            variants.push((
                format!("trailing bits {i}"),
                replace_segment(&good, i, &other),
            ));
        }
        // The standard alphabet in place of the URL-safe one.
        let standard = segment.replace('-', "+").replace('_', "/");
        if standard != *segment {
            variants.push((
                format!("standard alphabet {i}"),
                replace_segment(&good, i, &standard),
            ));
        }
    }
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
        for bad in [
            json!((NOW + 600.0).to_string()),
            json!("1700000600"),
            json!(true),
            json!(null),
            json!([NOW + 600.0]),
            json!({"$date": NOW + 600.0}),
            json!(1e300),
        ] {
            let token = token_for(KID_RSA, &with_claim(claim, bad.clone()));
            let err = validate(&token, KID_RSA).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidClaim, "{claim} = {bad}");
        }
        // Overflowing literals, which a double turns into infinity.
        for literal in ["1e400", "-1e400", "9e999999"] {
            let mut claims = good_claims();
            claims.as_object_mut().unwrap().remove(claim);
            let text = claims.to_string();
            let payload = format!("{},\"{claim}\":{literal}}}", &text[..text.len() - 1]);
            let token = sign_raw(r#"{"alg":"RS256","kid":"rsa-1"}"#, &payload, &Signer::Rs256);
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
    let token = sign_raw(r#"{"alg":"RS256","kid":"rsa-1"}"#, &payload, &Signer::Rs256);
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
    for iss in [
        "https://issuer.example/",
        "HTTPS://ISSUER.EXAMPLE",
        "https://Issuer.example",
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "https://issuer.example ",
        "http://issuer.example",
        "",
    ] {
        let err =
            validate(&token_for(KID_RSA, &with_claim("iss", json!(iss))), KID_RSA).unwrap_err();
        assert_eq!(err.code(), ErrorCode::IssuerMismatch, "iss {iss:?}");
    }
    for aud in [
        json!("https://api.example/"),
        json!("HTTPS://API.EXAMPLE"),
        json!("https://api.example.evil"),
        json!("https://api"),
        json!(["https://api.example/", "other"]),
        json!([]),
        json!("https://api.example https://other"),
    ] {
        let err = validate(
            &token_for(KID_RSA, &with_claim("aud", aud.clone())),
            KID_RSA,
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::AudienceMismatch, "aud {aud}");
    }
    // Wrong types are invalid, absence is missing.
    for (claim, value) in [
        ("iss", json!(1)),
        ("iss", json!([ISSUER])),
        ("aud", json!(1)),
        ("aud", json!([AUDIENCE, 1])),
    ] {
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
    let typed = |typ: Option<&str>| {
        let mut head = json!({"alg": "RS256", "kid": KID_RSA});
        if let Some(typ) = typ {
            head["typ"] = json!(typ);
        }
        rs256_token(&head, &good_claims())
    };
    for typ in [
        Some("JWT"),
        Some("jwt"),
        None,
        Some("application/jwt"),
        Some("at+jwt2"),
        Some("dpop+jwt"),
        Some(""),
    ] {
        assert_code(
            validate_with(options.clone(), &typed(typ)),
            ErrorCode::TypeMismatch,
        );
    }
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "application/AT+JWT",
        "Application/At+Jwt",
    ] {
        validate_with(options.clone(), &typed(Some(typ))).unwrap();
    }
    // Without tokenType configured, typ is not checked.
    validate(&typed(Some("JWT")), KID_RSA).unwrap();
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

/// A 2048-bit modulus with the ROCA fingerprint: n ≡ 1 (mod every ROCA prime), which lies in
/// every subgroup generated by 65537. Synthetic (nobody holds its factors); real ROCA keys are
/// in Wycheproof JWK tc 7.
fn roca_like_modulus(plus: u8) -> Vec<u8> {
    let mut n = vec![0u8; 256];
    n[0] = 0x80;
    let low = hex("06697ebed2c9cb1b810585593f81da320dfab10bdf2e0f1d9e802fcf");
    let start = n.len() - low.len();
    n[start..].copy_from_slice(&low);
    n[255] += plus;
    n
}

/// RFC 7518 §3.2–3.5 and §6, RFC 8037 §3.1, RFC 8725 §3.5: weak or invalid keys are refused
/// (alone: `invalid_key`; in a set: excluded, so tokens naming them get `unknown_key`).
/// RSA below 2048 bits, bad exponents, ROCA moduli (CVE-2017-15361), short HMAC secrets,
/// off-curve points (invalid-curve attacks, RFC 8725 §3.4), small-order Ed25519 keys.
#[test]
fn weak_keys_are_excluded() {
    let mut rsa_1024 = vec![0x5au8; 128];
    rsa_1024[0] = 0xc3;
    rsa_1024[127] = 0x01;
    let mut off_curve_y = unb64(RFC7515_A3_Y);
    off_curve_y[31] ^= 1;
    let weak: Vec<(&str, Value, &str)> = vec![
        (
            "RSA 1024",
            json!({"kty": "RSA", "n": b64::encode(&rsa_1024), "e": "AQAB"}),
            "shorter than 2048",
        ),
        (
            "RSA e=1",
            json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQ"}),
            "exponent",
        ),
        (
            "RSA e=2",
            json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "Ag"}),
            "exponent",
        ),
        (
            "RSA e=65536",
            json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQAA"}),
            "exponent",
        ),
        (
            "RSA even n",
            json!({"kty": "RSA", "n": b64::encode(&[unb64(RFC7515_A2_N)[..255].to_vec(), vec![0x02]].concat()), "e": "AQAB"}),
            "even",
        ),
        (
            "RSA ROCA",
            json!({"kty": "RSA", "n": b64::encode(&roca_like_modulus(0)), "e": "AQAB"}),
            "ROCA",
        ),
        (
            "HMAC 16 bytes",
            json!({"kty": "oct", "k": b64::encode(&[7u8; 16])}),
            "shorter than 256 bits",
        ),
        (
            "HMAC 31 bytes",
            json!({"kty": "oct", "k": b64::encode(&[7u8; 31])}),
            "shorter than 256 bits",
        ),
        (
            "HMAC empty",
            json!({"kty": "oct", "k": ""}),
            "shorter than 256 bits",
        ),
        (
            "EC off curve",
            json!({"kty": "EC", "crv": "P-256", "x": RFC7515_A3_X, "y": b64::encode(&off_curve_y)}),
            "not on the curve",
        ),
        (
            "EC short coordinate",
            json!({"kty": "EC", "crv": "P-256", "x": b64::encode(&unb64(RFC7515_A3_X)[1..]), "y": RFC7515_A3_Y}),
            "wrong length",
        ),
        (
            "EC P-256 point as P-384",
            json!({"kty": "EC", "crv": "P-384", "x": RFC7515_A3_X, "y": RFC7515_A3_Y}),
            "wrong length",
        ),
        (
            "EC identity",
            json!({"kty": "EC", "crv": "P-256", "x": b64::encode(&[0; 32]), "y": b64::encode(&[0; 32])}),
            "not on the curve",
        ),
        (
            "Ed25519 identity",
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[[1u8].as_slice(), &[0u8; 31]].concat())}),
            "small order",
        ),
        (
            "Ed25519 order 4",
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[0u8; 32])}),
            "small order",
        ),
        (
            "Ed25519 order 8",
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"))}),
            "small order",
        ),
        (
            "Ed25519 short",
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[9u8; 31])}),
            "wrong length",
        ),
        (
            "X25519 for signatures",
            json!({"kty": "OKP", "crv": "X25519", "x": RFC8037_X}),
            "unsupported OKP curve",
        ),
    ];
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
    let signer_for_kind = |name: &str| -> (String, Signer) {
        if name.starts_with("RSA") {
            ("RS256".into(), Signer::Raw(vec![1; 256]))
        } else if name.starts_with("HMAC") {
            ("HS256".into(), Signer::Hs256(vec![7; 16]))
        } else if name.starts_with("EC") {
            ("ES256".into(), Signer::Raw(vec![1; 64]))
        } else {
            ("EdDSA".into(), Signer::Raw(vec![1; 64]))
        }
    };
    for (i, (name, jwk, reason)) in weak.iter().enumerate() {
        let kid = format!("weak-{i}");
        let mut jwk = jwk.clone();
        jwk["kid"] = json!(kid);
        let set = jwks(&[jwk]);
        assert!(set.keys().is_empty(), "{name}");
        assert!(set.excluded()[0].reason.contains(reason), "{name}");
        let (alg, signer) = signer_for_kind(name);
        let token = sign_json(&header(&alg, &kid), &good_claims(), &signer);
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
    let excluded = [
        json!({"use": "enc"}),
        json!({"use": "SIG"}),
        json!({"key_ops": ["encrypt"]}),
        json!({"key_ops": ["sign"]}),
        json!({"key_ops": []}),
        json!({"key_ops": ["sign, verify"]}),
        json!({"key_ops": "verify"}),
        json!({"use": "sig", "key_ops": ["wrapKey"]}),
    ];
    for extra in &excluded {
        let mut jwk = ec_jwk(KID_EC);
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
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
    for extra in [
        json!({"use": "sig"}),
        json!({"key_ops": ["verify"]}),
        json!({"key_ops": ["sign", "verify"]}),
    ] {
        let mut jwk = ec_jwk(KID_EC);
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        validator(options())
            .validate(&token, &jwks(&[jwk]), NOW)
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
    let mut twin = ec_jwk(KID_EC);
    twin["x"] = json!(non_canonical(RFC7515_A3_X).unwrap());
    let shadowed = jwks(&[ec_jwk(KID_EC), twin]);
    assert_eq!(shadowed.keys().len(), 1);
    assert_code(
        validator(options()).validate(&legit, &shadowed, NOW),
        ErrorCode::UnknownKey,
    );
    // Different key types under one kid are alternatives, told apart by alg.
    let shared = jwks(&[rsa_jwk("shared"), ec_jwk("shared")]);
    let rs = rs256_token(&header("RS256", "shared"), &good_claims());
    let es = sign_json(
        &header("ES256", "shared"),
        &good_claims(),
        &Signer::rfc_es256(),
    );
    assert_eq!(
        validator(options())
            .validate(&rs, &shared, NOW)
            .unwrap()
            .algorithm(),
        Algorithm::RS256
    );
    assert_eq!(
        validator(options())
            .validate(&es, &shared, NOW)
            .unwrap()
            .algorithm(),
        Algorithm::ES256
    );
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
    let mut off_curve_y = unb64(RFC7515_A3_Y);
    off_curve_y[0] ^= 0x80;
    let doc = json!({"keys": [
        {"kty": "RSA", "kid": "small", "n": b64::encode(&[0xc5; 64]), "e": "AQAB"},
        {"kty": "EC", "kid": "off", "crv": "P-256", "x": RFC7515_A3_X, "y": b64::encode(&off_curve_y)},
        {"kty": "XYZ", "kid": "future"},
        42,
        "not a key",
        {"kty": "RSA", "kid": "no-n", "e": "AQAB"},
        {"kty": "EC", "kid": "enc", "use": "enc", "crv": "P-256", "x": RFC7515_A3_X, "y": RFC7515_A3_Y},
        {"kty": "oct", "kid": KID_HS, "k": b64::encode(HS_SECRET)},
        {"kty": "RSA", "kid": 7, "n": RFC7515_A2_N, "e": "AQAB"},
        rsa_jwk(KID_RSA),
        ec_jwk(KID_EC),
        ed_jwk(KID_ED),
    ]});
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
    for (kid, order) in [(KID_K1, SECP256K1_N_HEX), (KID_EC, P256_N_HEX)] {
        let genuine = token_for(kid, &good_claims());
        let sig = ecdsa_signature(&genuine);
        let (r, s) = sig.split_at(32);
        let flipped = [r.to_vec(), order_minus(&hex(order), s)].concat();
        assert_ne!(flipped, sig);
        let high_s = raw_signature(&genuine, &flipped);
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
    for claims in [
        good_claims(),
        with_claim("scope", json!("read write")),
        with_claim("scope", json!("administrator")),
        with_claim("scope", json!("Admin")),
        with_claim("scope", json!("read,admin")),
        with_claim("scp", json!(["read", "write"])),
        without_claim("scope"),
    ] {
        assert_code(with(claims), ErrorCode::InsufficientScope);
    }
    for claims in [
        with_claim("scope", json!("read admin")),
        with_claim("scope", json!("  admin  ")),
        with_claim("scp", json!(["read", "admin"])),
        with_claim("scp", json!("read admin")),
    ] {
        assert!(with(claims).unwrap().scopes().iter().any(|s| s == "admin"));
    }
    for claims in [
        with_claim("scope", json!(["admin"])),
        with_claim("scp", json!([1])),
    ] {
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
    let check = |claim: &str, value: f64| {
        validate(
            &token_for(KID_RSA, &with_claim(claim, json!(value))),
            KID_RSA,
        )
    };
    // exp: valid while now < exp + 60.
    check("exp", NOW - 59.0).unwrap();
    assert_code(check("exp", NOW - 60.0), ErrorCode::Expired);
    assert_code(check("exp", NOW - 3600.0), ErrorCode::Expired);
    // nbf: valid once nbf <= now + 60.
    check("nbf", NOW + 60.0).unwrap();
    assert_code(check("nbf", NOW + 61.0), ErrorCode::NotYetValid);
    // iat in the future beyond tolerance.
    check("iat", NOW + 60.0).unwrap();
    assert_code(check("iat", NOW + 61.0), ErrorCode::IssuedInFuture);
    // With no tolerance the edges move.
    let mut strict = options();
    strict.clock_tolerance_seconds = 0;
    let token = |claim: &str, value: f64| token_for(KID_RSA, &with_claim(claim, json!(value)));
    assert_code(
        validate_with(strict.clone(), &token("exp", NOW)),
        ErrorCode::Expired,
    );
    validate_with(strict.clone(), &token("exp", NOW + 1.0)).unwrap();
    assert_code(
        validate_with(strict.clone(), &token("nbf", NOW + 1.0)),
        ErrorCode::NotYetValid,
    );
    assert_code(
        validate_with(strict.clone(), &token("iat", NOW + 1.0)),
        ErrorCode::IssuedInFuture,
    );
    validate_with(strict, &token("nbf", NOW)).unwrap();
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
