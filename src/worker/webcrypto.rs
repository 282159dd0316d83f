//! Signatures checked by the Workers runtime's WebCrypto (`crypto.subtle`), through the
//! core's two-phase [`PendingSignature`]: the core chose the key and checked the signature's
//! shape; the runtime only does the arithmetic, natively (RSA-2048 in pure-Rust wasm costs
//! ~0.8 ms, ~10× the runtime's). Imported `CryptoKey`s are kept per key thumbprint and
//! algorithm. HS* stays in wasm (faster than an async call), as does ES256K (WebCrypto has no
//! secp256k1); when the runtime refuses an algorithm, the pure-Rust verifier takes over.

use std::cell::RefCell;
use std::collections::BTreeMap;

use wasm_bindgen_futures::JsFuture;
use worker::js_sys::{self, Array, Function, Object, Promise, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};

use crate::alg::Algorithm;
use crate::error::Error;
use crate::token::{PendingSignature, VerifiedJws};

/// Imported keys, by key thumbprint and algorithm (one key may serve RS256 and PS256, which
/// import differently).
#[derive(Default)]
pub struct KeyCache {
    keys: RefCell<BTreeMap<([u8; 32], &'static str), JsValue>>,
    /// Algorithms this runtime refused: not asked again.
    unsupported: RefCell<Vec<Algorithm>>,
}

/// More distinct keys than any issuer publishes; past it the cache starts over.
const MAX_KEYS: usize = 64;

/// The import and verify parameters of `alg`, or `None` for the algorithms checked in wasm.
fn params(alg: Algorithm) -> Option<(Object, Object)> {
    let object = |pairs: &[(&str, JsValue)]| {
        let object = Object::new();
        for (name, value) in pairs {
            // Setting a plain property on a fresh object cannot fail.
            let _ = Reflect::set(&object, &JsValue::from_str(name), value);
        }
        object
    };
    let hash = JsValue::from_str(alg.hash().webcrypto_name());
    let s = JsValue::from_str;
    Some(match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => (
            object(&[("name", s("RSASSA-PKCS1-v1_5")), ("hash", hash)]),
            object(&[("name", s("RSASSA-PKCS1-v1_5"))]),
        ),
        Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => (
            object(&[("name", s("RSA-PSS")), ("hash", hash)]),
            // RFC 7518 §3.5: the salt is as long as the hash.
            object(&[
                ("name", s("RSA-PSS")),
                ("saltLength", JsValue::from(alg.hash().len() as u32)),
            ]),
        ),
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
            let curve = alg.curve()?.name();
            (
                object(&[("name", s("ECDSA")), ("namedCurve", s(curve))]),
                object(&[("name", s("ECDSA")), ("hash", hash)]),
            )
        }
        Algorithm::EdDSA => (
            object(&[("name", s("Ed25519"))]),
            object(&[("name", s("Ed25519"))]),
        ),
        _ => return None,
    })
}

fn subtle() -> Option<Object> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    Reflect::get(&crypto, &JsValue::from_str("subtle"))
        .ok()?
        .dyn_into()
        .ok()
}

async fn call(subtle: &Object, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(subtle, &JsValue::from_str(method))?.dyn_into()?;
    let promise: Promise = function
        .apply(subtle, &args.iter().collect::<Array>())?
        .dyn_into()?;
    JsFuture::from(promise).await
}

impl KeyCache {
    /// The runtime's verdict on `pending`'s signature, or `None` when the runtime does not
    /// check this algorithm (then the caller verifies in wasm).
    async fn verdict(&self, pending: &PendingSignature) -> Option<bool> {
        let alg = pending.algorithm();
        if !pending.needs_verdict() {
            // The shape is already wrong: the verdict is "invalid" whatever the runtime says.
            return Some(false);
        }
        if self.unsupported.borrow().contains(&alg) {
            return None;
        }
        let (import_params, verify_params) = params(alg)?;
        let subtle = subtle()?;
        let id = (pending.key().thumbprint(), alg.name());
        let cached = self.keys.borrow().get(&id).cloned();
        let key = match cached {
            Some(key) => key,
            None => {
                let jwk = serde_json::to_string(&pending.key().to_public_json()).ok()?;
                let jwk = js_sys::JSON::parse(&jwk).ok()?;
                let usages: Array = [JsValue::from_str("verify")].iter().collect();
                let imported = call(
                    &subtle,
                    "importKey",
                    &[
                        JsValue::from_str("jwk"),
                        jwk,
                        import_params.into(),
                        JsValue::FALSE,
                        usages.into(),
                    ],
                )
                .await;
                match imported {
                    Ok(key) => {
                        let mut keys = self.keys.borrow_mut();
                        if keys.len() >= MAX_KEYS {
                            keys.clear();
                        }
                        keys.insert(id, key.clone());
                        key
                    }
                    Err(_) => {
                        // A runtime without this algorithm (or curve): wasm takes over.
                        self.unsupported.borrow_mut().push(alg);
                        return None;
                    }
                }
            }
        };
        let verified = call(
            &subtle,
            "verify",
            &[
                verify_params.into(),
                key,
                Uint8Array::from(pending.signature()).into(),
                Uint8Array::from(pending.signing_input()).into(),
            ],
        )
        .await;
        match verified {
            Ok(answer) => answer.as_bool(),
            Err(_) => {
                self.unsupported.borrow_mut().push(alg);
                None
            }
        }
    }

    /// Finishes `pending` with the runtime's verdict, or with the pure-Rust verifier when the
    /// runtime does not check its algorithm.
    ///
    /// # Errors
    /// `signature_invalid`; `unsupported_algorithm` when neither can check it.
    pub async fn verify(&self, pending: PendingSignature) -> Result<VerifiedJws, Error> {
        match self.verdict(&pending).await {
            Some(valid) => pending.accept_host_verdict(valid),
            None => pending.verify_native(),
        }
    }
}
