//! Forgery helpers and attack data shared by the attack tests (`tests/attacks.rs`) and the
//! attack corpus (`corpus.rs`, which the JS suite replays): one copy of each.

use edge_token_validator::{b64, ErrorCode};
use serde_json::{json, Value};

use super::*;

pub fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "kid": kid})
}

pub fn with_claim(name: &str, value: Value) -> Value {
    let mut claims = good_claims();
    claims[name] = value;
    claims
}

pub fn without_claim(name: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove(name);
    claims
}

pub fn rs256_token(header: &Value, claims: &Value) -> String {
    sign_json(header, claims, &Signer::Rs256)
}

pub fn good_rs256() -> String {
    token_for(KID_RSA, &good_claims())
}

/// Replaces one segment (0 header, 1 payload, 2 signature) of a compact token.
pub fn replace_segment(token: &str, index: usize, text: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = text;
    parts.join(".")
}

pub fn raw_signature(token: &str, signature: &[u8]) -> String {
    replace_segment(token, 2, &b64::encode(signature))
}

pub fn ecdsa_signature(token: &str) -> Vec<u8> {
    unb64(token.rsplit('.').next().unwrap())
}

/// Minimal DER `INTEGER` for a big-endian unsigned value.
pub fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut value: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if value.first().is_none_or(|b| b & 0x80 != 0) {
        value.insert(0, 0);
    }
    der(0x02, &value)
}

/// The ASN.1 DER `Ecdsa-Sig-Value` other JOSE libraries wrongly accept or produce.
pub fn der_signature(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_integer(r);
    body.extend(der_integer(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

pub fn der_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![len as u8],
        0x80..=0xff => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

pub fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(content.len()));
    out.extend_from_slice(content);
    out
}

/// The RFC 7515 A.2 public key as a PEM SubjectPublicKeyInfo: the "secret" of the classic
/// RS256 → HS256 confusion exploit.
pub fn rsa_public_pem() -> String {
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

/// The byte strings an attacker feeds HMAC as "the RSA public key" in the RS256 → HS256
/// confusion (PEM, the JWK text, the raw modulus, the modulus' base64url text).
pub fn key_confusion_secrets() -> [(&'static str, Vec<u8>); 4] {
    [
        ("PEM", rsa_public_pem().into_bytes()),
        ("JWK text", rsa_jwk(KID_RSA).to_string().into_bytes()),
        ("modulus bytes", unb64(RFC7515_A2_N)),
        ("modulus text", RFC7515_A2_N.as_bytes().to_vec()),
    ]
}

/// Spellings of `none` (RFC 8725 §2.1: never accepted, in any case), and the empty name.
pub const NONE_SPELLINGS: [&str; 6] = ["none", "None", "NONE", "nOnE", "none ", ""];

/// Headers with a `crit` naming members this validator does not understand.
pub fn unsupported_crit_headers() -> [Value; 4] {
    [
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["exp"]}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["http://example.com/UNDEFINED"],
               "http://example.com/UNDEFINED": true}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["b64"], "b64": true}),
        json!({"alg": "RS256", "kid": KID_RSA, "crit": ["cnf", "exp"]}),
    ]
}

/// `crit` values that are not a non-empty array of names (RFC 7515 §4.1.11).
pub fn malformed_crits() -> [Value; 4] {
    [json!([]), json!("exp"), json!([1]), json!(null)]
}

/// The RFC 7797 header of an unencoded payload.
pub fn b64_false_header() -> Value {
    json!({"alg": "RS256", "kid": KID_RSA, "b64": false, "crit": ["b64"]})
}

/// An RS256 JWS whose payload is really unencoded, as RFC 7797 signs it: not base64url.
pub fn unencoded_payload_token() -> String {
    let input = format!(
        "{}.{}",
        b64::encode(b64_false_header().to_string().as_bytes()),
        good_claims()
    );
    format!("{input}.{}", b64::encode(&rs256(input.as_bytes())))
}

/// An attacker's own P-256 key.
pub const ATTACKER_D: [u8; 32] = [0x42; 32];

/// Header members that carry or point at a key (RFC 8725 §3.10), naming the attacker's.
pub fn embedded_key_members() -> [(&'static str, Value); 4] {
    [
        ("jwk", p256_jwk_of(&ATTACKER_D, "attacker")),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIUb3RoZXI="])),
    ]
}

/// Injected `kid` texts: path traversal, SQL, near misses of `rsa-1`, globs.
pub const INJECTED_KIDS: [&str; 10] = [
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

/// ECDSA algorithms with their standard kid and raw signature length.
pub const ECDSA_KEYS: [(&str, &str, usize); 4] = [
    ("ES256", KID_EC, 64),
    ("ES384", KID_P384, 96),
    ("ES512", KID_P521, 132),
    ("ES256K", KID_K1, 64),
];

/// ECDSA algorithms with their standard kid and group order (hex) where tests need it.
pub const ECDSA_ORDERS: [(&str, &str, &str); 2] = [
    ("ES256", KID_EC, P256_N_HEX),
    ("ES256K", KID_K1, SECP256K1_N_HEX),
];

/// A genuine ES256 token with r zeroed (s still genuine).
pub fn es256_zero_r() -> String {
    let genuine = token_for(KID_EC, &good_claims());
    let mut sig = ecdsa_signature(&genuine);
    sig[..32].fill(0);
    raw_signature(&genuine, &sig)
}

/// The clock rules at their edges: (claim, value, `clockToleranceSeconds` when not the
/// default 60, the expected code or None for valid).
pub fn clock_table() -> Vec<(&'static str, f64, Option<u64>, Option<ErrorCode>)> {
    use ErrorCode::{Expired, IssuedInFuture, NotYetValid};
    vec![
        // exp: valid while now < exp + 60.
        ("exp", NOW - 59.0, None, None),
        ("exp", NOW - 60.0, None, Some(Expired)),
        ("exp", NOW - 3600.0, None, Some(Expired)),
        // nbf: valid once nbf <= now + 60.
        ("nbf", NOW + 60.0, None, None),
        ("nbf", NOW + 61.0, None, Some(NotYetValid)),
        // iat in the future beyond tolerance.
        ("iat", NOW + 60.0, None, None),
        ("iat", NOW + 61.0, None, Some(IssuedInFuture)),
        // With no tolerance the edges move.
        ("exp", NOW, Some(0), Some(Expired)),
        ("exp", NOW + 1.0, Some(0), None),
        ("nbf", NOW + 1.0, Some(0), Some(NotYetValid)),
        ("iat", NOW + 1.0, Some(0), Some(IssuedInFuture)),
        ("nbf", NOW, Some(0), None),
    ]
}

/// The ECDSA signature variants that are not raw r‖s of the right length (and s‖r, which is
/// but is another signature), from a genuine raw signature.
pub fn ecdsa_signature_variants(raw: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let (r, s) = raw.split_at(raw.len() / 2);
    vec![
        ("DER", der_signature(raw)),
        ("truncated", raw[..raw.len() - 1].to_vec()),
        ("trailing zero", [raw.to_vec(), vec![0]].concat()),
        ("leading zero", [vec![0], raw.to_vec()].concat()),
        ("empty", Vec::new()),
        ("r only", r.to_vec()),
        // Both halves swapped keeps the length but is another signature.
        ("s‖r", [s, r].concat()),
    ]
}

/// A compact JWE (RFC 7516, five segments).
pub fn jwe_compact() -> String {
    let jwe_header = b64::encode(br#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rsa-1"}"#);
    format!("{jwe_header}.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ")
}

/// A genuine token cut or glued into the wrong number of segments.
pub fn wrong_segment_counts(good: &str) -> [String; 7] {
    [
        format!("{good}."),
        format!(".{good}"),
        format!("{good}.{good}"),
        good.replacen('.', "", 1),
        good.replace('.', ""),
        String::from(".."),
        String::from("...."),
    ]
}

/// `cty` spellings that announce a nested JWT (RFC 7515 §4.1.10: case and prefix ignored).
pub const NESTED_CTYS: [&str; 4] = ["JWT", "jwt", "application/jwt", "Application/JWT"];

/// Header texts with a duplicate member (the last one spelled with an escape).
pub const DUPLICATE_HEADERS: [&str; 4] = [
    r#"{"alg":"RS256","kid":"rsa-1","alg":"none"}"#,
    r#"{"alg":"RS256","kid":"ec-1","kid":"rsa-1"}"#,
    r#"{"alg":"RS256","kid":"rsa-1","x":{"a":1,"a":2}}"#,
    // The same name spelled with an escape is the same name.
    r#"{"alg":"RS256","kid":"rsa-1","\u0061lg":"RS256"}"#,
];

/// The standard RS256 header as text, for tokens over exact payload texts.
pub const RS256_HEADER: &str = r#"{"alg":"RS256","kid":"rsa-1"}"#;

/// Payload texts with a duplicate member, and the same text without it (the control).
pub fn duplicate_payloads() -> (Vec<String>, String) {
    let exp = NOW + 600.0;
    let duplicates = vec![
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
    let single = format!(r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{exp}}}"#);
    (duplicates, single)
}

/// Flips the unused low bits of a segment's last character, where it has some: the same bytes
/// to a lenient decoder, a second spelling to a strict one.
pub fn non_canonical(segment: &str) -> Option<String> {
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

/// Every mis-spelling of a genuine token's base64url segments, by name: padding, inserted
/// white space or other characters, non-canonical trailing bits, the standard alphabet.
pub fn base64url_variants(good: &str) -> Vec<(String, String)> {
    let segments: Vec<String> = good.split('.').map(String::from).collect();
    let mut variants: Vec<(String, String)> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        variants.push((
            format!("padding {i}"),
            replace_segment(good, i, &format!("{segment}=")),
        ));
        variants.push((
            format!("padding2 {i}"),
            replace_segment(good, i, &format!("{segment}==")),
        ));
        let middle = segment.len() / 2;
        for insert in [" ", "\n", "\t", "\r\n", "+", "/", "%", "?"] {
            let spaced = format!("{}{insert}{}", &segment[..middle], &segment[middle..]);
            variants.push((
                format!("insert {insert:?} in {i}"),
                replace_segment(good, i, &spaced),
            ));
        }
        if let Some(other) = non_canonical(segment) {
            variants.push((
                format!("trailing bits {i}"),
                replace_segment(good, i, &other),
            ));
        }
        // The standard alphabet in place of the URL-safe one.
        let standard = segment.replace('-', "+").replace('_', "/");
        if standard != *segment {
            variants.push((
                format!("standard alphabet {i}"),
                replace_segment(good, i, &standard),
            ));
        }
    }
    variants
}

/// NumericDate values of the wrong JSON type or out of range (RFC 7519 §2).
pub fn bad_numeric_dates() -> [Value; 6] {
    [
        // A string holding the number ("1700000600").
        json!((NOW + 600.0).to_string()),
        json!(true),
        json!(null),
        json!([NOW + 600.0]),
        json!({"$date": NOW + 600.0}),
        json!(1e300),
    ]
}

/// Number literals a double turns into infinity.
pub const OVERFLOWING_LITERALS: [&str; 3] = ["1e400", "-1e400", "9e999999"];

/// An RS256 token whose `claim` is the exact number `literal` (which JSON values cannot hold).
pub fn token_with_literal(claim: &str, literal: &str) -> String {
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove(claim);
    let text = claims.to_string();
    let payload = format!("{},\"{claim}\":{literal}}}", &text[..text.len() - 1]);
    sign_raw(RS256_HEADER, &payload, &Signer::Rs256)
}

/// `iss` values that are near misses of [`ISSUER`].
pub const ISSUER_NEAR_MISSES: [&str; 8] = [
    "https://issuer.example/",
    "HTTPS://ISSUER.EXAMPLE",
    "https://Issuer.example",
    "https://issuer.example.evil",
    "https://issuer.exampl",
    "https://issuer.example ",
    "http://issuer.example",
    "",
];

/// `aud` values that do not contain [`AUDIENCE`].
pub fn audience_near_misses() -> [Value; 7] {
    [
        json!("https://api.example/"),
        json!("HTTPS://API.EXAMPLE"),
        json!("https://api.example.evil"),
        json!("https://api"),
        json!(["https://api.example/", "other"]),
        json!([]),
        json!("https://api.example https://other"),
    ]
}

/// `iss` and `aud` values of the wrong JSON type.
pub fn issuer_audience_wrong_types() -> [(&'static str, Value); 4] {
    [
        ("iss", json!(1)),
        ("iss", json!([ISSUER])),
        ("aud", json!(1)),
        ("aud", json!([AUDIENCE, 1])),
    ]
}

/// `typ` values that are not `at+jwt` (None: no typ).
pub const NOT_AT_JWT: [Option<&str>; 7] = [
    Some("JWT"),
    Some("jwt"),
    None,
    Some("application/jwt"),
    Some("at+jwt2"),
    Some("dpop+jwt"),
    Some(""),
];

/// Spellings of `at+jwt` that match (case and `application/` ignored).
pub const AT_JWT_SPELLINGS: [&str; 5] = [
    "at+jwt",
    "AT+JWT",
    "application/at+jwt",
    "application/AT+JWT",
    "Application/At+Jwt",
];

/// An RS256 token with the standard claims and the given `typ` (None: none).
pub fn typed_rs256(typ: Option<&str>) -> String {
    let mut head = header("RS256", KID_RSA);
    if let Some(typ) = typ {
        head["typ"] = json!(typ);
    }
    rs256_token(&head, &good_claims())
}

/// A 2048-bit modulus with the ROCA fingerprint: n ≡ 1 (mod every ROCA prime), which lies in
/// every subgroup generated by 65537. Synthetic (nobody holds its factors); real ROCA keys are
/// in Wycheproof JWK tc 7.
pub fn roca_like_modulus(plus: u8) -> Vec<u8> {
    let mut n = vec![0u8; 256];
    n[0] = 0x80;
    let low = hex("06697ebed2c9cb1b810585593f81da320dfab10bdf2e0f1d9e802fcf");
    let start = n.len() - low.len();
    n[start..].copy_from_slice(&low);
    n[255] += plus;
    n
}

/// Weak or invalid keys: (name, JWK without kid, what the refusal says).
pub fn weak_keys() -> Vec<(&'static str, Value, &'static str)> {
    let mut rsa_1024 = vec![0x5au8; 128];
    rsa_1024[0] = 0xc3;
    rsa_1024[127] = 0x01;
    let mut off_curve_y = unb64(RFC7515_A3_Y);
    off_curve_y[31] ^= 1;
    vec![
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
    ]
}

/// A token a weak key of [`weak_keys`] would be asked to verify, under `kid`.
pub fn token_for_weak_key(name: &str, kid: &str) -> String {
    let (alg, signer) = if name.starts_with("RSA") {
        ("RS256", Signer::Raw(vec![1; 256]))
    } else if name.starts_with("HMAC") {
        ("HS256", Signer::Hs256(vec![7; 16]))
    } else if name.starts_with("EC") {
        ("ES256", Signer::Raw(vec![1; 64]))
    } else {
        ("EdDSA", Signer::Raw(vec![1; 64]))
    };
    sign_json(&header(alg, kid), &good_claims(), &signer)
}

/// `use` / `key_ops` members that exclude a key from verifying (RFC 7517 §4.2–4.3).
pub fn non_verify_uses() -> [Value; 8] {
    [
        json!({"use": "enc"}),
        json!({"use": "SIG"}),
        json!({"key_ops": ["encrypt"]}),
        json!({"key_ops": ["sign"]}),
        json!({"key_ops": []}),
        json!({"key_ops": ["sign, verify"]}),
        json!({"key_ops": "verify"}),
        json!({"use": "sig", "key_ops": ["wrapKey"]}),
    ]
}

/// `use` / `key_ops` members that let a key verify.
pub fn verify_uses() -> [Value; 3] {
    [
        json!({"use": "sig"}),
        json!({"key_ops": ["verify"]}),
        json!({"key_ops": ["sign", "verify"]}),
    ]
}

/// The RFC 7515 A.3 P-256 JWK (kid `ec-1`) with extra members.
pub fn ec_jwk_with(extra: &Value) -> Value {
    let mut jwk = ec_jwk(KID_EC);
    for (k, v) in extra.as_object().unwrap() {
        jwk[k] = v.clone();
    }
    jwk
}

/// The `ec-1` key again with a non-canonical base64url `x`: a malformed twin.
pub fn malformed_ec_twin() -> Value {
    let mut twin = ec_jwk(KID_EC);
    twin["x"] = json!(non_canonical(RFC7515_A3_X).unwrap());
    twin
}

/// An RSA and an EC key under one kid (`shared`), and a genuine token for each.
pub fn shared_kid_keys_and_tokens() -> ([Value; 2], [(&'static str, String); 2]) {
    let keys = [rsa_jwk("shared"), ec_jwk("shared")];
    let rs = rs256_token(&header("RS256", "shared"), &good_claims());
    let es = sign_json(
        &header("ES256", "shared"),
        &good_claims(),
        &Signer::rfc_es256(),
    );
    (keys, [("RS256", rs), ("ES256", es)])
}

/// A key set with junk beside good keys (RSA, EC and Ed25519 usable; the rest excluded).
pub fn one_bad_key_doc() -> Value {
    let mut off_curve_y = unb64(RFC7515_A3_Y);
    off_curve_y[0] ^= 0x80;
    json!({"keys": [
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
    ]})
}

/// A genuine ECDSA token of `kid` with s replaced by n − s (the high-S twin), and the order.
pub fn high_s_twin(kid: &str, order_hex: &str) -> (String, Vec<u8>) {
    let genuine = token_for(kid, &good_claims());
    let sig = ecdsa_signature(&genuine);
    let (r, s) = sig.split_at(sig.len() / 2);
    let flipped = [r.to_vec(), order_minus(&hex(order_hex), s)].concat();
    assert_ne!(flipped, sig);
    (raw_signature(&genuine, &flipped), flipped)
}

/// Claims whose scopes do not include `admin`, and ones that do, and wrong-typed ones.
pub fn scope_claims() -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let lacking = vec![
        // good_claims() has scope "read write".
        good_claims(),
        with_claim("scope", json!("administrator")),
        with_claim("scope", json!("Admin")),
        with_claim("scope", json!("read,admin")),
        with_claim("scp", json!(["read", "write"])),
        without_claim("scope"),
    ];
    let having = vec![
        with_claim("scope", json!("read admin")),
        with_claim("scope", json!("  admin  ")),
        with_claim("scp", json!(["read", "admin"])),
        with_claim("scp", json!("read admin")),
    ];
    let wrong = vec![
        with_claim("scope", json!(["admin"])),
        with_claim("scp", json!([1])),
    ];
    (lacking, having, wrong)
}
