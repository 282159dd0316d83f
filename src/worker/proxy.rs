//! Forwarding a request to `ORIGIN`: method, path, query and a streamed body; inbound
//! `X-Auth-*` removed (so a client cannot forge identity), the verified identity added.

use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{js_sys, web_sys, Response};

/// Whether an inbound header must not reach the origin.
fn is_stripped(name: &str, forward_token: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-auth-")
        || (!forward_token && (lower == "authorization" || lower == "dpop"))
}

/// `/path?query` of an absolute URL (the runtime gives absolute request URLs).
pub fn path_and_query(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..])
}

/// Sends the request on; the origin's answer comes back with `extra_headers` added.
pub async fn forward(
    request: &web_sys::Request,
    origin: &str,
    identity: &[(String, String)],
    extra_headers: &[(String, String)],
) -> Result<Response, JsValue> {
    let target = format!("{origin}{}", path_and_query(&request.url()));
    let headers = web_sys::Headers::new()?;
    let inbound = js_sys::try_iter(&request.headers())?.ok_or(JsValue::NULL)?;
    for entry in inbound {
        let pair: js_sys::Array = entry?.dyn_into()?;
        let (name, value) = (
            pair.get(0).as_string().unwrap_or_default(),
            pair.get(1).as_string().unwrap_or_default(),
        );
        if !is_stripped(&name, false) {
            headers.append(&name, &value)?;
        }
    }
    for (name, value) in identity {
        headers.set(name, value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(&request.method());
    init.set_headers(&headers.into());
    init.set_redirect(web_sys::RequestRedirect::Manual);
    if let Some(body) = request.body() {
        init.set_body(&body.into());
    }
    let outbound = web_sys::Request::new_with_str_and_init(&target, &init)?;
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let answer: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(global.fetch_with_request(&outbound))
            .await?
            .dyn_into()?;
    if extra_headers.is_empty() {
        return Ok(Response::from(answer));
    }
    // A fetched response's headers are immutable: copy it with the extra headers.
    let out_headers = web_sys::Headers::new_with_headers(&answer.headers())?;
    for (name, value) in extra_headers {
        out_headers.set(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(answer.status());
    init.set_status_text(&answer.status_text());
    init.set_headers(&out_headers.into());
    Ok(Response::from(
        web_sys::Response::new_with_opt_readable_stream_and_init(answer.body().as_ref(), &init)?,
    ))
}
