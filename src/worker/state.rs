//! What one isolate keeps between requests: the parsed configuration, the key cache, the
//! shared in-flight fetch and the revocations it received.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::future::{LocalBoxFuture, Shared};
use worker::Env;

use crate::gateway::{ConfigError, GatewayConfig};
use crate::jwks_cache::JwksCache;
use crate::revocation::RevocationList;

pub struct Isolate {
    pub config: Result<GatewayConfig, ConfigError>,
    /// Whether the configuration problem was logged (once per isolate).
    pub config_logged: Cell<bool>,
    pub jwks: RefCell<JwksCache>,
    /// Whether the Cache API copy of the key cache was read (once per isolate).
    pub jwks_warmed: Cell<bool>,
    pub jwks_uri: RefCell<Option<String>>,
    pub in_flight: RefCell<Option<Shared<LocalBoxFuture<'static, ()>>>>,
    pub revocations: RefCell<RevocationList>,
}

thread_local! {
    static ISOLATE: RefCell<Option<Rc<Isolate>>> = const { RefCell::new(None) };
}

fn setting(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret(name).ok().map(|v| v.to_string()))
}

/// The isolate's state, built from `env` on the first request.
pub fn isolate(env: &Env) -> Rc<Isolate> {
    ISOLATE.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let config = GatewayConfig::from_settings(|name| setting(env, name));
                let lifetime = config
                    .as_ref()
                    .map_or(86_400, |c| c.max_token_lifetime_seconds);
                Rc::new(Isolate {
                    config,
                    config_logged: Cell::new(false),
                    jwks: RefCell::new(JwksCache::new()),
                    jwks_warmed: Cell::new(false),
                    jwks_uri: RefCell::new(None),
                    in_flight: RefCell::new(None),
                    revocations: RefCell::new(
                        RevocationList::new().with_max_token_lifetime(lifetime as f64),
                    ),
                })
            })
            .clone()
    })
}
