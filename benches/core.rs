//! Native benchmarks of the core (`make bench` part 3): where a validation's time goes with
//! the pure-Rust verifiers, and what a cache hit costs. Keys and tokens are fixed (RFC keys,
//! deterministic signatures), so runs compare.
//!
//! `cargo bench --bench core -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;

use edge_token_validator::b64;
use edge_token_validator::token::UntrustedJws;
use edge_token_validator::token_cache::{Lookup, TokenCache};
use edge_token_validator::{Algorithm, Jwks, Validator, ValidatorOptions};
use hmac::{KeyInit, Mac};
use rsa::signature::{SignatureEncoding, Signer};

const ISSUER: &str = "https://issuer.bench";
const NOW: f64 = 1_800_000_000.0;
const HMAC_KEY: &[u8; 32] = b"bench-only hmac key, 32 bytes!!!";

/// A realistic access token's claims (RFC 9068 shape, as the Node bench uses).
fn claims(jti: usize) -> String {
    format!(
        r#"{{"iss":"{ISSUER}","aud":"bench-api","sub":"user-{jti}@example.com","client_id":"bench-client","scope":"openid profile email orders:read orders:write","jti":"bench-{jti}","iat":{NOW},"nbf":{NOW},"exp":{},"auth_time":{NOW},"acr":"urn:mace:incommon:iap:silver","amr":["pwd","mfa"]}}"#,
        NOW + 3600.0
    )
}

fn signing_input(alg: &str, kid: &str, jti: usize) -> String {
    let header = format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"at+jwt"}}"#);
    format!(
        "{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(claims(jti).as_bytes())
    )
}

fn hs256_token(jti: usize) -> String {
    let input = signing_input("HS256", "hs", jti);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(HMAC_KEY).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64::encode(&mac.finalize().into_bytes()))
}

/// RFC 7515 Appendix A.2's RSA key.
fn rsa_key() -> (rsa::PrivateKey, String) {
    let jwk = r#"{"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB","d":"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ","p":"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc","q":"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc","dp":"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0","dq":"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU","qi":"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"}"#;
    let map: serde_json::Value = serde_json::from_str(jwk).unwrap();
    let part = |name: &str| {
        rsa::BoxedUint::from_be_slice_vartime(&b64::decode(map[name].as_str().unwrap()).unwrap())
    };
    let key = rsa::PrivateKey::from_components(
        part("n"),
        part("e"),
        part("d"),
        vec![part("p"), part("q")],
    )
    .unwrap();
    let public = format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"rs","n":"{}","e":"AQAB"}}]}}"#,
        map["n"].as_str().unwrap()
    );
    (key, public)
}

fn rs256_token(key: &rsa::PrivateKey, jti: usize) -> String {
    let input = signing_input("RS256", "rs", jti);
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
    let signature = signer.sign(input.as_bytes()).to_vec();
    format!("{input}.{}", b64::encode(&signature))
}

fn validator(alg: Algorithm) -> Validator {
    let mut options = ValidatorOptions::new(ISSUER)
        .audience("bench-api")
        .algorithms(&[alg]);
    options.token_type = Some("at+jwt".into());
    Validator::new(options).unwrap()
}

fn benches(c: &mut Criterion) {
    let hs_keys = Jwks::from_json(
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"hs","k":"{}"}}]}}"#,
            b64::encode(HMAC_KEY)
        )
        .as_bytes(),
    )
    .unwrap();
    let hs = validator(Algorithm::HS256);
    let hs_token = hs256_token(0);
    let (rsa_private, rsa_public) = rsa_key();
    let rs_keys = Jwks::from_json(rsa_public.as_bytes()).unwrap();
    let rs = validator(Algorithm::RS256);
    let rs_token = rs256_token(&rsa_private, 0);
    assert!(hs.validate(&hs_token, &hs_keys, NOW).is_ok());
    assert!(rs.validate(&rs_token, &rs_keys, NOW).is_ok());

    let mut group = c.benchmark_group("core");
    group.bench_function(
        "parse (compact JWS, strict base64url and header JSON)",
        |b| b.iter(|| UntrustedJws::parse(black_box(&rs_token), 8192).unwrap()),
    );
    group.bench_function("begin RS256 (parse, header rules, key choice)", |b| {
        b.iter(|| rs.begin(black_box(&rs_token), &rs_keys).unwrap())
    });
    group.bench_function(
        "claims RS256 (strict claims JSON and every claim rule)",
        |b| {
            b.iter_batched(
                || {
                    rs.begin(&rs_token, &rs_keys)
                        .unwrap()
                        .accept_host_verdict(true)
                        .unwrap()
                },
                |jws| rs.check_claims(jws, NOW, &[]).unwrap(),
                BatchSize::SmallInput,
            )
        },
    );
    group.bench_function("validate HS256 (full, pure Rust)", |b| {
        b.iter(|| hs.validate(black_box(&hs_token), &hs_keys, NOW).unwrap())
    });
    group.bench_function("validate RS256 (full, pure Rust)", |b| {
        b.iter(|| rs.validate(black_box(&rs_token), &rs_keys, NOW).unwrap())
    });
    // The JS package's cache keeps only the summary (its JS results live beside it).
    let mut cache: TokenCache = TokenCache::new(1000);
    for jti in 1..1000 {
        let token = hs256_token(jti);
        let verified = hs.validate(&token, &hs_keys, NOW).unwrap();
        cache.insert(&token, verified.summary().clone(), (), NOW);
    }
    let verified = hs.validate(&hs_token, &hs_keys, NOW).unwrap();
    cache.insert(&hs_token, verified.summary().clone(), (), NOW);
    group.bench_function(
        "cache hit (1000 entries: lookup, key, clock and scope rules)",
        |b| {
            b.iter(|| {
                let hit = cache.get(black_box(&hs_token), &hs, &hs_keys, NOW + 1.0, &[]);
                assert!(matches!(hit, Ok(Lookup::Hit { .. })));
            })
        },
    );
    group.bench_function("cache miss (1000 entries)", |b| {
        let other = hs256_token(5000);
        b.iter(|| {
            let miss = cache.get(black_box(&other), &hs, &hs_keys, NOW, &[]);
            assert!(matches!(miss, Ok(Lookup::Miss)));
        })
    });
    group.bench_function(
        "precheck + finish RS256 (claims while the host verifies)",
        |b| {
            b.iter_batched(
                || rs.begin(&rs_token, &rs_keys).unwrap(),
                |pending| {
                    let pre = rs.precheck_claims(&pending, NOW, &[]);
                    let jws = pending.accept_host_verdict(true).unwrap();
                    rs.check_claims_prechecked(jws, pre, NOW, &[]).unwrap()
                },
                BatchSize::SmallInput,
            )
        },
    );
    group.bench_function("JWKS parse (one RSA key: checks, thumbprint)", |b| {
        b.iter(|| Jwks::from_json(black_box(rsa_public.as_bytes())).unwrap())
    });
    group.finish();
}

criterion_group!(core_benches, benches);
criterion_main!(core_benches);
