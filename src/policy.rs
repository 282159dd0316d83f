//! Validator options and the claim rules (RFC 7519 §4.1, RFC 9068 §4, RFC 8725 §3.8–3.11).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::{Error, ErrorCode};
use crate::json;
use crate::jwk::Jwks;
use crate::token::{Header, PendingSignature, UntrustedJws, VerifiedJws, DEFAULT_MAX_TOKEN_BYTES};

/// Default clock tolerance in seconds.
pub const DEFAULT_CLOCK_TOLERANCE_SECONDS: u64 = 60;

/// What a token must satisfy. Every door builds one of these; the rules live here once.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorOptions {
    /// Accepted `iss` values, compared exactly. At least one.
    pub issuers: Vec<String>,
    /// Accepted audiences: `aud` must contain one. Empty: `aud` is not checked.
    pub audiences: Vec<String>,
    /// The algorithm allow-list. The default is every asymmetric algorithm: HMAC must be
    /// asked for, as a shared secret is a different trust model.
    pub algorithms: Vec<Algorithm>,
    /// Leeway for `exp`, `nbf` and `iat`, in seconds.
    pub clock_tolerance_seconds: u64,
    /// When set, `iat` is required and may be at most this old.
    pub max_token_age_seconds: Option<u64>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Scopes the token must carry (`scope` or `scp`).
    pub required_scopes: Vec<String>,
    /// The `typ` the header must carry (e.g. `at+jwt`); `application/` and case ignored.
    pub token_type: Option<String>,
    /// Cap on the token's size in bytes.
    pub max_token_bytes: usize,
}

impl ValidatorOptions {
    /// Options for one issuer with the defaults of the contract.
    pub fn new(issuer: impl Into<String>) -> ValidatorOptions {
        ValidatorOptions {
            issuers: alloc::vec![issuer.into()],
            audiences: Vec::new(),
            algorithms: Algorithm::ASYMMETRIC.to_vec(),
            clock_tolerance_seconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
            max_token_age_seconds: None,
            required_claims: Vec::new(),
            required_scopes: Vec::new(),
            token_type: None,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
        }
    }

    /// Adds an accepted audience.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> ValidatorOptions {
        self.audiences.push(audience.into());
        self
    }

    /// Replaces the algorithm allow-list.
    #[must_use]
    pub fn algorithms(mut self, algorithms: &[Algorithm]) -> ValidatorOptions {
        self.algorithms = algorithms.to_vec();
        self
    }
}

/// The names the JS package's `createValidator` gives the [`ValidatorOptions`] members it
/// passes on to the core (camelCase, SPEC §4), in one place for the door that reads them and
/// the tests that write them.
pub const JS_OPTION_NAMES: [&str; 9] = [
    "issuer",
    "audience",
    "algorithms",
    "clockToleranceSeconds",
    "maxTokenAgeSeconds",
    "requiredClaims",
    "requiredScopes",
    "tokenType",
    "maxTokenBytes",
];

/// A token whose signature and claims passed.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    header: Header,
    claims: Map<String, Value>,
    summary: VerifiedSummary,
}

/// What the rules need to judge a verified token again later, without its claims: the
/// algorithm and key that verified it, its scopes and the NumericDates the clock rules read
/// ([`Validator::recheck`]). This is what the token cache keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedSummary {
    alg: Algorithm,
    kid: Option<String>,
    scopes: Vec<String>,
    times: TimeClaims,
    key_thumbprint: [u8; 32],
    /// Whether the binding rules pass for a plain `Authorization: Bearer` presentation
    /// without a client certificate ([`crate::dpop::check_binding_claims`]): true for every
    /// token without `cnf`. Decided once, while the claims are at hand.
    plain_bearer_ok: bool,
}

impl VerifiedSummary {
    /// The algorithm that verified.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }
    /// The `kid` of the key that verified, when it had one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// The scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
    /// The RFC 7638 thumbprint of the key that verified.
    pub fn key_thumbprint(&self) -> [u8; 32] {
        self.key_thumbprint
    }
    /// `exp` in seconds.
    pub fn expires_at(&self) -> f64 {
        self.times.exp
    }
    /// Whether the token may be presented as a plain Bearer token (no DPoP proof, no client
    /// certificate): the verdict of [`crate::dpop::check_binding_claims`] for that
    /// presentation, so a door need not hold the claims to know it.
    pub fn plain_bearer_ok(&self) -> bool {
        self.plain_bearer_ok
    }
}

/// The binding rules for a plain Bearer presentation (no proof, no certificate).
fn plain_bearer_ok(claims: &Map<String, Value>) -> bool {
    crate::dpop::check_binding_claims(claims, crate::dpop::Presentation::Bearer, None).is_ok()
}

/// Claims parsed and judged before the signature verdict ([`Validator::precheck_claims`]).
/// Opaque on purpose: nothing can be read from it but whether it passed and its scopes; it
/// only turns into a verified token together with a [`VerifiedJws`].
#[derive(Debug, Clone)]
pub struct PrecheckedClaims {
    payload: Vec<u8>,
    outcome: Option<Passed>,
}

/// What a passing precheck found: the claims (unless dropped), the scopes and the dates.
type Passed = (Option<Map<String, Value>>, Vec<String>, TimeClaims, bool);

impl PrecheckedClaims {
    /// Whether the claims passed every rule at the time of the precheck (a door may prepare
    /// its result while the host works; the verdict still comes from
    /// [`Validator::check_claims_prechecked`]).
    pub fn passed(&self) -> bool {
        self.outcome.is_some()
    }

    /// The scopes the claims carry, when they passed: for a door preparing its answer while
    /// the host works. Untrusted until [`Validator::check_claims_prechecked`] says `Ok`.
    pub fn scopes(&self) -> Option<&[String]> {
        self.outcome
            .as_ref()
            .map(|(_, scopes, _, _)| scopes.as_slice())
    }

    /// Drops the parsed claims now, keeping what [`Validator::check_summary_prechecked`]
    /// needs: for a door that will not read them (freeing a claims set costs about as much as
    /// building it in wasm, so a door does it while the host works).
    pub fn drop_claims(&mut self) {
        if let Some((claims, _, _, _)) = &mut self.outcome {
            *claims = None;
        }
    }
}

/// The NumericDates the clock rules look at, as they were read from a verified claims set.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TimeClaims {
    exp: f64,
    nbf: Option<f64>,
    iat: Option<f64>,
}

impl VerifiedToken {
    /// The JOSE header.
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The claims set.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
    /// The algorithm that verified.
    pub fn algorithm(&self) -> Algorithm {
        self.summary.alg
    }
    /// The `kid` of the key that verified, when it had one.
    pub fn kid(&self) -> Option<&str> {
        self.summary.kid.as_deref()
    }
    /// The scopes, from `scope` (space-delimited) or `scp` (array or string).
    pub fn scopes(&self) -> &[String] {
        &self.summary.scopes
    }
    /// What a later re-check needs ([`Validator::recheck`]).
    pub fn summary(&self) -> &VerifiedSummary {
        &self.summary
    }
    /// A string claim.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
    /// `sub`, when it is a string.
    pub fn subject(&self) -> Option<&str> {
        self.claim_str("sub")
    }
    /// `exp` in seconds.
    pub fn expires_at(&self) -> Option<f64> {
        self.claims.get("exp").and_then(Value::as_f64)
    }
    /// The RFC 7638 thumbprint of the key that verified (a cached token is only reused while
    /// the current key set still picks this key for it).
    pub fn key_thumbprint(&self) -> [u8; 32] {
        self.summary.key_thumbprint
    }
}

/// The validator: options checked once, then any number of tokens.
#[derive(Debug, Clone)]
pub struct Validator {
    options: ValidatorOptions,
}

impl Validator {
    /// Checks the options.
    ///
    /// # Errors
    /// `invalid_request` naming the bad option (no issuer, empty allow-list).
    pub fn new(options: ValidatorOptions) -> Result<Validator, Error> {
        if options.issuers.is_empty() || options.issuers.iter().any(String::is_empty) {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "option issuer: at least one non-empty issuer is required",
            ));
        }
        if options.algorithms.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "option algorithms: the allow-list is empty",
            ));
        }
        if options.max_token_bytes == 0 {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "option maxTokenBytes: must be positive",
            ));
        }
        Ok(Validator { options })
    }

    /// The options.
    pub fn options(&self) -> &ValidatorOptions {
        &self.options
    }

    /// Everything before the signature arithmetic: parse, header rules, key choice.
    ///
    /// # Errors
    /// Any code of the header and key rules.
    pub fn begin(&self, token: &str, keys: &Jwks) -> Result<PendingSignature, Error> {
        UntrustedJws::parse(token, self.options.max_token_bytes)?
            .prepare(&self.options.algorithms, keys)
    }

    /// The `kid` a token would look up, checked as far as possible without keys (size,
    /// structure, header rules, algorithm allow-list). Doors call this before fetching keys,
    /// so a token that will fail anyway never causes a fetch.
    ///
    /// # Errors
    /// The error the token will fail with whatever the keys are.
    pub fn key_lookup(&self, token: &str) -> Result<Option<String>, Error> {
        let jws = UntrustedJws::parse(token, self.options.max_token_bytes)?;
        crate::token::resolve_algorithm(jws.header().alg(), &self.options.algorithms)?;
        Ok(jws.header().kid().map(String::from))
    }

    /// Validates a token with the pure-Rust verifiers, at time `now` (seconds since the epoch).
    ///
    /// # Errors
    /// The first rule the token breaks, as an [`Error`] with its stable code.
    pub fn validate(&self, token: &str, keys: &Jwks, now: f64) -> Result<VerifiedToken, Error> {
        let verified = self.begin(token, keys)?.verify_native()?;
        self.check_claims(verified, now, &[])
    }

    /// The claim rules, after the signature verified.
    ///
    /// `extra_scopes` are required on top of the configured ones (a route's scopes).
    ///
    /// # Errors
    /// The first claim rule the token breaks.
    pub fn check_claims(
        &self,
        jws: VerifiedJws,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<VerifiedToken, Error> {
        let (header, payload, alg, key) = jws.into_parts();
        let (claims, out_of_range) =
            json::parse_claims(&payload).map_err(crate::token::malformed_json)?;
        let rules = ClaimRules {
            options: &self.options,
            claims: &claims,
            out_of_range: &out_of_range,
            now,
        };
        rules.check_type(&header)?;
        let (scopes, times) = rules.check_all(extra_scopes)?;
        let plain_bearer_ok = plain_bearer_ok(&claims);
        Ok(VerifiedToken {
            header,
            claims,
            summary: VerifiedSummary {
                alg,
                kid: key.kid().map(String::from),
                scopes,
                times,
                key_thumbprint: key.thumbprint(),
                plain_bearer_ok,
            },
        })
    }

    /// The claim rules run while the host is still checking the signature, so their cost
    /// hides behind the host's (WebCrypto works off the JS thread): `pending`'s payload is
    /// parsed and judged at `now`, and nothing comes out but an opaque [`PrecheckedClaims`].
    /// Its only use is [`Validator::check_claims_prechecked`], which takes a [`VerifiedJws`]:
    /// a prechecked claims set is never trusted, never reported, before the signature is.
    pub fn precheck_claims(
        &self,
        pending: &PendingSignature,
        now: f64,
        extra_scopes: &[String],
    ) -> PrecheckedClaims {
        let outcome = json::parse_claims(pending.payload())
            .map_err(crate::token::malformed_json)
            .and_then(|(claims, out_of_range)| {
                let rules = ClaimRules {
                    options: &self.options,
                    claims: &claims,
                    out_of_range: &out_of_range,
                    now,
                };
                rules.check_type(pending.header())?;
                let (scopes, times) = rules.check_all(extra_scopes)?;
                let bearer_ok = plain_bearer_ok(&claims);
                Ok((Some(claims), scopes, times, bearer_ok))
            });
        PrecheckedClaims {
            payload: pending.payload().to_vec(),
            outcome: outcome.ok(),
        }
    }

    /// [`Validator::check_claims`] for a token whose claims were prechecked: the same verdict
    /// at `now`, without parsing the claims again. The clock and scope rules run again at
    /// `now` (the other rules do not depend on it); a precheck that failed, or that was made
    /// for another payload, gives way to the full check.
    ///
    /// # Errors
    /// The first claim rule the token breaks.
    pub fn check_claims_prechecked(
        &self,
        jws: VerifiedJws,
        prechecked: PrecheckedClaims,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<VerifiedToken, Error> {
        let Some((Some(claims), scopes, times, plain_bearer_ok)) = prechecked
            .outcome
            .filter(|_| prechecked.payload == jws.payload())
        else {
            return self.check_claims(jws, now, extra_scopes);
        };
        let (header, _, alg, key) = jws.into_parts();
        let summary = VerifiedSummary {
            alg,
            kid: key.kid().map(String::from),
            scopes,
            times,
            key_thumbprint: key.thumbprint(),
            plain_bearer_ok,
        };
        self.recheck(&summary, now, extra_scopes)?;
        Ok(VerifiedToken {
            header,
            claims,
            summary,
        })
    }

    /// Like [`Validator::check_claims_prechecked`], for a door that needs only the summary
    /// (its claims were dropped with [`PrecheckedClaims::drop_claims`]).
    ///
    /// # Errors
    /// The first claim rule the token breaks.
    pub fn check_summary_prechecked(
        &self,
        jws: VerifiedJws,
        prechecked: PrecheckedClaims,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<VerifiedSummary, Error> {
        let Some((_, scopes, times, plain_bearer_ok)) = prechecked
            .outcome
            .filter(|_| prechecked.payload == jws.payload())
        else {
            return self
                .check_claims(jws, now, extra_scopes)
                .map(|token| token.summary);
        };
        let key = jws.key();
        let summary = VerifiedSummary {
            alg: jws.algorithm(),
            kid: key.kid().map(String::from),
            scopes,
            times,
            key_thumbprint: key.thumbprint(),
            plain_bearer_ok,
        };
        self.recheck(&summary, now, extra_scopes)?;
        Ok(summary)
    }

    /// The rules a verified token can fail later without changing: the clock rules (`exp`,
    /// `nbf`, `iat`, `maxTokenAgeSeconds`) at `now`, and the required scopes with
    /// `extra_scopes`. This is what a cache hit runs, with the same code as
    /// [`Validator::check_claims`] (the other claim rules depend only on the token and the
    /// options, which a validator never changes).
    ///
    /// # Errors
    /// `expired`, `not_yet_valid`, `issued_in_future`, `too_old` or `insufficient_scope`.
    pub fn recheck(
        &self,
        token: &VerifiedSummary,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<(), Error> {
        let times = token.times;
        time_rules(&self.options, now, |name| {
            Ok(match name {
                "exp" => Some(times.exp),
                "nbf" => times.nbf,
                "iat" => times.iat,
                _ => None,
            })
        })?;
        scope_rule(&self.options, &token.scopes, extra_scopes)
    }

    /// The times `now` at which [`Validator::recheck`] of `token` without extra scopes
    /// passes: `[from, until)`, the clock rules of [`time_rules`] solved for `now`, drawn in by
    /// [`WINDOW_MARGIN_SECONDS`] at both ends so that float rounding can only make the window
    /// smaller than the rules, never larger. `None` when the scope rule fails even without
    /// extra scopes (it cannot, for a token that passed with these options).
    ///
    /// A door may keep this beside a cached result and skip asking the core while its clock
    /// is inside; outside, or with extra scopes, it asks ([`Validator::recheck`] then names
    /// the rule). The rules stay here: the window is their answer, not a copy of them.
    pub fn passing_window(&self, token: &VerifiedSummary) -> Option<(f64, f64)> {
        scope_rule(&self.options, &token.scopes, &[]).ok()?;
        let tolerance = self.options.clock_tolerance_seconds as f64;
        let TimeClaims { exp, nbf, iat } = token.times;
        // exp: passes while now < exp + tolerance.
        let mut until = exp + tolerance;
        let mut from = f64::NEG_INFINITY;
        // nbf and iat: pass once now >= date - tolerance.
        for date in [nbf, iat].into_iter().flatten() {
            from = from.max(date - tolerance);
        }
        // maxTokenAgeSeconds: passes while now - iat <= max_age + tolerance (the bound itself
        // is left out: a window's end is exclusive).
        if let Some(max_age) = self.options.max_token_age_seconds {
            let iat = iat?;
            until = until.min(iat + max_age as f64 + tolerance);
        }
        let (from, until) = (from + WINDOW_MARGIN_SECONDS, until - WINDOW_MARGIN_SECONDS);
        // NaN dates cannot pass validation, but a window must never be made of them.
        (from < until).then_some((from, until))
    }

    /// The same claim rules applied to an introspection answer or any claims set that did not
    /// come with a signature of ours (RFC 7662 answers: `iss` and `aud` only when present).
    ///
    /// # Errors
    /// The first claim rule the claims break.
    pub fn check_claims_set(
        &self,
        claims: &Map<String, Value>,
        now: f64,
        extra_scopes: &[String],
    ) -> Result<Vec<String>, Error> {
        let mut options = self.options.clone();
        if !claims.contains_key("iss") {
            options.issuers.clear();
        }
        if !claims.contains_key("aud") {
            options.audiences.clear();
        }
        ClaimRules {
            options: &options,
            claims,
            out_of_range: &[],
            now,
        }
        .check_all(extra_scopes)
        .map(|(scopes, _)| scopes)
    }
}

struct ClaimRules<'a> {
    options: &'a ValidatorOptions,
    claims: &'a Map<String, Value>,
    out_of_range: &'a [String],
    now: f64,
}

fn missing(name: &str) -> Error {
    Error::with_description(
        ErrorCode::MissingClaim,
        format!("the {name} claim is required"),
    )
}

fn invalid(name: &str) -> Error {
    Error::with_description(
        ErrorCode::InvalidClaim,
        format!("the {name} claim has an invalid value"),
    )
}

/// NumericDates beyond 2^53 cannot be exact in a double (nor in JavaScript): not a date.
const MAX_NUMERIC_DATE: f64 = 9_007_199_254_740_991.0;

impl ClaimRules<'_> {
    /// RFC 9068 §4 / RFC 8725 §3.11: explicit typing keeps one kind of JWT from being
    /// accepted as another.
    fn check_type(&self, header: &Header) -> Result<(), Error> {
        let Some(expected) = &self.options.token_type else {
            return Ok(());
        };
        let matches = header.typ().is_some_and(|typ| media_type_eq(typ, expected));
        if matches {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::TypeMismatch,
                "the token's typ is not the expected type",
            ))
        }
    }

    fn numeric_date(&self, name: &str) -> Result<Option<f64>, Error> {
        if self.out_of_range.iter().any(|n| n == name) {
            return Err(invalid(name));
        }
        match self.claims.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) if v.is_finite() && v.abs() <= MAX_NUMERIC_DATE => Ok(Some(v)),
                _ => Err(invalid(name)),
            },
            Some(_) => Err(invalid(name)),
        }
    }

    fn check_all(&self, extra_scopes: &[String]) -> Result<(Vec<String>, TimeClaims), Error> {
        let options = self.options;
        // Issuer: exact string equality (RFC 9068 §4 step 3); no normalisation of slashes.
        if !options.issuers.is_empty() {
            match self.claims.get("iss") {
                None => return Err(missing("iss")),
                Some(Value::String(iss)) if options.issuers.iter().any(|i| i == iss) => {}
                Some(Value::String(_)) => {
                    return Err(Error::new(
                        ErrorCode::IssuerMismatch,
                        "the token's issuer is not accepted",
                    ))
                }
                Some(_) => return Err(invalid("iss")),
            }
        }
        if !options.audiences.is_empty() {
            let accepted = |aud: &str| options.audiences.iter().any(|a| a == aud);
            let ok = match self.claims.get("aud") {
                None => return Err(missing("aud")),
                Some(Value::String(aud)) => accepted(aud),
                Some(Value::Array(list)) => {
                    if list.iter().any(|a| !a.is_string()) {
                        return Err(invalid("aud"));
                    }
                    list.iter().filter_map(Value::as_str).any(accepted)
                }
                Some(_) => return Err(invalid("aud")),
            };
            if !ok {
                return Err(Error::new(
                    ErrorCode::AudienceMismatch,
                    "the token is not meant for this audience",
                ));
            }
        }
        let times = time_rules(options, self.now, |name| self.numeric_date(name))?;
        for name in &options.required_claims {
            if !self.claims.contains_key(name) && !self.out_of_range.contains(name) {
                return Err(missing(name));
            }
        }
        let scopes = scopes_of(self.claims)?;
        scope_rule(options, &scopes, extra_scopes)?;
        Ok((scopes, times))
    }
}

/// The clock rules, reading NumericDates through `date` (from a claims set on first sight,
/// from a verified token's [`TimeClaims`] on a cache hit), in the order the errors take.
/// How far inside the clock rules' bounds a [`Validator::passing_window`] stays: a
/// millisecond, far above the rounding of seconds near 2^31 (about 2^-22 s) and far below
/// anything a clock could mean.
pub const WINDOW_MARGIN_SECONDS: f64 = 0.001;

fn time_rules(
    options: &ValidatorOptions,
    now: f64,
    date: impl Fn(&str) -> Result<Option<f64>, Error>,
) -> Result<TimeClaims, Error> {
    let tolerance = options.clock_tolerance_seconds as f64;
    // RFC 7519 §4.1.4: the current time must be before exp (plus leeway).
    let exp = date("exp")?.ok_or_else(|| missing("exp"))?;
    if now >= exp + tolerance {
        return Err(Error::new(ErrorCode::Expired, "the token has expired"));
    }
    let nbf = date("nbf")?;
    if let Some(nbf) = nbf {
        if nbf > now + tolerance {
            return Err(Error::new(
                ErrorCode::NotYetValid,
                "the token is not valid yet",
            ));
        }
    }
    let iat = date("iat")?;
    if let Some(iat) = iat {
        if iat > now + tolerance {
            return Err(Error::new(
                ErrorCode::IssuedInFuture,
                "the token was issued in the future",
            ));
        }
    }
    if let Some(max_age) = options.max_token_age_seconds {
        let iat = iat.ok_or_else(|| missing("iat"))?;
        if now - iat > max_age as f64 + tolerance {
            return Err(Error::new(
                ErrorCode::TooOld,
                "the token is older than allowed",
            ));
        }
    }
    Ok(TimeClaims { exp, nbf, iat })
}

/// The configured scopes plus `extra_scopes` (a route's) must all be among `scopes`.
fn scope_rule(
    options: &ValidatorOptions,
    scopes: &[String],
    extra_scopes: &[String],
) -> Result<(), Error> {
    let mut lacking = options
        .required_scopes
        .iter()
        .chain(extra_scopes)
        .filter(|needed| !scopes.iter().any(|s| s == *needed))
        .peekable();
    if lacking.peek().is_none() {
        return Ok(());
    }
    let lacking: Vec<&str> = lacking.map(String::as_str).collect();
    Err(Error::with_description(
        ErrorCode::InsufficientScope,
        format!("the token lacks the scope {}", lacking.join(" ")),
    ))
}

/// The scopes of a claims set: `scope` (RFC 8693 §4.2, space-delimited) or `scp` (array, or
/// space-delimited string as some providers send).
///
/// # Errors
/// `invalid_claim` when either claim has another type.
pub fn scopes_of(claims: &Map<String, Value>) -> Result<Vec<String>, Error> {
    let mut scopes: Vec<String> = Vec::new();
    let mut add_words = |text: &str| {
        scopes.extend(text.split(' ').filter(|s| !s.is_empty()).map(String::from));
    };
    match claims.get("scope") {
        None => {}
        Some(Value::String(text)) => add_words(text),
        Some(_) => return Err(invalid("scope")),
    }
    match claims.get("scp") {
        None => {}
        Some(Value::String(text)) => add_words(text),
        Some(Value::Array(list)) => {
            for item in list {
                match item {
                    Value::String(s) => add_words(s),
                    _ => return Err(invalid("scp")),
                }
            }
        }
        Some(_) => return Err(invalid("scp")),
    }
    // Keep the first of each (order as given), whether or not duplicates are adjacent.
    let mut unique: Vec<String> = Vec::with_capacity(scopes.len());
    for scope in scopes {
        if !unique.contains(&scope) {
            unique.push(scope);
        }
    }
    Ok(unique)
}

/// Media types compare case-insensitively, and `typ` may omit `application/` (RFC 7515
/// §4.1.9).
pub fn media_type_eq(a: &str, b: &str) -> bool {
    fn short(t: &str) -> &str {
        // `get` rather than indexing: a multi-byte character must not make this panic.
        match (t.get(..12), t.get(12..)) {
            (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("application/") => rest,
            _ => t,
        }
    }
    short(a).eq_ignore_ascii_case(short(b))
}

impl core::fmt::Display for VerifiedToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the token itself: the subject and algorithm are what logs need.
        write!(
            f,
            "token of {} ({})",
            self.subject().unwrap_or("-"),
            self.summary.alg.name()
        )
    }
}

#[cfg(all(test, feature = "alg-hs"))]
mod tests {
    use super::*;
    use crate::b64;
    use alloc::string::ToString;
    use hmac::{KeyInit, Mac};

    const NOW: f64 = 1_800_000_000.0;
    const KEY: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    fn keys() -> Jwks {
        Jwks::from_json(
            format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, b64::encode(KEY)).as_bytes(),
        )
        .unwrap()
    }

    fn sign(claims: &str) -> String {
        let input = format!(
            "{}.{}",
            b64::encode(br#"{"alg":"HS256"}"#),
            b64::encode(claims.as_bytes())
        );
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(KEY).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64::encode(&mac.finalize().into_bytes()))
    }

    fn validator() -> Validator {
        let mut options = ValidatorOptions::new("iss").algorithms(&[Algorithm::HS256]);
        options.required_scopes = alloc::vec!["read".to_string()];
        Validator::new(options).unwrap()
    }

    /// Precheck, then the verdict: the same result or error as `check_claims` at the later
    /// time, for every kind of claims set.
    #[test]
    fn prechecked_claims_give_the_verdict_check_claims_gives() {
        let v = validator();
        let cases = [
            format!(r#"{{"iss":"iss","scope":"read","exp":{}}}"#, NOW + 100.0),
            format!(r#"{{"iss":"other","scope":"read","exp":{}}}"#, NOW + 100.0),
            format!(r#"{{"iss":"iss","scope":"write","exp":{}}}"#, NOW + 100.0),
            format!(r#"{{"iss":"iss","scope":"read","exp":{}}}"#, NOW + 30.0),
            format!(
                r#"{{"iss":"iss","scope":"read","exp":{},"nbf":{}}}"#,
                NOW + 900.0,
                NOW + 90.0
            ),
            r#"{"iss":"iss","scope":"read","exp":1e400}"#.to_string(),
            r#"{"iss":"iss","iss":"iss"}"#.to_string(),
            "not json".to_string(),
        ];
        // The precheck runs at NOW, the verdict comes at NOW + 100 (tolerance 60 s): the token
        // that expires at NOW + 30 passed its precheck and must fail then; the one not valid
        // before NOW + 90 failed its precheck and must pass then.
        let mut outcomes = Vec::new();
        for claims in &cases {
            for extra in [&[][..], &["admin".to_string()][..]] {
                let token = sign(claims);
                let pending = v.begin(&token, &keys()).unwrap();
                let pre = v.precheck_claims(&pending, NOW, extra);
                let jws = pending.clone().accept_host_verdict(true).unwrap();
                let expected = v.check_claims(jws.clone(), NOW + 100.0, extra);
                let got = v.check_claims_prechecked(jws, pre, NOW + 100.0, extra);
                assert_eq!(got, expected, "{claims} {extra:?}");
                outcomes.push(expected.map_err(|e| e.code()).map(|_| ()));
            }
        }
        // The cases cover passing, both clock flips, and each kind of failure.
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 2);
        for code in [
            ErrorCode::IssuerMismatch,
            ErrorCode::InsufficientScope,
            ErrorCode::Expired,
            ErrorCode::InvalidClaim,
            ErrorCode::Malformed,
        ] {
            assert!(outcomes.contains(&Err(code)), "{code:?}");
        }
    }

    #[test]
    fn a_precheck_of_another_payload_is_not_used() {
        let v = validator();
        let good = sign(&format!(
            r#"{{"iss":"iss","scope":"read","exp":{}}}"#,
            NOW + 100.0
        ));
        let bad = sign(&format!(
            r#"{{"iss":"other","scope":"read","exp":{}}}"#,
            NOW + 100.0
        ));
        let pre_good = v.precheck_claims(&v.begin(&good, &keys()).unwrap(), NOW, &[]);
        assert!(pre_good.passed());
        let jws_bad = v
            .begin(&bad, &keys())
            .unwrap()
            .accept_host_verdict(true)
            .unwrap();
        assert_eq!(
            v.check_claims_prechecked(jws_bad, pre_good, NOW, &[])
                .unwrap_err()
                .code(),
            ErrorCode::IssuerMismatch
        );
    }

    #[test]
    fn a_bad_signature_never_reaches_the_prechecked_claims() {
        let v = validator();
        let token = sign(&format!(
            r#"{{"iss":"iss","scope":"read","exp":{}}}"#,
            NOW + 100.0
        ));
        let pending = v.begin(&token, &keys()).unwrap();
        assert!(v.precheck_claims(&pending, NOW, &[]).passed());
        assert_eq!(
            pending.accept_host_verdict(false).unwrap_err().code(),
            ErrorCode::SignatureInvalid
        );
    }
}
