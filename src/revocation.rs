//! Revocation rules: a deny-list of token ids (`jti`) and "revoke every token of this subject
//! issued before T", with expiry so the list does not grow forever.
//!
//! The list is plain data with a JSON form ([`RevocationList::to_json`] /
//! [`RevocationList::from_json`]) so a Worker can keep it in KV; deciding whether a token is
//! revoked happens here, once, for every door.
//!
//! Time: entries live until the tokens they can match have expired, plus `leeway` (the
//! validator's clock tolerance, which keeps a token valid that long past its `exp`).
//! [`RevocationList::check`] ignores entries that are past that point, so its answer at time
//! `now` is the same before and after [`RevocationList::prune`]`(now)`.

use alloc::collections::BTreeMap;
use alloc::string::String;
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorCode};
use crate::json;
use crate::policy::DEFAULT_CLOCK_TOLERANCE_SECONDS;

/// Longest `jti` or `sub` accepted in a revocation, in bytes. Identifiers are short; the cap
/// keeps one admin request from storing megabytes in KV.
pub const MAX_ID_LEN: usize = 1024;
/// Largest revocation request body, in bytes.
pub const MAX_REQUEST_BYTES: usize = 4096;
/// The version written by [`RevocationList::to_json`].
pub const FORMAT_VERSION: u64 = 1;
/// NumericDates beyond 2^53 are not exact in a double (nor in JavaScript).
const MAX_TIME: f64 = 9_007_199_254_740_991.0;

fn revoked() -> Error {
    Error::new(ErrorCode::Revoked, "the token has been revoked")
}

fn bad_request(reason: &'static str) -> Error {
    Error::new(ErrorCode::InvalidRequest, reason)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LEN
}

/// Whether an entry that matters until `until` (exclusive) still matters at `now`. A
/// non-finite `now` (a caller's bug) keeps every entry: revocation fails closed.
fn is_live(now: f64, until: f64) -> bool {
    !matches!(
        now.partial_cmp(&until),
        Some(core::cmp::Ordering::Greater | core::cmp::Ordering::Equal)
    )
}

fn valid_time(t: f64) -> bool {
    t.is_finite() && (0.0..=MAX_TIME).contains(&t)
}

/// A revocation asked for by an administrator or a client.
#[derive(Debug, Clone, PartialEq)]
pub enum RevocationRequest {
    /// Revoke every token of this subject issued before the time the request is applied.
    Subject {
        /// The `sub` claim.
        sub: String,
    },
    /// Revoke one token by its `jti`, remembered until its `exp`.
    Token {
        /// The `jti` claim.
        jti: String,
        /// The token's `exp` (seconds since the epoch).
        exp: f64,
    },
}

/// Parses an admin revocation body: `{"sub": "…"}` or `{"jti": "…", "exp": n}`.
///
/// Strict, because a typo must not turn into a different revocation: exactly one of the
/// two shapes, no other members, no duplicate members, non-empty identifiers of at most
/// [`MAX_ID_LEN`] bytes, `exp` a finite non-negative NumericDate.
///
/// # Errors
/// `invalid_request` with a fixed reason when the body is not one of the two shapes.
pub fn parse_revocation_request(body: &[u8]) -> Result<RevocationRequest, Error> {
    if body.len() > MAX_REQUEST_BYTES {
        return Err(bad_request("revocation request body is too large"));
    }
    let map = json::parse_strict_object(body)
        .map_err(|_| bad_request("revocation request is not a strict JSON object"))?;
    if map
        .keys()
        .any(|name| !matches!(name.as_str(), "sub" | "jti" | "exp"))
    {
        return Err(bad_request(
            "revocation request has a member other than sub, jti and exp",
        ));
    }
    let id = |name: &str| -> Result<Option<String>, Error> {
        match map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if valid_id(s) => Ok(Some(s.clone())),
            Some(Value::String(_)) => Err(bad_request(
                "revocation identifier is empty or longer than 1024 bytes",
            )),
            Some(_) => Err(bad_request("revocation identifier is not a string")),
        }
    };
    match (id("sub")?, id("jti")?, map.get("exp")) {
        (Some(sub), None, None) => Ok(RevocationRequest::Subject { sub }),
        (None, Some(jti), Some(exp)) => {
            let exp = exp
                .as_f64()
                .filter(|t| valid_time(*t))
                .ok_or_else(|| bad_request("exp is not a valid NumericDate"))?;
            Ok(RevocationRequest::Token { jti, exp })
        }
        (None, Some(_), None) => Err(bad_request("a jti revocation needs the token's exp")),
        (Some(_), _, _) => Err(bad_request(
            "a revocation names either sub alone or jti with exp",
        )),
        (None, None, _) => Err(bad_request("a revocation names sub or jti")),
    }
}

/// The deny-list. See the module documentation for how time is handled.
#[derive(Debug, Clone, PartialEq)]
pub struct RevocationList {
    /// `jti` → the revoked token's `exp`.
    tokens: BTreeMap<String, f64>,
    /// `sub` → T: tokens of this subject with `iat` < T are revoked.
    subjects: BTreeMap<String, f64>,
    max_token_lifetime: Option<f64>,
    leeway: f64,
}

impl Default for RevocationList {
    fn default() -> Self {
        RevocationList::new()
    }
}

impl RevocationList {
    /// An empty list. Subject entries never expire until
    /// [`RevocationList::with_max_token_lifetime`] says how long a token can live; the
    /// leeway is [`DEFAULT_CLOCK_TOLERANCE_SECONDS`].
    pub fn new() -> RevocationList {
        RevocationList {
            tokens: BTreeMap::new(),
            subjects: BTreeMap::new(),
            max_token_lifetime: None,
            leeway: DEFAULT_CLOCK_TOLERANCE_SECONDS as f64,
        }
    }

    /// Sets the longest lifetime (`exp` − `iat`) of the issuer's tokens, in seconds: a
    /// subject revoked at T can then only match tokens that expire before
    /// T + lifetime, and its entry is dropped after that. Without it, subject entries stay.
    ///
    /// Non-finite or negative values are ignored (the entries then stay).
    #[must_use]
    pub fn with_max_token_lifetime(mut self, seconds: f64) -> RevocationList {
        self.max_token_lifetime = (seconds.is_finite() && seconds >= 0.0).then_some(seconds);
        self
    }

    /// Sets how long past their expiry entries are kept: at least the validator's clock
    /// tolerance, or a revoked token would come back for the tolerance after its `exp`.
    ///
    /// Non-finite or negative values are ignored.
    #[must_use]
    pub fn with_leeway(mut self, seconds: f64) -> RevocationList {
        if seconds.is_finite() && seconds >= 0.0 {
            self.leeway = seconds;
        }
        self
    }

    /// Adds `jti` to the deny-list until `exp` (the token's own expiry) plus the leeway.
    /// Revoking the same `jti` again keeps the later `exp`.
    ///
    /// # Errors
    /// `invalid_request` for an empty or over-long `jti` or a non-finite or negative `exp`.
    pub fn revoke_jti(&mut self, jti: &str, exp: f64) -> Result<(), Error> {
        if !valid_id(jti) {
            return Err(bad_request("jti is empty or too long"));
        }
        if !valid_time(exp) {
            return Err(bad_request("exp is not a valid NumericDate"));
        }
        let entry = self.tokens.entry(String::from(jti)).or_insert(exp);
        *entry = entry.max(exp);
        Ok(())
    }

    /// Revokes every token of `sub` issued before `at` (normally the caller's `now`).
    /// Revoking the same subject again keeps the later time, which covers more tokens.
    ///
    /// # Errors
    /// `invalid_request` for an empty or over-long `sub` or a non-finite or negative `at`.
    pub fn revoke_subject(&mut self, sub: &str, at: f64) -> Result<(), Error> {
        if !valid_id(sub) {
            return Err(bad_request("sub is empty or too long"));
        }
        if !valid_time(at) {
            return Err(bad_request("revocation time is not a valid NumericDate"));
        }
        let entry = self.subjects.entry(String::from(sub)).or_insert(at);
        *entry = entry.max(at);
        Ok(())
    }

    /// Applies a parsed request at time `now` (a subject is revoked as of `now`).
    ///
    /// # Errors
    /// As [`RevocationList::revoke_jti`] and [`RevocationList::revoke_subject`].
    pub fn apply(&mut self, request: &RevocationRequest, now: f64) -> Result<(), Error> {
        match request {
            RevocationRequest::Subject { sub } => self.revoke_subject(sub, now),
            RevocationRequest::Token { jti, exp } => self.revoke_jti(jti, *exp),
        }
    }

    /// Until when (exclusive) an entry for a token expiring at `exp` matters.
    fn token_entry_live_until(&self, exp: f64) -> f64 {
        exp + self.leeway
    }

    /// Until when (exclusive) a subject entry made at `at` matters: every token issued
    /// before `at` has expired by `at + lifetime`. Without a lifetime, forever.
    fn subject_entry_live_until(&self, at: f64) -> f64 {
        self.max_token_lifetime
            .map_or(f64::INFINITY, |lifetime| at + lifetime + self.leeway)
    }

    /// Whether a token with these (already validated) claims is revoked at time `now`.
    ///
    /// Revoked when its `jti` is on the deny-list, or its `sub` was revoked at T and its
    /// `iat` is before T. A token with a revoked `sub` and no usable `iat` is revoked too:
    /// without `iat` nothing shows it was issued after the revocation, and "revoke all
    /// tokens of this user" must not be escaped by an issuer (or attacker-chosen token
    /// shape) that leaves `iat` out. Entries past their expiry (see the module docs) are
    /// ignored, so the answer does not depend on whether [`RevocationList::prune`] ran.
    ///
    /// # Errors
    /// `revoked` when the token is revoked.
    pub fn check(&self, claims: &Map<String, Value>, now: f64) -> Result<(), Error> {
        if let Some(Value::String(jti)) = claims.get("jti") {
            if let Some(exp) = self.tokens.get(jti) {
                if is_live(now, self.token_entry_live_until(*exp)) {
                    return Err(revoked());
                }
            }
        }
        if let Some(Value::String(sub)) = claims.get("sub") {
            if let Some(at) = self.subjects.get(sub) {
                if is_live(now, self.subject_entry_live_until(*at)) {
                    // A non-numeric iat counts as absent: the validator refuses such tokens
                    // anyway, and here the safe reading is "issued at an unknown time".
                    let issued_after = claims
                        .get("iat")
                        .and_then(Value::as_f64)
                        .is_some_and(|iat| iat >= *at);
                    if !issued_after {
                        return Err(revoked());
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `jti` is on the deny-list at time `now`.
    pub fn is_jti_revoked(&self, jti: &str, now: f64) -> bool {
        self.tokens
            .get(jti)
            .is_some_and(|exp| is_live(now, self.token_entry_live_until(*exp)))
    }

    /// When `sub` was revoked, if it was and the entry is still live at `now`.
    pub fn subject_revoked_at(&self, sub: &str, now: f64) -> Option<f64> {
        self.subjects
            .get(sub)
            .copied()
            .filter(|at| is_live(now, self.subject_entry_live_until(*at)))
    }

    /// Drops the entries that can no longer match a valid token at `now`, and returns how
    /// many were dropped.
    pub fn prune(&mut self, now: f64) -> usize {
        let before = self.len();
        let leeway = self.leeway;
        let lifetime = self.max_token_lifetime;
        self.tokens.retain(|_, exp| is_live(now, *exp + leeway));
        if let Some(lifetime) = lifetime {
            self.subjects
                .retain(|_, at| is_live(now, *at + lifetime + leeway));
        }
        before - self.len()
    }

    /// Merges another list in (e.g. one read from KV): the union, keeping the later time of
    /// an entry present in both. The settings of `self` are kept.
    pub fn merge(&mut self, other: &RevocationList) {
        for (jti, exp) in &other.tokens {
            let entry = self.tokens.entry(jti.clone()).or_insert(*exp);
            *entry = entry.max(*exp);
        }
        for (sub, at) in &other.subjects {
            let entry = self.subjects.entry(sub.clone()).or_insert(*at);
            *entry = entry.max(*at);
        }
    }

    /// The number of entries (tokens and subjects).
    pub fn len(&self) -> usize {
        self.tokens.len() + self.subjects.len()
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The JSON form for storage: `{"version": 1, "jti": {jti: exp}, "sub": {sub: at}}`.
    /// Settings (lifetime, leeway) are configuration, not state, and are not included.
    pub fn to_json(&self) -> Value {
        let times = |entries: &BTreeMap<String, f64>| {
            let mut map = Map::new();
            for (id, t) in entries {
                // Times were checked finite on the way in, so from_f64 cannot fail; skipping
                // is the harmless answer if it ever did.
                if let Some(n) = Number::from_f64(*t) {
                    map.insert(id.clone(), Value::Number(n));
                }
            }
            Value::Object(map)
        };
        let mut out = Map::new();
        out.insert("version".into(), Value::from(FORMAT_VERSION));
        out.insert("jti".into(), times(&self.tokens));
        out.insert("sub".into(), times(&self.subjects));
        Value::Object(out)
    }

    /// Reads the form written by [`RevocationList::to_json`]. The result has the default
    /// settings; chain [`RevocationList::with_max_token_lifetime`] and
    /// [`RevocationList::with_leeway`] as configured.
    ///
    /// # Errors
    /// `invalid_request` when the value is not that form (wrong version, a member of the
    /// wrong type, an empty or over-long identifier, a time that is not a NumericDate).
    pub fn from_json(value: &Value) -> Result<RevocationList, Error> {
        let Value::Object(map) = value else {
            return Err(bad_request("revocation state is not a JSON object"));
        };
        if map.get("version").and_then(Value::as_u64) != Some(FORMAT_VERSION) {
            return Err(bad_request("revocation state has an unknown version"));
        }
        let mut list = RevocationList::new();
        let mut read = |name: &str, into_tokens: bool| -> Result<(), Error> {
            let entries = match map.get(name) {
                None => return Ok(()),
                Some(Value::Object(entries)) => entries,
                Some(_) => return Err(bad_request("revocation state member is not an object")),
            };
            for (id, t) in entries {
                let t = t
                    .as_f64()
                    .ok_or_else(|| bad_request("revocation state time is not a number"))?;
                if into_tokens {
                    list.revoke_jti(id, t)?;
                } else {
                    list.revoke_subject(id, t)?;
                }
            }
            Ok(())
        };
        read("jti", true)?;
        read("sub", false)?;
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("test claims must be an object"),
        }
    }

    const NOW: f64 = 1_700_000_000.0;

    #[test]
    fn a_revoked_jti_is_refused_and_others_pass() {
        let mut list = RevocationList::new();
        list.revoke_jti("t1", NOW + 600.0).unwrap();
        let err = list
            .check(&claims(json!({"jti": "t1", "sub": "a"})), NOW)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Revoked);
        assert!(list
            .check(&claims(json!({"jti": "t2", "sub": "a"})), NOW)
            .is_ok());
        assert!(list.check(&claims(json!({"sub": "a"})), NOW).is_ok());
        // A jti of another type is not the same jti.
        assert!(list.check(&claims(json!({"jti": 1})), NOW).is_ok());
        assert!(list.is_jti_revoked("t1", NOW));
        assert!(!list.is_jti_revoked("t2", NOW));
    }

    #[test]
    fn subject_revocation_covers_tokens_issued_before_t_only() {
        // The contract: sub revoked at T → tokens of that sub with iat < T are revoked.
        let mut list = RevocationList::new();
        list.revoke_subject("alice", NOW).unwrap();
        let before = claims(json!({"sub": "alice", "iat": NOW - 1.0}));
        let fraction_before = claims(json!({"sub": "alice", "iat": NOW - 0.25}));
        let at = claims(json!({"sub": "alice", "iat": NOW}));
        let after = claims(json!({"sub": "alice", "iat": NOW + 5.0}));
        let other = claims(json!({"sub": "bob", "iat": NOW - 100.0}));
        assert_eq!(
            list.check(&before, NOW + 10.0).unwrap_err().code(),
            ErrorCode::Revoked
        );
        assert!(list.check(&fraction_before, NOW + 10.0).is_err());
        assert!(list.check(&at, NOW + 10.0).is_ok());
        assert!(list.check(&after, NOW + 10.0).is_ok());
        assert!(list.check(&other, NOW + 10.0).is_ok());
        assert_eq!(list.subject_revoked_at("alice", NOW), Some(NOW));
    }

    #[test]
    fn a_token_without_iat_of_a_revoked_subject_is_revoked() {
        // Nothing shows such a token was issued after the revocation.
        let mut list = RevocationList::new();
        list.revoke_subject("alice", NOW).unwrap();
        assert!(list.check(&claims(json!({"sub": "alice"})), NOW).is_err());
        assert!(list
            .check(&claims(json!({"sub": "alice", "iat": "later"})), NOW)
            .is_err());
        assert!(list.check(&claims(json!({"sub": "bob"})), NOW).is_ok());
    }

    #[test]
    fn revoking_again_keeps_the_wider_entry() {
        let mut list = RevocationList::new();
        list.revoke_subject("alice", NOW).unwrap();
        list.revoke_subject("alice", NOW - 1000.0).unwrap();
        assert_eq!(list.subject_revoked_at("alice", NOW), Some(NOW));
        list.revoke_jti("t", NOW + 100.0).unwrap();
        list.revoke_jti("t", NOW + 50.0).unwrap();
        // Still revoked at NOW + 120 (the later exp 100 + leeway 60).
        assert!(list.is_jti_revoked("t", NOW + 120.0));
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn jti_entries_outlive_exp_by_the_leeway_then_go() {
        // The validator accepts a token until exp + clock tolerance: the entry must last that
        // long or the revoked token would pass in that window.
        let mut list = RevocationList::new().with_leeway(60.0);
        list.revoke_jti("t1", NOW).unwrap();
        let token = claims(json!({"jti": "t1"}));
        assert!(list.check(&token, NOW + 59.0).is_err());
        assert_eq!(list.prune(NOW + 59.0), 0);
        assert!(list.check(&token, NOW + 60.0).is_ok());
        assert_eq!(list.prune(NOW + 60.0), 1);
        assert!(list.is_empty());
    }

    #[test]
    fn subject_entries_expire_only_with_a_max_lifetime() {
        let mut forever = RevocationList::new();
        forever.revoke_subject("alice", NOW).unwrap();
        assert_eq!(forever.prune(NOW + 1e9), 0);
        assert!(forever
            .check(&claims(json!({"sub": "alice"})), NOW + 1e9)
            .is_err());

        let mut list = RevocationList::new()
            .with_max_token_lifetime(3600.0)
            .with_leeway(60.0);
        list.revoke_subject("alice", NOW).unwrap();
        let old = claims(json!({"sub": "alice", "iat": NOW - 10.0}));
        assert!(list.check(&old, NOW + 3659.0).is_err());
        assert_eq!(list.prune(NOW + 3659.0), 0);
        // Past T + lifetime + leeway every token issued before T has expired.
        assert!(list.check(&old, NOW + 3660.0).is_ok());
        assert_eq!(list.prune(NOW + 3660.0), 1);
        assert!(list.is_empty());
    }

    #[test]
    fn check_gives_the_same_answer_before_and_after_prune() {
        let mut list = RevocationList::new().with_max_token_lifetime(100.0);
        list.revoke_jti("t1", NOW).unwrap();
        list.revoke_subject("alice", NOW).unwrap();
        let tokens = [
            claims(json!({"jti": "t1"})),
            claims(json!({"sub": "alice"})),
            claims(json!({"sub": "alice", "iat": NOW - 1.0})),
        ];
        for now in [
            NOW,
            NOW + 59.0,
            NOW + 60.0,
            NOW + 159.0,
            NOW + 160.0,
            NOW + 1e6,
        ] {
            let before: alloc::vec::Vec<bool> =
                tokens.iter().map(|t| list.check(t, now).is_ok()).collect();
            let mut pruned = list.clone();
            pruned.prune(now);
            let after: alloc::vec::Vec<bool> = tokens
                .iter()
                .map(|t| pruned.check(t, now).is_ok())
                .collect();
            assert_eq!(before, after, "at {now}");
        }
    }

    #[test]
    fn non_finite_now_fails_closed() {
        let mut list = RevocationList::new().with_max_token_lifetime(10.0);
        list.revoke_jti("t1", NOW).unwrap();
        list.revoke_subject("alice", NOW).unwrap();
        assert!(list.check(&claims(json!({"jti": "t1"})), f64::NAN).is_err());
        assert!(list
            .check(&claims(json!({"sub": "alice"})), f64::NAN)
            .is_err());
        assert_eq!(list.prune(f64::NAN), 0);
    }

    #[test]
    fn bad_entries_are_refused() {
        let mut list = RevocationList::new();
        assert_eq!(
            list.revoke_jti("", NOW).unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        assert!(list.revoke_jti(&"x".repeat(MAX_ID_LEN + 1), NOW).is_err());
        assert!(list.revoke_jti("ok", f64::INFINITY).is_err());
        assert!(list.revoke_jti("ok", f64::NAN).is_err());
        assert!(list.revoke_jti("ok", -1.0).is_err());
        assert!(list.revoke_subject("", NOW).is_err());
        assert!(list.revoke_subject("a", f64::NAN).is_err());
        assert!(list.is_empty());
    }

    #[test]
    fn json_round_trip() {
        let mut list = RevocationList::new();
        list.revoke_jti("t1", NOW + 0.5).unwrap();
        list.revoke_jti("t\"2", NOW).unwrap();
        list.revoke_subject("alice", NOW).unwrap();
        let value = list.to_json();
        assert_eq!(value["version"], 1);
        assert_eq!(value["sub"]["alice"], json!(NOW));
        let back = RevocationList::from_json(&value).unwrap();
        assert_eq!(back, list);
        // Through text, as KV stores it.
        let text = serde_json::to_string(&value).unwrap();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(RevocationList::from_json(&reparsed).unwrap(), list);
    }

    #[test]
    fn corrupt_state_is_refused() {
        for bad in [
            json!([]),
            json!({}),
            json!({"version": 2, "jti": {}}),
            json!({"version": 1, "jti": []}),
            json!({"version": 1, "jti": {"t": "soon"}}),
            json!({"version": 1, "jti": {"t": -5}}),
            json!({"version": 1, "sub": {"": 5}}),
        ] {
            assert_eq!(
                RevocationList::from_json(&bad).unwrap_err().code(),
                ErrorCode::InvalidRequest,
                "{bad}"
            );
        }
        assert!(RevocationList::from_json(&json!({"version": 1}))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn merge_is_a_union_keeping_later_times() {
        let mut a = RevocationList::new();
        a.revoke_jti("t1", NOW).unwrap();
        a.revoke_subject("alice", NOW - 10.0).unwrap();
        let mut b = RevocationList::new();
        b.revoke_jti("t2", NOW).unwrap();
        b.revoke_subject("alice", NOW).unwrap();
        a.merge(&b);
        assert_eq!(a.len(), 3);
        assert!(a.is_jti_revoked("t2", NOW));
        assert_eq!(a.subject_revoked_at("alice", NOW), Some(NOW));
    }

    #[test]
    fn admin_requests_parse() {
        assert_eq!(
            parse_revocation_request(br#"{"sub":"alice"}"#).unwrap(),
            RevocationRequest::Subject {
                sub: "alice".into()
            }
        );
        assert_eq!(
            parse_revocation_request(br#"{"jti":"abc","exp":1700000000}"#).unwrap(),
            RevocationRequest::Token {
                jti: "abc".into(),
                exp: 1_700_000_000.0
            }
        );
        let mut list = RevocationList::new();
        list.apply(
            &parse_revocation_request(br#"{"sub":"alice"}"#).unwrap(),
            NOW,
        )
        .unwrap();
        list.apply(
            &parse_revocation_request(br#"{"jti":"abc","exp":1700000600.5}"#).unwrap(),
            NOW,
        )
        .unwrap();
        assert_eq!(list.subject_revoked_at("alice", NOW), Some(NOW));
        assert!(list.is_jti_revoked("abc", NOW));
    }

    #[test]
    fn bad_admin_requests_are_invalid_request() {
        let long = alloc::format!(r#"{{"sub":"{}"}}"#, "x".repeat(MAX_ID_LEN + 1));
        let huge = alloc::format!(r#"{{"sub":"a","x":"{}"}}"#, " ".repeat(MAX_REQUEST_BYTES));
        let bad: [&[u8]; 18] = [
            b"",
            b"not json",
            b"[]",
            b"{}",
            br#"{"sub":""}"#,
            br#"{"sub":5}"#,
            br#"{"sub":null}"#,
            br#"{"jti":"a"}"#,
            br#"{"jti":"a","exp":"1700000000"}"#,
            br#"{"jti":"a","exp":-1}"#,
            br#"{"jti":"a","exp":1e400}"#,
            br#"{"sub":"a","jti":"b","exp":1}"#,
            br#"{"sub":"a","exp":1}"#,
            br#"{"exp":1}"#,
            br#"{"sub":"a","sub":"b"}"#,
            br#"{"sub":"a","reason":"x"}"#,
            long.as_bytes(),
            huge.as_bytes(),
        ];
        for body in bad {
            let err = parse_revocation_request(body).unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::InvalidRequest,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
