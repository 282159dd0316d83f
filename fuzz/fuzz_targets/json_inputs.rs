//! The other untrusted inputs: admin revocation bodies, upstream introspection answers,
//! discovery documents, Cache-Control values, fetch URLs and stored state.
#![no_main]

use edge_token_validator::introspect::parse_introspection_answer;
use edge_token_validator::jwks_cache::{
    check_fetch_url, max_age_from_cache_control, parse_discovery, JwksCache,
};
use edge_token_validator::revocation::{parse_revocation_request, RevocationList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = 1_700_000_000.0;
    if let Ok(request) = parse_revocation_request(data) {
        let mut list = RevocationList::new();
        list.apply(&request, now).expect("a parsed request applies");
        let back = RevocationList::from_json(&list.to_json()).expect("own export imports");
        assert_eq!(back, list);
    }
    if let Ok(answer) = parse_introspection_answer(data) {
        let ttl = answer.cache_ttl(now);
        assert!((0.0..=300.0).contains(&ttl));
        if !answer.is_active() {
            assert!(ttl <= 60.0 && answer.claims().is_empty());
        }
    }
    if let Ok(uri) = parse_discovery(data, "https://issuer.example") {
        assert!(check_fetch_url(&uri).is_ok());
    }
    if let Ok(value) = serde_json::from_slice(data) {
        let _ = RevocationList::from_json(&value);
        let _ = JwksCache::from_json(&value);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let max_age = max_age_from_cache_control(Some(text));
        assert!((60.0..=86_400.0).contains(&max_age));
        if check_fetch_url(text).is_ok() {
            let lower = text.to_ascii_lowercase();
            assert!(lower.starts_with("https://") || lower.starts_with("http://"));
            let after_scheme = &text[text.find("://").expect("checked above") + 3..];
            let authority = after_scheme
                .split(['/', '?', '#'])
                .next()
                .unwrap_or_default();
            assert!(!authority.contains('@'), "no user information");
        }
    }
});
