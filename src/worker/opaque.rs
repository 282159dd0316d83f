//! Opaque tokens: the upstream RFC 7662 call and its cache. What an answer means is
//! `crate::opaque`'s to say.

use worker::wasm_bindgen::JsValue;
use worker::{js_sys, web_sys};

use super::keys::fetch_with_timeout;
use super::state::Isolate;
use crate::error::{Error, ErrorCode};
use crate::gateway::Upstream;
use crate::introspect::{self, IntrospectionAnswer};

fn unavailable() -> Error {
    Error::new(
        ErrorCode::IntrospectionUnavailable,
        "the token could not be introspected right now",
    )
}

async fn ask(upstream: &Upstream, token: &str) -> Result<Vec<u8>, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/x-www-form-urlencoded")?;
    headers.set("Accept", "application/json")?;
    headers.set("Authorization", &upstream.authorization)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers.into());
    init.set_body(&JsValue::from_str(&crate::opaque::request_body(token)));
    let response = fetch_with_timeout(&upstream.endpoint, &init).await?;
    let body = wasm_bindgen_futures::JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&body).to_vec())
}

/// The upstream answer about `token`, from the cache or the endpoint.
///
/// # Errors
/// `introspection_unavailable` on any upstream failure or timeout: never an accept.
pub async fn answer(
    isolate: &Isolate,
    upstream: &Upstream,
    token: &str,
    now: f64,
) -> Result<IntrospectionAnswer, Error> {
    if let Some(cached) = isolate.opaque.borrow().get(token, now) {
        return Ok(cached.clone());
    }
    let body = ask(upstream, token).await.map_err(|_| unavailable())?;
    let answer = introspect::parse_introspection_answer(&body)?;
    isolate.opaque.borrow_mut().put(token, answer.clone(), now);
    Ok(answer)
}
