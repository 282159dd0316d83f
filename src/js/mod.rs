//! The JS door: wasm-bindgen exports the npm package's loader calls. It translates JSON
//! options and results; every rule stays in the core. Signatures can be checked by the host
//! (WebCrypto) through the two-phase [`JsPending`] handle.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

mod dpop;

use crate::error::{Error, ErrorCode};
use crate::jwk::Jwks;
use crate::jwks_cache::{self, Decision, JwksCache};
use crate::policy::{
    PrecheckedClaims, Validator, ValidatorOptions, VerifiedToken, JS_OPTION_NAMES as OPTION_NAMES,
};
use crate::token::{PendingSignature, UntrustedJws, DEFAULT_MAX_TOKEN_BYTES};
use crate::token_cache::{Lookup, TokenCache};
use crate::Algorithm;

// The options `createValidator` passes on to the core (JSON, camelCase; SPEC §4) are read
// from a `serde_json::Value` by hand rather than by `#[derive(Deserialize)]`: serde's typed
// errors format floats ("invalid type: floating point `1.5`"), which alone pulled core's
// float printing (about 8 KB gzip) into the npm package's wasm.
fn option_strings(value: &Value, name: &str, one_allowed: bool) -> Result<Vec<String>, JsValue> {
    match value {
        Value::String(one) if one_allowed => Ok(alloc::vec![one.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| option_error(alloc::format!("option {name}: strings only"))),
        _ => Err(option_error(alloc::format!(
            "option {name}: {}",
            if one_allowed {
                "a string or an array of strings"
            } else {
                "an array of strings"
            }
        ))),
    }
}

fn option_count(value: &Value, name: &str) -> Result<u64, JsValue> {
    value
        .as_u64()
        .ok_or_else(|| option_error(alloc::format!("option {name}: a non-negative integer")))
}

/// Tokens cross the boundary as UTF-8 bytes the loader encodes with `TextEncoder.encodeInto`
/// into a buffer it reuses: wasm-bindgen's own string passing copies character by character
/// in JS, which was most of the cost of a warm validation.
fn token_text(bytes: &[u8]) -> Result<&str, JsValue> {
    core::str::from_utf8(bytes).map_err(|_| {
        error_to_js(&Error::new(
            ErrorCode::Malformed,
            "a compact JWS is ASCII text",
        ))
    })
}

fn option_error(message: String) -> JsValue {
    error_to_js(&Error::with_description(ErrorCode::InvalidRequest, message))
}

/// A flat JSON object of string members, written directly: each `json!` object is a map
/// built and serialised, and their expansions added up in the npm package's wasm.
pub(crate) fn string_object(members: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (index, (name, value)) in members.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, value);
    }
    out.push('}');
    out
}

/// Appends `text` as a JSON string (quoted and escaped by serde_json).
fn push_json_string(out: &mut String, text: &str) {
    // Serialising a string cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

/// Errors cross as a JSON string `{code, description}`; the loader turns it into a
/// `TokenError`.
pub(crate) fn error_to_js(err: &Error) -> JsValue {
    JsValue::from_str(&string_object(&[
        ("code", err.code().as_str()),
        ("description", err.description()),
    ]))
}

fn parse_options(options_json: &str) -> Result<ValidatorOptions, JsValue> {
    let Ok(Value::Object(members)) = serde_json::from_str::<Value>(options_json) else {
        return Err(option_error("invalid options: not a JSON object".into()));
    };
    if let Some(unknown) = members
        .keys()
        .find(|name| !OPTION_NAMES.contains(&name.as_str()))
    {
        return Err(option_error(alloc::format!("unknown option {unknown}")));
    }
    let mut options = ValidatorOptions::new(String::new());
    options.issuers = match members.get("issuer") {
        Some(issuer) => option_strings(issuer, "issuer", true)?,
        None => return Err(option_error("option issuer is required".into())),
    };
    // `null` is as good as absent (as the derived reader took it).
    for (name, value) in members.iter().filter(|(_, value)| !value.is_null()) {
        match name.as_str() {
            "audience" => options.audiences = option_strings(value, name, true)?,
            "algorithms" => {
                options.algorithms = option_strings(value, name, false)?
                    .iter()
                    .map(|name| {
                        Algorithm::from_name(name).ok_or_else(|| {
                            option_error(alloc::format!(
                                "option algorithms: unsupported algorithm {name:?}"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "clockToleranceSeconds" => {
                options.clock_tolerance_seconds = option_count(value, name)?;
            }
            "maxTokenAgeSeconds" => {
                options.max_token_age_seconds = Some(option_count(value, name)?);
            }
            "requiredClaims" => options.required_claims = option_strings(value, name, false)?,
            "requiredScopes" => options.required_scopes = option_strings(value, name, false)?,
            "tokenType" => {
                let Value::String(token_type) = value else {
                    return Err(option_error("option tokenType: a string".into()));
                };
                options.token_type = Some(token_type.clone());
            }
            "maxTokenBytes" => {
                options.max_token_bytes = usize::try_from(option_count(value, name)?)
                    .map_err(|_| option_error("option maxTokenBytes: too large".into()))?;
            }
            _ => {}
        }
    }
    if members.get("maxTokenBytes").is_none_or(Value::is_null) {
        options.max_token_bytes = DEFAULT_MAX_TOKEN_BYTES;
    }
    Ok(options)
}

/// The result object handed back to JS: `{header, claims, alg, kid?, scopes}`, as one JSON
/// text for one `JSON.parse`. The claims are the payload exactly as the token carries it:
/// the core parsed it strictly (no duplicate names, valid UTF-8), so JS's parse of the same
/// text gives the claims the rules saw, and re-serialising them in wasm would only cost time.
/// (Building the object member by member through wasm-bindgen is slower still: one boundary
/// crossing per value.)
fn verified_to_js_json(token: &VerifiedToken, payload: &[u8]) -> String {
    result_json(
        token.header().members(),
        payload,
        token.algorithm(),
        token.kid(),
        token.scopes(),
    )
    .unwrap_or_else(|| verified_to_json(token))
}

/// The result object's JSON from its parts; `None` when the payload is not UTF-8 (it always
/// is once the core parsed it as JSON).
fn result_json(
    header: &serde_json::Map<String, Value>,
    payload: &[u8],
    alg: Algorithm,
    kid: Option<&str>,
    scopes: &[String],
) -> Option<String> {
    let claims_text = core::str::from_utf8(payload).ok()?;
    let mut out = String::with_capacity(claims_text.len() + 160);
    out.push_str(r#"{"header":"#);
    // Serialising string-keyed JSON values cannot fail.
    out.push_str(&serde_json::to_string(header).ok()?);
    out.push_str(r#","claims":"#);
    out.push_str(claims_text);
    out.push_str(r#","alg":""#);
    out.push_str(alg.name());
    out.push('"');
    if let Some(kid) = kid {
        out.push_str(r#","kid":"#);
        out.push_str(&serde_json::to_string(kid).ok()?);
    }
    out.push_str(r#","scopes":"#);
    out.push_str(&serde_json::to_string(scopes).ok()?);
    out.push('}');
    Some(out)
}

/// The same object with the claims re-serialised from the parsed map (the fallback when the
/// payload text cannot be used as is).
fn verified_to_json(token: &VerifiedToken) -> String {
    let mut out = json!({
        "header": Value::Object(token.header().members().clone()),
        "claims": Value::Object(token.claims().clone()),
        "alg": token.algorithm().name(),
        "scopes": token.scopes(),
    });
    if let (Some(kid), Some(map)) = (token.kid(), out.as_object_mut()) {
        map.insert("kid".into(), kid.into());
    }
    out.to_string()
}

/// Where the keys come from: a static set, or a remote one behind the core's cache rules.
enum KeySource {
    Static(Jwks),
    Remote(JwksCache),
}

/// A configured validator with its key source and its cache of verified tokens.
#[wasm_bindgen]
pub struct JsValidator {
    validator: Validator,
    keys: KeySource,
    tokens: TokenCache,
    /// The slot of the token the last `finish` cached, or -1.
    last_slot: i32,
    /// For the token of the last hit or insertion: the times at which a lookup would hit as
    /// far as the clock and the key set's freshness decide (`[from, until)`; empty when none).
    last_window: (f64, f64),
    /// For the same token: whether a plain Bearer presentation passes the binding rules.
    last_bearer_ok: bool,
    /// Thumbprints of the keys this validator has chosen, numbered for the loader's cache of
    /// imported `CryptoKey`s (a number crosses the boundary for free; a string does not).
    key_ids: Vec<[u8; 32]>,
    /// Bumped whenever `key_ids` is emptied, so that a number is never given to two keys.
    key_id_generation: u32,
}

/// How many key numbers one generation holds.
const KEY_IDS_PER_GENERATION: usize = 1024;

impl JsValidator {
    fn note_window(&mut self, slot: usize) {
        let fresh_until = self.keys.fresh_until() - crate::policy::WINDOW_MARGIN_SECONDS;
        self.last_window = match self.tokens.passing_window(slot, &self.validator) {
            Some((from, until)) => (from, until.min(fresh_until)),
            None => NO_WINDOW,
        };
    }

    fn key_id(&mut self, thumbprint: [u8; 32]) -> u32 {
        let index = match self.key_ids.iter().position(|t| *t == thumbprint) {
            Some(index) => index,
            None => {
                if self.key_ids.len() >= KEY_IDS_PER_GENERATION {
                    self.key_ids.clear();
                    self.key_id_generation = self.key_id_generation.wrapping_add(1);
                }
                self.key_ids.push(thumbprint);
                self.key_ids.len() - 1
            }
        };
        // Both parts are bounded (index < 1024), so this cannot overflow past the wrap.
        self.key_id_generation
            .wrapping_mul(KEY_IDS_PER_GENERATION as u32)
            .wrapping_add(index as u32)
    }
}

const NO_WINDOW: (f64, f64) = (f64::INFINITY, f64::NEG_INFINITY);

impl KeySource {
    /// Until when [`KeySource::fresh_keys`] gives the current set.
    fn fresh_until(&self) -> f64 {
        match self {
            KeySource::Static(_) => f64::INFINITY,
            KeySource::Remote(cache) => cache.fresh_until().unwrap_or(f64::NEG_INFINITY),
        }
    }

    /// The key set a cache hit may be judged against: a static set, or a remote one while it
    /// is fresh ([`JwksCache::fresh_keys`]).
    fn fresh_keys(&self, now: f64) -> Option<&Jwks> {
        match self {
            KeySource::Static(jwks) => Some(jwks),
            KeySource::Remote(cache) => cache.fresh_keys(now),
        }
    }
}

#[wasm_bindgen]
impl JsValidator {
    /// Builds a validator from JSON options.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<JsValidator, JsValue> {
        let validator =
            Validator::new(parse_options(options_json)?).map_err(|e| error_to_js(&e))?;
        Ok(JsValidator {
            validator,
            keys: KeySource::Remote(JwksCache::new()),
            tokens: TokenCache::new(0),
            last_slot: -1,
            last_window: NO_WINDOW,
            last_bearer_ok: false,
            key_ids: Vec::new(),
            key_id_generation: 0,
        })
    }

    /// Turns the verified-token cache on with room for `max_entries` tokens (0: off), each
    /// kept until its `exp` or `ttl_seconds` after it was verified, whichever is first.
    #[wasm_bindgen(js_name = setTokenCache)]
    pub fn set_token_cache(&mut self, max_entries: u32, ttl_seconds: Option<f64>) {
        let mut cache = TokenCache::new(max_entries as usize);
        if let Some(ttl) = ttl_seconds {
            cache = cache.with_ttl(ttl);
        }
        self.tokens = cache;
        self.last_slot = -1;
        self.last_window = NO_WINDOW;
    }

    /// A warm validation in one call: the slot of `token` in the cache when it was verified
    /// before and passes again at `now` (same key still chosen, clock and scope rules), or -1
    /// (validate in full). The loader keeps its JS result per slot.
    ///
    /// # Errors
    /// The rule a cached token now breaks (`expired`, `insufficient_scope`, …).
    pub fn lookup(
        &mut self,
        token: &[u8],
        now: f64,
        extra_scopes: Option<Vec<String>>,
    ) -> Result<i32, JsValue> {
        if self.tokens.max_entries() == 0 {
            return Ok(-1);
        }
        let Ok(token) = core::str::from_utf8(token) else {
            return Ok(-1);
        };
        let Some(keys) = self.keys.fresh_keys(now) else {
            return Ok(-1);
        };
        let extra = extra_scopes.unwrap_or_default();
        match self.tokens.get(token, &self.validator, keys, now, &extra) {
            // Slots are below max_entries, itself a u32.
            Ok(Lookup::Hit { slot, summary, .. }) => {
                self.last_bearer_ok = summary.plain_bearer_ok();
                self.note_window(slot);
                Ok(i32::try_from(slot).unwrap_or(-1))
            }
            Ok(Lookup::Miss) => Ok(-1),
            Err(e) => Err(error_to_js(&e)),
        }
    }

    /// Marks the token in `slot` as just used (the loader answered a repeat of it inside its
    /// window), so the cache keeps evicting the least recently used.
    #[wasm_bindgen(js_name = markUsed)]
    pub fn mark_used(&mut self, slot: u32) {
        self.tokens.mark_used(slot as usize);
    }

    /// The slot the last successful `finish` put its token in, or -1 when it was not cached.
    #[wasm_bindgen(js_name = lastSlot)]
    pub fn last_slot(&self) -> i32 {
        self.last_slot
    }

    /// From when the token of the last hit or insertion would hit again without extra scopes
    /// (see [`TokenCache::passing_window`]; this also ends when remote keys go stale). The
    /// loader may answer a repeat of it from its own copy while its clock is inside, unless
    /// the key set changed or extra scopes are asked for; else it calls `lookup`.
    #[wasm_bindgen(getter, js_name = lastValidFrom)]
    pub fn last_valid_from(&self) -> f64 {
        self.last_window.0
    }

    /// Until when (exclusive) the same holds.
    #[wasm_bindgen(getter, js_name = lastValidUntil)]
    pub fn last_valid_until(&self) -> f64 {
        self.last_window.1
    }

    /// Whether the token of the last hit or `finish` may be presented as a plain Bearer token
    /// (no DPoP proof, no client certificate): the binding rules' verdict, so the loader need
    /// not send the claims back to ask.
    #[wasm_bindgen(getter, js_name = lastBearerOk)]
    pub fn last_bearer_ok(&self) -> bool {
        self.last_bearer_ok
    }

    /// Uses a static key set (a JWKS JSON document) instead of a remote one.
    #[wasm_bindgen(js_name = setStaticKeys)]
    pub fn set_static_keys(&mut self, jwks_json: &str) -> Result<(), JsValue> {
        self.keys =
            KeySource::Static(Jwks::from_json(jwks_json.as_bytes()).map_err(|e| error_to_js(&e))?);
        Ok(())
    }

    /// What to do about keys before validating `token` at `now`: `"use"`, `"fetch"` (fetch,
    /// report, then validate), `"refresh"` (validate now and refresh in the background),
    /// `"await"` (another fetch is in flight) or `"unavailable"`. A token that fails without
    /// keys answers `"use"`, so it never causes a fetch and `begin` reports its error.
    pub fn decide(&mut self, token: &[u8], now: f64) -> String {
        let KeySource::Remote(cache) = &mut self.keys else {
            return "use".into();
        };
        let Ok(token) = core::str::from_utf8(token) else {
            return "use".into();
        };
        let Ok(kid) = self.validator.key_lookup(token) else {
            return "use".into();
        };
        match cache.decide(now, kid.as_deref()) {
            Decision::UseCached => "use",
            Decision::UseCachedAndRefresh => "refresh",
            Decision::FetchThenUse => "fetch",
            Decision::AwaitInFlight => "await",
            Decision::Unavailable => "unavailable",
        }
        .into()
    }

    /// Reports a fetched key set (body and `Cache-Control`).
    #[wasm_bindgen(js_name = onFetchSuccess)]
    pub fn on_fetch_success(
        &mut self,
        now: f64,
        body: &[u8],
        cache_control: Option<String>,
    ) -> Result<(), JsValue> {
        match &mut self.keys {
            KeySource::Remote(cache) => {
                cache
                    .on_fetch_success(now, body, cache_control.as_deref())
                    .map_err(|e| error_to_js(&e))?;
                // Lookups re-check the key anyway; this frees the entries of removed keys now.
                if let Ok(keys) = cache.keys(now) {
                    self.tokens.retain_keys(keys);
                }
                Ok(())
            }
            KeySource::Static(_) => Ok(()),
        }
    }

    /// Reports a failed fetch.
    #[wasm_bindgen(js_name = onFetchFailure)]
    pub fn on_fetch_failure(&mut self, now: f64) {
        if let KeySource::Remote(cache) = &mut self.keys {
            cache.on_fetch_failure(now);
        }
    }

    /// The `Retry-After` seconds for a `jwks_unavailable` answer.
    #[wasm_bindgen(js_name = retryAfter)]
    pub fn retry_after(&self, now: f64) -> u64 {
        match &self.keys {
            KeySource::Remote(cache) => cache.retry_after(now),
            KeySource::Static(_) => 1,
        }
    }

    /// The remote key cache as JSON (for edge isolates), or `null` for static keys.
    #[wasm_bindgen(js_name = exportCache)]
    pub fn export_cache(&self) -> Option<String> {
        match &self.keys {
            KeySource::Remote(cache) => Some(cache.to_json().to_string()),
            KeySource::Static(_) => None,
        }
    }

    /// Takes in an exported cache when it is newer than the current one.
    #[wasm_bindgen(js_name = importCache)]
    pub fn import_cache(&mut self, json: &str) -> Result<bool, JsValue> {
        let KeySource::Remote(cache) = &mut self.keys else {
            return Ok(false);
        };
        let value: Value =
            serde_json::from_str(json).map_err(|_| option_error("importCache: not JSON".into()))?;
        let other = JwksCache::from_json(&value).map_err(|e| error_to_js(&e))?;
        Ok(cache.merge_newer(other))
    }

    /// Phase one: parse, header rules, key choice.
    pub fn begin(&mut self, token: &[u8], now: f64) -> Result<JsPending, JsValue> {
        let token = token_text(token)?;
        let options = self.validator.options();
        // One parse: the key rules below need it, and a token that fails on its own (size,
        // structure, header, algorithm) says so before the keys' state is reported.
        let jws =
            UntrustedJws::parse(token, options.max_token_bytes).map_err(|e| error_to_js(&e))?;
        let keys = match &self.keys {
            KeySource::Static(jwks) => jwks,
            KeySource::Remote(cache) => {
                crate::token::resolve_algorithm(jws.header().alg(), &options.algorithms)
                    .map_err(|e| error_to_js(&e))?;
                cache.keys(now).map_err(|e| error_to_js(&e))?
            }
        };
        let inner = jws
            .prepare(&options.algorithms, keys)
            .map_err(|e| error_to_js(&e))?;
        let key_id = self.key_id(inner.key().thumbprint());
        Ok(JsPending {
            inner,
            token: (self.tokens.max_entries() > 0).then(|| String::from(token)),
            prechecked: None,
            key_id,
        })
    }

    /// Between the phases, while the host checks the signature: the claim rules at `now`,
    /// ahead of the verdict (see [`Validator::precheck_claims`]). Returns the result JSON the
    /// token will have if its signature and the rules at `finish` time pass, so the loader can
    /// parse it meanwhile; `undefined` when the claims already fail. Nothing here is trusted:
    /// `finish` decides.
    pub fn precheck(
        &self,
        pending: &mut JsPending,
        now: f64,
        extra_scopes: Option<Vec<String>>,
    ) -> Option<String> {
        let extra = extra_scopes.unwrap_or_default();
        let mut prechecked = self.validator.precheck_claims(&pending.inner, now, &extra);
        let json = prechecked.scopes().and_then(|scopes| {
            result_json(
                pending.inner.header().members(),
                pending.inner.payload(),
                pending.inner.algorithm(),
                pending.inner.key().kid(),
                scopes,
            )
        });
        // The loader parses the claims from this JSON; wasm needs only the summary from here
        // on, and freeing the parsed claims now costs nothing while the host works.
        if json.is_some() {
            prechecked.drop_claims();
        }
        pending.prechecked = Some((prechecked, json.is_some()));
        json
    }

    /// Phase two: the signature verdict (from WebCrypto, or `null` to verify in wasm), then
    /// the claim rules at `now` (seconds). Returns the verified token as JSON, or `undefined`
    /// when it is exactly the JSON `precheck` returned; and caches it when the cache is on
    /// (its slot is then [`JsValidator::last_slot`]).
    pub fn finish(
        &mut self,
        pending: JsPending,
        host_verdict: Option<bool>,
        now: f64,
        extra_scopes: Option<Vec<String>>,
    ) -> Result<Option<String>, JsValue> {
        self.last_slot = -1;
        self.last_window = NO_WINDOW;
        let verified = match host_verdict {
            Some(valid) => pending.inner.accept_host_verdict(valid),
            None => pending.inner.verify_native(),
        }
        .map_err(|e| error_to_js(&e))?;
        let extra = extra_scopes.unwrap_or_default();
        let (summary, json) = match pending.prechecked {
            // The precheck's JSON went out: it described this very header, payload, key and
            // scopes, and the loader uses what it parsed.
            Some((prechecked, true)) => {
                let summary = self
                    .validator
                    .check_summary_prechecked(verified, prechecked, now, &extra)
                    .map_err(|e| error_to_js(&e))?;
                (summary, None)
            }
            _ => {
                let payload = verified.payload().to_vec();
                let token = self
                    .validator
                    .check_claims(verified, now, &extra)
                    .map_err(|e| error_to_js(&e))?;
                let json = verified_to_js_json(&token, &payload);
                (token.summary().clone(), Some(json))
            }
        };
        self.last_bearer_ok = summary.plain_bearer_ok();
        if let Some(compact) = pending.token {
            if let Some(slot) = self.tokens.insert(&compact, summary, (), now) {
                self.last_slot = i32::try_from(slot).unwrap_or(-1);
                self.note_window(slot);
            }
        }
        Ok(json)
    }
}

/// A token waiting for its signature verdict.
#[wasm_bindgen]
pub struct JsPending {
    inner: PendingSignature,
    /// The compact token, kept when `finish` may cache it (a validator's cache is on).
    token: Option<String>,
    /// The precheck, and whether its JSON went to the loader.
    prechecked: Option<(PrecheckedClaims, bool)>,
    /// The chosen key's number in its validator (see `JsValidator::key_ids`).
    key_id: u32,
}

#[wasm_bindgen]
impl JsPending {
    /// The algorithm name.
    #[wasm_bindgen(getter)]
    pub fn alg(&self) -> String {
        self.inner.algorithm().name().to_string()
    }
    /// The algorithm as its position in [`algorithm_names`] (a number is cheaper to hand over
    /// than a string).
    #[wasm_bindgen(getter, js_name = algIndex)]
    pub fn alg_index(&self) -> u32 {
        let alg = self.inner.algorithm();
        Algorithm::ALL.iter().position(|a| *a == alg).unwrap_or(0) as u32
    }
    /// The chosen key's number within the validator that began this (stable while the
    /// validator lives; `u32::MAX` for `verifyJws`): a cache key for imported `CryptoKey`s.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    /// The chosen key's RFC 7638 thumbprint (a cache key for imported `CryptoKey`s).
    #[wasm_bindgen(getter, js_name = keyThumbprint)]
    pub fn key_thumbprint(&self) -> String {
        self.inner.key().thumbprint_b64()
    }
    /// The chosen key as a public JWK (JSON), for `crypto.subtle.importKey`.
    #[wasm_bindgen(getter, js_name = keyJwk)]
    pub fn key_jwk(&self) -> String {
        Value::Object(self.inner.key().to_public_json()).to_string()
    }
    /// The payload bytes (trusted only after the verdict).
    #[wasm_bindgen(getter)]
    pub fn payload(&self) -> Vec<u8> {
        self.inner.payload().to_vec()
    }
    /// The signed bytes.
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> Vec<u8> {
        self.inner.signing_input().to_vec()
    }
    /// The signature bytes.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Vec<u8> {
        self.inner.signature().to_vec()
    }
    /// False when the signature's shape is already wrong: no need to ask the host.
    #[wasm_bindgen(getter, js_name = needsVerdict)]
    pub fn needs_verdict(&self) -> bool {
        self.inner.needs_verdict()
    }
    /// Whether this wasm build can verify the algorithm itself.
    #[wasm_bindgen(getter, js_name = hasNativeVerifier)]
    pub fn has_native_verifier(&self) -> bool {
        self.inner.algorithm().has_native_verifier()
    }
}

/// The algorithm names, in the order of [`JsPending::alg_index`].
#[wasm_bindgen(js_name = algorithmNames)]
pub fn algorithm_names() -> Vec<String> {
    Algorithm::ALL
        .iter()
        .map(|alg| String::from(alg.name()))
        .collect()
}

/// The stable error table for the loader: `{code: {status, error}}`.
#[wasm_bindgen(js_name = errorTable)]
pub fn error_table() -> String {
    let mut table = serde_json::Map::new();
    for code in ErrorCode::ALL {
        table.insert(
            code.as_str().into(),
            json!({"status": code.http_status(), "error": code.oauth_error()}),
        );
    }
    Value::Object(table).to_string()
}

/// The `WWW-Authenticate` value for an error code and description.
#[wasm_bindgen(js_name = wwwAuthenticate)]
pub fn www_authenticate(
    code: &str,
    description: &str,
    realm: &str,
    scope: Option<String>,
) -> String {
    let code = ErrorCode::from_name(code).unwrap_or(ErrorCode::Malformed);
    Error::with_description(code, description.to_string()).www_authenticate(realm, scope.as_deref())
}

/// Phase one of `verifyJws`: the header rules and key choice for a compact JWS whose
/// payload need not be JWT claims.
#[wasm_bindgen(js_name = beginJws)]
pub fn begin_jws(
    compact: &str,
    jwks_json: &str,
    algorithms: Option<Vec<String>>,
) -> Result<JsPending, JsValue> {
    let keys = Jwks::from_json(jwks_json.as_bytes()).map_err(|e| error_to_js(&e))?;
    let allowed: Vec<Algorithm> = match algorithms {
        Some(names) => names
            .iter()
            .map(|name| {
                Algorithm::from_name(name).ok_or_else(|| {
                    option_error(alloc::format!(
                        "option algorithms: unsupported algorithm {name:?}"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        None => Algorithm::ASYMMETRIC.to_vec(),
    };
    crate::token::UntrustedJws::parse(compact, DEFAULT_MAX_TOKEN_BYTES)
        .and_then(|jws| jws.prepare(&allowed, &keys))
        .map(|inner| JsPending {
            inner,
            token: None,
            prechecked: None,
            key_id: u32::MAX,
        })
        .map_err(|e| error_to_js(&e))
}

/// Phase two of `verifyJws`: the verdict; returns the header as JSON (the payload is read
/// from the pending handle before this call).
#[wasm_bindgen(js_name = finishJws)]
pub fn finish_jws(pending: JsPending, host_verdict: Option<bool>) -> Result<String, JsValue> {
    let verified = match host_verdict {
        Some(valid) => pending.inner.accept_host_verdict(valid),
        None => pending.inner.verify_native(),
    }
    .map_err(|e| error_to_js(&e))?;
    Ok(Value::Object(verified.header().members().clone()).to_string())
}

/// The RFC 7662 answer for a verified token's claims (JSON in, JSON out).
#[wasm_bindgen(js_name = introspectionResponse)]
pub fn introspection_response(claims_json: &str) -> String {
    match serde_json::from_str::<Value>(claims_json) {
        Ok(Value::Object(claims)) => {
            crate::introspect::introspection_for_claims(&claims).to_string()
        }
        _ => crate::introspect::introspection_response(&Err(Error::new(
            ErrorCode::Malformed,
            "not claims",
        )))
        .to_string(),
    }
}

/// The OIDC discovery URL for an issuer.
#[wasm_bindgen(js_name = discoveryUrl)]
pub fn discovery_url(issuer: &str) -> String {
    jwks_cache::discovery_url(issuer)
}

/// The `jwks_uri` of a discovery document whose `issuer` must equal `issuer`.
#[wasm_bindgen(js_name = parseDiscovery)]
pub fn parse_discovery(body: &[u8], issuer: &str) -> Result<String, JsValue> {
    jwks_cache::parse_discovery(body, issuer).map_err(|e| error_to_js(&e))
}

/// Refuses URLs keys must not be fetched from (`https` only, except loopback hosts).
#[wasm_bindgen(js_name = checkFetchUrl)]
pub fn check_fetch_url(url: &str) -> Result<(), JsValue> {
    jwks_cache::check_fetch_url(url).map_err(|e| error_to_js(&e))
}

/// The fetch timeout, in milliseconds.
#[wasm_bindgen(js_name = fetchTimeoutMs)]
pub fn fetch_timeout_ms() -> f64 {
    jwks_cache::FETCH_TIMEOUT_SECONDS * 1000.0
}

/// Reads the Bearer token from an `Authorization` header value (RFC 6750 §2.1).
#[wasm_bindgen(js_name = extractBearer)]
pub fn extract_bearer(authorization: Option<String>) -> Result<String, JsValue> {
    crate::http::extract_bearer(authorization.as_deref())
        .map(String::from)
        .map_err(|e| error_to_js(&e))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], JsValue> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|_| option_error("no secure random source in this runtime".into()))?;
    Ok(bytes)
}

/// A PKCE pair (RFC 7636 §4.1–4.2): a 43-character verifier from 32 random bytes and its S256
/// challenge, as JSON `{codeVerifier, codeChallenge, codeChallengeMethod}`.
#[wasm_bindgen(js_name = createPkcePair)]
pub fn create_pkce_pair() -> Result<String, JsValue> {
    let verifier = crate::pkce::code_verifier_from_random(&random_bytes::<32>()?)
        .map_err(|e| error_to_js(&e))?;
    let challenge = crate::pkce::code_challenge_s256(&verifier).map_err(|e| error_to_js(&e))?;
    Ok(string_object(&[
        ("codeVerifier", &verifier),
        ("codeChallenge", &challenge),
        ("codeChallengeMethod", "S256"),
    ]))
}

/// The S256 challenge of a verifier.
#[wasm_bindgen(js_name = deriveCodeChallenge)]
pub fn derive_code_challenge(verifier: &str) -> Result<String, JsValue> {
    crate::pkce::code_challenge_s256(verifier).map_err(|e| error_to_js(&e))
}

/// Constant-time check of a verifier against a challenge; `plain` is refused.
#[wasm_bindgen(js_name = verifyCodeChallenge)]
pub fn verify_code_challenge(verifier: &str, challenge: &str, method: &str) -> bool {
    crate::pkce::verify_code_challenge(verifier, challenge, method, false)
}

/// A random `state` or `nonce`: 32 random bytes (256 bits), base64url.
#[wasm_bindgen(js_name = randomToken)]
pub fn random_token() -> Result<String, JsValue> {
    crate::pkce::random_state_from(&random_bytes::<32>()?).map_err(|e| error_to_js(&e))
}

/// The `iss` a token claims, read before anything is trusted, to pick the provider whose
/// rules and keys judge it (SPEC §7).
#[wasm_bindgen(js_name = peekIssuer)]
pub fn peek_issuer(token: &str, max_token_bytes: usize) -> Result<String, JsValue> {
    crate::providers::peek_issuer(token, max_token_bytes).map_err(|e| error_to_js(&e))
}

/// Whether a token has the shape of a compact JWS (else, with introspection configured, it
/// is an opaque token for the upstream endpoint).
#[wasm_bindgen(js_name = isCompactJws)]
pub fn is_compact_jws(token: &str) -> bool {
    crate::opaque::is_compact_jws(token)
}

/// An upstream introspection client for opaque tokens: request shape, answer judging and the
/// per-token answer cache are the core's (`crate::opaque`).
#[wasm_bindgen]
pub struct JsOpaque {
    validator: Validator,
    cache: crate::opaque::OpaqueCache,
    authorization: String,
}

#[wasm_bindgen]
impl JsOpaque {
    /// `options_json` as for `JsValidator` (issuer, audience, scopes, tolerance).
    #[wasm_bindgen(constructor)]
    pub fn new(
        options_json: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<JsOpaque, JsValue> {
        let validator =
            Validator::new(parse_options(options_json)?).map_err(|e| error_to_js(&e))?;
        Ok(JsOpaque {
            validator,
            cache: crate::opaque::OpaqueCache::new(crate::opaque::DEFAULT_MAX_ENTRIES),
            authorization: crate::opaque::basic_authorization(client_id, client_secret),
        })
    }

    /// The `Authorization` header for the endpoint.
    #[wasm_bindgen(getter)]
    pub fn authorization(&self) -> String {
        self.authorization.clone()
    }

    /// The form body for `token`.
    #[wasm_bindgen(js_name = requestBody)]
    pub fn request_body(&self, token: &str) -> String {
        crate::opaque::request_body(token)
    }

    /// Whether a fresh answer about `token` is cached.
    #[wasm_bindgen(js_name = isCached)]
    pub fn is_cached(&self, token: &str, now: f64) -> bool {
        self.cache.get(token, now).is_some()
    }

    /// Stores an upstream answer (the response body).
    ///
    /// Errors: `introspection_unavailable` when the body is not an RFC 7662 answer.
    pub fn store(&mut self, token: &str, body: &[u8], now: f64) -> Result<(), JsValue> {
        let answer =
            crate::introspect::parse_introspection_answer(body).map_err(|e| error_to_js(&e))?;
        self.cache.put(token, answer, now);
        Ok(())
    }

    /// Judges the cached answer about `token` like claims; returns `{claims, scopes}` as JSON.
    pub fn judge(
        &self,
        token: &str,
        now: f64,
        extra_scopes: Vec<String>,
    ) -> Result<String, JsValue> {
        let answer = self.cache.get(token, now).ok_or_else(|| {
            error_to_js(&Error::new(
                ErrorCode::IntrospectionUnavailable,
                "no answer about the token",
            ))
        })?;
        let scopes = crate::opaque::judge(&self.validator, answer, now, &extra_scopes)
            .map_err(|e| error_to_js(&e))?;
        Ok(json!({"header": {}, "claims": answer.claims(), "alg": null, "scopes": scopes, "opaque": true}).to_string())
    }
}
