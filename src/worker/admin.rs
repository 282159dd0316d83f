//! The reserved `/_auth/` endpoints: health, RFC 7662 introspection, RFC 7009 revocation,
//! and the admin revocation API.

use serde_json::{json, Value};
use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Env};

use super::handler::{validate, Validated};
use super::http::{log_event, Reply};
use super::revocations;
use super::state::Isolate;
use crate::gateway::{parse_form, GatewayConfig};
use crate::revocation::{parse_revocation_request, RevocationRequest};
use std::rc::Rc;

async fn body_text(request: &web_sys::Request) -> Result<String, JsValue> {
    let text = wasm_bindgen_futures::JsFuture::from(request.text()?).await?;
    Ok(text.as_string().unwrap_or_default())
}

fn invalid_client(config: &GatewayConfig) -> Reply {
    // RFC 6749 §5.2: invalid_client with a Basic challenge.
    Reply::json(
        401,
        &json!({"error": "invalid_client", "error_description": "client authentication failed"}),
    )
    .header("Cache-Control", "no-store")
    .header(
        "WWW-Authenticate",
        format!("Basic realm=\"{}\"", config.realm.replace(['"', '\\'], "")),
    )
}

fn bad_request(description: &str) -> Reply {
    Reply::json(
        400,
        &json!({"error": "invalid_request", "error_description": description}),
    )
    .header("Cache-Control", "no-store")
}

fn form_token(text: &str) -> Result<String, Reply> {
    let form = parse_form(text).map_err(|e| bad_request(e.description()))?;
    match form.get("token") {
        Some(Value::String(token)) if !token.is_empty() => Ok(token.clone()),
        _ => Err(bad_request("the token parameter is required")),
    }
}

/// The `/_auth/introspect` and `/_auth/revoke` preamble: an authenticated client (HTTP Basic)
/// and the form's `token`; otherwise the reply to send.
async fn client_and_token(
    config: &GatewayConfig,
    authorization: Option<&str>,
    request: &web_sys::Request,
) -> Result<Result<(String, String), Reply>, JsValue> {
    let Some(client) = config.authenticate_client(authorization).map(String::from) else {
        return Ok(Err(invalid_client(config)));
    };
    Ok(form_token(&body_text(request).await?).map(|token| (client, token)))
}

pub async fn handle(
    path: &str,
    request: &web_sys::Request,
    isolate: &Rc<Isolate>,
    config: &GatewayConfig,
    env: &Env,
    ctx: &worker::Context,
) -> Result<Reply, JsValue> {
    let method = request.method();
    let authorization = request.headers().get("Authorization")?;
    match (path, method.as_str()) {
        ("/_auth/healthz", "GET" | "HEAD") => Ok(Reply::json(200, &json!({"status": "ok"}))),
        ("/_auth/introspect", "POST") => {
            let (client, token) =
                match client_and_token(config, authorization.as_deref(), request).await? {
                    Ok(found) => found,
                    Err(reply) => return Ok(reply),
                };
            let answer = match validate(isolate, config, env, ctx, &token, &[], None).await {
                Validated::Ok(identity) => {
                    crate::introspect::introspection_for_claims(&identity.claims)
                }
                Validated::Unavailable(error, retry) => {
                    return Ok(Reply::failure(config, &error, None, Some(retry)))
                }
                Validated::Failed(refusal) => {
                    crate::introspect::introspection_response(&Err(refusal.error))
                }
            };
            log_event(
                &json!({"event": "introspection", "client_id": client, "active": answer["active"]}),
            );
            Ok(Reply::json(200, &answer).header("Cache-Control", "no-store"))
        }
        ("/_auth/revoke", "POST") => {
            let (client, token) =
                match client_and_token(config, authorization.as_deref(), request).await? {
                    Ok(found) => found,
                    Err(reply) => return Ok(reply),
                };
            // RFC 7009 §2.2: an invalid or unknown token is not an error; there is nothing to revoke.
            if let Validated::Ok(identity) =
                validate(isolate, config, env, ctx, &token, &[], None).await
            {
                let claims = &identity.claims;
                if let (Some(jti), Some(exp)) = (
                    claims.get("jti").and_then(Value::as_str),
                    claims.get("exp").and_then(Value::as_f64),
                ) {
                    let request = RevocationRequest::Token {
                        jti: jti.into(),
                        exp,
                    };
                    let kv = revocations::apply(
                        isolate,
                        env,
                        &request,
                        super::keys::now(config),
                        config.max_token_lifetime_seconds as f64,
                    )
                    .await;
                    log_event(
                        &json!({"event": "revocation", "by": client, "why": "the client revoked the token (RFC 7009)", "jti": jti, "kv": kv.as_ref().map(|r| r.is_ok()).unwrap_or(false)}),
                    );
                } else {
                    log_event(
                        &json!({"event": "revocation_skipped", "by": client, "reason": "token has no jti"}),
                    );
                }
            }
            Ok(Reply::empty(200).header("Cache-Control", "no-store"))
        }
        ("/_auth/revocations", "POST") => {
            if !config.is_admin(authorization.as_deref()) {
                return Ok(Reply::json(401, &json!({"error": "invalid_token", "error_description": "the admin token is required"}))
                    .header("Cache-Control", "no-store")
                    .header("WWW-Authenticate", format!("Bearer realm=\"{}\", error=\"invalid_token\"", config.realm.replace(['"', '\\'], ""))));
            }
            let body = body_text(request).await?;
            let request = match parse_revocation_request(body.as_bytes()) {
                Ok(request) => request,
                Err(error) => return Ok(bad_request(error.description())),
            };
            let now = super::keys::now(config);
            match revocations::apply(
                isolate,
                env,
                &request,
                now,
                config.max_token_lifetime_seconds as f64,
            )
            .await
            {
                Ok(kv) => {
                    let (kind, id) = match &request {
                        RevocationRequest::Subject { sub } => ("sub", sub.as_str()),
                        RevocationRequest::Token { jti, .. } => ("jti", jti.as_str()),
                    };
                    let why = if kind == "sub" {
                        "the admin revoked every token of the subject issued before now"
                    } else {
                        "the admin revoked one token"
                    };
                    log_event(
                        &json!({"event": "revocation", "by": "admin", "why": why, kind: id, "kv": kv.is_ok(), "kv_error": kv.err()}),
                    );
                    Ok(Reply::json(200, &json!({"revoked": {kind: id}, "at": now}))
                        .header("Cache-Control", "no-store"))
                }
                Err(error) => Ok(bad_request(error.description())),
            }
        }
        ("/_auth/healthz" | "/_auth/introspect" | "/_auth/revoke" | "/_auth/revocations", _) => {
            Ok(Reply::json(405, &json!({"error": "method_not_allowed"})))
        }
        _ => Ok(Reply::json(404, &json!({"error": "not_found"}))),
    }
}
