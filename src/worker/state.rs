//! What one isolate keeps between requests: the parsed configuration, the key cache, the
//! shared in-flight fetch and the revocations it received.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::future::{LocalBoxFuture, Shared};
use worker::Env;

use crate::gateway::{ConfigError, GatewayConfig};
use crate::jwks_cache::JwksCache;
use crate::opaque::OpaqueCache;
use crate::revocation::RevocationList;
use crate::token_cache::TokenCache;

use super::handler::Identity;
use super::webcrypto::KeyCache;
use std::collections::BTreeMap;
use worker::js_sys;
use worker::wasm_bindgen::JsValue;

/// One provider's key state.
pub struct Keys {
    pub jwks: RefCell<JwksCache>,
    /// Whether the Cache API copy of the key cache was read (once per isolate).
    pub warmed: Cell<bool>,
    pub jwks_uri: RefCell<Option<String>>,
    pub in_flight: RefCell<Option<Shared<LocalBoxFuture<'static, ()>>>>,
    /// Tokens this provider verified, with what the gateway forwards (`TOKEN_CACHE`).
    pub tokens: RefCell<TokenCache<Rc<Identity>>>,
    /// Keys imported into the runtime's WebCrypto.
    pub crypto: KeyCache,
}

impl Keys {
    fn new(token_cache_entries: usize) -> Keys {
        Keys {
            jwks: RefCell::default(),
            warmed: Cell::default(),
            jwks_uri: RefCell::default(),
            in_flight: RefCell::default(),
            tokens: RefCell::new(TokenCache::new(token_cache_entries)),
            crypto: KeyCache::default(),
        }
    }
}

pub struct Isolate {
    pub config: Result<GatewayConfig, ConfigError>,
    /// Whether the configuration problem was logged (once per isolate).
    pub config_logged: Cell<bool>,
    /// Key state per provider, in the configuration's order.
    pub keys: Vec<Rc<Keys>>,
    pub revocations: RefCell<RevocationList>,
    /// Recent KV revocation answers: key → (value, when read). See `revocations.rs`.
    pub kv_reads: RefCell<BTreeMap<String, (Option<f64>, f64)>>,
    /// Upstream introspection answers for opaque tokens.
    pub opaque: RefCell<OpaqueCache>,
    /// DPoP `jti`s seen by this isolate (used when no `DPOP_REPLAY` Durable Object is bound).
    pub dpop_seen: RefCell<BTreeMap<String, f64>>,
    /// Whether the per-isolate replay warning was logged.
    pub dpop_warned: Cell<bool>,
    /// This isolate's nonce secret when `DPOP_NONCE_SECRET` is not set.
    pub nonce_secret: String,
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
                let providers = config.as_ref().map_or(0, |c| c.providers.len());
                let token_cache_entries = config.as_ref().map_or(0, |c| c.token_cache_max_entries);
                Rc::new(Isolate {
                    config,
                    config_logged: Cell::new(false),
                    keys: (0..providers)
                        .map(|_| Rc::new(Keys::new(token_cache_entries)))
                        .collect(),
                    revocations: RefCell::new(
                        RevocationList::new().with_max_token_lifetime(lifetime as f64),
                    ),
                    kv_reads: RefCell::new(BTreeMap::new()),
                    opaque: RefCell::new(OpaqueCache::new(crate::opaque::DEFAULT_MAX_ENTRIES)),
                    dpop_seen: RefCell::new(BTreeMap::new()),
                    dpop_warned: Cell::new(false),
                    nonce_secret: random_secret(),
                })
            })
            .clone()
    })
}

/// 128 random bits from the runtime's `crypto.randomUUID()`.
fn random_secret() -> String {
    let uuid = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .and_then(|crypto| {
            let random_uuid = js_sys::Reflect::get(&crypto, &JsValue::from_str("randomUUID"))?;
            js_sys::Function::from(random_uuid).call0(&crypto)
        })
        .ok()
        .and_then(|v| v.as_string());
    uuid.unwrap_or_default()
}
