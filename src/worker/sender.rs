//! Sender-constrained tokens at the gateway: DPoP proofs (RFC 9449) with replay protection
//! in the `DPOP_REPLAY` Durable Object (per isolate when it is not bound), server nonces,
//! and certificate binding (RFC 8705) from `request.cf.tlsClientAuth`. The checks are
//! `crate::dpop`'s; this file gathers the request's parts and keeps the replay store.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use worker::wasm_bindgen::JsValue;
use worker::{js_sys, web_sys, Env, Method, Request, RequestInit};

use super::http::log_event;
use super::state::Isolate;
use crate::dpop::{self, DpopRequest, Presentation};
use crate::error::{Error, ErrorCode};
use crate::gateway::{DpopMode, GatewayConfig};

/// How long one server nonce is current, in seconds; the previous one is still accepted.
const NONCE_PERIOD_SECONDS: f64 = 300.0;

/// What the request presented besides the token.
pub struct Presented<'a> {
    /// Whether the `DPoP` scheme carried the token.
    pub dpop_scheme: bool,
    /// The `DPoP` header (exactly one).
    pub proof: Option<String>,
    pub method: &'a str,
    pub url: &'a str,
    /// The request, for its client certificate (`client_certificate`).
    pub request: &'a web_sys::Request,
}

/// A sender-constraint failure: the error, and for DPoP the challenge's `error` value and
/// the nonce to send.
pub struct Refusal {
    pub error: Error,
    /// `invalid_dpop_proof` or `use_dpop_nonce`; `None` for failures answered with the
    /// scheme's ordinary `invalid_token` challenge.
    pub dpop_error: Option<&'static str>,
}

impl Refusal {
    fn proof(error: Error, dpop_error: &'static str) -> Refusal {
        Refusal {
            error,
            dpop_error: Some(dpop_error),
        }
    }
}

/// The client certificate thumbprint the runtime reports (RFC 8705 §2.2: CA-verified or
/// self-signed alike), from the hex `certFingerprintSHA256`.
pub fn client_certificate(request: &web_sys::Request) -> Option<String> {
    let get =
        |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name)).ok();
    let cf = get(request.as_ref(), "cf")?;
    let auth = get(&cf, "tlsClientAuth")?;
    if get(&auth, "certPresented")?.as_string().as_deref() != Some("1") {
        return None;
    }
    dpop::thumbprint_from_hex(&get(&auth, "certFingerprintSHA256")?.as_string()?)
}

/// The server nonce for a time bucket.
fn nonce_for(config: &GatewayConfig, isolate: &Isolate, bucket: i64) -> String {
    let secret = config
        .dpop_nonce_secret
        .as_deref()
        .unwrap_or(&isolate.nonce_secret);
    let digest = Sha256::new()
        .chain_update(b"edge-token-validator dpop nonce\0")
        .chain_update(secret.as_bytes())
        .chain_update(bucket.to_be_bytes())
        .finalize();
    crate::b64::encode(&digest[..18])
}

/// The nonce clients must use now.
pub fn current_nonce(config: &GatewayConfig, isolate: &Isolate, now: f64) -> String {
    nonce_for(config, isolate, (now / NONCE_PERIOD_SECONDS) as i64)
}

/// Remembers a proof's `jti`; false when it was seen within its window.
async fn first_use(
    isolate: &Isolate,
    env: &Env,
    accepted: &dpop::AcceptedProof,
    now: f64,
) -> Result<bool, Error> {
    if let Ok(namespace) = env.durable_object("DPOP_REPLAY") {
        let failed = || {
            Error::new(
                ErrorCode::DpopInvalid,
                "the DPoP replay store is unavailable",
            )
        };
        let stub = namespace
            .id_from_name(&accepted.jkt)
            .and_then(|id| id.get_stub())
            .map_err(|_| failed())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_body(Some(JsValue::from_str(
                &json!({"jti": accepted.jti, "until": accepted.remember_until}).to_string(),
            )));
        let request = Request::new_with_init("https://dpop-replay.internal/remember", &init)
            .map_err(|_| failed())?;
        let response = stub
            .fetch_with_request(request)
            .await
            .map_err(|_| failed())?;
        return match response.status_code() {
            200 => Ok(true),
            409 => Ok(false),
            _ => Err(failed()),
        };
    }
    if !isolate.dpop_warned.replace(true) {
        log_event(
            &json!({"event": "dpop_replay_per_isolate", "reason": "no DPOP_REPLAY Durable Object is bound: replay protection is per-isolate only"}),
        );
    }
    let mut seen = isolate.dpop_seen.borrow_mut();
    seen.retain(|_, until| *until > now);
    let key = format!("{}:{}", accepted.jkt, accepted.jti);
    if seen.contains_key(&key) {
        return Ok(false);
    }
    seen.insert(key, accepted.remember_until);
    Ok(true)
}

/// Applies the sender constraints to a token whose claims passed.
pub async fn check(
    isolate: &Isolate,
    config: &GatewayConfig,
    env: &Env,
    presented: &Presented<'_>,
    token: &str,
    claims: &Map<String, Value>,
    now: f64,
) -> Result<(), Refusal> {
    let clock_tolerance_seconds = config.providers[0]
        .validator
        .options()
        .clock_tolerance_seconds as f64;
    // Only a certificate-bound token needs the certificate, and reading `request.cf` makes
    // the runtime build the whole `cf` object again.
    let certificate = if dpop::binding_needs_certificate(claims) {
        client_certificate(presented.request)
    } else {
        None
    };
    let certificate = certificate.as_deref();
    if !presented.dpop_scheme {
        if config.dpop == DpopMode::Required {
            return Err(Refusal::proof(
                Error::new(
                    ErrorCode::DpopInvalid,
                    "this resource requires DPoP-bound tokens",
                ),
                "invalid_dpop_proof",
            ));
        }
        return dpop::check_binding_claims(claims, Presentation::Bearer, certificate).map_err(
            |error| Refusal {
                error,
                dpop_error: None,
            },
        );
    }
    let invalid = |e: dpop::DpopError| Refusal::proof(e.error.clone(), e.oauth_error());
    let proof = presented.proof.as_deref().ok_or_else(|| {
        Refusal::proof(
            Error::new(ErrorCode::DpopInvalid, "the DPoP header is missing"),
            "invalid_dpop_proof",
        )
    })?;
    let (pending, key) = dpop::begin_proof(proof, &config.dpop_algorithms()).map_err(invalid)?;
    let verified = dpop::verify_proof_signature(pending, None).map_err(invalid)?;
    let request = |nonce| DpopRequest {
        method: presented.method,
        url: presented.url,
        access_token: token,
        nonce,
    };
    let current = config
        .dpop_nonce
        .then(|| current_nonce(config, isolate, now));
    let mut outcome = dpop::check_proof(
        verified.clone(),
        &key,
        &request(current.as_deref()),
        claims,
        now,
        clock_tolerance_seconds,
    );
    if config.dpop_nonce && outcome.as_ref().is_err_and(|e| e.use_nonce) {
        // The previous period's nonce is still good: a client should not lose a request to
        // the rollover.
        let previous = nonce_for(config, isolate, (now / NONCE_PERIOD_SECONDS) as i64 - 1);
        outcome = dpop::check_proof(
            verified,
            &key,
            &request(Some(&previous)),
            claims,
            now,
            clock_tolerance_seconds,
        );
    }
    let accepted = outcome.map_err(invalid)?;
    match first_use(isolate, env, &accepted, now).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(Refusal::proof(
                Error::new(
                    ErrorCode::DpopInvalid,
                    "the DPoP proof was already used (jti replay)",
                ),
                "invalid_dpop_proof",
            ))
        }
        Err(error) => return Err(Refusal::proof(error, "invalid_dpop_proof")),
    }
    dpop::check_binding_claims(
        claims,
        Presentation::Dpop { jkt: &accepted.jkt },
        certificate,
    )
    .map_err(|error| Refusal {
        error,
        dpop_error: None,
    })
}
