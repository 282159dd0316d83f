//! One request through the gateway: configuration, CORS, reserved paths, route, token
//! (Bearer or DPoP), keys or upstream introspection, validation, sender constraints,
//! revocation, then forward or echo.

use std::cell::OnceCell;
use std::rc::Rc;

use serde_json::{json, Map, Value};
use worker::js_sys::JsString;
use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Context, Env};

use super::http::{cors_headers, log_event, log_rejection, Reply};
use super::proxy::{self, Answer};
use super::sender::{self, Presented, Refusal};
use super::state::{isolate, Isolate, Keys};
use super::{admin, keys, opaque, revocations};
use crate::error::{Error, ErrorCode};
use crate::gateway::{DpopMode, GatewayConfig, KeySource};
use crate::providers::Provider;
use crate::token::UntrustedJws;
use crate::token_cache::Lookup;

/// A token that passed: its claims and scopes (from a JWT or an introspection answer).
/// Shared with the token cache, so a repeated token costs no copy of its claims.
pub struct Identity {
    pub claims: Map<String, Value>,
    pub scopes: Vec<String>,
    /// What the origin is told about it, made on first use: the same for every request
    /// with this token (the configuration is the isolate's), and serialising the claims for
    /// `X-Auth-Claims` was a large part of a cached token's cost. Kept as JS strings, so
    /// they are not copied out of wasm memory again for each request either.
    forwarded: OnceCell<Vec<(JsString, JsString)>>,
}

impl Identity {
    fn new(claims: Map<String, Value>, scopes: Vec<String>) -> Identity {
        Identity {
            claims,
            scopes,
            forwarded: OnceCell::new(),
        }
    }

    /// The identity headers for the origin (`GatewayConfig::identity_headers`).
    pub fn headers(&self, config: &GatewayConfig) -> &[(JsString, JsString)] {
        self.forwarded.get_or_init(|| {
            config
                .identity_headers(&self.claims, &self.scopes)
                .iter()
                .map(|(name, value)| {
                    (
                        JsString::from(name.as_str()),
                        JsString::from(value.as_str()),
                    )
                })
                .collect()
        })
    }
}

pub enum Validated {
    Ok(Rc<Identity>),
    Failed(Refusal),
    /// Keys or the introspection endpoint cannot be had: 503 with `Retry-After` seconds.
    Unavailable(Error, u64),
}

fn failed(error: Error) -> Validated {
    Validated::Failed(Refusal {
        error,
        dpop_error: None,
    })
}

/// A token this isolate verified before, judged again at `now` against the provider's
/// current keys (the same key must still be chosen) and its clock and scope rules.
fn cached_jwt(
    keys: &Keys,
    provider: &Provider,
    token: &str,
    now: f64,
    route_scopes: &[String],
) -> Result<Option<Rc<Identity>>, Error> {
    let remote = keys.jwks.borrow();
    let jwks = match &provider.keys {
        KeySource::Static(jwks) => jwks,
        _ => match remote.fresh_keys(now) {
            Some(jwks) => jwks,
            None => return Ok(None),
        },
    };
    let mut tokens = keys.tokens.borrow_mut();
    match tokens.get(token, &provider.validator, jwks, now, route_scopes)? {
        Lookup::Hit { data, .. } => Ok(Some(Rc::clone(data))),
        Lookup::Miss => Ok(None),
    }
}

/// A JWT: provider by `iss`, keys, signature, claims with `route_scopes`.
async fn validate_jwt(
    isolate: &Rc<Isolate>,
    config: &GatewayConfig,
    ctx: &Context,
    token: &str,
    route_scopes: &[String],
) -> Result<Rc<Identity>, Validated> {
    // Warm: a token verified before costs a lookup (no parse, no signature).
    let now = keys::now(config);
    for (provider, keys) in config.providers.iter().zip(&isolate.keys) {
        if let Some(identity) =
            cached_jwt(keys, provider, token, now, route_scopes).map_err(failed)?
        {
            return Ok(identity);
        }
    }
    let (index, provider) = config.provider_for(token).map_err(failed)?;
    let keys = &isolate.keys[index];
    if let Err((error, retry)) = keys::ensure(keys, provider, config, token, ctx).await {
        return Err(Validated::Unavailable(error, retry));
    }
    let now = keys::now(config);
    let pending = match &provider.keys {
        KeySource::Static(jwks) => provider.validator.begin(token, jwks),
        _ => {
            let cache = keys.jwks.borrow();
            match provider
                .validator
                .key_lookup(token)
                .and_then(|_| cache.keys(now))
            {
                Ok(jwks) => provider.validator.begin(token, jwks),
                Err(error) if error.code().is_unavailable() => {
                    return Err(Validated::Unavailable(error, cache.retry_after(now)))
                }
                Err(error) => Err(error),
            }
        }
    };
    let jws = match pending {
        Ok(pending) => keys.crypto.verify(pending).await,
        Err(error) => Err(error),
    };
    let verified = jws
        .and_then(|jws| provider.validator.check_claims(jws, now, route_scopes))
        .map_err(failed)?;
    let identity = Rc::new(Identity::new(
        verified.claims().clone(),
        verified.scopes().to_vec(),
    ));
    keys.tokens
        .borrow_mut()
        .insert(token, verified.summary().clone(), Rc::clone(&identity), now);
    Ok(identity)
}

/// An opaque token: the upstream answer, judged like claims.
async fn validate_opaque(
    isolate: &Isolate,
    config: &GatewayConfig,
    token: &str,
    route_scopes: &[String],
) -> Result<Rc<Identity>, Validated> {
    let Some(upstream) = &config.introspection else {
        return Err(failed(Error::new(
            ErrorCode::Malformed,
            "a compact JWS has exactly 3 segments",
        )));
    };
    let now = keys::now(config);
    let answer = opaque::answer(isolate, upstream, token, now)
        .await
        .map_err(|error| Validated::Unavailable(error, 5))?;
    let validator = &config.providers[0].validator;
    let scopes = crate::opaque::judge(validator, &answer, now, route_scopes).map_err(failed)?;
    Ok(Rc::new(Identity::new(answer.into_claims(), scopes)))
}

/// Validates `token`; with `presented`, also the sender constraints (DPoP, certificate).
pub async fn validate(
    isolate: &Rc<Isolate>,
    config: &GatewayConfig,
    env: &Env,
    ctx: &Context,
    token: &str,
    route_scopes: &[String],
    presented: Option<&Presented<'_>>,
) -> Validated {
    // Without introspection every token is judged as a JWT: the token is not scanned for
    // its shape (each pass over it is a measurable part of a cached token's cost).
    let identity = if config.introspection.is_none() || crate::opaque::is_compact_jws(token) {
        validate_jwt(isolate, config, ctx, token, route_scopes).await
    } else {
        validate_opaque(isolate, config, token, route_scopes).await
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(outcome) => return outcome,
    };
    let now = keys::now(config);
    if let Some(presented) = presented {
        if let Err(refusal) = sender::check(
            isolate,
            config,
            env,
            presented,
            token,
            &identity.claims,
            now,
        )
        .await
        {
            return Validated::Failed(refusal);
        }
    }
    match revocations::check(
        isolate,
        env,
        &identity.claims,
        now,
        config.max_token_lifetime_seconds as f64,
    )
    .await
    {
        Ok(()) => Validated::Ok(identity),
        Err(error) => failed(error),
    }
}

fn not_configured() -> Reply {
    Reply::json(
        500,
        &json!({"error": "server_error", "code": "not_configured"}),
    )
    .header("Cache-Control", "no-store")
}

/// The token and how it came: `Authorization: Bearer`, or `Authorization: DPoP` with a
/// `DPoP` proof header (when DPoP is not disabled).
fn read_token(
    config: &GatewayConfig,
    authorization: Option<&str>,
) -> Result<(String, bool), Error> {
    if config.dpop != DpopMode::Disabled {
        if let Some(token) = crate::http::extract_scheme(authorization, "DPoP")? {
            return Ok((token.to_string(), true));
        }
    }
    crate::http::extract_bearer(authorization).map(|t| (t.to_string(), false))
}

pub async fn handle(
    request: web_sys::Request,
    env: &Env,
    ctx: &Context,
) -> Result<Answer, JsValue> {
    let isolate = isolate(env);
    let config = match &isolate.config {
        Ok(config) => config,
        Err(problem) => {
            if !isolate.config_logged.replace(true) {
                log_event(
                    &json!({"event": "not_configured", "setting": problem.setting, "reason": problem.reason}),
                );
            }
            return not_configured().into_response().map(Answer::from);
        }
    };
    let inner = &request;
    let method = inner.method();
    let headers = inner.headers();
    // Each header read is a call into the runtime; `Origin` only matters to a preflight
    // and when CORS is configured.
    let origin = if method == "OPTIONS" || !config.cors_allowed_origins.is_empty() {
        headers.get("Origin")?
    } else {
        None
    };
    let allowed_origin = origin.as_deref().filter(|o| config.cors_allows(o));

    // CORS preflight: answered without a token, only for allowed origins.
    if method == "OPTIONS" {
        if let (Some(_), Some(requested)) = (&origin, headers.get("Access-Control-Request-Method")?)
        {
            let Some(allowed) = allowed_origin else {
                return Reply::empty(403)
                    .header("Vary", "Origin")
                    .into_response()
                    .map(Answer::from);
            };
            let requested_headers = headers.get("Access-Control-Request-Headers")?;
            let mut reply = Reply::empty(204);
            reply.headers.extend(cors_headers(
                allowed,
                Some((&requested, requested_headers.as_deref())),
            ));
            return reply.into_response().map(Answer::from);
        }
    }
    let cors = allowed_origin
        .map(|o| cors_headers(o, None))
        .unwrap_or_default();
    let with_cors = |mut reply: Reply| {
        reply.headers.extend(cors.iter().cloned());
        reply.into_response().map(Answer::from)
    };
    let forwarded = |result: Result<Answer, JsValue>| match result {
        Ok(answer) => Ok(answer),
        Err(_) => with_cors(proxy::bad_gateway()),
    };

    let url = inner.url();
    let path_and_query = proxy::path_and_query(&url);
    let path = path_and_query.split('?').next().unwrap_or("/");
    if path.starts_with("/_auth/") {
        return with_cors(admin::handle(path, inner, &isolate, config, env, ctx).await?);
    }

    let route = config.route(path, &method);
    let target = |origin: &str| format!("{origin}{path_and_query}");
    if route.is_some_and(|r| r.public) {
        return match &config.origin {
            Some(origin) => {
                forwarded(proxy::forward(inner, &method, &target(origin), &[], &cors).await)
            }
            None => with_cors(Reply::json(
                200,
                &json!({"sub": null, "scopes": [], "claims": {}, "public": true}),
            )),
        };
    }
    let route_scopes = route.map_or(&[][..], |r| r.scopes.as_slice());
    let nonce = config
        .dpop_nonce
        .then(|| sender::current_nonce(config, &isolate, keys::now(config)));

    // RFC 6750 §2.1 / RFC 9449 §7.1 only: a token in the query (§2.3) or a form body is not
    // looked at.
    let authorization = headers.get("Authorization")?;
    let (token, dpop_scheme) = match read_token(config, authorization.as_deref()) {
        Ok(found) => found,
        Err(error) => {
            log_rejection(&error, None, None, None);
            return with_cors(Reply::unauthenticated(config, &error, nonce.as_deref()));
        }
    };
    // Only the DPoP scheme reads the proof. A header list (two proofs) is as bad as none
    // (RFC 9449 §4.3 step 1).
    let proof = if dpop_scheme {
        headers.get("DPoP")?.filter(|p| !p.contains(','))
    } else {
        None
    };
    let presented = Presented {
        dpop_scheme,
        proof,
        method: &method,
        url: &url,
        request: inner,
    };
    match validate(
        &isolate,
        config,
        env,
        ctx,
        &token,
        route_scopes,
        Some(&presented),
    )
    .await
    {
        Validated::Ok(identity) => match &config.origin {
            Some(origin) => forwarded(
                proxy::forward(
                    inner,
                    &method,
                    &target(origin),
                    identity.headers(config),
                    &cors,
                )
                .await,
            ),
            None => with_cors(Reply::json(
                200,
                &json!({"sub": identity.claims.get("sub"), "scopes": identity.scopes, "claims": identity.claims}),
            )),
        },
        Validated::Failed(refusal) => {
            // The scopes a refusal names (made here: a passing request never needs them).
            let required_scope = {
                let all: Vec<&str> = config.providers[0]
                    .validator
                    .options()
                    .required_scopes
                    .iter()
                    .chain(route_scopes)
                    .map(String::as_str)
                    .collect();
                (!all.is_empty()).then(|| all.join(" "))
            };
            // For the log only: what the (unverified) token claims to be, cut short.
            let jws = UntrustedJws::parse(&token, config.max_token_bytes()).ok();
            let kid = jws
                .as_ref()
                .and_then(|jws| jws.header().kid().map(String::from));
            let issuer = jws.as_ref().and_then(|jws| {
                crate::json::parse_strict_object(jws.payload())
                    .ok()
                    .and_then(|claims| claims.get("iss").and_then(|v| v.as_str()).map(String::from))
            });
            log_rejection(
                &refusal.error,
                Some(&token),
                kid.as_deref(),
                issuer.as_deref(),
            );
            with_cors(Reply::refusal(
                config,
                &refusal,
                dpop_scheme,
                required_scope.as_deref(),
                nonce.as_deref(),
            ))
        }
        Validated::Unavailable(error, retry) => {
            log_rejection(&error, Some(&token), None, None);
            with_cors(Reply::failure(config, &error, None, Some(retry)))
        }
    }
}
