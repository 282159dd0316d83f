//! Arbitrary bytes as a JWKS document, a single JWK, and a fetched key set in the cache.
#![no_main]

use edge_token_validator::jwks_cache::{Decision, JwksCache};
use edge_token_validator::{Algorithm, Jwk, Jwks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(jwks) = Jwks::from_json(data) {
        for key in jwks.keys() {
            let _ = key.thumbprint_b64();
            let _ = key.to_public_json();
        }
        for alg in Algorithm::ALL {
            let _ = jwks.select(alg, None);
            if let Some(kid) = jwks.keys().first().and_then(|k| k.kid()) {
                let _ = jwks.select(alg, Some(kid));
            }
        }
    }
    let _ = Jwk::from_json(data);
    let mut cache = JwksCache::new();
    let now = 1_700_000_000.0;
    if cache.decide(now, Some("k")) == Decision::FetchThenUse {
        let accepted = cache
            .on_fetch_success(now, data, Some("max-age=120"))
            .is_ok();
        assert_eq!(accepted, cache.keys(now).is_ok());
        if accepted {
            // What was stored can be exported and imported again.
            let back = JwksCache::from_json(&cache.to_json()).expect("own export imports");
            assert_eq!(back, cache);
        }
    }
});
