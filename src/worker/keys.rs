//! Remote keys for the gateway: the core's cache state machine decides; this file fetches
//! (5 s timeout, one fetch at a time per isolate), and keeps a copy of the cache state in the
//! Workers Cache API so a new isolate starts warm.

use std::rc::Rc;

use futures_util::future::{select, Either, FutureExt, LocalBoxFuture};
use serde_json::Value;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{js_sys, web_sys, Context};

use super::state::Keys;
use crate::error::{Error, ErrorCode};
use crate::gateway::{GatewayConfig, KeySource};
use crate::jwks_cache::{self, Decision, JwksCache};
use crate::providers::Provider;

/// Seconds since the epoch, shifted by `DEV_CLOCK_OFFSET_SECONDS` (tests only).
pub fn now(config: &GatewayConfig) -> f64 {
    js_sys::Date::now() / 1000.0 + config.clock_offset_seconds as f64
}

/// Makes sure the key cache can answer for `token`, fetching when the core says so.
///
/// # Errors
/// `jwks_unavailable` with the `Retry-After` seconds when nothing can be used.
pub async fn ensure(
    keys: &Rc<Keys>,
    provider: &Provider,
    config: &GatewayConfig,
    token: &str,
    ctx: &Context,
) -> Result<(), (Error, u64)> {
    if matches!(provider.keys, KeySource::Static(_)) {
        return Ok(());
    }
    // A token that fails without keys never causes a fetch; validation reports its error.
    let Ok(kid) = provider.validator.key_lookup(token) else {
        return Ok(());
    };
    if !keys.warmed.replace(true) {
        warm_from_cache_api(keys, &provider.keys).await;
    }
    let decision = keys.jwks.borrow_mut().decide(now(config), kid.as_deref());
    match decision {
        Decision::UseCached => {}
        Decision::FetchThenUse => start_fetch(keys, &provider.keys, config).await,
        Decision::AwaitInFlight => {
            let in_flight = keys.in_flight.borrow().clone();
            if let Some(fetch) = in_flight {
                fetch.await;
            }
        }
        Decision::UseCachedAndRefresh => ctx.wait_until(start_fetch(keys, &provider.keys, config)),
        Decision::Unavailable => {
            let retry = keys.jwks.borrow().retry_after(now(config));
            return Err((
                Error::new(
                    ErrorCode::JwksUnavailable,
                    "the issuer's keys cannot be fetched right now",
                ),
                retry,
            ));
        }
    }
    Ok(())
}

/// Starts (and shares) the one fetch of this isolate; resolves when it is reported.
fn start_fetch(
    keys: &Rc<Keys>,
    source: &KeySource,
    config: &GatewayConfig,
) -> LocalBoxFuture<'static, ()> {
    let existing = keys.in_flight.borrow().clone();
    if let Some(fetch) = existing {
        return fetch.boxed_local();
    }
    let owner = keys.clone();
    let offset = config.clock_offset_seconds as f64;
    let source = source.clone();
    let shared = async move {
        let clock = || js_sys::Date::now() / 1000.0 + offset;
        match fetch_key_set(&owner, &source).await {
            Ok((body, cache_control)) => {
                let stored = owner.jwks.borrow_mut().on_fetch_success(
                    clock(),
                    &body,
                    cache_control.as_deref(),
                );
                if stored.is_ok() {
                    let state = owner.jwks.borrow().to_json();
                    store_in_cache_api(&source, &state).await;
                }
            }
            Err(_) => owner.jwks.borrow_mut().on_fetch_failure(clock()),
        }
        owner.in_flight.borrow_mut().take();
    }
    .boxed_local()
    .shared();
    *keys.in_flight.borrow_mut() = Some(shared.clone());
    shared.boxed_local()
}

/// GET with the contract's timeout; the body and `Cache-Control` of a 2xx answer.
pub async fn get(url: &str) -> Result<(Vec<u8>, Option<String>), JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "application/json")?;
    let init = web_sys::RequestInit::new();
    init.set_headers(&headers.into());
    let response = fetch_with_timeout(url, &init).await?;
    let cache_control = response.headers().get("Cache-Control")?;
    let body = wasm_bindgen_futures::JsFuture::from(response.array_buffer()?).await?;
    Ok((js_sys::Uint8Array::new(&body).to_vec(), cache_control))
}

/// A fetch under the contract's 5 s timeout that fails on anything but a 2xx answer.
/// Redirects are not followed: Workers support only "follow" and "manual", so "manual",
/// and a 3xx is a failure.
pub async fn fetch_with_timeout(
    url: &str,
    init: &web_sys::RequestInit,
) -> Result<web_sys::Response, JsValue> {
    let controller = web_sys::AbortController::new()?;
    init.set_signal(Some(&controller.signal()));
    init.set_redirect(web_sys::RequestRedirect::Manual);
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let request = wasm_bindgen_futures::JsFuture::from(global.fetch_with_str_and_init(url, init));
    // A timer promise rather than `worker::Delay`, which keeps the waker of its first poll
    // only: the fetch handler's first poll has a waker that does nothing (`super::fetch`).
    let mut timer = None;
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let millis = (jwks_cache::FETCH_TIMEOUT_SECONDS * 1000.0) as i32;
        timer = global
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
            .ok();
    });
    let timeout = wasm_bindgen_futures::JsFuture::from(timeout);
    let outcome = select(Box::pin(request), Box::pin(timeout)).await;
    if let Some(timer) = timer {
        global.clear_timeout_with_handle(timer);
    }
    let response: web_sys::Response = match outcome {
        Either::Left((result, _)) => result?.dyn_into()?,
        Either::Right(_) => {
            controller.abort();
            return Err(JsValue::from_str("timed out"));
        }
    };
    if !response.ok() {
        return Err(JsValue::from_str("not a 2xx answer"));
    }
    Ok(response)
}

async fn fetch_key_set(
    keys: &Keys,
    source: &KeySource,
) -> Result<(Vec<u8>, Option<String>), JsValue> {
    let uri = match source {
        KeySource::Static(_) => return Err(JsValue::from_str("static keys are not fetched")),
        KeySource::Uri(uri) => uri.clone(),
        KeySource::Discovery(issuer) => {
            let known = keys.jwks_uri.borrow().clone();
            match known {
                Some(uri) => uri,
                None => {
                    let (body, _) = get(&jwks_cache::discovery_url(issuer)).await?;
                    let uri = jwks_cache::parse_discovery(&body, issuer)
                        .and_then(|uri| jwks_cache::check_fetch_url(&uri).map(|()| uri))
                        .map_err(|e| JsValue::from_str(e.description()))?;
                    *keys.jwks_uri.borrow_mut() = Some(uri.clone());
                    uri
                }
            }
        }
    };
    get(&uri).await
}

/// The Cache API key for a key source: a synthetic URL no one can fetch.
fn cache_key(source: &KeySource) -> String {
    let id = match source {
        KeySource::Uri(uri) => uri.as_str(),
        KeySource::Discovery(issuer) => issuer.as_str(),
        KeySource::Static(_) => "static",
    };
    format!(
        "https://edge-token-validator.invalid/jwks-cache/{}",
        crate::http::token_fingerprint(id)
    )
}

async fn default_cache() -> Option<web_sys::Cache> {
    let caches = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("caches")).ok()?;
    let default = js_sys::Reflect::get(&caches, &JsValue::from_str("default")).ok()?;
    default.dyn_into().ok()
}

async fn store_in_cache_api(source: &KeySource, state: &Value) {
    let attempt = async {
        let cache = default_cache().await.ok_or(JsValue::NULL)?;
        let headers = web_sys::Headers::new()?;
        // Longer than the stale-if-error limit: the core decides what is still usable.
        headers.set("Cache-Control", "max-age=90000")?;
        headers.set("Content-Type", "application/json")?;
        let init = web_sys::ResponseInit::new();
        init.set_headers(&headers.into());
        let response =
            web_sys::Response::new_with_opt_str_and_init(Some(&state.to_string()), &init)?;
        wasm_bindgen_futures::JsFuture::from(cache.put_with_str(&cache_key(source), &response))
            .await?;
        Ok::<(), JsValue>(())
    };
    // The Cache API is an optimisation: failing to write it only costs a later isolate a fetch.
    let _ = attempt.await;
}

async fn warm_from_cache_api(keys: &Keys, source: &KeySource) {
    let attempt = async {
        let cache = default_cache().await.ok_or(JsValue::NULL)?;
        let found =
            wasm_bindgen_futures::JsFuture::from(cache.match_with_str(&cache_key(source))).await?;
        let response: web_sys::Response = found.dyn_into()?;
        let text = wasm_bindgen_futures::JsFuture::from(response.text()?).await?;
        Ok::<Option<String>, JsValue>(text.as_string())
    };
    if let Ok(Some(text)) = attempt.await {
        if let Ok(stored) = serde_json::from_str::<Value>(&text) {
            if let Ok(other) = JwksCache::from_json(&stored) {
                keys.jwks.borrow_mut().merge_newer(other);
            }
        }
    }
}
