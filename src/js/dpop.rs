//! DPoP and certificate binding for the JS door: translation only; the checks are
//! `crate::dpop`'s.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;

use super::JsPending;
use crate::dpop::{self, DpopError, DpopRequest, Presentation};
use crate::jwk::Jwk;
use crate::Algorithm;

/// The claims the loader sends back (JSON of an object it got from the core); anything else
/// reads as no claims. Parsed as a `Value`, the one JSON reader the wasm already carries.
fn claims_map(claims_json: &str) -> Map<String, Value> {
    match serde_json::from_str(claims_json) {
        Ok(Value::Object(claims)) => claims,
        _ => Map::new(),
    }
}

fn dpop_error_to_js(err: &DpopError) -> JsValue {
    JsValue::from_str(&super::string_object(&[
        ("code", err.error.code().as_str()),
        ("description", err.error.description()),
        ("dpopError", err.oauth_error()),
    ]))
}

/// A DPoP proof in its first phase: the signature check, with the proof's own key.
#[wasm_bindgen]
pub struct JsDpopProof {
    pending: Option<JsPending>,
    key: Jwk,
}

#[wasm_bindgen]
impl JsDpopProof {
    /// The signature phase, for the host to verify (same shape as a token's).
    #[wasm_bindgen(js_name = takePending)]
    pub fn take_pending(&mut self) -> Option<JsPending> {
        self.pending.take()
    }
}

/// Phase one of a proof: typ, embedded public jwk, allowed asymmetric alg.
#[wasm_bindgen(js_name = beginDpopProof)]
pub fn begin_dpop_proof(proof: &str, algorithms: Vec<String>) -> Result<JsDpopProof, JsValue> {
    let allowed: Vec<Algorithm> = algorithms
        .iter()
        .filter_map(|name| Algorithm::from_name(name))
        .collect();
    let (pending, key) = dpop::begin_proof(proof, &allowed).map_err(|e| dpop_error_to_js(&e))?;
    Ok(JsDpopProof {
        pending: Some(JsPending {
            inner: pending,
            token: None,
            prechecked: None,
            key_id: u32::MAX,
        }),
        key,
    })
}

/// Phase two: the verdict, then the request and binding checks. Returns
/// `{jti, rememberUntil, jkt}` for the replay store.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = finishDpopProof)]
pub fn finish_dpop_proof(
    proof: JsDpopProof,
    pending: JsPending,
    host_verdict: Option<bool>,
    method: &str,
    url: &str,
    access_token: &str,
    claims_json: &str,
    now: f64,
    clock_tolerance_seconds: f64,
    nonce: Option<String>,
) -> Result<String, JsValue> {
    let verified = dpop::verify_proof_signature(pending.inner, host_verdict)
        .map_err(|e| dpop_error_to_js(&e))?;
    let claims = claims_map(claims_json);
    let request = DpopRequest {
        method,
        url,
        access_token,
        nonce: nonce.as_deref(),
    };
    let accepted = dpop::check_proof(
        verified,
        &proof.key,
        &request,
        &claims,
        now,
        clock_tolerance_seconds,
    )
    .map_err(|e| dpop_error_to_js(&e))?;
    Ok(
        json!({"jti": accepted.jti, "rememberUntil": accepted.remember_until, "jkt": accepted.jkt})
            .to_string(),
    )
}

/// The binding rules for how the token was presented (`jkt` of the checked proof, or none
/// for Bearer) and the client certificate's thumbprint, if any.
#[wasm_bindgen(js_name = checkBinding)]
pub fn check_binding(
    claims_json: &str,
    dpop_jkt: Option<String>,
    client_certificate_thumbprint: Option<String>,
) -> Result<(), JsValue> {
    let claims = claims_map(claims_json);
    let presentation = match &dpop_jkt {
        Some(jkt) => Presentation::Dpop { jkt },
        None => Presentation::Bearer,
    };
    dpop::check_binding_claims(
        &claims,
        presentation,
        client_certificate_thumbprint.as_deref(),
    )
    .map_err(|e| super::error_to_js(&e))
}

/// The `WWW-Authenticate` value of a DPoP challenge.
#[wasm_bindgen(js_name = dpopChallenge)]
pub fn dpop_challenge(
    realm: &str,
    algorithms: Vec<String>,
    error: Option<String>,
    description: Option<String>,
) -> String {
    let algs: Vec<Algorithm> = algorithms
        .iter()
        .filter_map(|name| Algorithm::from_name(name))
        .collect();
    let pair = error
        .as_deref()
        .map(|e| (e, description.as_deref().unwrap_or("")));
    dpop::challenge(realm, &algs, pair)
}

/// Reads the credentials of a scheme (`DPoP`) from an `Authorization` value; `null` when
/// another scheme is used.
#[wasm_bindgen(js_name = extractScheme)]
pub fn extract_scheme(
    authorization: Option<String>,
    scheme: &str,
) -> Result<Option<String>, JsValue> {
    crate::http::extract_scheme(authorization.as_deref(), scheme)
        .map(|t| t.map(ToString::to_string))
        .map_err(|e| super::error_to_js(&e))
}
