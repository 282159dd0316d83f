//! One request through the gateway: configuration, CORS, reserved paths, route, token,
//! keys, validation, revocation, then forward or echo.

use std::rc::Rc;

use serde_json::json;
use worker::wasm_bindgen::JsValue;
use worker::{Context, Env, Request, Response};

use super::http::{cors_headers, log_event, log_rejection, Reply};
use super::state::{isolate, Isolate};
use super::{admin, keys, proxy, revocations};
use crate::error::Error;
use crate::gateway::{GatewayConfig, KeySource};
use crate::policy::VerifiedToken;
use crate::token::UntrustedJws;

pub enum Validated {
    Ok(Box<VerifiedToken>),
    Failed(Error),
    /// The keys cannot be had: 503 with `Retry-After` seconds.
    Unavailable(Error, u64),
}

/// Validates `token` (keys, signature, claims with `route_scopes`, revocation).
pub async fn validate(
    isolate: &Rc<Isolate>,
    config: &GatewayConfig,
    env: &Env,
    ctx: &Context,
    token: &str,
    route_scopes: &[String],
) -> Validated {
    if let Err((error, retry)) = keys::ensure(isolate, config, token, ctx).await {
        return Validated::Unavailable(error, retry);
    }
    let now = keys::now(config);
    let pending = match &config.keys {
        KeySource::Static(jwks) => config.validator.begin(token, jwks),
        _ => {
            let cache = isolate.jwks.borrow();
            match config
                .validator
                .key_lookup(token)
                .and_then(|_| cache.keys(now))
            {
                Ok(jwks) => config.validator.begin(token, jwks),
                Err(error) => {
                    let retry = cache.retry_after(now);
                    return if error.code().is_unavailable() {
                        Validated::Unavailable(error, retry)
                    } else {
                        Validated::Failed(error)
                    };
                }
            }
        }
    };
    let verified = match pending
        .and_then(|p| p.verify_native())
        .and_then(|jws| config.validator.check_claims(jws, now, route_scopes))
    {
        Ok(verified) => verified,
        Err(error) => return Validated::Failed(error),
    };
    match revocations::check(
        isolate,
        env,
        verified.claims(),
        now,
        config.max_token_lifetime_seconds as f64,
    )
    .await
    {
        Ok(()) => Validated::Ok(Box::new(verified)),
        Err(error) => Validated::Failed(error),
    }
}

fn not_configured() -> Reply {
    Reply::json(
        500,
        &json!({"error": "server_error", "code": "not_configured"}),
    )
    .header("Cache-Control", "no-store")
}

pub async fn handle(request: Request, env: &Env, ctx: &Context) -> Result<Response, JsValue> {
    let isolate = isolate(env);
    let config = match &isolate.config {
        Ok(config) => config,
        Err(problem) => {
            if !isolate.config_logged.replace(true) {
                log_event(
                    &json!({"event": "not_configured", "setting": problem.setting, "reason": problem.reason}),
                );
            }
            return not_configured().into_response();
        }
    };
    let inner = request.inner();
    let method = inner.method();
    let headers = inner.headers();
    let origin = headers.get("Origin")?;
    let allowed_origin = origin.as_deref().filter(|o| config.cors_allows(o));

    // CORS preflight: answered without a token, only for allowed origins.
    if method == "OPTIONS" {
        if let (Some(_), Some(requested)) = (&origin, headers.get("Access-Control-Request-Method")?)
        {
            let Some(allowed) = allowed_origin else {
                return Reply::empty(403).header("Vary", "Origin").into_response();
            };
            let requested_headers = headers.get("Access-Control-Request-Headers")?;
            let mut reply = Reply::empty(204);
            reply.headers.extend(cors_headers(
                allowed,
                Some((&requested, requested_headers.as_deref())),
            ));
            return reply.into_response();
        }
    }
    let cors = allowed_origin
        .map(|o| cors_headers(o, None))
        .unwrap_or_default();
    let with_cors = |mut reply: Reply| {
        reply.headers.extend(cors.iter().cloned());
        reply.into_response()
    };

    let url = inner.url();
    let path_and_query = proxy::path_and_query(&url);
    let path = path_and_query.split('?').next().unwrap_or("/");
    if path.starts_with("/_auth/") {
        return with_cors(admin::handle(path, inner, &isolate, config, env, ctx).await?);
    }

    let route = config.route(path, &method);
    if route.is_some_and(|r| r.public) {
        return match &config.origin {
            Some(origin) => proxy::forward(inner, origin, &[], &cors).await,
            None => with_cors(Reply::json(
                200,
                &json!({"sub": null, "scopes": [], "claims": {}, "public": true}),
            )),
        };
    }
    let route_scopes = route.map(|r| r.scopes.clone()).unwrap_or_default();
    let required_scope = {
        let all: Vec<&str> = config
            .validator
            .options()
            .required_scopes
            .iter()
            .chain(&route_scopes)
            .map(String::as_str)
            .collect();
        (!all.is_empty()).then(|| all.join(" "))
    };

    // RFC 6750 §2.1 only: a token in the query (§2.3) or a form body is not looked at.
    let authorization = headers.get("Authorization")?;
    let token = match crate::http::extract_bearer(authorization.as_deref()) {
        Ok(token) => token.to_string(),
        Err(error) => {
            log_rejection(&error, None, None, None);
            return with_cors(Reply::failure(config, &error, None, None));
        }
    };
    match validate(&isolate, config, env, ctx, &token, &route_scopes).await {
        Validated::Ok(verified) => {
            let identity = config.identity_headers(&verified);
            match &config.origin {
                Some(origin) => match proxy::forward(inner, origin, &identity, &cors).await {
                    Ok(response) => Ok(response),
                    Err(_) => {
                        log_event(&json!({"event": "origin_unreachable"}));
                        with_cors(
                            Reply::json(502, &json!({"error": "bad_gateway"}))
                                .header("Cache-Control", "no-store"),
                        )
                    }
                },
                None => with_cors(Reply::json(
                    200,
                    &json!({"sub": verified.subject(), "scopes": verified.scopes(), "claims": verified.claims()}),
                )),
            }
        }
        Validated::Failed(error) => {
            // For the log only: what the (unverified) token claims to be, cut short.
            let jws = UntrustedJws::parse(&token, config.validator.options().max_token_bytes).ok();
            let kid = jws
                .as_ref()
                .and_then(|jws| jws.header().kid().map(String::from));
            let issuer = jws.as_ref().and_then(|jws| {
                crate::json::parse_strict_object(jws.payload())
                    .ok()
                    .and_then(|claims| claims.get("iss").and_then(|v| v.as_str()).map(String::from))
            });
            log_rejection(&error, Some(&token), kid.as_deref(), issuer.as_deref());
            with_cors(Reply::failure(
                config,
                &error,
                required_scope.as_deref(),
                None,
            ))
        }
        Validated::Unavailable(error, retry) => {
            log_rejection(&error, Some(&token), None, None);
            with_cors(Reply::failure(config, &error, None, Some(retry)))
        }
    }
}
