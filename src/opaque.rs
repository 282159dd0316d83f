//! Opaque tokens (SPEC §7): a token that is not a compact JWS is introspected upstream
//! (RFC 7662) when an introspection endpoint is configured. This module decides — which
//! tokens go upstream, how the request is shaped, what an answer means, how long it is
//! cached — and the doors do the HTTP.

use alloc::string::String;
use alloc::vec::Vec;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode};
use crate::introspect::IntrospectionAnswer;
use crate::policy::Validator;

/// Default bound on cached introspection answers.
pub const DEFAULT_MAX_ENTRIES: usize = 1000;

/// Whether `token` has the shape of a compact JWS (three base64url segments): such a token
/// is validated locally, never sent upstream.
pub fn is_compact_jws(token: &str) -> bool {
    let mut segments = 0;
    for segment in token.split('.') {
        segments += 1;
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    segments == 3
}

/// The form body of an introspection request (RFC 7662 §2.1).
pub fn request_body(token: &str) -> String {
    let mut body = String::from("token=");
    form_encode_into(&mut body, token);
    body.push_str("&token_type_hint=access_token");
    body
}

/// The `Authorization` value for HTTP Basic client authentication (RFC 6749 §2.3.1: the id
/// and secret are form-encoded first).
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    use base64ct::{Base64, Encoding};
    let mut credentials = String::new();
    form_encode_into(&mut credentials, client_id);
    credentials.push(':');
    form_encode_into(&mut credentials, client_secret);
    let mut value = String::from("Basic ");
    value.push_str(&Base64::encode_string(credentials.as_bytes()));
    value
}

fn form_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(byte >> 4)] as char);
                out.push(HEX[usize::from(byte & 15)] as char);
            }
        }
    }
}

/// What an answer means for the request: the scopes it grants, or why it is refused. An
/// inactive answer is `revoked` (the authorization server no longer stands behind it);
/// `exp`, scope, and — when the answer carries them — `iss` and `aud` rules apply as to JWT
/// claims.
///
/// # Errors
/// `revoked` for `active: false`; the claim rules' codes otherwise.
pub fn judge(
    validator: &Validator,
    answer: &IntrospectionAnswer,
    now: f64,
    extra_scopes: &[String],
) -> Result<Vec<String>, Error> {
    if !answer.is_active() {
        return Err(Error::new(
            ErrorCode::Revoked,
            "the authorization server says the token is not active",
        ));
    }
    validator.check_claims_set(answer.claims(), now, extra_scopes)
}

struct Entry {
    answer: IntrospectionAnswer,
    expires_at: f64,
}

/// Cached upstream answers, keyed by the SHA-256 of the token: an answer is only ever
/// reused for the very token it was about, and its scopes are re-judged on every use, so a
/// cached answer never grants a scope it did not return.
///
/// A plain list, scanned: at the default bound a lookup compares at most 1,000 keys (a few
/// microseconds, against the network round trip it saves), and a map keyed by digest
/// brought its own copy of the B-tree's insert and removal code into the npm package's wasm.
#[derive(Default)]
pub struct OpaqueCache {
    entries: Vec<([u8; 32], Entry)>,
    max_entries: usize,
}

impl OpaqueCache {
    /// A cache of at most `max_entries` answers.
    pub fn new(max_entries: usize) -> OpaqueCache {
        OpaqueCache {
            entries: Vec::new(),
            max_entries,
        }
    }

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The cached answer for `token` at `now`, if still fresh.
    pub fn get(&self, token: &str, now: f64) -> Option<&IntrospectionAnswer> {
        let key = OpaqueCache::key(token);
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .filter(|(_, entry)| now < entry.expires_at)
            .map(|(_, entry)| &entry.answer)
    }

    /// Remembers an answer for [`IntrospectionAnswer::cache_ttl`] seconds (active: until its
    /// `exp` or 5 minutes; inactive: 60 s).
    pub fn put(&mut self, token: &str, answer: IntrospectionAnswer, now: f64) {
        let ttl = answer.cache_ttl(now);
        if self.max_entries == 0 || !ttl.is_finite() || ttl <= 0.0 {
            return;
        }
        let key = OpaqueCache::key(token);
        // The same token again: the new answer takes the old one's place.
        self.entries.retain(|(k, _)| *k != key);
        if self.entries.len() >= self.max_entries {
            self.entries.retain(|(_, entry)| now < entry.expires_at);
            if self.entries.len() >= self.max_entries {
                // Still full of live answers: drop the one that expires first.
                let soonest = self
                    .entries
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1 .1.expires_at.total_cmp(&b.1 .1.expires_at))
                    .map(|(index, _)| index);
                if let Some(index) = soonest {
                    self.entries.swap_remove(index);
                }
            }
        }
        let entry = Entry {
            answer,
            expires_at: now + ttl,
        };
        self.entries.push((key, entry));
    }

    /// How many answers are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::introspect::parse_introspection_answer;
    use crate::policy::ValidatorOptions;

    #[test]
    fn only_non_jws_tokens_go_upstream() {
        assert!(is_compact_jws("eyJh.eyJz.c2ln"));
        assert!(!is_compact_jws("2YotnFZFEjr1zCsicMWpAA"));
        assert!(!is_compact_jws("a.b.c.d.e"));
        assert!(!is_compact_jws("a.b+c.d"));
    }

    #[test]
    fn requests_are_form_encoded() {
        assert_eq!(
            request_body("a b&c=d"),
            "token=a+b%26c%3Dd&token_type_hint=access_token"
        );
        // RFC 6749 §2.3.1 example shape: "s3cret:" → form-encoded before base64.
        assert_eq!(basic_authorization("rs 1", "p:w"), "Basic cnMrMTpwJTNBdw==");
    }

    #[test]
    fn answers_are_judged_like_claims_and_cached_per_token() {
        let validator =
            Validator::new(ValidatorOptions::new("https://as.example").audience("api")).unwrap();
        let now = 1_000.0;
        let active = parse_introspection_answer(
            br#"{"active":true,"exp":1200,"scope":"read","iss":"https://as.example","aud":"api"}"#,
        )
        .unwrap();
        assert_eq!(judge(&validator, &active, now, &[]).unwrap(), ["read"]);
        assert_eq!(
            judge(&validator, &active, now, &["write".into()])
                .unwrap_err()
                .code(),
            ErrorCode::InsufficientScope
        );
        assert_eq!(
            judge(&validator, &active, 1_300.0, &[]).unwrap_err().code(),
            ErrorCode::Expired
        );
        let other_issuer = parse_introspection_answer(
            br#"{"active":true,"exp":1200,"iss":"https://evil.example"}"#,
        )
        .unwrap();
        assert_eq!(
            judge(&validator, &other_issuer, now, &[])
                .unwrap_err()
                .code(),
            ErrorCode::IssuerMismatch
        );
        let inactive = parse_introspection_answer(br#"{"active":false}"#).unwrap();
        assert_eq!(
            judge(&validator, &inactive, now, &[]).unwrap_err().code(),
            ErrorCode::Revoked
        );

        let mut cache = OpaqueCache::new(2);
        cache.put("t1", active.clone(), now);
        assert!(cache.get("t1", now + 199.0).is_some());
        assert!(
            cache.get("t1", now + 200.0).is_none(),
            "an active answer lives until its exp"
        );
        assert!(
            cache.get("t2", now).is_none(),
            "an answer is only for its own token"
        );
        cache.put("t2", inactive, now);
        assert!(cache.get("t2", now + 59.0).is_some());
        assert!(
            cache.get("t2", now + 60.0).is_none(),
            "an inactive answer lives at most 60 s"
        );
        cache.put("t3", active, now);
        assert_eq!(cache.len(), 2, "bounded");
    }
}
