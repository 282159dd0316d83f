//! Response building and logging for the Worker door.

use serde_json::{json, Value};
use worker::wasm_bindgen::JsValue;
use worker::{console_log, web_sys};

use super::sender::Refusal;
use crate::dpop;
use crate::error::Error;
use crate::gateway::{DpopMode, GatewayConfig};

/// Headers of a response being built.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(body.to_string()),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A failure in RFC 6750 form: status, challenge, JSON body, `Cache-Control: no-store`.
    pub fn failure(
        config: &GatewayConfig,
        error: &Error,
        required_scope: Option<&str>,
        retry_after: Option<u64>,
    ) -> Reply {
        let body: Value =
            serde_json::from_str(&crate::http::error_body(error)).unwrap_or(Value::Null);
        let mut reply = Reply::json(error.http_status(), &body)
            .header("Cache-Control", "no-store")
            .header(
                "WWW-Authenticate",
                error.www_authenticate(&config.realm, required_scope),
            );
        if error.code().is_unavailable() {
            reply = reply.header("Retry-After", retry_after.unwrap_or(1).to_string());
        }
        reply
    }

    /// No usable token: the challenges of the schemes the gateway accepts, Bearer first
    /// (RFC 6750 §3, RFC 9449 §7.1), with no `error` when nothing was presented.
    pub fn unauthenticated(config: &GatewayConfig, error: &Error, nonce: Option<&str>) -> Reply {
        let mut reply = Reply::failure(config, error, None, None);
        if config.dpop == DpopMode::Disabled {
            return reply;
        }
        if config.dpop == DpopMode::Required {
            reply.headers.retain(|(name, _)| name != "WWW-Authenticate");
        }
        let dpop_error = (error.code() != crate::error::ErrorCode::MissingToken).then(|| {
            (
                error.code().oauth_error().unwrap_or("invalid_request"),
                error.description(),
            )
        });
        reply = reply.header(
            "WWW-Authenticate",
            dpop::challenge(&config.realm, &config.dpop_algorithms(), dpop_error),
        );
        if let Some(nonce) = nonce {
            reply = reply.header("DPoP-Nonce", nonce);
        }
        reply
    }

    /// A refused token: a DPoP proof failure answers with the DPoP challenge (and the Bearer
    /// one first when both schemes are accepted); any other failure uses the scheme the
    /// token came with.
    pub fn refusal(
        config: &GatewayConfig,
        refusal: &Refusal,
        dpop_scheme: bool,
        required_scope: Option<&str>,
        nonce: Option<&str>,
    ) -> Reply {
        let error = &refusal.error;
        let Some(dpop_error) = refusal
            .dpop_error
            .or(dpop_scheme.then(|| error.code().oauth_error().unwrap_or("invalid_token")))
        else {
            return Reply::failure(config, error, required_scope, None);
        };
        let body = json!({"error": dpop_error, "error_description": error.description(), "code": error.code().as_str()});
        let mut reply = Reply::json(error.http_status(), &body).header("Cache-Control", "no-store");
        if refusal.dpop_error.is_some() && config.dpop == DpopMode::Allowed {
            let bearer = Error::new(crate::error::ErrorCode::MissingToken, "");
            reply = reply.header(
                "WWW-Authenticate",
                bearer.www_authenticate(&config.realm, None),
            );
        }
        reply = reply.header(
            "WWW-Authenticate",
            dpop::challenge(
                &config.realm,
                &config.dpop_algorithms(),
                Some((dpop_error, error.description())),
            ),
        );
        if let Some(nonce) = nonce {
            reply = reply.header("DPoP-Nonce", nonce);
        }
        reply
    }

    /// Builds the response. The runtime only refuses malformed header names or values,
    /// which the gateway never produces; that would surface as a thrown error (a 500), not
    /// a panic.
    pub fn into_response(self) -> Result<web_sys::Response, JsValue> {
        let headers = web_sys::Headers::new()?;
        for (name, value) in &self.headers {
            headers.append(name, value)?;
        }
        let init = web_sys::ResponseInit::new();
        init.set_status(self.status);
        init.set_headers(&headers.into());
        web_sys::Response::new_with_opt_str_and_init(self.body.as_deref(), &init)
    }
}

/// The response to a preflight or the headers of a normal response for an allowed origin.
pub fn cors_headers(
    origin: &str,
    preflight: Option<(&str, Option<&str>)>,
) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "Access-Control-Allow-Origin".to_string(),
            origin.to_string(),
        ),
        ("Vary".to_string(), "Origin".to_string()),
    ];
    match preflight {
        Some((method, requested_headers)) => {
            headers.push(("Access-Control-Allow-Methods".into(), method.to_string()));
            headers.push((
                "Access-Control-Allow-Headers".into(),
                requested_headers
                    .unwrap_or("Authorization, Content-Type, DPoP")
                    .to_string(),
            ));
            headers.push(("Access-Control-Max-Age".into(), "600".into()));
        }
        None => headers.push((
            "Access-Control-Expose-Headers".into(),
            "WWW-Authenticate, DPoP-Nonce, Retry-After".into(),
        )),
    }
    headers
}

/// One JSON line per security event; never a token or key.
pub fn log_event(event: &Value) {
    console_log!("{}", event);
}

pub fn log_rejection(error: &Error, token: Option<&str>, kid: Option<&str>, issuer: Option<&str>) {
    let mut event = json!({"event": "token_rejected", "code": error.code().as_str()});
    if let Some(token) = token {
        event["token_fingerprint"] = crate::http::token_fingerprint(token).into();
    }
    if let Some(kid) = kid {
        // The kid comes from the attacker's header: cut it short before logging.
        event["kid"] = kid.chars().take(64).collect::<String>().into();
    }
    if let Some(issuer) = issuer {
        event["issuer"] = issuer.chars().take(128).collect::<String>().into();
    }
    log_event(&event);
}
