//! The attack corpus: every attack of `tests/attacks.rs` (and a positive control beside
//! each), as data — token, key set, validator options in the JS package's shape, time and
//! expected code. `tests/attack_corpus.rs` runs it through the Rust core; `examples/
//! attack_corpus.rs` prints it as JSON for the JS suite, which runs it through the npm
//! package in Node, Chromium and workerd: the same code in JS as in Rust, case by case.

use edge_token_validator::policy::JS_OPTION_NAMES;
use edge_token_validator::{Algorithm, ErrorCode, ValidatorOptions};
use serde_json::{json, Value};

use super::*;

/// One attack token with everything needed to validate it, and the expected outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusCase {
    /// The attack and its source, unique in the corpus.
    pub name: String,
    pub token: String,
    /// The JWKS document (JSON).
    pub jwks: Value,
    /// `createValidator` options (JS names), without `jwks` and `now`.
    pub options: Value,
    /// Validation time, seconds since the epoch.
    pub now: f64,
    /// The error code, or None when the token is valid (a positive control).
    pub expect: Option<ErrorCode>,
}

impl CorpusCase {
    /// The expected outcome as the JSON says it: an error code or `"valid"`.
    pub fn expect_str(&self) -> &'static str {
        self.expect.map_or("valid", ErrorCode::as_str)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "token": self.token,
            "jwks": self.jwks,
            "options": self.options,
            "now": self.now,
            "expect": self.expect_str(),
        })
    }

    pub fn from_json(value: &Value) -> CorpusCase {
        let text = |name: &str| {
            value[name]
                .as_str()
                .unwrap_or_else(|| panic!("corpus member {name} is not a string"))
                .to_string()
        };
        let expect = text("expect");
        CorpusCase {
            name: text("name"),
            token: text("token"),
            jwks: value["jwks"].clone(),
            options: value["options"].clone(),
            now: value["now"]
                .as_f64()
                .expect("corpus member now is a number"),
            expect: (expect != "valid").then(|| {
                ErrorCode::from_name(&expect)
                    .unwrap_or_else(|| panic!("unknown expected code {expect}"))
            }),
        }
    }

    fn jwks(&mut self, doc: Value) -> &mut CorpusCase {
        self.jwks = doc;
        self
    }

    fn options(&mut self, options: Value) -> &mut CorpusCase {
        self.options = options;
        self
    }

    fn option(&mut self, name: &str, value: Value) -> &mut CorpusCase {
        self.options[name] = value;
        self
    }
}

/// The whole corpus as the JSON array the JS suite reads.
pub fn corpus_json() -> Value {
    Value::Array(attack_corpus().iter().map(CorpusCase::to_json).collect())
}

/// The standard options in the JS package's shape: one issuer, one audience, every algorithm.
pub fn js_standard_options() -> Value {
    json!({
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "algorithms": Algorithm::ALL.map(Algorithm::name),
    })
}

/// `createValidator` options (JS names) as core options, mapped the way src/js/mod.rs's
/// `parse_options` maps them (defaults from `ValidatorOptions::new`).
pub fn validator_options_from_js(js: &Value) -> ValidatorOptions {
    let map = js.as_object().expect("options are an object");
    for name in map.keys() {
        assert!(
            JS_OPTION_NAMES.contains(&name.as_str()),
            "unknown option {name}"
        );
    }
    let strings = |value: &Value| -> Vec<String> {
        match value {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .map(|v| v.as_str().expect("a string").to_string())
                .collect(),
            other => panic!("not a string or array: {other}"),
        }
    };
    let seconds = |name: &str| map.get(name).map(|v| v.as_u64().expect("whole seconds"));
    let mut options = ValidatorOptions::new(String::new());
    options.issuers = strings(&js["issuer"]);
    options.audiences = map.get("audience").map(strings).unwrap_or_default();
    if let Some(names) = map.get("algorithms") {
        options.algorithms = strings(names)
            .iter()
            .map(|name| Algorithm::from_name(name).expect("a supported algorithm"))
            .collect();
    }
    if let Some(tolerance) = seconds("clockToleranceSeconds") {
        options.clock_tolerance_seconds = tolerance;
    }
    options.max_token_age_seconds = seconds("maxTokenAgeSeconds");
    options.required_claims = map.get("requiredClaims").map(strings).unwrap_or_default();
    options.required_scopes = map.get("requiredScopes").map(strings).unwrap_or_default();
    options.token_type = map
        .get("tokenType")
        .map(|v| v.as_str().expect("a string").to_string());
    if let Some(bytes) = seconds("maxTokenBytes") {
        options.max_token_bytes = bytes as usize;
    }
    options
}

#[derive(Default)]
struct Corpus(Vec<CorpusCase>);

impl Corpus {
    fn push(&mut self, name: String, token: String, expect: Option<ErrorCode>) -> &mut CorpusCase {
        self.0.push(CorpusCase {
            name,
            token,
            jwks: jwks_doc(&standard_keys()),
            options: js_standard_options(),
            now: NOW,
            expect,
        });
        self.0.last_mut().unwrap()
    }

    /// A token that must fail with `code` (standard keys and options unless changed).
    fn reject(
        &mut self,
        name: impl Into<String>,
        token: String,
        code: ErrorCode,
    ) -> &mut CorpusCase {
        self.push(name.into(), token, Some(code))
    }

    /// A token that must pass (a positive control).
    fn accept(&mut self, name: impl Into<String>, token: String) -> &mut CorpusCase {
        self.push(format!("control: {}", name.into()), token, None)
    }
}

/// Every attack of `tests/attacks.rs`, with positive controls.
pub fn attack_corpus() -> Vec<CorpusCase> {
    let mut corpus = Corpus::default();
    algorithm_attacks(&mut corpus);
    signature_attacks(&mut corpus);
    header_attacks(&mut corpus);
    claim_attacks(&mut corpus);
    key_attacks(&mut corpus);
    policy_cases(&mut corpus);
    corpus.0
}

fn hs_doc() -> Value {
    jwks_doc(&[hs_jwk(KID_HS)])
}

fn algorithm_attacks(c: &mut Corpus) {
    use ErrorCode::{AlgorithmNotAllowed, Malformed, UnknownKey, UnsupportedAlgorithm};
    const NONE: &str = "alg none (RFC 8725 §2.1, CVE-2015-9235)";
    for alg in NONE_SPELLINGS {
        for kid in [None, Some(KID_RSA)] {
            let mut head = json!({ "alg": alg });
            if let Some(kid) = kid {
                head["kid"] = json!(kid);
            }
            let with_kid = if kid.is_some() { ", kid rsa-1" } else { "" };
            let unsigned = sign_json(&head, &good_claims(), &Signer::Raw(Vec::new()));
            c.reject(
                format!("{NONE}: {alg:?}{with_kid}, unsigned"),
                unsigned,
                UnsupportedAlgorithm,
            );
        }
        c.reject(
            format!("{NONE}: {alg:?} with a genuine RS256 signature"),
            rs256_token(&header(alg, KID_RSA), &good_claims()),
            UnsupportedAlgorithm,
        );
    }
    c.reject(
        "alg names are case-sensitive: rs256 (RFC 7515 §4.1.1)",
        rs256_token(&header("rs256", KID_RSA), &good_claims()),
        UnsupportedAlgorithm,
    );
    c.accept("RS256 by the trusted key (RFC 7515 A.2)", good_rs256());

    const CONFUSION: &str = "RS256→HS256 key confusion (RFC 8725 §2.1, CVE-2016-10555)";
    let rsa_only = jwks_doc(&[rsa_jwk(KID_RSA)]);
    let default_algorithms = json!({"issuer": ISSUER, "audience": AUDIENCE});
    for (what, secret) in key_confusion_secrets() {
        for (kid, head) in [
            ("kid rsa-1", header("HS256", KID_RSA)),
            ("no kid", json!({"alg": "HS256"})),
        ] {
            let forged = sign_json(&head, &good_claims(), &Signer::Hs256(secret.clone()));
            let name = format!("{CONFUSION}: MAC keyed with the {what}, {kid}");
            c.reject(
                format!("{name}, default allow-list"),
                forged.clone(),
                AlgorithmNotAllowed,
            )
            .jwks(rsa_only.clone())
            .options(default_algorithms.clone());
            c.reject(
                format!("{name}, HS256 allowed, RSA key only"),
                forged.clone(),
                UnknownKey,
            )
            .jwks(rsa_only.clone());
            c.reject(
                format!("{name}, HS256 allowed, standard keys"),
                forged,
                UnknownKey,
            );
        }
    }
    c.accept("RS256 under the default allow-list", good_rs256())
        .jwks(rsa_only)
        .options(default_algorithms);

    for (member, value) in embedded_key_members() {
        let name = format!("embedded {member} (CVE-2018-0114, RFC 8725 §3.10)");
        let attacker = Signer::Es256(ATTACKER_D);
        for (kid, code) in [
            (Some("attacker"), UnknownKey),
            (None, ErrorCode::SignatureInvalid),
            (Some(KID_EC), ErrorCode::SignatureInvalid),
        ] {
            let mut head = json!({"alg": "ES256"});
            if let Some(kid) = kid {
                head["kid"] = json!(kid);
            }
            head[member] = value.clone();
            let forged = sign_json(&head, &good_claims(), &attacker);
            c.reject(
                format!("{name}: signed by the attacker, kid {kid:?}"),
                forged,
                code,
            );
        }
        let mut head = header("ES256", KID_EC);
        head[member] = value;
        let genuine = sign_json(&head, &good_claims(), &Signer::rfc_es256());
        c.accept(
            format!("{name}: ignored, signed by the trusted key"),
            genuine,
        );
    }

    for kid in INJECTED_KIDS {
        let name = format!("kid injection {kid:?} (RFC 8725 §3.10)");
        let forged = rs256_token(&header("RS256", kid), &good_claims());
        c.reject(format!("{name}: RS256"), forged, UnknownKey);
        for (what, secret) in [("empty", Vec::new()), ("newline", b"\n".to_vec())] {
            let forged = sign_json(
                &header("HS256", kid),
                &good_claims(),
                &Signer::Hs256(secret),
            );
            c.reject(
                format!("{name}: HS256 with an {what} secret"),
                forged,
                UnknownKey,
            )
            .jwks(hs_doc());
        }
    }
    c.reject(
        "kid injection: a number (RFC 7515 §4.1.4)",
        rs256_token(&json!({"alg": "RS256", "kid": 1}), &good_claims()),
        Malformed,
    );
}

fn signature_attacks(c: &mut Corpus) {
    use ErrorCode::SignatureInvalid;
    const PSYCHIC: &str = "psychic signature (CVE-2022-21449)";
    for (alg, kid, len) in ECDSA_KEYS {
        let zero = sign_json(
            &header(alg, kid),
            &good_claims(),
            &Signer::Raw(vec![0; len]),
        );
        c.reject(
            format!("{PSYCHIC}: {alg} r = s = 0"),
            zero,
            SignatureInvalid,
        );
    }
    for (alg, kid, order) in ECDSA_ORDERS {
        let n = hex(order);
        let forged = sign_json(
            &header(alg, kid),
            &good_claims(),
            &Signer::Raw([n.clone(), n].concat()),
        );
        c.reject(
            format!("{PSYCHIC}: {alg} r = s = n"),
            forged,
            SignatureInvalid,
        );
    }
    c.reject(
        format!("{PSYCHIC}: ES256 r = 0, genuine s"),
        es256_zero_r(),
        SignatureInvalid,
    );

    for kid in [KID_EC, KID_K1, KID_P384] {
        let genuine = token_for(kid, &good_claims());
        for (variant, sig) in ecdsa_signature_variants(&ecdsa_signature(&genuine)) {
            c.reject(
                format!("ECDSA signature not raw r‖s (RFC 7518 §3.4): {kid} {variant}"),
                raw_signature(&genuine, &sig),
                SignatureInvalid,
            );
        }
        c.accept(format!("{kid} genuine ECDSA"), genuine);
    }
    c.accept("ed-1 genuine EdDSA", token_for(KID_ED, &good_claims()));
    c.accept("hs-1 genuine HS256", token_for(KID_HS, &good_claims()))
        .jwks(hs_doc());

    for (alg, kid, order) in ECDSA_ORDERS {
        let name = format!("{alg} high-S (RFC 8812 §3.2, Wycheproof secp256k1 tc 1)");
        let (high_s, mut flipped) = high_s_twin(kid, order);
        c.accept(format!("{name}: n − s is valid"), high_s.clone());
        flipped[63] ^= 1;
        c.reject(
            format!("{name}: a modified s is not"),
            raw_signature(&high_s, &flipped),
            SignatureInvalid,
        );
    }
}

fn header_attacks(c: &mut Corpus) {
    use ErrorCode::{CritUnsupported, Malformed, TokenTooLarge};
    for head in unsupported_crit_headers() {
        c.reject(
            format!("crit not understood (RFC 7515 §4.1.11): {}", head["crit"]),
            rs256_token(&head, &good_claims()),
            CritUnsupported,
        );
    }
    for crit in malformed_crits() {
        let head = json!({"alg": "RS256", "kid": KID_RSA, "crit": crit});
        c.reject(
            format!("crit not a non-empty array of names (RFC 7515 §4.1.11): {crit}"),
            rs256_token(&head, &good_claims()),
            Malformed,
        );
    }
    c.reject(
        "b64 false with crit (RFC 7797 §7)",
        rs256_token(&b64_false_header(), &good_claims()),
        CritUnsupported,
    );
    c.reject(
        "b64 false, payload really unencoded (RFC 7797 §7)",
        unencoded_payload_token(),
        Malformed,
    );
    for b64_value in [false, true] {
        let head = json!({"alg": "RS256", "kid": KID_RSA, "b64": b64_value});
        c.reject(
            format!("b64 {b64_value} without crit (RFC 7797 §6)"),
            rs256_token(&head, &good_claims()),
            Malformed,
        );
    }

    c.reject("JWE, 5 segments (RFC 7516 §9)", jwe_compact(), Malformed);
    let good = good_rs256();
    for (i, broken) in wrong_segment_counts(&good).into_iter().enumerate() {
        let dots = broken.matches('.').count();
        c.reject(
            format!("not 3 segments (RFC 7515 §7.1): variant {i}, {dots} dots"),
            broken,
            Malformed,
        );
    }
    for cty in NESTED_CTYS {
        let name = format!("nested JWT, cty {cty:?} (RFC 7519 §5.2)");
        let head = json!({"alg": "RS256", "kid": KID_RSA, "cty": cty});
        let outer = sign_raw(&head.to_string(), &good, &Signer::Rs256);
        c.reject(format!("{name}: a JWT inside"), outer, Malformed);
        let outer = rs256_token(&head, &good_claims());
        c.reject(format!("{name}: a claims set inside"), outer, Malformed);
    }
    let head = json!({"alg": "RS256", "kid": KID_RSA, "cty": "json"});
    c.accept(
        "cty json is not nesting",
        rs256_token(&head, &good_claims()),
    );

    const DUPLICATE: &str = "duplicate member (RFC 7515 §4, CVE-2017-12635)";
    let claims = good_claims().to_string();
    for head in DUPLICATE_HEADERS {
        c.reject(
            format!("{DUPLICATE}: header {head}"),
            sign_raw(head, &claims, &Signer::Rs256),
            Malformed,
        );
    }
    let (payloads, single) = duplicate_payloads();
    for payload in &payloads {
        c.reject(
            format!("{DUPLICATE}: payload {payload}"),
            sign_raw(RS256_HEADER, payload, &Signer::Rs256),
            Malformed,
        );
    }
    c.accept(
        format!("{DUPLICATE}: the same payload without the duplicate"),
        sign_raw(RS256_HEADER, &single, &Signer::Rs256),
    );

    for (variant, token) in base64url_variants(&good) {
        c.reject(
            format!("non-canonical base64url (RFC 7515 §2): {variant}"),
            token,
            Malformed,
        );
    }

    const OVERSIZE: &str = "oversize (maxTokenBytes, checked before decoding)";
    let default_max = edge_token_validator::token::DEFAULT_MAX_TOKEN_BYTES;
    c.reject(
        format!("{OVERSIZE}: junk one byte over the default"),
        "!".repeat(default_max + 1),
        TokenTooLarge,
    );
    c.reject(
        format!("{OVERSIZE}: junk at the default is decoded"),
        "!".repeat(default_max),
        Malformed,
    );
    c.reject(
        format!("{OVERSIZE}: a genuine token one byte over a configured cap"),
        good.clone(),
        TokenTooLarge,
    )
    .option("maxTokenBytes", json!(good.len() - 1));
    c.accept(format!("{OVERSIZE}: exactly at the cap"), good.clone())
        .option("maxTokenBytes", json!(good.len()));
    let padded = token_for(KID_RSA, &with_claim("pad", json!("x".repeat(4000))));
    c.accept(format!("{OVERSIZE}: big but under the default"), padded);
    let huge = token_for(KID_RSA, &with_claim("pad", json!("x".repeat(6200))));
    c.reject(
        format!("{OVERSIZE}: a genuine token over the default"),
        huge,
        TokenTooLarge,
    );
}

fn claim_attacks(c: &mut Corpus) {
    use ErrorCode::{AudienceMismatch, InvalidClaim, IssuerMismatch, Malformed, MissingClaim};
    const DATE: &str = "NumericDate (RFC 7519 §2)";
    for claim in ["exp", "nbf", "iat"] {
        for bad in bad_numeric_dates() {
            c.reject(
                format!("{DATE}: {claim} = {bad}"),
                token_for(KID_RSA, &with_claim(claim, bad)),
                InvalidClaim,
            );
        }
        for literal in OVERFLOWING_LITERALS {
            c.reject(
                format!("{DATE}: {claim} = {literal} (overflow)"),
                token_with_literal(claim, literal),
                InvalidClaim,
            );
        }
    }
    for exp in [NOW + 600.5, NOW + 0.25] {
        c.accept(
            format!("{DATE}: fractional exp {exp}"),
            token_for(KID_RSA, &with_claim("exp", json!(exp))),
        );
    }
    c.accept(
        format!("{DATE}: exp in exponent notation 1.7000006e9"),
        token_with_literal("exp", "1.7000006e9"),
    );
    c.reject(
        "exp is required (RFC 9068 §2.2)",
        token_for(KID_RSA, &without_claim("exp")),
        MissingClaim,
    );

    const EXACT: &str = "exact iss/aud (RFC 8725 §3.8–3.9)";
    for iss in ISSUER_NEAR_MISSES {
        c.reject(
            format!("{EXACT}: iss {iss:?}"),
            token_for(KID_RSA, &with_claim("iss", json!(iss))),
            IssuerMismatch,
        );
    }
    for aud in audience_near_misses() {
        c.reject(
            format!("{EXACT}: aud {aud}"),
            token_for(KID_RSA, &with_claim("aud", aud)),
            AudienceMismatch,
        );
    }
    for (claim, value) in issuer_audience_wrong_types() {
        c.reject(
            format!("{EXACT}: {claim} of the wrong type {value}"),
            token_for(KID_RSA, &with_claim(claim, value)),
            InvalidClaim,
        );
    }
    for claim in ["iss", "aud"] {
        c.reject(
            format!("{EXACT}: {claim} missing"),
            token_for(KID_RSA, &without_claim(claim)),
            MissingClaim,
        );
    }
    let audiences = json!(["https://other.example", AUDIENCE]);
    c.accept(
        format!("{EXACT}: an aud array that contains the audience"),
        token_for(KID_RSA, &with_claim("aud", audiences)),
    );
    c.accept(
        format!("{EXACT}: the second of two configured issuers"),
        token_for(KID_RSA, &with_claim("iss", json!("https://second.example"))),
    )
    .option("issuer", json!([ISSUER, "https://second.example"]));

    const TYP: &str = "typ confusion with tokenType at+jwt (RFC 8725 §3.11, RFC 9068 §2.1)";
    for typ in NOT_AT_JWT {
        c.reject(
            format!("{TYP}: typ {typ:?}"),
            typed_rs256(typ),
            ErrorCode::TypeMismatch,
        )
        .option("tokenType", json!("at+jwt"));
    }
    for typ in AT_JWT_SPELLINGS {
        c.accept(format!("{TYP}: typ {typ:?}"), typed_rs256(Some(typ)))
            .option("tokenType", json!("at+jwt"));
    }
    c.accept(
        "typ JWT without tokenType configured",
        typed_rs256(Some("JWT")),
    );
    let head = json!({"alg": "RS256", "kid": KID_RSA, "typ": 1});
    c.reject(
        "typ that is not a string (RFC 7515 §4.1.9)",
        rs256_token(&head, &good_claims()),
        Malformed,
    );
}

fn key_attacks(c: &mut Corpus) {
    use ErrorCode::{SignatureInvalid, UnknownKey};
    for (i, (name, jwk, _)) in weak_keys().into_iter().enumerate() {
        let kid = format!("weak-{i}");
        let mut jwk = jwk;
        jwk["kid"] = json!(kid);
        c.reject(
            format!("weak key excluded (RFC 8725 §3.5, RFC 7518 §3–6): {name}"),
            token_for_weak_key(name, &kid),
            UnknownKey,
        )
        .jwks(jwks_doc(&[jwk]));
    }
    for alg in ["HS384", "HS512"] {
        c.reject(
            format!("HMAC key shorter than the hash (RFC 7518 §3.2): {alg} with 32 bytes"),
            sign_json(
                &header(alg, KID_HS),
                &good_claims(),
                &Signer::Raw(vec![0; 64]),
            ),
            UnknownKey,
        )
        .jwks(hs_doc());
    }

    let es256 = token_for(KID_EC, &good_claims());
    for extra in non_verify_uses() {
        c.reject(
            format!("key not for verifying (RFC 7517 §4.2–4.3): {extra}"),
            es256.clone(),
            UnknownKey,
        )
        .jwks(jwks_doc(&[ec_jwk_with(&extra)]));
    }
    for extra in verify_uses() {
        c.accept(format!("key for verifying: {extra}"), es256.clone())
            .jwks(jwks_doc(&[ec_jwk_with(&extra)]));
    }

    const KEY_ALG: &str = "key alg must equal the header's (RFC 8725 §3.1)";
    let keyed = |alg: &str| {
        let mut key = rsa_jwk(KID_RSA);
        key["alg"] = json!(alg);
        jwks_doc(&[key])
    };
    let any_sig = Signer::Raw(vec![0x55; 256]);
    for (alg, what, code) in [
        ("PS384", "PS384 token, PS256 key", UnknownKey),
        ("PS256", "PS256 key chosen, bad signature", SignatureInvalid),
    ] {
        let token = sign_json(&header(alg, KID_RSA), &good_claims(), &any_sig);
        c.reject(format!("{KEY_ALG}: {what}"), token, code)
            .jwks(keyed("PS256"));
    }
    for alg in ["PS256", "ES521", "A256GCM", "rs256"] {
        c.reject(
            format!("{KEY_ALG}: genuine RS256 token, key alg {alg}"),
            good_rs256(),
            UnknownKey,
        )
        .jwks(keyed(alg));
    }
    c.accept(format!("{KEY_ALG}: key alg RS256"), good_rs256())
        .jwks(keyed("RS256"));

    const AMBIGUOUS: &str = "ambiguous kid (RFC 7517 §4.5)";
    let both = jwks_doc(&[ec_jwk(KID_EC), p256_jwk_of(&ATTACKER_D, KID_EC)]);
    let attacker = sign_json(
        &header("ES256", KID_EC),
        &good_claims(),
        &Signer::Es256(ATTACKER_D),
    );
    for (who, token) in [("trusted", es256.clone()), ("attacker", attacker)] {
        c.reject(
            format!("{AMBIGUOUS}: two P-256 keys under ec-1, signed by the {who}"),
            token,
            UnknownKey,
        )
        .jwks(both.clone());
    }
    let no_kid = sign_json(
        &json!({"alg": "ES256"}),
        &good_claims(),
        &Signer::rfc_es256(),
    );
    c.reject(
        format!("{AMBIGUOUS}: no kid, two P-256 keys"),
        no_kid.clone(),
        UnknownKey,
    )
    .jwks(both);
    c.accept(format!("{AMBIGUOUS}: no kid, one P-256 key"), no_kid)
        .jwks(jwks_doc(&[ec_jwk(KID_EC), rsa_jwk(KID_RSA)]));
    c.reject(
        format!("{AMBIGUOUS}: a malformed twin under ec-1"),
        es256.clone(),
        UnknownKey,
    )
    .jwks(jwks_doc(&[ec_jwk(KID_EC), malformed_ec_twin()]));
    let (keys, tokens) = shared_kid_keys_and_tokens();
    let shared = jwks_doc(&keys);
    for (alg, token) in tokens {
        c.accept(
            format!("{AMBIGUOUS}: RSA and EC keys share a kid, {alg}"),
            token,
        )
        .jwks(shared.clone());
    }
    let mut enc = ec_jwk(KID_EC);
    enc["use"] = json!("enc");
    c.accept(
        format!("{AMBIGUOUS}: an encryption twin is no rival"),
        es256,
    )
    .jwks(jwks_doc(&[ec_jwk(KID_EC), enc]));

    const ONE_BAD: &str = "one bad key beside good ones (SPEC §2)";
    for kid in [KID_RSA, KID_EC, KID_ED] {
        c.accept(format!("{ONE_BAD}: {kid}"), token_for(kid, &good_claims()))
            .jwks(one_bad_key_doc());
    }
    c.reject(
        format!("{ONE_BAD}: the secret of a public set is dropped"),
        token_for(KID_HS, &good_claims()),
        UnknownKey,
    )
    .jwks(one_bad_key_doc());
}

fn policy_cases(c: &mut Corpus) {
    use ErrorCode::{InsufficientScope, InvalidClaim, MissingClaim, TooOld};
    const SCOPES: &str = "required scope admin (RFC 9068 §2.2.3)";
    let (lacking, having, wrong) = scope_claims();
    let scoped = [
        (lacking, Some(InsufficientScope)),
        (having, None),
        (wrong, Some(InvalidClaim)),
    ];
    for (claims, expect) in scoped {
        for claims in claims {
            let scopes = json!({"scope": claims.get("scope"), "scp": claims.get("scp")});
            let name = format!("{SCOPES}: {scopes}");
            let token = token_for(KID_RSA, &claims);
            c.push(name, token, expect)
                .option("requiredScopes", json!(["admin"]));
        }
    }

    for (claim, value, tolerance, expect) in clock_table() {
        let name = format!(
            "clock (RFC 7519 §4.1.4–4.1.6): {claim} = now {:+}, tolerance {}",
            value - NOW,
            tolerance.unwrap_or(60)
        );
        let case = c.push(
            name,
            token_for(KID_RSA, &with_claim(claim, json!(value))),
            expect,
        );
        if let Some(seconds) = tolerance {
            case.option("clockToleranceSeconds", json!(seconds));
        }
    }

    const AGE: &str = "maxTokenAgeSeconds 300";
    for (age, expect) in [
        (360.0, None),
        (361.0, Some(TooOld)),
        (86_400.0, Some(TooOld)),
    ] {
        let token = token_for(KID_RSA, &with_claim("iat", json!(NOW - age)));
        c.push(format!("{AGE}: iat {age} s ago"), token, expect)
            .option("maxTokenAgeSeconds", json!(300));
    }
    c.reject(
        format!("{AGE}: iat missing"),
        token_for(KID_RSA, &without_claim("iat")),
        MissingClaim,
    )
    .option("maxTokenAgeSeconds", json!(300));
    c.accept(
        "an old iat without maxTokenAgeSeconds",
        token_for(KID_RSA, &with_claim("iat", json!(NOW - 86_400.0))),
    );

    const REQUIRED: &str = "requiredClaims sub, jti";
    let mut no_sub = without_claim("sub");
    no_sub["jti"] = json!("id-1");
    let required = [
        ("jti missing", good_claims(), Some(MissingClaim)),
        ("both present", with_claim("jti", json!("id-1")), None),
        ("sub missing", no_sub, Some(MissingClaim)),
    ];
    for (what, claims, expect) in required {
        c.push(
            format!("{REQUIRED}: {what}"),
            token_for(KID_RSA, &claims),
            expect,
        )
        .option("requiredClaims", json!(["sub", "jti"]));
    }
}
