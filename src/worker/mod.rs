//! The Worker door: reads configuration from the Worker's `env`, turns requests into core
//! calls and core results into RFC 6750 responses. The fetch handler stays a few lines.

mod config;
mod gateway;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
    gateway::handle(request, &env).await
}
