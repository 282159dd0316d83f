//! The Worker door: reads configuration from the Worker's `env`, turns requests into core
//! calls and core results into RFC 6750 responses, and keeps the caches (isolate memory,
//! the Cache API, KV). The fetch handler stays a few lines; the rules are in the core
//! (`crate::gateway`, `crate::policy`, `crate::jwks_cache`, `crate::revocation`).

mod admin;
mod dpop_replay;
mod handler;
mod http;
mod keys;
mod opaque;
mod proxy;
mod revocations;
mod sender;
mod state;
mod webcrypto;

use std::future::Future;
use std::task::{Poll, Waker};

use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::JsValue;
use worker::{console_error, js_sys, web_sys, worker_sys, Context, Env};

/// The fetch handler, exported as `#[event(fetch)]` would, but by hand: the macro wants a
/// `Response` at the end of an executor task, while a forwarded request answers with the
/// origin's response still on its way (`proxy::Answer`), and most requests are decided
/// without waiting at all (a cached token, a remembered revocation answer). It also takes
/// and gives the runtime's own Request and Response, not workers-rs' wrappers: wrapping
/// reads `request.cf` (which the runtime rebuilds on every read), and unwrapping builds a
/// second response around the same body.
#[wasm_bindgen]
pub fn fetch(request: web_sys::Request, env: Env, ctx: worker_sys::Context) -> JsValue {
    let mut answer = Box::pin(respond(request, env, Context::new(ctx)));
    // One poll here: a request that never waits is answered without the executor's promise,
    // task and microtask (~7% of a forwarded request's CPU in workerd). A request that waits
    // goes on in the executor, whose polls bring a real waker; every future awaited below
    // wakes the waker of its latest poll, so the first one doing nothing loses nothing
    // (`keys::fetch_with_timeout` does not use `worker::Delay`, which does not).
    match answer
        .as_mut()
        .poll(&mut std::task::Context::from_waker(Waker::noop()))
    {
        Poll::Ready(Ok(value)) => value,
        Poll::Ready(Err(error)) => js_sys::Promise::reject(&error).into(),
        Poll::Pending => {
            // As the macro does: the future is not unwind-safe (it holds JS handles), and a
            // panic aborts the isolate anyway.
            wasm_bindgen_futures::future_to_promise(std::panic::AssertUnwindSafe(answer)).into()
        }
    }
}

/// The handler's answer, or what the macro answers to an error: the error in the log, a
/// bare 500 to the client.
async fn respond(request: web_sys::Request, env: Env, ctx: Context) -> Result<JsValue, JsValue> {
    match handler::handle(request, &env, &ctx).await {
        Ok(answer) => Ok(answer.into()),
        Err(error) => {
            console_error!("{:?}", error);
            http::Reply {
                status: 500,
                headers: Vec::new(),
                body: Some("INTERNAL SERVER ERROR".into()),
            }
            .into_response()
            .map(JsValue::from)
        }
    }
}
