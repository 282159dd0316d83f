//! The DPoP `jti` replay store as a Durable Object (binding `DPOP_REPLAY`): one object per
//! proof-key thumbprint, strongly consistent, so a proof replayed to another isolate or
//! location is still caught (RFC 9449 §11.1). It remembers each `jti` until the proof's
//! `iat` window has passed; after that the `iat` check alone refuses the proof.

use serde::Deserialize;
use worker::{durable_object, js_sys, DurableObject, Env, Request, Response, Result, State};

#[durable_object]
pub struct DpopReplay {
    state: State,
}

#[derive(Deserialize)]
struct Remember {
    jti: String,
    /// Seconds since the epoch.
    until: f64,
}

impl DurableObject for DpopReplay {
    fn new(state: State, _env: Env) -> Self {
        DpopReplay { state }
    }

    /// `POST` `{"jti", "until"}`: 200 when the jti is new (and now remembered), 409 when it
    /// was seen and is still within its window.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let Ok(remember) = req.json::<Remember>().await else {
            return Response::error("bad request", 400);
        };
        let now = js_sys::Date::now() / 1000.0;
        let storage = self.state.storage();
        let key = format!("jti:{}", remember.jti);
        if let Ok(Some(until)) = storage.get::<f64>(&key).await {
            if until > now {
                return Response::error("replayed", 409);
            }
        }
        storage.put(&key, remember.until).await?;
        // Sweep what has expired at the latest a minute after this entry does.
        if storage.get_alarm().await?.is_none() {
            let at = ((remember.until + 60.0) * 1000.0) as i64;
            storage.set_alarm(at).await?;
        }
        Response::empty().map(|r| r.with_status(200))
    }

    async fn alarm(&self) -> Result<Response> {
        let now = js_sys::Date::now() / 1000.0;
        let storage = self.state.storage();
        let entries = storage.list().await?;
        let mut expired = Vec::new();
        let mut next: Option<f64> = None;
        entries.for_each(&mut |value, key| {
            if let (Some(key), Some(until)) = (key.as_string(), value.as_f64()) {
                if until <= now {
                    expired.push(key);
                } else {
                    next = Some(next.map_or(until, |n: f64| n.min(until)));
                }
            }
        });
        for key in expired {
            storage.delete(&key).await?;
        }
        if let Some(until) = next {
            storage.set_alarm(((until + 60.0) * 1000.0) as i64).await?;
        }
        Response::empty()
    }
}
