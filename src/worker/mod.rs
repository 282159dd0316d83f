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

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(request: Request, env: Env, ctx: Context) -> Result<Response> {
    handler::handle(request, &env, &ctx)
        .await
        .map_err(worker::Error::from)
}
