//! Forwarding a request to `ORIGIN`: method, path, query and a streamed body; inbound
//! `X-Auth-*` removed (so a client cannot forge identity), the verified identity added.

use serde_json::json;
use worker::js_sys::JsString;
use worker::wasm_bindgen::prelude::{wasm_bindgen, Closure};
use worker::wasm_bindgen::{JsCast, JsError, JsValue};
use worker::{js_sys, web_sys};

use super::http::{log_event, Reply};

/// What the fetch handler answers with.
pub enum Answer {
    Ready(web_sys::Response),
    /// The origin's response still on its way: `fetch`'s promise, passed to the runtime
    /// unawaited. Awaiting it in wasm cost two closures and a microtask per request.
    Pending(js_sys::Promise),
}

impl From<web_sys::Response> for Answer {
    fn from(response: web_sys::Response) -> Answer {
        Answer::Ready(response)
    }
}

impl From<Answer> for JsValue {
    fn from(answer: Answer) -> JsValue {
        match answer {
            Answer::Ready(response) => response.into(),
            Answer::Pending(promise) => promise.into(),
        }
    }
}

/// The answer when the origin cannot be reached (logged).
pub fn bad_gateway() -> Reply {
    log_event(&json!({"event": "origin_unreachable"}));
    Reply::json(502, &json!({"error": "bad_gateway"})).header("Cache-Control", "no-store")
}

thread_local! {
    /// `bad_gateway` as the rejection handler of unawaited forwards: one per isolate, as
    /// it depends on nothing in the request.
    static UNREACHABLE: Closure<dyn FnMut(JsValue) -> Result<JsValue, JsError>> =
        Closure::new(|_| {
            bad_gateway()
                .into_response()
                .map(JsValue::from)
                .map_err(|_| JsError::new("the bad_gateway answer could not be built"))
        });
}

/// Whether an inbound header must not reach the origin.
fn is_stripped(name: &str, forward_token: bool) -> bool {
    let name = name.as_bytes();
    name.get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-auth-"))
        || (!forward_token
            && (name.eq_ignore_ascii_case(b"authorization") || name.eq_ignore_ascii_case(b"dpop")))
}

/// `/path?query` of an absolute URL (the runtime gives absolute request URLs).
pub fn path_and_query(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..])
}

/// Sends the request (its `method`) to `target` (the origin plus the request's path and
/// query) with the `identity` headers; the origin's answer comes back with `extra_headers`
/// added.
///
/// # Errors
/// When the request cannot be sent or, with `extra_headers`, the origin cannot be reached
/// (without them, the runtime answers an unreachable origin with `bad_gateway`).
pub async fn forward(
    request: &web_sys::Request,
    method: &str,
    target: &str,
    identity: &[(JsString, JsString)],
    extra_headers: &[(String, String)],
) -> Result<Answer, JsValue> {
    // One native copy of the inbound headers, then only the names are read to find what to
    // strip: copying header by header cost several JS↔wasm crossings per header.
    let headers = web_sys::Headers::new_with_headers(&request.headers())?;
    let names = String::from(js_sys::Array::from(&headers.keys()).join("\n"));
    for name in names.split('\n').filter(|name| is_stripped(name, false)) {
        headers.delete(name)?;
    }
    let settable: &JsHeaders = headers.unchecked_ref();
    for (name, value) in identity {
        settable.set(name, value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers.into());
    init.set_redirect(web_sys::RequestRedirect::Manual);
    if let Some(body) = request.body() {
        init.set_body(&body.into());
    }
    // fetch(url, init) as the pass-through does: no separate Request object to build.
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let pending = global.fetch_with_str_and_init(target, &init);
    if extra_headers.is_empty() {
        return Ok(Answer::Pending(
            UNREACHABLE.with(|unreachable| pending.catch_map(unreachable)),
        ));
    }
    let answer: web_sys::Response = wasm_bindgen_futures::JsFuture::from(pending)
        .await?
        .dyn_into()?;
    // A fetched response's headers are immutable: copy it with the extra headers.
    let out_headers = web_sys::Headers::new_with_headers(&answer.headers())?;
    for (name, value) in extra_headers {
        out_headers.set(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(answer.status());
    init.set_status_text(&answer.status_text());
    init.set_headers(&out_headers.into());
    web_sys::Response::new_with_opt_readable_stream_and_init(answer.body().as_ref(), &init)
        .map(Answer::from)
}

#[wasm_bindgen]
extern "C" {
    /// `Headers`, with `set` taking JS strings: identity header values are kept as JS
    /// strings so a repeated token's headers are not decoded from wasm memory again.
    #[wasm_bindgen(js_name = Headers)]
    type JsHeaders;
    #[wasm_bindgen(method, catch, js_name = set)]
    fn set(this: &JsHeaders, name: &JsString, value: &JsString) -> Result<(), JsValue>;
}
