//! Token introspection (RFC 7662): the answer this library gives about a token it validated,
//! and the reading of an upstream authorization server's answer about an opaque token.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::json;
use crate::policy::{self, VerifiedToken};

/// Longest time an active upstream answer is cached, in seconds (contract §7).
pub const ACTIVE_MAX_TTL_SECONDS: f64 = 300.0;
/// How long an inactive upstream answer is cached, in seconds (contract §7: at most 60).
pub const INACTIVE_TTL_SECONDS: f64 = 60.0;
/// Largest upstream answer accepted, in bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Claims copied as they are when they have the type RFC 7662 §2.2 gives them.
const STRING_MEMBERS: [&str; 5] = ["client_id", "sub", "iss", "jti", "username"];
const DATE_MEMBERS: [&str; 3] = ["exp", "iat", "nbf"];

/// The RFC 7662 §2.2 answer for a validation result.
///
/// Any error gives exactly `{"active": false}`: RFC 7662 §2.2 lets the server say nothing
/// more, and saying why would tell a token thief which part to fix.
///
/// An active answer carries, when the token has them with the type RFC 7662 gives them:
/// - `scope`: the token's scopes ([`VerifiedToken::scopes`], from `scope` or `scp`) joined
///   by spaces; absent when the token has none;
/// - `client_id`, `sub`, `iss`, `jti` (strings), `exp`, `iat`, `nbf` (numbers, as
///   written), `aud` (a string or an array, as written);
/// - `username`: the `username` claim, else OpenID Connect's `preferred_username`;
/// - `token_type`: the OAuth token type of RFC 6749 §7.1 (not the JOSE `typ`): `"DPoP"`
///   when the token is bound to a DPoP key (`cnf.jkt`, RFC 9449 §6), otherwise `"Bearer"`.
///   It is the one member not copied from the token, because it is about how the token
///   must be presented, which the claims say through `cnf`;
/// - `cnf`, as written, when present: RFC 9449 §6.2 and RFC 8705 §3.2 ask the introspection
///   answer to carry the binding so the resource server can check it.
pub fn introspection_response(result: &Result<VerifiedToken, Error>) -> Value {
    match result {
        Ok(token) => active_answer(token.claims(), token.scopes()),
        Err(_) => inactive(),
    }
}

/// The active answer for the claims of a token that passed validation (for doors that hold
/// the claims rather than the [`VerifiedToken`], e.g. across the wasm boundary). Scopes are
/// read from the claims as validation read them.
pub fn introspection_for_claims(claims: &Map<String, Value>) -> Value {
    match policy::scopes_of(claims) {
        Ok(scopes) => active_answer(claims, &scopes),
        Err(_) => inactive(),
    }
}

fn active_answer(claims: &Map<String, Value>, scopes: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("active".into(), Value::Bool(true));
    if !scopes.is_empty() {
        out.insert("scope".into(), Value::String(scopes.join(" ")));
    }
    for name in STRING_MEMBERS {
        if let Some(Value::String(s)) = claims.get(name) {
            out.insert(name.into(), Value::String(s.clone()));
        }
    }
    if !out.contains_key("username") {
        if let Some(Value::String(s)) = claims.get("preferred_username") {
            out.insert("username".into(), Value::String(s.clone()));
        }
    }
    for name in DATE_MEMBERS {
        if let Some(Value::Number(n)) = claims.get(name) {
            out.insert(name.into(), Value::Number(n.clone()));
        }
    }
    if let Some(aud @ (Value::String(_) | Value::Array(_))) = claims.get("aud") {
        out.insert("aud".into(), aud.clone());
    }
    let dpop_bound = claims
        .get("cnf")
        .and_then(|cnf| cnf.get("jkt"))
        .is_some_and(Value::is_string);
    out.insert(
        "token_type".into(),
        Value::String(String::from(if dpop_bound { "DPoP" } else { "Bearer" })),
    );
    if let Some(cnf @ Value::Object(_)) = claims.get("cnf") {
        out.insert("cnf".into(), cnf.clone());
    }
    Value::Object(out)
}

fn inactive() -> Value {
    let mut out = Map::new();
    out.insert("active".into(), Value::Bool(false));
    Value::Object(out)
}

/// An upstream authorization server's introspection answer (RFC 7662 §2.2), parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrospectionAnswer {
    active: bool,
    claims: Map<String, Value>,
}

fn unavailable(reason: &'static str) -> Error {
    Error::new(ErrorCode::IntrospectionUnavailable, reason)
}

/// Parses an upstream introspection answer.
///
/// The body must be a strict JSON object (no duplicate members: two `active` members would
/// let two readers disagree) whose `active` is a JSON boolean. For an inactive answer every
/// other member is dropped: RFC 7662 §2.2 says the server should send none, and nothing
/// about an inactive token may be trusted.
///
/// # Errors
/// `introspection_unavailable` when the body is not such an answer: a broken upstream is an
/// outage (503), never an accept and never the token's fault.
pub fn parse_introspection_answer(body: &[u8]) -> Result<IntrospectionAnswer, Error> {
    if body.len() > MAX_ANSWER_BYTES {
        return Err(unavailable("introspection answer is too large"));
    }
    let members = json::parse_strict_object(body)
        .map_err(|_| unavailable("introspection answer is not a strict JSON object"))?;
    let active = match members.get("active") {
        Some(Value::Bool(active)) => *active,
        Some(_) => {
            return Err(unavailable(
                "introspection answer's active is not a boolean",
            ))
        }
        None => return Err(unavailable("introspection answer has no active member")),
    };
    // The claims are the other members (rebuilt rather than `remove`d: map removal is a
    // sizeable piece of code the npm package's wasm needs nowhere else).
    let mut claims = Map::new();
    if active {
        for (name, value) in members {
            if name != "active" {
                claims.insert(name, value);
            }
        }
    }
    Ok(IntrospectionAnswer { active, claims })
}

impl IntrospectionAnswer {
    /// An answer built by the caller (e.g. read back from a cache).
    pub fn new(active: bool, claims: Map<String, Value>) -> IntrospectionAnswer {
        let claims = if active { claims } else { Map::new() };
        IntrospectionAnswer { active, claims }
    }

    /// Whether the upstream server says the token is active.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The members other than `active` (empty for an inactive answer). These are what the
    /// claim rules (`Validator::check_claims_set`) and revocation check run on.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Takes the claims out.
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }

    /// The scopes of the answer (`scope`, space-delimited, or `scp`).
    ///
    /// # Errors
    /// `invalid_claim` when `scope` or `scp` has the wrong type.
    pub fn scopes(&self) -> Result<Vec<String>, Error> {
        policy::scopes_of(&self.claims)
    }

    /// How long this answer may be cached from `now`, in seconds (contract §7).
    ///
    /// Active: until the token's `exp` or [`ACTIVE_MAX_TTL_SECONDS`], whichever is first;
    /// 0 when `exp` has passed or is not a number (an answer the claim rules will refuse
    /// should not be kept). Without `exp`, [`ACTIVE_MAX_TTL_SECONDS`]. Inactive:
    /// [`INACTIVE_TTL_SECONDS`]. A non-finite `now` gives 0 (do not cache).
    pub fn cache_ttl(&self, now: f64) -> f64 {
        if !now.is_finite() {
            return 0.0;
        }
        if !self.active {
            return INACTIVE_TTL_SECONDS;
        }
        match self.claims.get("exp") {
            None => ACTIVE_MAX_TTL_SECONDS,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(exp) if exp.is_finite() => (exp - now).clamp(0.0, ACTIVE_MAX_TTL_SECONDS),
                _ => 0.0,
            },
            Some(_) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::b64;
    use crate::jwk::Jwks;
    use crate::policy::{Validator, ValidatorOptions};
    use alloc::format;
    use serde_json::json;

    const K: &str =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    const NOW: f64 = 1_700_000_000.0;

    fn jwks() -> Jwks {
        Jwks::from_json(format!(r#"{{"keys":[{{"kty":"oct","kid":"k1","k":"{K}"}}]}}"#).as_bytes())
            .unwrap()
    }

    /// A token over `claims` whose signature the "host" declares valid: these tests are
    /// about the answer, not the signature, and need no HMAC in this build.
    fn validate(claims: &Value) -> Result<VerifiedToken, Error> {
        let header = b64::encode(br#"{"alg":"HS256","kid":"k1"}"#);
        let payload = b64::encode(serde_json::to_string(claims).unwrap().as_bytes());
        let token = format!("{header}.{payload}.{}", b64::encode(&[0u8; 32]));
        let options = ValidatorOptions::new("https://issuer.example")
            .audience("api")
            .algorithms(&[Algorithm::HS256]);
        let validator = Validator::new(options).unwrap();
        let verified = validator
            .begin(&token, &jwks())?
            .accept_host_verdict(true)?;
        validator.check_claims(verified, NOW, &[])
    }

    #[test]
    fn an_active_token_gives_the_rfc7662_members_it_has() {
        let result = validate(&json!({
            "iss": "https://issuer.example", "aud": ["api", "other"], "sub": "alice",
            "exp": NOW + 600.0, "iat": 1_699_999_990, "nbf": 1_699_999_990, "jti": "t-1",
            "client_id": "app", "scope": "read  write", "username": "alice@example",
            "email": "alice@example.com",
        }));
        let answer = introspection_response(&result);
        assert_eq!(
            answer,
            json!({
                "active": true, "scope": "read write", "client_id": "app",
                "username": "alice@example", "token_type": "Bearer",
                "exp": NOW + 600.0, "iat": 1_699_999_990, "nbf": 1_699_999_990,
                "sub": "alice", "aud": ["api", "other"], "iss": "https://issuer.example",
                "jti": "t-1",
            })
        );
    }

    #[test]
    fn members_absent_from_the_token_are_absent_from_the_answer() {
        let result = validate(&json!({
            "iss": "https://issuer.example", "aud": "api", "exp": NOW + 60.0,
            "scp": ["a", "b"], "preferred_username": "al", "sub": 42, "client_id": ["x"],
        }));
        let answer = introspection_response(&result);
        assert_eq!(
            answer,
            json!({
                "active": true, "scope": "a b", "username": "al", "token_type": "Bearer",
                "exp": NOW + 60.0, "aud": "api", "iss": "https://issuer.example",
            })
        );
    }

    #[test]
    fn a_dpop_bound_token_has_token_type_dpop_and_its_cnf() {
        // RFC 9449 §6.2: the binding travels in the introspection answer.
        let cnf = json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"});
        let result = validate(&json!({
            "iss": "https://issuer.example", "aud": "api", "exp": NOW + 60.0, "cnf": cnf,
        }));
        let answer = introspection_response(&result);
        assert_eq!(answer["token_type"], "DPoP");
        assert_eq!(answer["cnf"], cnf);
        // An mTLS binding (RFC 8705) keeps the Bearer type but carries cnf.
        let mtls = json!({"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"});
        let result = validate(&json!({
            "iss": "https://issuer.example", "aud": "api", "exp": NOW + 60.0, "cnf": mtls,
        }));
        let answer = introspection_response(&result);
        assert_eq!(answer["token_type"], "Bearer");
        assert_eq!(answer["cnf"], mtls);
    }

    #[test]
    fn any_failure_is_exactly_active_false() {
        let expired = validate(&json!({
            "iss": "https://issuer.example", "aud": "api", "exp": NOW - 3600.0, "sub": "a",
        }));
        assert_eq!(expired.as_ref().unwrap_err().code(), ErrorCode::Expired);
        assert_eq!(introspection_response(&expired), json!({"active": false}));
        let wrong_aud = validate(&json!({
            "iss": "https://issuer.example", "aud": "else", "exp": NOW + 60.0,
        }));
        assert!(wrong_aud.is_err());
        assert_eq!(introspection_response(&wrong_aud), json!({"active": false}));
        for code in ErrorCode::ALL {
            let answer = introspection_response(&Err(Error::new(code, "x")));
            assert_eq!(
                serde_json::to_string(&answer).unwrap(),
                r#"{"active":false}"#
            );
        }
    }

    #[test]
    fn upstream_answers_parse() {
        let answer = parse_introspection_answer(
            br#"{"active":true,"sub":"alice","scope":"read write","exp":1700000100}"#,
        )
        .unwrap();
        assert!(answer.is_active());
        assert_eq!(answer.claims()["sub"], "alice");
        assert!(!answer.claims().contains_key("active"));
        assert_eq!(answer.scopes().unwrap(), ["read", "write"]);

        // Nothing of an inactive answer is kept.
        let inactive = parse_introspection_answer(br#"{"active":false,"sub":"alice"}"#).unwrap();
        assert!(!inactive.is_active());
        assert!(inactive.claims().is_empty());
        assert!(IntrospectionAnswer::new(false, answer.claims().clone())
            .claims()
            .is_empty());
    }

    #[test]
    fn broken_upstream_answers_are_unavailable_never_active() {
        let bad: [&[u8]; 9] = [
            b"",
            b"<html>",
            b"[]",
            br#"{}"#,
            br#"{"active":"true"}"#,
            br#"{"active":1}"#,
            br#"{"active":null}"#,
            // Two readers could disagree about a duplicated member.
            br#"{"active":false,"active":true}"#,
            br#"{"active":true} trailing"#,
        ];
        for body in bad {
            let err = parse_introspection_answer(body).unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::IntrospectionUnavailable,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let huge = format!(
            r#"{{"active":true,"x":"{}"}}"#,
            "a".repeat(MAX_ANSWER_BYTES)
        );
        assert!(parse_introspection_answer(huge.as_bytes()).is_err());
    }

    #[test]
    fn cache_ttl_is_exp_or_five_minutes_and_at_most_a_minute_when_inactive() {
        let ttl = |body: &str, now: f64| {
            parse_introspection_answer(body.as_bytes())
                .unwrap()
                .cache_ttl(now)
        };
        assert_eq!(ttl(r#"{"active":true,"exp":1700000100}"#, NOW), 100.0);
        assert_eq!(ttl(r#"{"active":true,"exp":1700003600}"#, NOW), 300.0);
        assert_eq!(ttl(r#"{"active":true,"exp":1699999000}"#, NOW), 0.0);
        assert_eq!(ttl(r#"{"active":true}"#, NOW), 300.0);
        assert_eq!(ttl(r#"{"active":true,"exp":"soon"}"#, NOW), 0.0);
        assert_eq!(ttl(r#"{"active":false}"#, NOW), 60.0);
        assert!(ttl(r#"{"active":false}"#, NOW) <= 60.0);
        assert_eq!(ttl(r#"{"active":true,"exp":1700000100}"#, f64::NAN), 0.0);
    }

    #[test]
    fn an_upstream_answer_goes_through_the_same_claim_rules() {
        let options = ValidatorOptions::new("https://issuer.example").audience("api");
        let validator = Validator::new(options).unwrap();
        let answer =
            parse_introspection_answer(br#"{"active":true,"exp":1699999000,"sub":"a"}"#).unwrap();
        let err = validator
            .check_claims_set(answer.claims(), NOW, &[])
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Expired);
    }
}
