//! Revocations in KV (`REVOCATIONS`): entries `jti:<jti>` → `{"exp": n}` and
//! `sub:<sub>` → `{"at": T}`, expiring with the tokens they cover. Decisions are the core's
//! `RevocationList`; this file only reads and writes KV. The receiving isolate also keeps
//! them in memory, so they take effect there at once (KV propagates within about a minute).

use serde_json::{json, Map, Value};
use worker::Env;

use super::state::Isolate;
use crate::error::Error;
use crate::revocation::{RevocationList, RevocationRequest};

const BINDING: &str = "REVOCATIONS";
/// KV refuses expirations less than 60 s ahead.
const KV_MIN_TTL: f64 = 60.0;

fn jti_key(jti: &str) -> String {
    format!("jti:{jti}")
}

fn sub_key(sub: &str) -> String {
    format!("sub:{sub}")
}

/// How long an isolate reuses a KV answer. Every request checks revocation, cached token or
/// not, and two KV reads per request halved the gateway's throughput; KV itself serves reads
/// from the colo cache for 60 s (`cache_ttl`), so other isolates already see a revocation
/// up to a minute late, and this adds at most 10 s. The isolate that receives a revocation
/// applies it in memory at once, before any KV answer is looked at.
const KV_MEMO_SECONDS: f64 = 10.0;
/// Past this many remembered answers the memo starts over.
const KV_MEMO_MAX: usize = 10_000;

async fn read_number(
    isolate: &Isolate,
    env: &Env,
    key: &str,
    member: &str,
    now: f64,
) -> Option<f64> {
    let remembered = isolate.kv_reads.borrow().get(key).copied();
    if let Some((value, at)) = remembered {
        if (at..at + KV_MEMO_SECONDS).contains(&now) {
            return value;
        }
    }
    let read = async {
        let kv = env.kv(BINDING).ok()?;
        let text = kv.get(key).cache_ttl(60).text().await.ok()??;
        serde_json::from_str::<Value>(&text)
            .ok()?
            .get(member)?
            .as_f64()
    };
    let value = read.await;
    let mut memo = isolate.kv_reads.borrow_mut();
    if memo.len() >= KV_MEMO_MAX {
        memo.clear();
    }
    memo.insert(key.to_string(), (value, now));
    value
}

/// Whether the token with these claims is revoked, in this isolate or in KV.
///
/// # Errors
/// `revoked`.
pub async fn check(
    isolate: &Isolate,
    env: &Env,
    claims: &Map<String, Value>,
    now: f64,
    max_lifetime: f64,
) -> Result<(), Error> {
    isolate.revocations.borrow().check(claims, now)?;
    let mut from_kv = RevocationList::new().with_max_token_lifetime(max_lifetime);
    if let Some(Value::String(jti)) = claims.get("jti") {
        if let Some(exp) = read_number(isolate, env, &jti_key(jti), "exp", now).await {
            let _ = from_kv.revoke_jti(jti, exp);
        }
    }
    if let Some(Value::String(sub)) = claims.get("sub") {
        if let Some(at) = read_number(isolate, env, &sub_key(sub), "at", now).await {
            let _ = from_kv.revoke_subject(sub, at);
        }
    }
    from_kv.check(claims, now)
}

/// Applies a revocation here and writes it to KV.
///
/// # Errors
/// `invalid_request` when the request's values are out of range; KV failures are returned as
/// text for the log.
pub async fn apply(
    isolate: &Isolate,
    env: &Env,
    request: &RevocationRequest,
    now: f64,
    max_lifetime: f64,
) -> Result<Result<(), String>, Error> {
    isolate.revocations.borrow_mut().apply(request, now)?;
    let Ok(kv) = env.kv(BINDING) else {
        return Ok(Err(format!(
            "no KV binding {BINDING}: revocation kept in this isolate only"
        )));
    };
    let (key, value, expires) = match request {
        RevocationRequest::Token { jti, exp } => (jti_key(jti), json!({ "exp": exp }), *exp),
        RevocationRequest::Subject { sub } => {
            (sub_key(sub), json!({ "at": now }), now + max_lifetime)
        }
    };
    // Kept one leeway past the covered tokens' expiry, as the in-memory list keeps it.
    let expiration = (expires + 60.0).max(now + KV_MIN_TTL).ceil() as u64;
    let put = match kv.put(&key, value.to_string()) {
        Ok(builder) => builder
            .expiration(expiration)
            .execute()
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    Ok(put)
}
