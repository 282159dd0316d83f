//! The remote key set cache of contract §3 as a pure state machine, and the OIDC discovery
//! and fetch-URL rules.
//!
//! No I/O happens here: a door (the JS package, the Worker) asks [`JwksCache::decide`] what
//! to do at time `now`, does the fetch itself, and reports back with
//! [`JwksCache::on_fetch_success`] or [`JwksCache::on_fetch_failure`]. The rules, once:
//!
//! - **Freshness.** A fetched set is fresh for the response's `Cache-Control: max-age`,
//!   clamped to [60 s, 24 h]; 10 minutes without one; 60 s for `no-store` / `no-cache`
//!   ([`max_age_from_cache_control`]). Once `expires_at` passes, the set must be refetched
//!   before it is used again, so a key removed upstream stops being accepted at the latest
//!   one refresh after its removal.
//! - **Single flight.** A decision to fetch *claims* the fetch: until it is reported (or
//!   [`IN_FLIGHT_TIMEOUT_SECONDS`] pass without a report) every other caller is told to
//!   [`Decision::AwaitInFlight`] (or to use the cached keys when they suffice), so a door
//!   that keeps one shared promise per cache never runs two fetches at once.
//! - **Unknown `kid`.** A `kid` missing from a fresh set triggers a refetch only when no
//!   fetch started (and none succeeded) within [`UNKNOWN_KID_COOLDOWN_SECONDS`]: a flood of
//!   made-up `kid`s costs the issuer at most one request per 30 s.
//! - **Stale-if-error.** When a refresh fails, the expired set keeps serving until
//!   `expires_at` + [`STALE_IF_ERROR_SECONDS`] (24 h after it went stale, whatever the time
//!   of the first failure), with background retries every [`FAILURE_BACKOFF_SECONDS`];
//!   after that, `jwks_unavailable`. An expired set is never served *without* a failed
//!   refresh: expiry means "ask first".
//! - **Backoff.** After a failure no new fetch starts for [`FAILURE_BACKOFF_SECONDS`], so an
//!   issuer outage does not turn every request into a 5-second fetch.

use alloc::format;
use alloc::string::String;
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorCode};
use crate::json;
use crate::jwk::Jwks;

/// Shortest freshness lifetime, in seconds (contract §3).
pub const MIN_MAX_AGE_SECONDS: f64 = 60.0;
/// Longest freshness lifetime, in seconds (contract §3).
pub const MAX_MAX_AGE_SECONDS: f64 = 86_400.0;
/// Freshness lifetime when the response has no `max-age`, in seconds (contract §3).
pub const DEFAULT_MAX_AGE_SECONDS: f64 = 600.0;
/// Least time between two refetches caused by an unknown `kid`, in seconds (contract §3).
pub const UNKNOWN_KID_COOLDOWN_SECONDS: f64 = 30.0;
/// How long an expired set keeps serving while refreshes fail, in seconds (contract §3).
pub const STALE_IF_ERROR_SECONDS: f64 = 86_400.0;
/// The fetch timeout doors use, in seconds (contract §3).
pub const FETCH_TIMEOUT_SECONDS: f64 = 5.0;
/// Least time between a failed fetch and the next attempt, in seconds.
pub const FAILURE_BACKOFF_SECONDS: f64 = 10.0;
/// A claimed fetch not reported within this time is taken as lost (its isolate or request
/// went away) and another may start: twice the fetch timeout.
pub const IN_FLIGHT_TIMEOUT_SECONDS: f64 = 2.0 * FETCH_TIMEOUT_SECONDS;
/// Largest OIDC discovery document accepted, in bytes.
pub const MAX_DISCOVERY_BYTES: usize = 256 * 1024;
/// Longest URL [`check_fetch_url`] accepts, in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// The version written by [`JwksCache::to_json`].
pub const FORMAT_VERSION: u64 = 1;

/// What a door must do before it can answer a validation.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Validate with [`JwksCache::keys`] now; no fetch.
    UseCached,
    /// Validate with [`JwksCache::keys`] now (an expired set, while refreshes fail), and
    /// refresh in the background (`waitUntil`); this caller owns the claimed fetch and must
    /// report it.
    UseCachedAndRefresh,
    /// Fetch, report the outcome, then validate with [`JwksCache::keys`]; this caller owns
    /// the claimed fetch and must report it.
    FetchThenUse,
    /// Another caller's fetch is in flight: wait for it (the door's shared promise), then
    /// validate with [`JwksCache::keys`].
    AwaitInFlight,
    /// Nothing usable and no fetch may start yet: answer `jwks_unavailable` with
    /// `Retry-After` from [`JwksCache::retry_after`].
    Unavailable,
}

impl Decision {
    /// Whether this caller must fetch (and report the outcome).
    pub const fn must_fetch(self) -> bool {
        matches!(self, Decision::FetchThenUse | Decision::UseCachedAndRefresh)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Cached {
    raw: String,
    jwks: Jwks,
    fetched_at: f64,
    expires_at: f64,
}

/// The cache state of one key set (one issuer or `jwks_uri`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JwksCache {
    cached: Option<Cached>,
    /// When the last fetch was claimed (any reason).
    last_fetch_started: Option<f64>,
    /// Whether that fetch is still unreported. Not exported: it belongs to one isolate.
    in_flight: bool,
    /// When the last fetch failed.
    last_failure: Option<f64>,
}

fn unavailable(reason: &'static str) -> Error {
    Error::new(ErrorCode::JwksUnavailable, reason)
}

fn bad_state(reason: &'static str) -> Error {
    Error::new(ErrorCode::InvalidRequest, reason)
}

impl JwksCache {
    /// An empty cache.
    pub fn new() -> JwksCache {
        JwksCache::default()
    }

    fn in_flight_at(&self, now: f64) -> bool {
        self.in_flight
            && self
                .last_fetch_started
                .is_some_and(|t| now < t + IN_FLIGHT_TIMEOUT_SECONDS)
    }

    fn backing_off_at(&self, now: f64) -> bool {
        self.last_failure
            .is_some_and(|t| now < t + FAILURE_BACKOFF_SECONDS)
    }

    fn claim(&mut self, now: f64, decision: Decision) -> Decision {
        self.last_fetch_started = Some(now);
        self.in_flight = true;
        decision
    }

    /// What to do at `now` (seconds since the epoch) for a token whose header names `kid`.
    ///
    /// A decision for which [`Decision::must_fetch`] is true claims the fetch: the caller
    /// must report it with [`JwksCache::on_fetch_success`] or
    /// [`JwksCache::on_fetch_failure`]. A non-finite `now` gives [`Decision::Unavailable`].
    pub fn decide(&mut self, now: f64, kid: Option<&str>) -> Decision {
        if !now.is_finite() {
            return Decision::Unavailable;
        }
        let in_flight = self.in_flight_at(now);
        let backing_off = self.backing_off_at(now);
        let Some(cached) = &self.cached else {
            return self.nothing_usable(now, in_flight, backing_off);
        };
        if now >= cached.expires_at + STALE_IF_ERROR_SECONDS {
            return self.nothing_usable(now, in_flight, backing_off);
        }
        if now >= cached.expires_at {
            // Expired: ask upstream first, unless a refresh already failed since expiry, in
            // which case serve the stale set and retry in the background.
            let failed_since_expiry = self.last_failure.is_some_and(|t| t >= cached.expires_at);
            return match (failed_since_expiry, in_flight, backing_off) {
                (false, true, _) => Decision::AwaitInFlight,
                (false, false, _) => self.claim(now, Decision::FetchThenUse),
                (true, true, _) | (true, false, true) => Decision::UseCached,
                (true, false, false) => self.claim(now, Decision::UseCachedAndRefresh),
            };
        }
        let Some(kid) = kid else {
            return Decision::UseCached;
        };
        if cached.jwks.contains_kid(kid) {
            return Decision::UseCached;
        }
        // A kid the fresh set lacks: maybe a rotation, maybe an attacker's invention.
        if in_flight {
            return Decision::AwaitInFlight;
        }
        let last_fetch = self
            .last_fetch_started
            .map_or(cached.fetched_at, |t| t.max(cached.fetched_at));
        if backing_off || now < last_fetch + UNKNOWN_KID_COOLDOWN_SECONDS {
            return Decision::UseCached;
        }
        self.claim(now, Decision::FetchThenUse)
    }

    fn nothing_usable(&mut self, now: f64, in_flight: bool, backing_off: bool) -> Decision {
        if in_flight {
            Decision::AwaitInFlight
        } else if backing_off {
            Decision::Unavailable
        } else {
            self.claim(now, Decision::FetchThenUse)
        }
    }

    /// Records a fetched key set: `body` is the response body, `cache_control` its
    /// `Cache-Control` header. The new set replaces the old one entirely, so a key removed
    /// upstream is gone from now on.
    ///
    /// # Errors
    /// `invalid_key` when `body` is not a JWKS document; that counts as a failed fetch (the
    /// previous set, if any, keeps serving under the stale-if-error rule).
    pub fn on_fetch_success(
        &mut self,
        now: f64,
        body: &[u8],
        cache_control: Option<&str>,
    ) -> Result<(), Error> {
        let parsed = Jwks::from_json(body).and_then(|jwks| {
            // from_json accepted the bytes as JSON, which is UTF-8; kept for export.
            let raw = core::str::from_utf8(body)
                .map_err(|_| Error::new(ErrorCode::InvalidKey, "key set is not UTF-8"))?;
            Ok((String::from(raw), jwks))
        });
        let (raw, jwks) = match parsed {
            Ok(parsed) if now.is_finite() => parsed,
            Ok(_) => {
                self.on_fetch_failure(now);
                return Err(unavailable("the fetch time is not a finite number"));
            }
            Err(err) => {
                self.on_fetch_failure(now);
                return Err(err);
            }
        };
        self.cached = Some(Cached {
            raw,
            jwks,
            fetched_at: now,
            expires_at: now + max_age_from_cache_control(cache_control),
        });
        self.in_flight = false;
        self.last_failure = None;
        if self.last_fetch_started.is_none() {
            self.last_fetch_started = Some(now);
        }
        Ok(())
    }

    /// Records a failed fetch (network error, timeout, non-2xx status).
    pub fn on_fetch_failure(&mut self, now: f64) {
        self.in_flight = false;
        if now.is_finite() {
            self.last_failure = Some(now);
        }
    }

    /// The keys to validate with at `now`.
    ///
    /// # Errors
    /// `jwks_unavailable` when nothing was fetched, when the set expired and no refresh has
    /// failed since (it must be refreshed first: see [`JwksCache::decide`]), or when it
    /// expired more than [`STALE_IF_ERROR_SECONDS`] ago.
    pub fn keys(&self, now: f64) -> Result<&Jwks, Error> {
        let Some(cached) = &self.cached else {
            return Err(unavailable("no key set has been fetched"));
        };
        if !now.is_finite() {
            return Err(unavailable("the current time is not a finite number"));
        }
        if now < cached.expires_at {
            return Ok(&cached.jwks);
        }
        if now >= cached.expires_at + STALE_IF_ERROR_SECONDS {
            return Err(unavailable(
                "the key set could not be refreshed for too long",
            ));
        }
        if self.last_failure.is_some_and(|t| t >= cached.expires_at) {
            Ok(&cached.jwks)
        } else {
            Err(unavailable(
                "the cached key set has expired and must be refreshed first",
            ))
        }
    }

    /// The key set while it is fresh (before its `Cache-Control` lifetime ends), else `None`.
    /// What a cached verdict may be judged against: once the set has expired, even while it
    /// still serves under stale-if-error, a cached token goes the full way, so the refresh
    /// rules of [`JwksCache::decide`] run and a key removed upstream is noticed.
    pub fn fresh_keys(&self, now: f64) -> Option<&Jwks> {
        self.cached
            .as_ref()
            .filter(|cached| now < cached.expires_at)
            .map(|cached| &cached.jwks)
    }

    /// Until when [`JwksCache::fresh_keys`] gives the current set (its `expires_at`), or
    /// `None` without a set.
    pub fn fresh_until(&self) -> Option<f64> {
        self.cached.as_ref().map(|cached| cached.expires_at)
    }

    /// Seconds a client should wait before retrying after [`Decision::Unavailable`] (the
    /// `Retry-After` value): until the failure backoff ends, at least 1.
    pub fn retry_after(&self, now: f64) -> u64 {
        let wait = self
            .last_failure
            .map_or(0.0, |t| t + FAILURE_BACKOFF_SECONDS - now);
        if wait.is_finite() && wait > 1.0 {
            // Bounded by FAILURE_BACKOFF_SECONDS, so the cast cannot truncate anything big;
            // rounded up by hand because `f64::ceil` needs std.
            let whole = wait as u64;
            if (whole as f64) < wait {
                whole + 1
            } else {
                whole
            }
        } else {
            1
        }
    }

    /// When the current set was fetched.
    pub fn fetched_at(&self) -> Option<f64> {
        self.cached.as_ref().map(|c| c.fetched_at)
    }

    /// When the current set stops being fresh.
    pub fn expires_at(&self) -> Option<f64> {
        self.cached.as_ref().map(|c| c.expires_at)
    }

    /// When the last fetch failed, if it did and no fetch succeeded since.
    pub fn last_failure(&self) -> Option<f64> {
        self.last_failure
    }

    /// Whether a claimed fetch is unreported at `now`.
    pub fn is_fetch_in_flight(&self, now: f64) -> bool {
        self.in_flight_at(now)
    }

    /// Takes in a state read from shared storage (another isolate's export) when its key
    /// set was fetched later than this one's; failure and fetch times are merged (the later
    /// wins). This isolate's in-flight claim is kept. Returns whether the keys were
    /// replaced. An older set never replaces a newer one, so a key removed upstream cannot
    /// come back from storage.
    pub fn merge_newer(&mut self, other: JwksCache) -> bool {
        let later = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.last_fetch_started = later(self.last_fetch_started, other.last_fetch_started);
        let replace = match (&self.cached, &other.cached) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(mine), Some(theirs)) => theirs.fetched_at > mine.fetched_at,
        };
        if replace {
            self.cached = other.cached;
        }
        // A failure older than the set in use says nothing about it.
        let fetched_at = self.fetched_at().unwrap_or(f64::NEG_INFINITY);
        self.last_failure =
            later(self.last_failure, other.last_failure).filter(|t| *t >= fetched_at);
        replace
    }

    /// The state as JSON for shared storage (KV, Durable Object): `{"version": 1, "jwks":
    /// raw JWKS text or null, "fetched_at", "expires_at", "last_fetch_started",
    /// "last_failure"}`. The in-flight claim is not included.
    pub fn to_json(&self) -> Value {
        let time = |t: Option<f64>| {
            t.and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number)
        };
        let mut out = Map::new();
        out.insert("version".into(), Value::from(FORMAT_VERSION));
        out.insert(
            "jwks".into(),
            self.cached
                .as_ref()
                .map_or(Value::Null, |c| Value::String(c.raw.clone())),
        );
        out.insert("fetched_at".into(), time(self.fetched_at()));
        out.insert("expires_at".into(), time(self.expires_at()));
        out.insert("last_fetch_started".into(), time(self.last_fetch_started));
        out.insert("last_failure".into(), time(self.last_failure));
        Value::Object(out)
    }

    /// Reads the form written by [`JwksCache::to_json`].
    ///
    /// # Errors
    /// `invalid_request` when the value is not that form, or its times are inconsistent
    /// (a freshness lifetime beyond 24 h or negative); `invalid_key` when the stored key set
    /// does not parse. A door should then start from an empty cache.
    pub fn from_json(value: &Value) -> Result<JwksCache, Error> {
        let Value::Object(map) = value else {
            return Err(bad_state("key set cache state is not a JSON object"));
        };
        if map.get("version").and_then(Value::as_u64) != Some(FORMAT_VERSION) {
            return Err(bad_state("key set cache state has an unknown version"));
        }
        let time = |name: &str| -> Result<Option<f64>, Error> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(t) if t.is_finite() => Ok(Some(t)),
                    _ => Err(bad_state("key set cache time is not a finite number")),
                },
                Some(_) => Err(bad_state("key set cache time is not a number")),
            }
        };
        let cached = match map.get("jwks") {
            None | Some(Value::Null) => None,
            Some(Value::String(raw)) => {
                let (Some(fetched_at), Some(expires_at)) =
                    (time("fetched_at")?, time("expires_at")?)
                else {
                    return Err(bad_state("key set cache state lacks its fetch times"));
                };
                let lifetime = expires_at - fetched_at;
                if !(0.0..=MAX_MAX_AGE_SECONDS).contains(&lifetime) {
                    return Err(bad_state(
                        "key set cache state has a freshness lifetime out of range",
                    ));
                }
                Some(Cached {
                    jwks: Jwks::from_json(raw.as_bytes())?,
                    raw: raw.clone(),
                    fetched_at,
                    expires_at,
                })
            }
            Some(_) => return Err(bad_state("key set cache jwks is not a string")),
        };
        Ok(JwksCache {
            cached,
            last_fetch_started: time("last_fetch_started")?,
            in_flight: false,
            last_failure: time("last_failure")?,
        })
    }
}

/// The freshness lifetime, in seconds, for a response's `Cache-Control` header value.
///
/// `max-age=N` (directive names case-insensitive, `N` possibly quoted, RFC 9111 §5.2)
/// clamped to [60 s, 24 h]; [`DEFAULT_MAX_AGE_SECONDS`] when the header or the directive is
/// absent; the 60 s floor for `no-store`, `no-cache`, an invalid `max-age`, or two
/// `max-age`s that disagree (RFC 9111 §4.2.1: treat such a response as stale). Other
/// directives are ignored.
pub fn max_age_from_cache_control(value: Option<&str>) -> f64 {
    let Some(value) = value else {
        return DEFAULT_MAX_AGE_SECONDS;
    };
    let mut max_age: Option<u64> = None;
    let mut stale = false;
    for directive in split_directives(value) {
        let (name, argument) = match directive.split_once('=') {
            Some((name, argument)) => (
                name.trim_matches(is_ows),
                Some(argument.trim_matches(is_ows)),
            ),
            None => (directive.trim_matches(is_ows), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            stale = true;
        } else if name.eq_ignore_ascii_case("max-age") {
            match argument.and_then(parse_delta_seconds) {
                Some(seconds) if max_age.is_none_or(|previous| previous == seconds) => {
                    max_age = Some(seconds);
                }
                _ => stale = true,
            }
        }
    }
    match max_age {
        _ if stale => MIN_MAX_AGE_SECONDS,
        None => DEFAULT_MAX_AGE_SECONDS,
        // Values past 2^53 lose precision as f64; the clamp makes that irrelevant.
        Some(seconds) => (seconds as f64).clamp(MIN_MAX_AGE_SECONDS, MAX_MAX_AGE_SECONDS),
    }
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 9111 §1.2.2 delta-seconds, optionally in a quoted-string; saturating, as a cache
/// must treat an overflowing value as very large rather than fail.
fn parse_delta_seconds(text: &str) -> Option<u64> {
    let digits = match text.strip_prefix('"') {
        Some(inner) => inner.strip_suffix('"')?,
        None => text,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Splits a `Cache-Control` value at commas outside quoted strings.
fn split_directives(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    core::iter::from_fn(move || {
        let text = rest?;
        let mut in_quotes = false;
        let mut escaped = false;
        for (i, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_quotes => escaped = true,
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => {
                    rest = Some(&text[i + 1..]);
                    return Some(&text[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(text)
    })
}

/// The OpenID Connect discovery URL of an issuer (OIDC Discovery §4.1): the issuer without
/// its trailing slashes, then `/.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Reads an OIDC discovery document and returns its `jwks_uri`.
///
/// The document's `issuer` must equal `expected_issuer` exactly (OIDC Discovery §4.3:
/// otherwise a document from one provider could hand out another's keys), and `jwks_uri`
/// must pass [`check_fetch_url`].
///
/// # Errors
/// `jwks_unavailable` with a fixed reason when the document is not strict JSON, the issuer
/// differs, or `jwks_uri` is missing or not an acceptable URL: the keys cannot be found, a
/// server-side problem rather than the token's.
pub fn parse_discovery(body: &[u8], expected_issuer: &str) -> Result<String, Error> {
    if body.len() > MAX_DISCOVERY_BYTES {
        return Err(unavailable("discovery document is too large"));
    }
    let map = json::parse_strict_object(body)
        .map_err(|_| unavailable("discovery document is not a strict JSON object"))?;
    match map.get("issuer") {
        Some(Value::String(issuer)) if issuer == expected_issuer => {}
        Some(Value::String(_)) => {
            return Err(unavailable(
                "discovery document is for another issuer (OIDC Discovery 4.3)",
            ))
        }
        _ => return Err(unavailable("discovery document has no issuer string")),
    }
    let Some(Value::String(jwks_uri)) = map.get("jwks_uri") else {
        return Err(unavailable("discovery document has no jwks_uri string"));
    };
    check_fetch_url(jwks_uri)
        .map_err(|_| unavailable("discovery document's jwks_uri is not an acceptable URL"))?;
    Ok(jwks_uri.clone())
}

/// Checks a URL the library is about to fetch keys or discovery from: `https`, or `http` to
/// a loopback host only (`localhost`, `127.0.0.0/8` in plain dotted decimal, `[::1]`).
///
/// Strict on purpose, refusing what URL parsers disagree about: user information
/// (`http://localhost@evil.example` goes to `evil.example`), backslashes (WHATWG reads them
/// as `/`), spaces, control and non-ASCII characters (WHATWG strips tabs and maps
/// full-width letters), percent-encoded hosts, and IPv4 shorthand, octal or hex
/// (`127.1`, `0177.0.0.1`). A missing `//` is refused too. The scheme is
/// case-insensitive. Such refusals can only reject a loopback URL, never admit another.
///
/// # Errors
/// `invalid_request` with a fixed reason.
pub fn check_fetch_url(url: &str) -> Result<(), Error> {
    let bad = |reason: &'static str| Err(Error::new(ErrorCode::InvalidRequest, reason));
    if url.len() > MAX_URL_LEN {
        return bad("URL is too long");
    }
    if url.bytes().any(|b| b <= b' ' || b >= 0x7f || b == b'\\') {
        return bad("URL has spaces, control or non-ASCII characters, or backslashes");
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return bad("URL has no scheme");
    };
    let https = scheme.eq_ignore_ascii_case("https");
    if !https && !scheme.eq_ignore_ascii_case("http") {
        return bad("URL scheme is not https");
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return bad("URL has no authority");
    };
    let authority = rest.find(['/', '?', '#']).map_or(rest, |end| &rest[..end]);
    if authority.contains('@') {
        return bad("URL has user information");
    }
    let (host, port) = if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return bad("URL has an unclosed IPv6 literal");
        };
        let (host, after) = authority.split_at(close + 1);
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return bad("URL has text after its IPv6 literal"),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return bad("URL has no host");
    }
    if host.contains('%') || (!host.starts_with('[') && (host.contains('[') || host.contains(']')))
    {
        return bad("URL host has percent-encoding or stray brackets");
    }
    if let Some(port) = port {
        let valid = port.is_empty()
            || (port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u32>().is_ok_and(|p| p <= 65_535));
        if !valid {
            return bad("URL port is not a number up to 65535");
        }
    }
    if https || is_loopback_host(host) {
        Ok(())
    } else {
        bad("URL must use https unless its host is loopback")
    }
}

/// `localhost`, `[::1]`, or `127.x.y.z` in plain dotted decimal (no leading zeros, which
/// WHATWG would read as octal).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    let mut parts = host.split('.');
    let mut octets = [0u16; 4];
    for octet in &mut octets {
        let Some(part) = parts.next() else {
            return false;
        };
        let plain = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part.len() == 1 || !part.starts_with('0'));
        match part.parse::<u16>() {
            Ok(value) if plain && value <= 255 => *octet = value,
            _ => return false,
        }
    }
    parts.next().is_none() && octets[0] == 127
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use serde_json::json;

    /// 32-byte HMAC keys: the cache's rules do not depend on the key type.
    const K1: &str =
        r#"{"keys":[{"kty":"oct","kid":"k1","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#;
    const K2: &str =
        r#"{"keys":[{"kty":"oct","kid":"k2","k":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"}]}"#;
    const K1_K2: &str = r#"{"keys":[{"kty":"oct","kid":"k1","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},{"kty":"oct","kid":"k2","k":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"}]}"#;
    const T0: f64 = 1_700_000_000.0;

    /// A cache holding `body`, fetched at `at` with `cache_control`.
    fn cache_with(body: &str, at: f64, cache_control: Option<&str>) -> JwksCache {
        let mut cache = JwksCache::new();
        assert_eq!(cache.decide(at, Some("k1")), Decision::FetchThenUse);
        cache
            .on_fetch_success(at, body.as_bytes(), cache_control)
            .unwrap();
        cache
    }

    fn kids(cache: &JwksCache, now: f64) -> Vec<String> {
        cache
            .keys(now)
            .unwrap()
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(String::from))
            .collect()
    }

    #[test]
    fn cold_start_fetches_once_and_others_wait() {
        let mut cache = JwksCache::new();
        assert_eq!(
            cache.keys(T0).unwrap_err().code(),
            ErrorCode::JwksUnavailable
        );
        assert_eq!(cache.decide(T0, Some("k1")), Decision::FetchThenUse);
        // Concurrent validations share the one in-flight fetch.
        for i in 0..20 {
            assert_eq!(
                cache.decide(T0 + f64::from(i) * 0.1, Some("k1")),
                Decision::AwaitInFlight
            );
        }
        assert!(cache.is_fetch_in_flight(T0 + 1.0));
        cache
            .on_fetch_success(T0 + 1.0, K1.as_bytes(), None)
            .unwrap();
        assert!(!cache.is_fetch_in_flight(T0 + 1.0));
        assert_eq!(kids(&cache, T0 + 1.0), ["k1"]);
        assert_eq!(cache.decide(T0 + 2.0, Some("k1")), Decision::UseCached);
        assert_eq!(cache.decide(T0 + 2.0, None), Decision::UseCached);
    }

    #[test]
    fn fresh_keys_end_with_freshness_even_while_stale_keys_still_serve() {
        let mut cache = JwksCache::new();
        assert!(cache.fresh_keys(T0).is_none());
        cache = cache_with(K1, T0, Some("max-age=300"));
        assert!(cache.fresh_keys(T0 + 299.0).is_some());
        assert!(cache.fresh_keys(T0 + 300.0).is_none());
        // A failed refresh keeps the old set serving (stale-if-error), but not as fresh: a
        // cached verdict must go the full way then.
        assert_eq!(cache.decide(T0 + 301.0, Some("k1")), Decision::FetchThenUse);
        cache.on_fetch_failure(T0 + 302.0);
        assert!(cache.keys(T0 + 303.0).is_ok());
        assert!(cache.fresh_keys(T0 + 303.0).is_none());
        assert!(cache.fresh_keys(f64::NAN).is_none());
    }

    #[test]
    fn fresh_for_max_age_then_refetched_before_use() {
        let mut cache = cache_with(K1, T0, Some("max-age=300"));
        assert_eq!(cache.expires_at(), Some(T0 + 300.0));
        assert_eq!(cache.decide(T0 + 299.9, Some("k1")), Decision::UseCached);
        assert!(cache.keys(T0 + 299.9).is_ok());
        // Expired: not used again until upstream has been asked.
        assert_eq!(
            cache.keys(T0 + 300.0).unwrap_err().code(),
            ErrorCode::JwksUnavailable
        );
        assert_eq!(cache.decide(T0 + 300.0, Some("k1")), Decision::FetchThenUse);
        assert_eq!(
            cache.decide(T0 + 300.5, Some("k1")),
            Decision::AwaitInFlight
        );
        cache
            .on_fetch_success(T0 + 301.0, K1.as_bytes(), Some("max-age=300"))
            .unwrap();
        assert_eq!(cache.expires_at(), Some(T0 + 601.0));
        assert_eq!(cache.decide(T0 + 302.0, Some("k1")), Decision::UseCached);
    }

    #[test]
    fn rotation_a_new_kid_refetches_and_a_removed_key_stops_working() {
        let mut cache = cache_with(K1, T0, None);
        // The issuer publishes k2 alongside k1; a token signed with k2 arrives.
        assert_eq!(cache.decide(T0 + 100.0, Some("k2")), Decision::FetchThenUse);
        cache
            .on_fetch_success(T0 + 100.5, K1_K2.as_bytes(), None)
            .unwrap();
        assert_eq!(kids(&cache, T0 + 101.0), ["k1", "k2"]);
        assert_eq!(cache.decide(T0 + 101.0, Some("k2")), Decision::UseCached);
        // The issuer removes k1; after the next refresh k1 is gone.
        assert_eq!(cache.decide(T0 + 700.5, Some("k1")), Decision::FetchThenUse);
        cache
            .on_fetch_success(T0 + 701.0, K2.as_bytes(), None)
            .unwrap();
        assert_eq!(kids(&cache, T0 + 702.0), ["k2"]);
        let keys = cache.keys(T0 + 702.0).unwrap();
        assert_eq!(
            keys.select(crate::Algorithm::HS256, Some("k1"))
                .unwrap_err()
                .code(),
            ErrorCode::UnknownKey
        );
    }

    #[test]
    fn unknown_kid_flood_refetches_at_most_once_per_30_seconds() {
        let mut cache = cache_with(K1, T0, None);
        // 50 made-up kids within 30 s, each fetch answered at once without the kid.
        let mut fetches = 0;
        for i in 0..50 {
            let now = T0 + 100.0 + f64::from(i) * 0.59;
            let kid = format!("evil-{i}");
            match cache.decide(now, Some(&kid)) {
                Decision::FetchThenUse => {
                    fetches += 1;
                    cache.on_fetch_success(now, K1.as_bytes(), None).unwrap();
                }
                Decision::UseCached => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(fetches, 1);
        // The same while the one refetch hangs: everyone else waits for it, none refetches.
        let mut cache = cache_with(K1, T0, None);
        let decisions: Vec<Decision> = (0..50)
            .map(|i| cache.decide(T0 + 100.0 + f64::from(i) * 0.1, Some(&format!("x{i}"))))
            .collect();
        assert_eq!(
            decisions.iter().filter(|d| d.must_fetch()).count(),
            1,
            "{decisions:?}"
        );
        // 30 s after the last refetch started, one more is allowed.
        cache
            .on_fetch_success(T0 + 101.0, K1.as_bytes(), None)
            .unwrap();
        assert_eq!(cache.decide(T0 + 130.0, Some("y")), Decision::UseCached);
        assert_eq!(cache.decide(T0 + 131.0, Some("y")), Decision::FetchThenUse);
    }

    #[test]
    fn no_unknown_kid_refetch_right_after_a_fetch() {
        // A refetch within 30 s of any fetch cannot learn anything new often enough to pay.
        let mut cache = cache_with(K1, T0, None);
        assert_eq!(cache.decide(T0 + 29.0, Some("k9")), Decision::UseCached);
        assert_eq!(cache.decide(T0 + 30.0, Some("k9")), Decision::FetchThenUse);
    }

    #[test]
    fn outage_serves_stale_keys_for_24_hours_then_fails() {
        let mut cache = cache_with(K1, T0, Some("max-age=60"));
        let expired = T0 + 60.0;
        assert_eq!(
            cache.decide(expired + 10.0, Some("k1")),
            Decision::FetchThenUse
        );
        cache.on_fetch_failure(expired + 15.0);
        // Stale-if-error: the expired set serves; retries go to the background.
        assert_eq!(kids(&cache, expired + 15.0), ["k1"]);
        assert_eq!(
            cache.decide(expired + 16.0, Some("k1")),
            Decision::UseCached
        );
        assert_eq!(
            cache.decide(expired + 25.0, Some("k1")),
            Decision::UseCachedAndRefresh
        );
        assert_eq!(
            cache.decide(expired + 26.0, Some("k1")),
            Decision::UseCached
        );
        cache.on_fetch_failure(expired + 30.0);
        // Just inside the limit (24 h after the set went stale).
        let last = expired + STALE_IF_ERROR_SECONDS - 1.0;
        assert_eq!(
            cache.decide(last, Some("k1")),
            Decision::UseCachedAndRefresh
        );
        cache.on_fetch_failure(last);
        assert!(cache.keys(last).is_ok());
        // Past the limit: jwks_unavailable, and a new blocking fetch after the backoff.
        let past = expired + STALE_IF_ERROR_SECONDS;
        assert_eq!(
            cache.keys(past).unwrap_err().code(),
            ErrorCode::JwksUnavailable
        );
        assert_eq!(cache.decide(past, Some("k1")), Decision::Unavailable);
        assert_eq!(cache.retry_after(past), 9);
        assert_eq!(cache.decide(past + 9.0, Some("k1")), Decision::FetchThenUse);
        // Recovery: a successful fetch makes the cache fresh again.
        cache
            .on_fetch_success(past + 9.5, K1.as_bytes(), None)
            .unwrap();
        assert_eq!(cache.last_failure(), None);
        assert_eq!(cache.decide(past + 10.0, Some("k1")), Decision::UseCached);
    }

    #[test]
    fn a_failure_before_expiry_does_not_license_stale_use() {
        let mut cache = cache_with(K1, T0, Some("max-age=60"));
        // An unknown-kid refetch fails while the set is fresh.
        assert_eq!(cache.decide(T0 + 40.0, Some("k9")), Decision::FetchThenUse);
        cache.on_fetch_failure(T0 + 41.0);
        assert_eq!(cache.decide(T0 + 45.0, Some("k1")), Decision::UseCached);
        // At expiry the set must still be refreshed before use.
        assert!(cache.keys(T0 + 61.0).is_err());
        assert_eq!(cache.decide(T0 + 61.0, Some("k1")), Decision::FetchThenUse);
    }

    #[test]
    fn cold_failures_back_off() {
        let mut cache = JwksCache::new();
        assert_eq!(cache.decide(T0, None), Decision::FetchThenUse);
        cache.on_fetch_failure(T0 + 5.0);
        assert_eq!(cache.decide(T0 + 6.0, None), Decision::Unavailable);
        assert_eq!(cache.retry_after(T0 + 6.0), 9);
        assert_eq!(cache.decide(T0 + 14.9, None), Decision::Unavailable);
        assert_eq!(cache.retry_after(T0 + 14.9), 1);
        assert_eq!(cache.decide(T0 + 15.0, None), Decision::FetchThenUse);
    }

    #[test]
    fn a_lost_fetch_is_released_after_the_in_flight_timeout() {
        let mut cache = JwksCache::new();
        assert_eq!(cache.decide(T0, None), Decision::FetchThenUse);
        assert_eq!(cache.decide(T0 + 9.9, None), Decision::AwaitInFlight);
        assert_eq!(cache.decide(T0 + 10.0, None), Decision::FetchThenUse);
    }

    #[test]
    fn a_bad_body_counts_as_a_failure_and_keeps_the_old_keys() {
        let mut cache = cache_with(K1, T0, Some("max-age=60"));
        assert_eq!(cache.decide(T0 + 61.0, None), Decision::FetchThenUse);
        let err = cache
            .on_fetch_success(T0 + 62.0, b"<html>oops</html>", None)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey);
        assert_eq!(cache.last_failure(), Some(T0 + 62.0));
        assert_eq!(kids(&cache, T0 + 62.0), ["k1"]);
        assert!(!cache.is_fetch_in_flight(T0 + 62.0));
    }

    #[test]
    fn non_finite_times_fail_closed() {
        let mut cache = cache_with(K1, T0, None);
        assert_eq!(cache.decide(f64::NAN, Some("k1")), Decision::Unavailable);
        assert!(cache.keys(f64::NAN).is_err());
        assert!(cache.keys(f64::INFINITY).is_err());
        assert!(cache
            .on_fetch_success(f64::NAN, K2.as_bytes(), None)
            .is_err());
        assert_eq!(kids(&cache, T0 + 1.0), ["k1"]);
    }

    #[test]
    fn max_age_is_clamped_at_both_ends() {
        let cases: [(Option<&str>, f64); 17] = [
            (None, 600.0),
            (Some(""), 600.0),
            (Some("public"), 600.0),
            (Some("max-age=300"), 300.0),
            (Some("public, max-age=3600, must-revalidate"), 3600.0),
            (Some("MAX-AGE=120"), 120.0),
            (Some("max-age=\"90\""), 90.0),
            (Some("max-age=0"), 60.0),
            (Some("max-age=5"), 60.0),
            (Some("max-age=604800"), 86_400.0),
            (Some("max-age=99999999999999999999999999"), 86_400.0),
            (Some("no-store"), 60.0),
            (Some("max-age=3600, no-cache"), 60.0),
            (Some("max-age=-1"), 60.0),
            (Some("max-age=1h"), 60.0),
            (Some("max-age=100, max-age=200"), 60.0),
            // A comma inside a quoted argument does not start a directive.
            (Some("private=\"a, max-age=5\", max-age=7200"), 7200.0),
        ];
        for (header, expected) in cases {
            assert_eq!(max_age_from_cache_control(header), expected, "{header:?}");
        }
        assert_eq!(
            max_age_from_cache_control(Some("max-age=100, max-age=100")),
            100.0
        );
        // And the cache applies it.
        let cache = cache_with(K1, T0, Some("max-age=1"));
        assert_eq!(cache.expires_at(), Some(T0 + 60.0));
        let cache = cache_with(K1, T0, Some("max-age=31536000"));
        assert_eq!(cache.expires_at(), Some(T0 + 86_400.0));
    }

    #[test]
    fn export_import_round_trip() {
        let mut cache = cache_with(K1_K2, T0, Some("max-age=120"));
        assert_eq!(cache.decide(T0 + 130.0, None), Decision::FetchThenUse);
        cache.on_fetch_failure(T0 + 131.0);
        let value = cache.to_json();
        assert_eq!(value["jwks"], K1_K2);
        assert_eq!(value["expires_at"], json!(T0 + 120.0));
        let text = serde_json::to_string(&value).unwrap();
        let back = JwksCache::from_json(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, cache);
        assert_eq!(back.to_json(), value);
        // The imported cache behaves the same: stale-if-error serving.
        assert_eq!(kids(&back, T0 + 132.0), ["k1", "k2"]);
        // An empty cache round-trips too.
        let empty = JwksCache::new();
        assert_eq!(JwksCache::from_json(&empty.to_json()).unwrap(), empty);
    }

    #[test]
    fn an_in_flight_claim_is_not_exported() {
        let mut cache = JwksCache::new();
        assert_eq!(cache.decide(T0, None), Decision::FetchThenUse);
        let mut other = JwksCache::from_json(&cache.to_json()).unwrap();
        assert!(!other.is_fetch_in_flight(T0 + 1.0));
        // The other isolate runs its own fetch (no shared promise across isolates).
        assert_eq!(other.decide(T0 + 1.0, None), Decision::FetchThenUse);
    }

    #[test]
    fn tampered_state_is_refused() {
        let good = cache_with(K1, T0, None).to_json();
        let with = |name: &str, value: Value| {
            let mut v = good.clone();
            v[name] = value;
            v
        };
        for (bad, code) in [
            (json!([]), ErrorCode::InvalidRequest),
            (with("version", json!(7)), ErrorCode::InvalidRequest),
            (with("jwks", json!(5)), ErrorCode::InvalidRequest),
            (with("jwks", json!("{")), ErrorCode::InvalidKey),
            (with("fetched_at", Value::Null), ErrorCode::InvalidRequest),
            (
                with("expires_at", json!("later")),
                ErrorCode::InvalidRequest,
            ),
            // A stored lifetime beyond 24 h would stretch trust in old keys.
            (
                with("expires_at", json!(T0 + 86_401.0)),
                ErrorCode::InvalidRequest,
            ),
            (
                with("expires_at", json!(T0 - 1.0)),
                ErrorCode::InvalidRequest,
            ),
            (with("last_failure", json!(true)), ErrorCode::InvalidRequest),
        ] {
            assert_eq!(
                JwksCache::from_json(&bad).unwrap_err().code(),
                code,
                "{bad}"
            );
        }
    }

    #[test]
    fn merge_takes_only_newer_keys() {
        let mut mine = cache_with(K1_K2, T0, None);
        let newer = cache_with(K2, T0 + 100.0, None);
        let older = cache_with(K1, T0 - 100.0, None);
        assert!(!mine.merge_newer(older));
        assert_eq!(kids(&mine, T0 + 1.0), ["k1", "k2"]);
        assert!(mine.merge_newer(newer));
        // k1 was removed upstream: a stale copy from storage must not bring it back.
        assert_eq!(kids(&mine, T0 + 101.0), ["k2"]);
        assert!(!mine.merge_newer(cache_with(K1_K2, T0, None)));
        assert_eq!(kids(&mine, T0 + 101.0), ["k2"]);
        // The other isolate's recent fetch counts for the unknown-kid cooldown.
        assert_eq!(mine.decide(T0 + 110.0, Some("k9")), Decision::UseCached);
    }

    #[test]
    fn discovery_url_has_no_double_slash() {
        assert_eq!(
            discovery_url("https://issuer.example"),
            "https://issuer.example/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://issuer.example/"),
            "https://issuer.example/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://issuer.example/realms/a/"),
            "https://issuer.example/realms/a/.well-known/openid-configuration"
        );
    }

    #[test]
    fn discovery_requires_the_expected_issuer() {
        let doc = br#"{"issuer":"https://issuer.example","jwks_uri":"https://issuer.example/jwks","authorization_endpoint":"https://issuer.example/auth"}"#;
        assert_eq!(
            parse_discovery(doc, "https://issuer.example").unwrap(),
            "https://issuer.example/jwks"
        );
        // OIDC Discovery §4.3: a trailing slash is a different issuer.
        for expected in ["https://issuer.example/", "https://evil.example"] {
            assert_eq!(
                parse_discovery(doc, expected).unwrap_err().code(),
                ErrorCode::JwksUnavailable
            );
        }
        let bad: [&[u8]; 7] = [
            b"nope",
            br#"{"jwks_uri":"https://issuer.example/jwks"}"#,
            br#"{"issuer":"https://issuer.example"}"#,
            br#"{"issuer":"https://issuer.example","jwks_uri":5}"#,
            br#"{"issuer":"https://issuer.example","jwks_uri":"http://evil.example/jwks"}"#,
            br#"{"issuer":"https://issuer.example","jwks_uri":"https://a@evil.example/"}"#,
            br#"{"issuer":"https://evil.example","issuer":"https://issuer.example","jwks_uri":"https://issuer.example/jwks"}"#,
        ];
        for body in bad {
            assert_eq!(
                parse_discovery(body, "https://issuer.example")
                    .unwrap_err()
                    .code(),
                ErrorCode::JwksUnavailable,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn fetch_urls_need_https_except_for_loopback() {
        let accepted = [
            "https://issuer.example/jwks",
            "HTTPS://issuer.example/jwks",
            "https://issuer.example:8443/.well-known/jwks.json?x=1",
            "https://[2001:db8::1]/jwks",
            "http://localhost/jwks",
            "http://LOCALHOST:8080/jwks",
            "HTTP://localhost",
            "http://127.0.0.1:8787/jwks",
            "http://127.255.255.254/",
            "http://[::1]:9000/jwks",
            "http://[::1]",
            // The query is not the authority: this really is localhost.
            "http://localhost?@evil.example",
        ];
        for url in accepted {
            assert!(check_fetch_url(url).is_ok(), "{url}");
        }
        let refused = [
            "http://issuer.example/jwks",
            "http://127.0.0.1.evil.example/jwks",
            "http://localhost.evil.example/",
            "http://localhost@evil.example/",
            "http://localhost:80@evil.example/",
            "https://user:pass@issuer.example/jwks",
            "http://evil.example#@localhost",
            "http://evil.example/?127.0.0.1",
            "http://128.0.0.1/",
            "http://127.0.0.256/",
            "http://127.1/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://127.0.0.01/",
            "http://127.0.0.1./",
            "http://[::1].evil.example/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1%25eth0]/",
            "http://%6cocalhost/",
            "http://127.0.0.1\\@evil.example/",
            "http://local\thost/",
            " http://localhost/",
            "http://ｌｏｃａｌｈｏｓｔ/",
            "http:/localhost/",
            "http:localhost",
            "//localhost/",
            "localhost",
            "ftp://localhost/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://",
            "https:///jwks",
            "https://issuer.example:99999/",
            "https://issuer.example:8o/",
            "https://[::1/",
            "",
        ];
        for url in refused {
            assert_eq!(
                check_fetch_url(url).unwrap_err().code(),
                ErrorCode::InvalidRequest,
                "{url}"
            );
        }
        let long = format!("https://issuer.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_fetch_url(&long).is_err());
    }
}
