//! The gateway's rules (SPEC §5), pure: configuration parsing from string settings, route
//! choice, the identity headers sent to the origin, CORS, and client authentication for the
//! `/_auth/` endpoints. The Worker door reads `env`, does the I/O, and asks these functions;
//! keeping them here lets native tests cover them and keeps the door thin.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::b64;
use crate::error::{Error, ErrorCode};
use crate::jwk::Jwks;
use crate::jwks_cache;
use crate::policy::{Validator, ValidatorOptions};
use crate::providers::Provider;
use crate::Algorithm;

/// A configuration problem: the setting's name and what is wrong with it — never the value,
/// which may be a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting (`ISSUER`, `ROUTES`, …).
    pub setting: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn config_error(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

/// Where the gateway's keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// An inline JWKS (`JWKS`).
    Static(Jwks),
    /// A `jwks_uri` (`JWKS_URI`).
    Uri(String),
    /// OIDC discovery from the issuer (neither `JWKS` nor `JWKS_URI` set).
    Discovery(String),
}

/// One `ROUTES` entry: the first whose prefix and method match decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Path prefix, e.g. `/admin/`.
    pub prefix: String,
    /// Methods the route applies to (upper case); `None` for all.
    pub methods: Option<Vec<String>>,
    /// Scopes a token needs on this route, on top of `REQUIRED_SCOPES`.
    pub scopes: Vec<String>,
    /// Whether the route needs no token at all.
    pub public: bool,
}

impl Route {
    fn matches(&self, path: &str, method: &str) -> bool {
        path.starts_with(&self.prefix)
            && self
                .methods
                .as_ref()
                .is_none_or(|methods| methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
    }
}

/// The `DPOP` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopMode {
    /// DPoP and Bearer both accepted; DPoP-bound tokens need a proof (the default).
    Allowed,
    /// Only DPoP.
    Required,
    /// Only Bearer; the DPoP scheme is not recognised.
    Disabled,
}

/// An upstream RFC 7662 endpoint and the client authentication to use with it.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The endpoint URL.
    pub endpoint: String,
    /// The `Authorization` header value (HTTP Basic, RFC 6749 §2.3.1).
    pub authorization: String,
}

/// The single provider of the `ISSUER`/`AUDIENCE`/`JWKS`/`JWKS_URI`/`ALGORITHMS`/`TOKEN_TYPE`
/// settings.
fn single_provider(
    get: &impl Fn(&str) -> Option<String>,
    shared: ValidatorOptions,
) -> Result<Provider, ConfigError> {
    let issuer =
        get("ISSUER").ok_or_else(|| config_error("ISSUER", "is not set (or give PROVIDERS)"))?;
    let mut options = shared;
    options.issuers = alloc::vec![issuer.trim().to_string()];
    if let Some(audience) = get("AUDIENCE") {
        options.audiences = split_list(&audience, &[',']);
    }
    if let Some(algorithms) = get("ALGORITHMS") {
        options.algorithms = split_list(&algorithms, &[',', ' '])
            .iter()
            .map(|name| {
                Algorithm::from_name(name).ok_or_else(|| {
                    config_error(
                        "ALGORITHMS",
                        format!("names an unsupported algorithm {name:?}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
    }
    options.token_type = get("TOKEN_TYPE");
    let validator = Validator::new(options)
        .map_err(|e| config_error("ALGORITHMS", e.description().to_string()))?;
    let keys = match (get("JWKS"), get("JWKS_URI")) {
        (Some(_), Some(_)) => return Err(config_error("JWKS", "set JWKS or JWKS_URI, not both")),
        (Some(jwks), None) => {
            let set = Jwks::from_json(jwks.as_bytes())
                .map_err(|e| config_error("JWKS", e.description().to_string()))?;
            if set.keys().is_empty() {
                return Err(config_error("JWKS", "holds no usable key"));
            }
            KeySource::Static(set)
        }
        (None, Some(uri)) => {
            jwks_cache::check_fetch_url(uri.trim())
                .map_err(|e| config_error("JWKS_URI", e.description().to_string()))?;
            KeySource::Uri(uri.trim().into())
        }
        (None, None) => {
            let url = jwks_cache::discovery_url(issuer.trim());
            jwks_cache::check_fetch_url(&url)
                .map_err(|e| config_error("ISSUER", e.description().to_string()))?;
            KeySource::Discovery(issuer.trim().into())
        }
    };
    Ok(Provider { validator, keys })
}

/// The parsed gateway configuration.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The issuers, each with its rules and keys (one unless `PROVIDERS` lists several).
    pub providers: Vec<Provider>,
    /// Whether DPoP (RFC 9449) is accepted, required or refused.
    pub dpop: DpopMode,
    /// Whether DPoP proofs must carry the server's nonce (RFC 9449 §8).
    pub dpop_nonce: bool,
    /// The secret nonces are derived from (`DPOP_NONCE_SECRET`); without it each isolate
    /// draws its own.
    pub dpop_nonce_secret: Option<String>,
    /// The upstream introspection endpoint for opaque tokens.
    pub introspection: Option<Upstream>,
    /// The `realm` of challenges.
    pub realm: String,
    /// Where valid requests go; `None`: echo mode.
    pub origin: Option<String>,
    /// Route rules, first match wins.
    pub routes: Vec<Route>,
    /// Extra claims forwarded as headers: (claim, header).
    pub forward_claims: Vec<(String, String)>,
    /// Origins allowed by CORS (exact, or `*`).
    pub cors_allowed_origins: Vec<String>,
    /// Introspection/revocation clients: (client_id, secret).
    pub introspection_clients: Vec<(String, String)>,
    /// The admin bearer token for `/_auth/revocations`.
    pub admin_token: Option<String>,
    /// How long "revoke every token of this subject" is remembered, in seconds: the longest
    /// lifetime a token of the issuer has.
    pub max_token_lifetime_seconds: u64,
    /// Shifts the gateway's clock, for tests of time-dependent behaviour only.
    pub clock_offset_seconds: i64,
    /// How many verified tokens each isolate keeps in memory per provider
    /// (`TOKEN_CACHE_MAX_ENTRIES`, default 1000; 0 when `TOKEN_CACHE` is `false`).
    pub token_cache_max_entries: usize,
}

const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS: u64 = 86_400;

fn split_list(value: &str, separators: &[char]) -> Vec<String> {
    value
        .split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn parse_json(setting: &'static str, text: &str) -> Result<Value, ConfigError> {
    crate::json::parse_strict(text.as_bytes())
        .map_err(|reason| config_error(setting, format!("is not valid JSON ({reason})")))
}

fn string_array(
    setting: &'static str,
    value: Option<&Value>,
    what: &str,
) -> Result<Vec<String>, ConfigError> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(String::from).ok_or_else(|| {
                    config_error(setting, format!("{what} must be an array of strings"))
                })
            })
            .collect(),
        Some(_) => Err(config_error(
            setting,
            format!("{what} must be an array of strings"),
        )),
    }
}

/// Header names must be RFC 9110 tokens: nothing that could split or smuggle a header.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn parse_routes(text: &str) -> Result<Vec<Route>, ConfigError> {
    const SETTING: &str = "ROUTES";
    let Value::Array(entries) = parse_json(SETTING, text)? else {
        return Err(config_error(SETTING, "must be a JSON array of routes"));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let Value::Object(route) = entry else {
                return Err(config_error(SETTING, format!("entry {i} is not an object")));
            };
            if let Some(unknown) = route
                .keys()
                .find(|k| !["prefix", "methods", "scopes", "public"].contains(&k.as_str()))
            {
                return Err(config_error(
                    SETTING,
                    format!("entry {i} has an unknown member {unknown:?}"),
                ));
            }
            let prefix = match route.get("prefix") {
                Some(Value::String(p)) if p.starts_with('/') => p.clone(),
                _ => {
                    return Err(config_error(
                        SETTING,
                        format!("entry {i} needs a prefix starting with /"),
                    ))
                }
            };
            let methods = match route.get("methods") {
                None => None,
                some => Some(
                    string_array(SETTING, some, "methods")?
                        .into_iter()
                        .map(|m| m.to_ascii_uppercase())
                        .collect(),
                ),
            };
            let scopes = string_array(SETTING, route.get("scopes"), "scopes")?;
            let public = match route.get("public") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(config_error(
                        SETTING,
                        format!("entry {i}: public must be true or false"),
                    ))
                }
            };
            if public && !scopes.is_empty() {
                return Err(config_error(
                    SETTING,
                    format!("entry {i} is public but names scopes"),
                ));
            }
            Ok(Route {
                prefix,
                methods,
                scopes,
                public,
            })
        })
        .collect()
}

fn parse_string_map(
    setting: &'static str,
    text: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let Value::Object(map) = parse_json(setting, text)? else {
        return Err(config_error(setting, "must be a JSON object"));
    };
    map.into_iter()
        .map(|(name, value)| match value {
            Value::String(s) => Ok((name, s)),
            _ => Err(config_error(setting, "values must be strings")),
        })
        .collect()
}

fn parse_number<T: core::str::FromStr>(
    setting: &'static str,
    text: &str,
) -> Result<T, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| config_error(setting, "is not a whole number"))
}

impl GatewayConfig {
    /// Reads every setting through `get` (a var or secret by name; `None` when unset or
    /// empty) and checks it.
    ///
    /// # Errors
    /// The first bad setting.
    pub fn from_settings(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<GatewayConfig, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        // Options every provider shares.
        let mut shared = ValidatorOptions::new(String::new());
        if let Some(tolerance) = get("CLOCK_TOLERANCE_SECONDS") {
            shared.clock_tolerance_seconds = parse_number("CLOCK_TOLERANCE_SECONDS", &tolerance)?;
        }
        if let Some(scopes) = get("REQUIRED_SCOPES") {
            shared.required_scopes = split_list(&scopes, &[' ']);
        }
        let providers = match get("PROVIDERS") {
            Some(list) => {
                for single in [
                    "ISSUER",
                    "AUDIENCE",
                    "JWKS",
                    "JWKS_URI",
                    "ALGORITHMS",
                    "TOKEN_TYPE",
                ] {
                    if get(single).is_some() {
                        return Err(config_error(
                            "PROVIDERS",
                            format!("cannot be combined with {single}"),
                        ));
                    }
                }
                crate::providers::parse_providers(&list, &shared)?
            }
            None => alloc::vec![single_provider(&get, shared)?],
        };
        let origin = match get("ORIGIN") {
            None => None,
            Some(origin) => {
                let origin = origin.trim().trim_end_matches('/').to_string();
                if !(origin.starts_with("https://") || origin.starts_with("http://"))
                    || origin.contains(['?', '#'])
                {
                    return Err(config_error(
                        "ORIGIN",
                        "must be an http(s) URL without query or fragment",
                    ));
                }
                Some(origin)
            }
        };
        let routes = get("ROUTES").map_or(Ok(Vec::new()), |r| parse_routes(&r))?;
        let forward_claims = match get("FORWARD_CLAIMS") {
            None => Vec::new(),
            Some(text) => {
                let pairs = parse_string_map("FORWARD_CLAIMS", &text)?;
                if let Some((_, header)) = pairs.iter().find(|(_, h)| !is_header_name(h)) {
                    return Err(config_error(
                        "FORWARD_CLAIMS",
                        format!("{header:?} is not a header name"),
                    ));
                }
                pairs
            }
        };
        let cors_allowed_origins =
            get("CORS_ALLOWED_ORIGINS").map_or_else(Vec::new, |v| split_list(&v, &[',']));
        let introspection_clients = match get("INTROSPECTION_CLIENTS") {
            None => Vec::new(),
            Some(text) => parse_string_map("INTROSPECTION_CLIENTS", &text)?,
        };
        let max_token_lifetime_seconds = get("MAX_TOKEN_LIFETIME_SECONDS")
            .map_or(Ok(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS), |v| {
                parse_number("MAX_TOKEN_LIFETIME_SECONDS", &v)
            })?;
        let clock_offset_seconds = get("DEV_CLOCK_OFFSET_SECONDS")
            .map_or(Ok(0), |v| parse_number("DEV_CLOCK_OFFSET_SECONDS", &v))?;
        let dpop = match get("DPOP").as_deref().map(str::trim) {
            None | Some("allowed") => DpopMode::Allowed,
            Some("required") => DpopMode::Required,
            Some("disabled") => DpopMode::Disabled,
            Some(_) => {
                return Err(config_error(
                    "DPOP",
                    "must be allowed, required or disabled",
                ))
            }
        };
        let token_cache_max_entries = match get("TOKEN_CACHE").as_deref().map(str::trim) {
            None | Some("true") => get("TOKEN_CACHE_MAX_ENTRIES")
                .map_or(Ok(crate::token_cache::DEFAULT_MAX_ENTRIES), |v| {
                    parse_number("TOKEN_CACHE_MAX_ENTRIES", &v)
                })?,
            Some("false") => 0,
            Some(_) => return Err(config_error("TOKEN_CACHE", "must be true or false")),
        };
        let dpop_nonce = match get("DPOP_NONCE").as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(config_error("DPOP_NONCE", "must be true or false")),
        };
        let introspection = match get("INTROSPECTION_ENDPOINT") {
            None => None,
            Some(endpoint) => {
                let endpoint = endpoint.trim().to_string();
                jwks_cache::check_fetch_url(&endpoint).map_err(|e| {
                    config_error("INTROSPECTION_ENDPOINT", e.description().to_string())
                })?;
                let client_id = get("INTROSPECTION_CLIENT_ID").ok_or_else(|| {
                    config_error(
                        "INTROSPECTION_CLIENT_ID",
                        "is required with INTROSPECTION_ENDPOINT",
                    )
                })?;
                let client_secret = get("INTROSPECTION_CLIENT_SECRET").ok_or_else(|| {
                    config_error(
                        "INTROSPECTION_CLIENT_SECRET",
                        "is required with INTROSPECTION_ENDPOINT",
                    )
                })?;
                Some(Upstream {
                    endpoint,
                    authorization: crate::opaque::basic_authorization(
                        client_id.trim(),
                        client_secret.trim(),
                    ),
                })
            }
        };
        Ok(GatewayConfig {
            providers,
            dpop,
            dpop_nonce,
            dpop_nonce_secret: get("DPOP_NONCE_SECRET"),
            introspection,
            realm: get("REALM").unwrap_or_else(|| String::from("api")),
            origin,
            routes,
            forward_claims,
            cors_allowed_origins,
            introspection_clients,
            admin_token: get("ADMIN_TOKEN"),
            max_token_lifetime_seconds,
            clock_offset_seconds,
            token_cache_max_entries,
        })
    }

    /// The provider whose rules judge `token`: the only one, or the one its `iss` names
    /// (before any key is fetched).
    ///
    /// # Errors
    /// `issuer_mismatch` for an unknown issuer; parse errors.
    pub fn provider_for(&self, token: &str) -> Result<(usize, &Provider), Error> {
        match self.providers.as_slice() {
            [only] => Ok((0, only)),
            many => crate::providers::select(many, token, self.max_token_bytes()),
        }
    }

    /// The size cap used before a provider is known (the largest any provider allows).
    pub fn max_token_bytes(&self) -> usize {
        self.providers
            .iter()
            .map(|p| p.validator.options().max_token_bytes)
            .max()
            .unwrap_or(crate::token::DEFAULT_MAX_TOKEN_BYTES)
    }

    /// The algorithms a DPoP proof may use (every provider's asymmetric ones).
    pub fn dpop_algorithms(&self) -> Vec<Algorithm> {
        let mut algs: Vec<Algorithm> = self
            .providers
            .iter()
            .flat_map(|p| p.validator.options().algorithms.iter().copied())
            .filter(|a| !a.is_symmetric())
            .collect();
        algs.sort();
        algs.dedup();
        if algs.is_empty() {
            algs = Algorithm::ASYMMETRIC.to_vec();
        }
        algs
    }

    /// The route for a request, if any matches (first match wins).
    pub fn route(&self, path: &str, method: &str) -> Option<&Route> {
        self.routes.iter().find(|route| route.matches(path, method))
    }

    /// Whether CORS allows `origin`.
    pub fn cors_allows(&self, origin: &str) -> bool {
        self.cors_allowed_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed == origin)
    }

    /// Whether `authorization` is HTTP Basic (RFC 7617) with a known client and its secret,
    /// compared in constant time. Returns the client id.
    pub fn authenticate_client(&self, authorization: Option<&str>) -> Option<&str> {
        let encoded = crate::http::extract_scheme(authorization, "Basic")
            .ok()
            .flatten()?;
        let decoded = base64_standard_decode(encoded)?;
        let text = core::str::from_utf8(&decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        // RFC 6749 §2.3.1: the id and secret are form-urlencoded inside Basic.
        let (id, secret) = (form_decode(id)?, form_decode(secret)?);
        let mut found = None;
        for (client_id, client_secret) in &self.introspection_clients {
            let id_matches = client_id.as_bytes().ct_eq(id.as_bytes());
            let secret_matches = client_secret.as_bytes().ct_eq(secret.as_bytes());
            if bool::from(id_matches & secret_matches) {
                found = Some(client_id.as_str());
            }
        }
        found
    }

    /// Whether `authorization` carries the admin token (constant-time comparison).
    pub fn is_admin(&self, authorization: Option<&str>) -> bool {
        let (Some(expected), Ok(Some(given))) = (
            &self.admin_token,
            crate::http::extract_scheme(authorization, "Bearer"),
        ) else {
            return false;
        };
        bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    }

    /// The headers the origin receives about a verified token: `X-Auth-Subject`,
    /// `X-Auth-Issuer`, `X-Auth-Scopes`, `X-Auth-Client-Id`, `X-Auth-Claims` (base64url JSON)
    /// and the `FORWARD_CLAIMS` ones. Values that cannot travel in a header (control
    /// characters) are left out rather than altered.
    pub fn identity_headers(
        &self,
        claims: &Map<String, Value>,
        scopes: &[String],
    ) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(value) = value.filter(|v| is_header_value(v)) {
                headers.push((String::from(name), value));
            }
        };
        push("X-Auth-Subject", claim_text(claims.get("sub")));
        push("X-Auth-Issuer", claim_text(claims.get("iss")));
        push("X-Auth-Scopes", Some(scopes.join(" ")));
        push("X-Auth-Client-Id", claim_text(claims.get("client_id")));
        push(
            "X-Auth-Claims",
            Some(b64::encode(
                Value::Object(claims.clone()).to_string().as_bytes(),
            )),
        );
        for (claim, header) in &self.forward_claims {
            push(header, claim_text(claims.get(claim)));
        }
        headers
    }
}

/// A claim as header text: strings as they are, arrays of strings joined by `,`, numbers
/// and booleans as JSON, objects as compact JSON.
fn claim_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}

fn is_header_value(value: &str) -> bool {
    !value.is_empty() && !value.chars().any(|c| c.is_control())
}

/// Standard base64 with padding (HTTP Basic, RFC 7617).
fn base64_standard_decode(text: &str) -> Option<Vec<u8>> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(text).ok()
}

/// `application/x-www-form-urlencoded` decoding of one value.
///
/// # Errors
/// `None` for a broken `%` escape or bytes that are not UTF-8.
pub fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Reads `application/x-www-form-urlencoded` fields (RFC 7662 §2.1, RFC 7009 §2.1 bodies).
///
/// # Errors
/// `invalid_request` when a field is repeated (RFC 6749 §3.2: parameters must not be
/// included more than once) or badly escaped.
pub fn parse_form(body: &str) -> Result<Map<String, Value>, Error> {
    let mut fields = Map::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = || Error::new(ErrorCode::InvalidRequest, "the form body is badly encoded");
        let (name, value) = (
            form_decode(name).ok_or_else(bad)?,
            form_decode(value).ok_or_else(bad)?,
        );
        if fields.insert(name, Value::String(value)).is_some() {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "a form parameter is repeated",
            ));
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    fn settings(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (String::from(*k), String::from(*v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    const BASE: [(&str, &str); 2] = [
        ("ISSUER", "https://issuer.example"),
        ("AUDIENCE", "api, other"),
    ];

    #[test]
    fn minimal_configuration_uses_discovery_and_the_asymmetric_default() {
        let config = GatewayConfig::from_settings(settings(&BASE)).unwrap();
        assert!(
            matches!(config.providers[0].keys, KeySource::Discovery(ref i) if i == "https://issuer.example")
        );
        assert_eq!(
            config.providers[0].validator.options().audiences,
            ["api", "other"]
        );
        assert_eq!(
            config.providers[0].validator.options().algorithms,
            Algorithm::ASYMMETRIC
        );
        assert_eq!(config.realm, "api");
        assert!(config.origin.is_none());
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "ISSUER"),
            (&[("ISSUER", "http://issuer.example")], "ISSUER"),
            (
                &[("ISSUER", "https://i"), ("ALGORITHMS", "RS256,none")],
                "ALGORITHMS",
            ),
            (
                &[("ISSUER", "https://i"), ("CLOCK_TOLERANCE_SECONDS", "soon")],
                "CLOCK_TOLERANCE_SECONDS",
            ),
            (&[("ISSUER", "https://i"), ("JWKS", "{")], "JWKS"),
            (
                &[("ISSUER", "https://i"), ("JWKS", r#"{"keys":[]}"#)],
                "JWKS",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("JWKS_URI", "http://evil.example/jwks"),
                ],
                "JWKS_URI",
            ),
            (&[("ISSUER", "https://i"), ("ORIGIN", "ftp://o")], "ORIGIN"),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("ROUTES", r#"[{"prefix":"nope"}]"#),
                ],
                "ROUTES",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("ROUTES", r#"[{"prefix":"/a","scope":["x"]}]"#),
                ],
                "ROUTES",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("FORWARD_CLAIMS", r#"{"email":"X-Email\r\nEvil: 1"}"#),
                ],
                "FORWARD_CLAIMS",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("INTROSPECTION_CLIENTS", r#"{"a":1}"#),
                ],
                "INTROSPECTION_CLIENTS",
            ),
        ];
        for (pairs, setting) in cases {
            let err = GatewayConfig::from_settings(settings(pairs)).unwrap_err();
            assert_eq!(err.setting, *setting, "{pairs:?}: {}", err.reason);
        }
    }

    #[test]
    fn token_cache_settings() {
        let entries = |pairs: &[(&str, &str)]| {
            let mut all = alloc::vec![("ISSUER", "https://i")];
            all.extend_from_slice(pairs);
            GatewayConfig::from_settings(settings(&all)).map(|c| c.token_cache_max_entries)
        };
        assert_eq!(entries(&[]), Ok(crate::token_cache::DEFAULT_MAX_ENTRIES));
        assert_eq!(entries(&[("TOKEN_CACHE", "true")]), Ok(1000));
        assert_eq!(entries(&[("TOKEN_CACHE_MAX_ENTRIES", "50")]), Ok(50));
        assert_eq!(
            entries(&[("TOKEN_CACHE", "false"), ("TOKEN_CACHE_MAX_ENTRIES", "50")]),
            Ok(0)
        );
        assert_eq!(
            entries(&[("TOKEN_CACHE", "off")]).unwrap_err().setting,
            "TOKEN_CACHE"
        );
        assert_eq!(
            entries(&[("TOKEN_CACHE_MAX_ENTRIES", "-1")])
                .unwrap_err()
                .setting,
            "TOKEN_CACHE_MAX_ENTRIES"
        );
    }

    #[test]
    fn providers_dpop_and_introspection_settings() {
        let providers = r#"[{"issuer":"https://a.example","audience":"api"},{"issuer":"https://b.example","jwksUri":"https://b.example/keys"}]"#;
        let config = GatewayConfig::from_settings(settings(&[
            ("PROVIDERS", providers),
            ("CLOCK_TOLERANCE_SECONDS", "5"),
            ("DPOP", "required"),
            ("DPOP_NONCE", "true"),
            ("INTROSPECTION_ENDPOINT", "https://as.example/introspect"),
            ("INTROSPECTION_CLIENT_ID", "gw"),
            ("INTROSPECTION_CLIENT_SECRET", "s"),
        ]))
        .unwrap();
        assert_eq!(config.providers.len(), 2);
        assert_eq!(
            config.providers[1]
                .validator
                .options()
                .clock_tolerance_seconds,
            5,
            "shared options reach every provider"
        );
        assert_eq!(config.dpop, DpopMode::Required);
        assert!(config.dpop_nonce);
        assert_eq!(
            config.introspection.as_ref().unwrap().authorization,
            "Basic Z3c6cw=="
        );
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("PROVIDERS", providers), ("ISSUER", "https://a.example")],
                "PROVIDERS",
            ),
            (&[("ISSUER", "https://i"), ("DPOP", "sometimes")], "DPOP"),
            (
                &[("ISSUER", "https://i"), ("DPOP_NONCE", "yes")],
                "DPOP_NONCE",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("INTROSPECTION_ENDPOINT", "http://as.example/i"),
                ],
                "INTROSPECTION_ENDPOINT",
            ),
            (
                &[
                    ("ISSUER", "https://i"),
                    ("INTROSPECTION_ENDPOINT", "https://as.example/i"),
                ],
                "INTROSPECTION_CLIENT_ID",
            ),
        ];
        for (pairs, setting) in cases {
            let err = GatewayConfig::from_settings(settings(pairs)).unwrap_err();
            assert_eq!(err.setting, *setting, "{pairs:?}: {}", err.reason);
        }
    }

    #[test]
    fn first_matching_route_wins_and_methods_narrow_it() {
        let mut pairs = BASE.to_vec();
        let routes = r#"[{"prefix":"/public/","public":true},
                         {"prefix":"/admin/","methods":["post","DELETE"],"scopes":["admin"]},
                         {"prefix":"/","scopes":["read"]}]"#;
        pairs.push(("ROUTES", routes));
        let config = GatewayConfig::from_settings(settings(&pairs)).unwrap();
        assert!(config.route("/public/x", "GET").unwrap().public);
        assert_eq!(
            config.route("/admin/users", "POST").unwrap().scopes,
            ["admin"]
        );
        assert_eq!(
            config.route("/admin/users", "GET").unwrap().scopes,
            ["read"]
        );
        assert_eq!(config.route("/anything", "PUT").unwrap().scopes, ["read"]);
    }

    #[test]
    fn basic_client_authentication_is_exact() {
        let mut pairs = BASE.to_vec();
        pairs.push((
            "INTROSPECTION_CLIENTS",
            r#"{"rs1":"s3cret","rs 2":"p@ss:word"}"#,
        ));
        let config = GatewayConfig::from_settings(settings(&pairs)).unwrap();
        let basic = |text: &str| {
            use base64ct::{Base64, Encoding};
            alloc::format!("Basic {}", Base64::encode_string(text.as_bytes()))
        };
        assert_eq!(
            config.authenticate_client(Some(&basic("rs1:s3cret"))),
            Some("rs1")
        );
        assert_eq!(
            config.authenticate_client(Some(&basic("rs+2:p%40ss%3Aword"))),
            Some("rs 2")
        );
        assert_eq!(config.authenticate_client(Some(&basic("rs1:s3cre"))), None);
        assert_eq!(
            config.authenticate_client(Some(&basic("rs1:s3cret2"))),
            None
        );
        assert_eq!(
            config.authenticate_client(Some(&basic("nobody:s3cret"))),
            None
        );
        assert_eq!(config.authenticate_client(Some("Bearer x")), None);
        assert_eq!(config.authenticate_client(None), None);
    }

    #[test]
    fn admin_token_needs_an_exact_bearer_match() {
        let mut pairs = BASE.to_vec();
        pairs.push(("ADMIN_TOKEN", "admin-secret"));
        let config = GatewayConfig::from_settings(settings(&pairs)).unwrap();
        assert!(config.is_admin(Some("Bearer admin-secret")));
        assert!(!config.is_admin(Some("Bearer admin-secre")));
        assert!(!config.is_admin(None));
        let without = GatewayConfig::from_settings(settings(&BASE)).unwrap();
        assert!(!without.is_admin(Some("Bearer ")));
    }

    #[test]
    fn forms_refuse_repeats_and_decode_escapes() {
        let form = parse_form("token=a%2Bb+c&token_type_hint=access_token").unwrap();
        assert_eq!(form["token"], "a+b c");
        assert_eq!(
            parse_form("token=a&token=b").unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            parse_form("token=%zz").unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        assert_eq!(form_decode("%"), None);
    }
}
