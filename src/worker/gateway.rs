//! Request handling: token → core → response.

use alloc::string::{String, ToString};
use serde_json::json;
use worker::{console_log, Date, Env, Headers, Request, Response, Result};

use super::config::GatewayConfig;
use crate::error::Error;
use crate::http;
use crate::policy::VerifiedToken;

fn now_seconds() -> f64 {
    Date::now().as_millis() as f64 / 1000.0
}

/// Handles one request; every outcome is a response (no error reaches the runtime).
pub async fn handle(request: Request, env: &Env) -> Result<Response> {
    let config = match GatewayConfig::from_env(env) {
        Ok(config) => config,
        Err(problem) => {
            console_log!(
                "{}",
                json!({"event": "not_configured", "setting": problem.setting, "reason": problem.reason})
            );
            return json_response(
                500,
                &json!({"error": "server_error", "code": "not_configured"}).to_string(),
                no_store_headers(),
            );
        }
    };
    if request.path() == "/_auth/healthz" {
        return json_response(200, r#"{"status":"ok"}"#, Headers::new());
    }
    let authorization = request.headers().get("Authorization").ok().flatten();
    let outcome = http::extract_bearer(authorization.as_deref()).and_then(|token| {
        config
            .validator
            .validate(token, &config.keys, now_seconds())
            .inspect_err(|e| log_rejection(e, token))
    });
    match outcome {
        Ok(token) => echo(&token),
        Err(e) => failure(&config, &e),
    }
}

fn log_rejection(error: &Error, token: &str) {
    console_log!(
        "{}",
        json!({
            "event": "token_rejected",
            "code": error.code().as_str(),
            "token_fingerprint": http::token_fingerprint(token),
        })
    );
}

fn echo(token: &VerifiedToken) -> Result<Response> {
    let body = json!({
        "sub": token.subject(),
        "scopes": token.scopes(),
        "claims": token.claims(),
    });
    json_response(200, &body.to_string(), Headers::new())
}

fn failure(config: &GatewayConfig, error: &Error) -> Result<Response> {
    let headers = no_store_headers();
    headers.set(
        "WWW-Authenticate",
        &error.www_authenticate(&config.realm, None),
    )?;
    if error.code().is_unavailable() {
        headers.set("Retry-After", "30")?;
    }
    json_response(error.http_status(), &http::error_body(error), headers)
}

fn no_store_headers() -> Headers {
    let headers = Headers::new();
    // Setting a fixed, valid header on a fresh Headers cannot fail.
    let _ = headers.set("Cache-Control", "no-store");
    headers
}

fn json_response(status: u16, body: &str, headers: Headers) -> Result<Response> {
    headers.set("Content-Type", "application/json")?;
    Ok(Response::ok(String::from(body))?
        .with_status(status)
        .with_headers(headers))
}
