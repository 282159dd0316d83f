//! A bounded cache of verified tokens, so that a token seen again costs a lookup instead of
//! a signature check and two JSON parses.
//!
//! What a hit still decides, every time, with the same code as a first validation:
//! - the clock rules (`exp`, `nbf`, `iat`, `maxTokenAgeSeconds`) at the caller's `now`, and
//!   the required scopes with the caller's extra ones ([`Validator::recheck`]);
//! - the key: the current key set must still pick, for the token's `alg` and `kid`, the key
//!   that verified it (same RFC 7638 thumbprint). A key removed upstream, replaced under the
//!   same `kid`, or made ambiguous by a second key, turns the entry into a miss;
//! - revocation is the doors' business and runs after every validation, hit or miss (the JS
//!   package's `revocations` hook, the Worker's KV deny-list), so a cached token is as
//!   revocable as a new one.
//!
//! An entry lives until the token's `exp` or the configured TTL, whichever comes first, and
//! the least recently used entry makes room when the cache is full. Like the rest of the
//! core it never reads a clock: `now` is passed in.
//!
//! Keys: entries are found through a fast 64-bit hash of the whole token and then compared
//! with the whole token, byte for byte. Equality, not the hash, is what makes a hit, so a
//! collision (accidental or crafted) can only evict an entry, never answer for another token;
//! and only tokens that verified are ever inserted. A cryptographic hash (SHA-256) would buy
//! nothing on top of equality and would cost more than everything else a hit does (about as
//! much, in wasm, as the whole budget of a warm validation).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorCode};
use crate::jwk::Jwks;
use crate::policy::{Validator, VerifiedSummary};

/// The default bound on the number of cached tokens (`cache.maxEntries`).
pub const DEFAULT_MAX_ENTRIES: usize = 1000;

/// No slot: the end of the recency list.
const NIL: u32 = u32::MAX;

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup<'a, T> {
    /// The token was verified before and passes again at `now`. `slot` names the entry until
    /// the next insertion (doors use it to keep their own form of the result beside it).
    Hit {
        /// The entry's slot, below the cache's `max_entries`.
        slot: usize,
        /// What the rules know of the verified token.
        summary: &'a VerifiedSummary,
        /// What the door keeps with it.
        data: &'a T,
    },
    /// Not cached, or no longer usable as cached: validate it in full.
    Miss,
}

#[derive(Debug)]
struct Entry<T> {
    token: Box<str>,
    hash: u64,
    summary: VerifiedSummary,
    data: T,
    /// The earlier of the token's `exp` and the insertion time plus the TTL.
    expires_at: f64,
}

#[derive(Debug)]
struct Slot<T> {
    entry: Option<Entry<T>>,
    /// Toward the most recently used.
    prev: u32,
    /// Toward the least recently used.
    next: u32,
}

/// A bounded, least-recently-used cache of verified tokens. See the module documentation.
///
/// Each entry holds the token's [`VerifiedSummary`] (all a hit needs) and `T`, whatever the
/// door keeps beside it: nothing for the JS package, which holds its own JS result per
/// slot; the claims for the Worker, which forwards them.
#[derive(Debug)]
pub struct TokenCache<T = ()> {
    max_entries: usize,
    ttl_seconds: Option<f64>,
    index: BTreeMap<u64, u32>,
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    /// Most recently used.
    head: u32,
    /// Least recently used: evicted first.
    tail: u32,
    len: usize,
    hash: fn(&[u8]) -> u64,
}

/// FxHash's word step (rustc's hasher) over 8-byte words, then MurmurHash3's finaliser so
/// the high bits, which order the index, depend on every byte. Not collision-resistant, and
/// it need not be: see the module documentation.
fn token_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl<T> TokenCache<T> {
    /// A cache of at most `max_entries` tokens (0: a cache that never keeps anything), each
    /// kept until its `exp`.
    pub fn new(max_entries: usize) -> TokenCache<T> {
        // Slots are numbered in u32; a bound beyond that is a bound never reached.
        let max_entries = max_entries.min(NIL as usize - 1);
        TokenCache {
            max_entries,
            ttl_seconds: None,
            index: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            len: 0,
            hash: token_hash,
        }
    }

    /// Also drops entries `seconds` after insertion when that comes before the token's `exp`.
    /// Non-finite or negative values are ignored.
    #[must_use]
    pub fn with_ttl(mut self, seconds: f64) -> TokenCache<T> {
        if seconds.is_finite() && seconds >= 0.0 {
            self.ttl_seconds = Some(seconds);
        }
        self
    }

    /// The bound on entries.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no token is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Looks `token` up and, when it is cached, judges it again at `now`: the current key set
    /// `keys` must still pick the key that verified it, and the clock and scope rules of
    /// `validator` (with `extra_scopes`) must pass. `validator` must be the one whose
    /// verdicts were inserted: its other rules are not run again.
    ///
    /// # Errors
    /// The clock or scope rule the cached token now breaks (`expired`, `insufficient_scope`,
    /// …): the error a full validation would give, since nothing else about the token can
    /// have changed. An entry that failed a clock rule is dropped; one that lacked a scope is
    /// kept, as other callers may ask for fewer.
    pub fn get(
        &mut self,
        token: &str,
        validator: &Validator,
        keys: &Jwks,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<Lookup<'_, T>, Error> {
        let Some(slot) = self.find(token) else {
            return Ok(Lookup::Miss);
        };
        let Some(entry) = self.entry(slot) else {
            return Ok(Lookup::Miss);
        };
        let verified = &entry.summary;
        // Not "now >= expires_at": a NaN `now` (a caller's bug) must be a miss, not a hit.
        let expired = now.partial_cmp(&entry.expires_at) != Some(core::cmp::Ordering::Less);
        let same_key = keys
            .select(verified.algorithm(), verified.kid())
            .is_ok_and(|key| key.thumbprint() == verified.key_thumbprint());
        if expired || !same_key {
            self.remove_slot(slot);
            return Ok(Lookup::Miss);
        }
        if let Err(error) = validator.recheck(verified, now, extra_scopes) {
            if error.code() != ErrorCode::InsufficientScope {
                self.remove_slot(slot);
            }
            return Err(error);
        }
        self.touch(slot);
        match self.entry(slot) {
            Some(entry) => Ok(Lookup::Hit {
                slot: slot as usize,
                summary: &entry.summary,
                data: &entry.data,
            }),
            None => Ok(Lookup::Miss),
        }
    }

    /// The times at which a lookup of the token in `slot` would be a hit, as far as the clock
    /// decides: the validator's [`Validator::passing_window`] for it, ended by the entry's own
    /// end (`exp` or the TTL). The key and scope conditions of [`TokenCache::get`] are not in
    /// it: a door that keeps the window beside its result must also notice key-set changes
    /// and ask the core whenever extra scopes are required. `None` for an empty slot.
    pub fn passing_window(&self, slot: usize, validator: &Validator) -> Option<(f64, f64)> {
        let entry = self.entry(u32::try_from(slot).ok()?)?;
        let (from, until) = validator.passing_window(&entry.summary)?;
        let until = until.min(entry.expires_at - crate::policy::WINDOW_MARGIN_SECONDS);
        (from < until).then_some((from, until))
    }

    /// Marks the entry in `slot` as the most recently used: for a door that answered a repeat
    /// from its own copy inside the [`TokenCache::passing_window`], so eviction stays least
    /// recently used. An empty or unknown slot is left alone.
    pub fn mark_used(&mut self, slot: usize) {
        if let Ok(slot) = u32::try_from(slot) {
            if self.entry(slot).is_some() {
                self.touch(slot);
            }
        }
    }

    /// Keeps a token that just passed full validation at `now` (its summary, and the door's
    /// `data`). Returns its slot, or `None` when it is not kept (a zero bound, or already past
    /// its `exp` or TTL). The least recently used entry makes room when the cache is full.
    pub fn insert(
        &mut self,
        token: &str,
        summary: VerifiedSummary,
        data: T,
        now: f64,
    ) -> Option<usize> {
        let mut expires_at = summary.expires_at();
        if let Some(ttl) = self.ttl_seconds {
            expires_at = expires_at.min(now + ttl);
        }
        if self.max_entries == 0 || now.partial_cmp(&expires_at) != Some(core::cmp::Ordering::Less)
        {
            return None;
        }
        let hash = (self.hash)(token.as_bytes());
        // The same token again, or another with the same hash: the new one takes its place.
        if let Some(&slot) = self.index.get(&hash) {
            self.remove_slot(slot);
        }
        while self.len >= self.max_entries && self.tail != NIL {
            self.remove_slot(self.tail);
        }
        let entry = Entry {
            token: token.into(),
            hash,
            summary,
            data,
            expires_at,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    s.entry = Some(entry);
                }
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).ok()?;
                self.slots.push(Slot {
                    entry: Some(entry),
                    prev: NIL,
                    next: NIL,
                });
                slot
            }
        };
        self.index.insert(hash, slot);
        self.len += 1;
        self.push_front(slot);
        Some(slot as usize)
    }

    /// Drops every entry the key set `keys` no longer picks the verifying key for. Lookups
    /// check this anyway; calling it when the key set changes frees the memory at once.
    pub fn retain_keys(&mut self, keys: &Jwks) {
        self.retain(|verified, _| {
            keys.select(verified.algorithm(), verified.kid())
                .is_ok_and(|key| key.thumbprint() == verified.key_thumbprint())
        });
    }

    /// Keeps only the entries for which `keep` is true (e.g. after a revocation, to drop a
    /// subject's tokens at once).
    pub fn retain(&mut self, mut keep: impl FnMut(&VerifiedSummary, &T) -> bool) {
        for slot in 0..self.slots.len() as u32 {
            let drop = self
                .entry(slot)
                .is_some_and(|entry| !keep(&entry.summary, &entry.data));
            if drop {
                self.remove_slot(slot);
            }
        }
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        let max_entries = self.max_entries;
        let ttl = self.ttl_seconds;
        let hash = self.hash;
        *self = TokenCache::new(max_entries);
        self.ttl_seconds = ttl;
        self.hash = hash;
    }

    fn find(&self, token: &str) -> Option<u32> {
        let slot = *self.index.get(&(self.hash)(token.as_bytes()))?;
        let entry = self.entry(slot)?;
        // The whole token, byte for byte: the hash only narrows the search.
        (*entry.token == *token).then_some(slot)
    }

    fn entry(&self, slot: u32) -> Option<&Entry<T>> {
        self.slots.get(slot as usize)?.entry.as_ref()
    }

    fn remove_slot(&mut self, slot: u32) {
        let Some(entry) = self
            .slots
            .get_mut(slot as usize)
            .and_then(|s| s.entry.take())
        else {
            return;
        };
        if self.index.get(&entry.hash) == Some(&slot) {
            self.index.remove(&entry.hash);
        }
        self.unlink(slot);
        self.free.push(slot);
        self.len -= 1;
    }

    fn links(&self, slot: u32) -> (u32, u32) {
        self.slots
            .get(slot as usize)
            .map_or((NIL, NIL), |s| (s.prev, s.next))
    }

    fn set_links(&mut self, slot: u32, prev: Option<u32>, next: Option<u32>) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            if let Some(prev) = prev {
                s.prev = prev;
            }
            if let Some(next) = next {
                s.next = next;
            }
        }
    }

    fn unlink(&mut self, slot: u32) {
        let (prev, next) = self.links(slot);
        if prev == NIL {
            if self.head == slot {
                self.head = next;
            }
        } else {
            self.set_links(prev, None, Some(next));
        }
        if next == NIL {
            if self.tail == slot {
                self.tail = prev;
            }
        } else {
            self.set_links(next, Some(prev), None);
        }
        self.set_links(slot, Some(NIL), Some(NIL));
    }

    fn push_front(&mut self, slot: u32) {
        let old_head = self.head;
        self.set_links(slot, Some(NIL), Some(old_head));
        if old_head == NIL {
            self.tail = slot;
        } else {
            self.set_links(old_head, Some(slot), None);
        }
        self.head = slot;
    }

    fn touch(&mut self, slot: u32) {
        if self.head != slot {
            self.unlink(slot);
            self.push_front(slot);
        }
    }
}

#[cfg(all(test, feature = "alg-hs"))]
mod tests {
    use super::*;
    use crate::policy::{ValidatorOptions, VerifiedToken};
    use crate::Algorithm;
    use alloc::format;
    use alloc::string::ToString;
    use hmac::{KeyInit, Mac};

    const ISSUER: &str = "https://issuer.test";
    const NOW: f64 = 1_800_000_000.0;
    const KEY_A: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const KEY_B: &[u8; 32] = b"fedcba9876543210fedcba9876543210";

    fn jwks(keys: &[(&str, &[u8; 32])]) -> Jwks {
        let entries: Vec<String> = keys
            .iter()
            .map(|(kid, k)| {
                format!(
                    r#"{{"kty":"oct","kid":"{kid}","k":"{}"}}"#,
                    crate::b64::encode(&k[..])
                )
            })
            .collect();
        Jwks::from_json(format!(r#"{{"keys":[{}]}}"#, entries.join(",")).as_bytes()).unwrap()
    }

    fn sign(kid: &str, key: &[u8; 32], claims: &str) -> String {
        let header = crate::b64::encode(format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#).as_bytes());
        let input = format!("{header}.{}", crate::b64::encode(claims.as_bytes()));
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            crate::b64::encode(&mac.finalize().into_bytes())
        )
    }

    fn claims(exp: f64, extra: &str) -> String {
        format!(
            r#"{{"iss":"{ISSUER}","sub":"alice","scope":"read","iat":{NOW},"exp":{exp}{extra}}}"#
        )
    }

    fn validator(max_age: Option<u64>) -> Validator {
        let mut options = ValidatorOptions::new(ISSUER).algorithms(&[Algorithm::HS256]);
        options.max_token_age_seconds = max_age;
        Validator::new(options).unwrap()
    }

    /// Full validation (what a door does on a miss), then insertion with the claims beside
    /// (as the Worker keeps them).
    fn verify_and_insert(
        cache: &mut TokenCache<VerifiedToken>,
        v: &Validator,
        keys: &Jwks,
        token: &str,
        now: f64,
    ) -> Option<usize> {
        let verified = v.validate(token, keys, now).unwrap();
        cache.insert(token, verified.summary().clone(), verified, now)
    }

    fn is_hit<T>(result: Result<Lookup<'_, T>, Error>) -> bool {
        matches!(result, Ok(Lookup::Hit { .. }))
    }

    /// The window a door may answer from without asking the core (SPEC §4 cache: the clock
    /// rules re-checked on every hit) must lie inside the times at which a lookup is a hit,
    /// whatever the tolerance, `nbf`, `iat`, `maxTokenAgeSeconds` and TTL, and must not be
    /// narrower than the rules by more than the margin at each end.
    #[test]
    fn the_passing_window_lies_inside_the_clock_rules_and_hugs_them() {
        let keys = jwks(&[("a", KEY_A)]);
        // (tolerance, maxTokenAgeSeconds, TTL, more claims, seconds after iat it is inserted)
        type Case = (u64, Option<u64>, Option<f64>, &'static str, f64);
        let cases: [Case; 6] = [
            (0, None, None, "", 100.0),
            (60, None, None, "", 100.0),
            (60, Some(300), None, "", 100.0),
            (5, None, Some(120.0), "", 100.0),
            (30, None, None, r#","nbf":1800000100"#, 100.0),
            (0, Some(10), Some(1000.0), r#","nbf":1799999990.5"#, 5.0),
        ];
        for (tolerance, max_age, ttl, extra, after_iat) in cases {
            let mut options = ValidatorOptions::new(ISSUER).algorithms(&[Algorithm::HS256]);
            options.max_token_age_seconds = max_age;
            options.clock_tolerance_seconds = tolerance;
            let v = Validator::new(options).unwrap();
            let token = sign("a", KEY_A, &claims(NOW + 600.25, extra));
            let inserted_at = NOW + after_iat;
            let mut cache = TokenCache::new(4);
            if let Some(ttl) = ttl {
                cache = cache.with_ttl(ttl);
            }
            let slot = verify_and_insert(&mut cache, &v, &keys, &token, inserted_at).unwrap();
            let (from, until) = cache.passing_window(slot, &v).unwrap();
            let case = format!("tolerance {tolerance}, max age {max_age:?}, ttl {ttl:?} {extra}");
            // Every probe inside the window is a hit; the probes at and near both ends show
            // the window hugs the rules (a hit just inside the real bound must be within the
            // margin of the window's end).
            let mut probes = Vec::new();
            for edge in [from, until] {
                for step in [-0.5, -0.002, -0.001, -1e-6, 0.0, 1e-6, 0.001, 0.002, 0.5] {
                    probes.push(edge + step);
                }
            }
            let mut last_hit = f64::NEG_INFINITY;
            let mut first_hit = f64::INFINITY;
            for now in probes {
                let hit = is_hit(cache.get(&token, &v, &keys, now, &[]));
                if (from..until).contains(&now) {
                    assert!(
                        hit,
                        "{case}: {now} is inside [{from}, {until}) but not a hit"
                    );
                }
                if hit {
                    last_hit = last_hit.max(now);
                    first_hit = first_hit.min(now);
                } else {
                    // A failed lookup removed the entry: put it back for the next probes.
                    verify_and_insert(&mut cache, &v, &keys, &token, inserted_at);
                }
            }
            assert!(
                first_hit >= from - 0.0021,
                "{case}: hit at {first_hit} before {from}"
            );
            assert!(
                last_hit < until + 0.0021,
                "{case}: hit at {last_hit} after {until}"
            );
        }
    }

    /// RFC 9449 §7.2 / RFC 8705 §3: the summary a door keeps says whether the token may be
    /// presented as a plain Bearer token, with the verdict of the binding rules themselves.
    #[test]
    fn the_summary_knows_whether_a_plain_bearer_presentation_is_allowed() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        for (extra, expected) in [
            ("", true),
            (
                r#","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#,
                false,
            ),
            (
                r#","cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#,
                false,
            ),
            (r#","cnf":{}"#, true),
        ] {
            let token = sign("a", KEY_A, &claims(NOW + 600.0, extra));
            let verified = v.validate(&token, &keys, NOW).unwrap();
            let direct = crate::dpop::check_binding_claims(
                verified.claims(),
                crate::dpop::Presentation::Bearer,
                None,
            );
            assert_eq!(verified.summary().plain_bearer_ok(), expected, "{extra}");
            assert_eq!(direct.is_ok(), expected, "{extra}");
        }
    }

    #[test]
    fn a_verified_token_is_a_hit_with_the_same_result_and_a_changed_one_is_a_miss() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        let token = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        assert!(matches!(
            cache.get(&token, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        let slot = verify_and_insert(&mut cache, &v, &keys, &token, NOW).unwrap();
        let expected = v.validate(&token, &keys, NOW).unwrap();
        match cache.get(&token, &v, &keys, NOW + 1.0, &[]) {
            Ok(Lookup::Hit {
                slot: s,
                summary,
                data,
            }) => {
                assert_eq!(s, slot);
                assert_eq!(*data, expected);
                assert_eq!(summary, expected.summary());
            }
            other => panic!("expected a hit, got {other:?}"),
        }
        // One byte changed anywhere (here the signature's last character) is another token:
        // its own verification decides, never the cache.
        let mut tampered = token.clone();
        let last = if tampered.ends_with('A') { "B" } else { "A" };
        tampered.pop();
        tampered.push_str(last);
        assert!(matches!(
            cache.get(&tampered, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_hash_collision_evicts_but_never_answers_for_the_other_token() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        cache.hash = |_| 7; // every token collides
        let first = sign("a", KEY_A, &claims(NOW + 600.0, r#","jti":"1""#));
        let second = sign("a", KEY_A, &claims(NOW + 600.0, r#","jti":"2""#));
        verify_and_insert(&mut cache, &v, &keys, &first, NOW);
        // Same hash, different token: a miss, even though an entry sits under that hash.
        assert!(matches!(
            cache.get(&second, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        verify_and_insert(&mut cache, &v, &keys, &second, NOW);
        assert_eq!(cache.len(), 1);
        assert!(is_hit(cache.get(&second, &v, &keys, NOW, &[])));
        assert!(matches!(
            cache.get(&first, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
    }

    #[test]
    fn clock_rules_run_on_every_hit() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10).with_ttl(1e9);
        let token = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        assert!(is_hit(cache.get(&token, &v, &keys, NOW + 599.0, &[])));
        // The entry ends at exp (a miss: full validation decides from then on, tolerance
        // included), and the ended entry is dropped.
        assert!(matches!(
            cache.get(&token, &v, &keys, NOW + 600.0, &[]),
            Ok(Lookup::Miss)
        ));
        assert_eq!(cache.len(), 0);

        // maxTokenAgeSeconds: the token becomes too old long before its exp; the same error
        // as full validation, from the same rule.
        let v = validator(Some(100));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        assert!(is_hit(cache.get(&token, &v, &keys, NOW + 150.0, &[])));
        let err = cache.get(&token, &v, &keys, NOW + 200.0, &[]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TooOld);
        assert_eq!(
            v.validate(&token, &keys, NOW + 200.0).unwrap_err().code(),
            ErrorCode::TooOld
        );
        assert_eq!(
            cache.len(),
            0,
            "a token that failed a clock rule is dropped"
        );

        // A clock that goes back before iat (beyond tolerance): issued_in_future, as in full.
        verify_and_insert(&mut cache, &validator(None), &keys, &token, NOW);
        let err = cache
            .get(&token, &validator(None), &keys, NOW - 3600.0, &[])
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::IssuedInFuture);
    }

    #[test]
    fn within_the_tolerance_after_exp_the_cache_steps_aside() {
        // The token is still valid for the 60 s tolerance after exp, but the entry ends at exp:
        // those validations go the full way (and are not cached again).
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        let token = sign("a", KEY_A, &claims(NOW + 10.0, ""));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        assert!(matches!(
            cache.get(&token, &v, &keys, NOW + 30.0, &[]),
            Ok(Lookup::Miss)
        ));
        assert!(v.validate(&token, &keys, NOW + 30.0).is_ok());
        assert_eq!(
            verify_and_insert(&mut cache, &v, &keys, &token, NOW + 30.0),
            None
        );
    }

    #[test]
    fn the_ttl_ends_an_entry_before_exp() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10).with_ttl(30.0);
        let token = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        assert!(is_hit(cache.get(&token, &v, &keys, NOW + 29.0, &[])));
        assert!(matches!(
            cache.get(&token, &v, &keys, NOW + 30.0, &[]),
            Ok(Lookup::Miss)
        ));
    }

    #[test]
    fn extra_scopes_are_checked_on_every_hit_and_do_not_drop_the_entry() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        let token = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        let err = cache
            .get(&token, &v, &keys, NOW, &["write".to_string()])
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InsufficientScope);
        assert!(is_hit(cache.get(
            &token,
            &v,
            &keys,
            NOW,
            &["read".to_string()]
        )));
    }

    #[test]
    fn a_removed_or_replaced_key_invalidates_its_entries() {
        let v = validator(None);
        let both = jwks(&[("a", KEY_A), ("b", KEY_B)]);
        let mut cache = TokenCache::new(10);
        let token_a = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        let token_b = sign("b", KEY_B, &claims(NOW + 600.0, ""));
        verify_and_insert(&mut cache, &v, &both, &token_a, NOW);
        verify_and_insert(&mut cache, &v, &both, &token_b, NOW);
        assert!(is_hit(cache.get(&token_a, &v, &both, NOW, &[])));

        // Key "a" removed upstream: its token is no longer served from the cache…
        let only_b = jwks(&[("b", KEY_B)]);
        assert!(matches!(
            cache.get(&token_a, &v, &only_b, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        // …and full validation refuses it.
        assert_eq!(
            v.validate(&token_a, &only_b, NOW).unwrap_err().code(),
            ErrorCode::UnknownKey
        );
        assert!(is_hit(cache.get(&token_b, &v, &only_b, NOW, &[])));

        // Kid "b" now names another key: same kid, different thumbprint.
        let swapped = jwks(&[("b", KEY_A)]);
        assert!(matches!(
            cache.get(&token_b, &v, &swapped, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        assert!(cache.is_empty());

        // retain_keys drops them eagerly.
        verify_and_insert(&mut cache, &v, &both, &token_a, NOW);
        verify_and_insert(&mut cache, &v, &both, &token_b, NOW);
        cache.retain_keys(&only_b);
        assert_eq!(cache.len(), 1);
        assert!(is_hit(cache.get(&token_b, &v, &only_b, NOW, &[])));
    }

    #[test]
    fn the_least_recently_used_entry_is_evicted_first() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(3);
        let tokens: Vec<String> = (0..5)
            .map(|i| {
                sign(
                    "a",
                    KEY_A,
                    &claims(NOW + 600.0, &format!(r#","jti":"{i}""#)),
                )
            })
            .collect();
        for token in &tokens[..3] {
            verify_and_insert(&mut cache, &v, &keys, token, NOW);
        }
        // Use 0, so 1 is now the least recently used.
        assert!(is_hit(cache.get(&tokens[0], &v, &keys, NOW, &[])));
        verify_and_insert(&mut cache, &v, &keys, &tokens[3], NOW);
        assert_eq!(cache.len(), 3);
        assert!(matches!(
            cache.get(&tokens[1], &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        for i in [0, 2, 3] {
            assert!(is_hit(cache.get(&tokens[i], &v, &keys, NOW, &[])), "{i}");
        }
        // Slots are reused and stay below the bound.
        let slot = verify_and_insert(&mut cache, &v, &keys, &tokens[4], NOW).unwrap();
        assert!(slot < 3);
        assert_eq!(cache.len(), 3);
        // Inserting the same token again replaces its entry rather than adding one.
        verify_and_insert(&mut cache, &v, &keys, &tokens[4], NOW);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn retain_and_clear_and_a_zero_bound() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        let alice = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        let bob = sign("a", KEY_A, &claims(NOW + 600.0, "").replace("alice", "bob"));
        verify_and_insert(&mut cache, &v, &keys, &alice, NOW);
        verify_and_insert(&mut cache, &v, &keys, &bob, NOW);
        cache.retain(|_, t| t.subject() != Some("alice"));
        assert_eq!(cache.len(), 1);
        assert!(matches!(
            cache.get(&alice, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));
        cache.clear();
        assert!(cache.is_empty());
        assert!(matches!(
            cache.get(&bob, &v, &keys, NOW, &[]),
            Ok(Lookup::Miss)
        ));

        let mut off = TokenCache::new(0);
        assert_eq!(verify_and_insert(&mut off, &v, &keys, &alice, NOW), None);
        assert!(off.is_empty());
    }

    #[test]
    fn a_nan_clock_is_never_a_hit() {
        let (v, keys) = (validator(None), jwks(&[("a", KEY_A)]));
        let mut cache = TokenCache::new(10);
        let token = sign("a", KEY_A, &claims(NOW + 600.0, ""));
        verify_and_insert(&mut cache, &v, &keys, &token, NOW);
        assert!(!is_hit(cache.get(&token, &v, &keys, f64::NAN, &[])));
    }

    #[test]
    fn the_hash_spreads_similar_tokens() {
        // Tokens of one issuer share long prefixes; their hashes must still differ.
        let mut seen = alloc::collections::BTreeSet::new();
        for i in 0..2000 {
            let token = format!("eyJhbGciOiJIUzI1NiJ9.{i:0>40}.sig");
            assert!(seen.insert(token_hash(token.as_bytes())));
        }
    }
}
