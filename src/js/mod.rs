//! The JS door: wasm-bindgen exports the npm package's loader calls. It translates JSON
//! options and results; every rule stays in the core. Signatures can be checked by the host
//! (WebCrypto) through the two-phase [`JsPending`] handle.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::jwk::Jwks;
use crate::policy::{Validator, ValidatorOptions, VerifiedToken};
use crate::token::{PendingSignature, DEFAULT_MAX_TOKEN_BYTES};
use crate::Algorithm;

/// The options of `createValidator`, as the loader passes them (JSON, camelCase).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsOptions {
    issuer: OneOrMany,
    #[serde(default)]
    audience: Option<OneOrMany>,
    #[serde(default)]
    algorithms: Option<Vec<String>>,
    #[serde(default)]
    clock_tolerance_seconds: Option<u64>,
    #[serde(default)]
    max_token_age_seconds: Option<u64>,
    #[serde(default)]
    required_claims: Vec<String>,
    #[serde(default)]
    required_scopes: Vec<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    max_token_bytes: Option<usize>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => alloc::vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

fn option_error(message: String) -> JsValue {
    error_to_js(&Error::with_description(ErrorCode::InvalidRequest, message))
}

/// Errors cross as a JSON string `{code, description}`; the loader turns it into a
/// `TokenError`.
fn error_to_js(err: &Error) -> JsValue {
    JsValue::from_str(
        &json!({"code": err.code().as_str(), "description": err.description()}).to_string(),
    )
}

fn parse_options(options_json: &str) -> Result<ValidatorOptions, JsValue> {
    let js: JsOptions = serde_json::from_str(options_json)
        .map_err(|e| option_error(alloc::format!("invalid options: {e}")))?;
    let mut options = ValidatorOptions::new(String::new());
    options.issuers = js.issuer.into_vec();
    options.audiences = js.audience.map(OneOrMany::into_vec).unwrap_or_default();
    if let Some(names) = js.algorithms {
        options.algorithms = names
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
    if let Some(seconds) = js.clock_tolerance_seconds {
        options.clock_tolerance_seconds = seconds;
    }
    options.max_token_age_seconds = js.max_token_age_seconds;
    options.required_claims = js.required_claims;
    options.required_scopes = js.required_scopes;
    options.token_type = js.token_type;
    options.max_token_bytes = js.max_token_bytes.unwrap_or(DEFAULT_MAX_TOKEN_BYTES);
    Ok(options)
}

/// The result object handed back to JS: `{header, claims, alg, kid?, scopes}`.
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

/// A configured validator with its current key set.
#[wasm_bindgen]
pub struct JsValidator {
    validator: Validator,
    keys: Jwks,
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
            keys: Jwks::default(),
        })
    }

    /// Replaces the key set (a JWKS JSON document).
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&mut self, jwks_json: &str) -> Result<(), JsValue> {
        self.keys = Jwks::from_json(jwks_json.as_bytes()).map_err(|e| error_to_js(&e))?;
        Ok(())
    }

    /// Whether the current key set has a key with this `kid` (for unknown-kid refetches).
    #[wasm_bindgen(js_name = hasKid)]
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.contains_kid(kid)
    }

    /// Phase one: parse, header rules, key choice.
    pub fn begin(&self, token: &str) -> Result<JsPending, JsValue> {
        self.validator
            .begin(token, &self.keys)
            .map(|inner| JsPending { inner })
            .map_err(|e| error_to_js(&e))
    }

    /// Phase two: the signature verdict (from WebCrypto, or `null` to verify in wasm), then
    /// the claim rules at `now` (seconds). Returns the verified token as JSON.
    pub fn finish(
        &self,
        pending: JsPending,
        host_verdict: Option<bool>,
        now: f64,
        extra_scopes: Vec<String>,
    ) -> Result<String, JsValue> {
        let verified = match host_verdict {
            Some(valid) => pending.inner.accept_host_verdict(valid),
            None => pending.inner.verify_native(),
        }
        .map_err(|e| error_to_js(&e))?;
        let token = self
            .validator
            .check_claims(verified, now, &extra_scopes)
            .map_err(|e| error_to_js(&e))?;
        Ok(verified_to_json(&token))
    }
}

/// A token waiting for its signature verdict.
#[wasm_bindgen]
pub struct JsPending {
    inner: PendingSignature,
}

#[wasm_bindgen]
impl JsPending {
    /// The algorithm name.
    #[wasm_bindgen(getter)]
    pub fn alg(&self) -> String {
        self.inner.algorithm().name().to_string()
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

/// Reads the Bearer token from an `Authorization` header value (RFC 6750 §2.1).
#[wasm_bindgen(js_name = extractBearer)]
pub fn extract_bearer(authorization: Option<String>) -> Result<String, JsValue> {
    crate::http::extract_bearer(authorization.as_deref())
        .map(String::from)
        .map_err(|e| error_to_js(&e))
}
