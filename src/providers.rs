//! Several issuers (SPEC §7): each provider has its own keys, audiences and rules, and the
//! token's `iss` picks the provider before any key is fetched, so an unknown issuer costs
//! nothing and one issuer's keys can never verify another's tokens.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

use crate::error::{Error, ErrorCode};
use crate::gateway::{ConfigError, KeySource};
use crate::json;
use crate::jwk::Jwks;
use crate::jwks_cache;
use crate::policy::{Validator, ValidatorOptions};
use crate::token::UntrustedJws;
use crate::Algorithm;

/// One issuer's rules and keys.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The rules (its `issuers` holds exactly this provider's issuer).
    pub validator: Validator,
    /// Where its keys come from.
    pub keys: KeySource,
}

impl Provider {
    /// The issuer.
    pub fn issuer(&self) -> &str {
        self.validator
            .options()
            .issuers
            .first()
            .map_or("", String::as_str)
    }
}

/// The `iss` a token claims, read before anything is trusted: only to choose whose rules and
/// keys will judge it.
///
/// # Errors
/// What parsing reports (`malformed`, `token_too_large`, …); `missing_claim` without `iss`;
/// `invalid_claim` when it is not a string.
pub fn peek_issuer(token: &str, max_token_bytes: usize) -> Result<String, Error> {
    let jws = UntrustedJws::parse(token, max_token_bytes)?;
    let (claims, _) = json::parse_claims(jws.payload())
        .map_err(|reason| Error::new(ErrorCode::Malformed, reason))?;
    match claims.get("iss") {
        Some(Value::String(iss)) => Ok(iss.clone()),
        Some(_) => Err(Error::new(
            ErrorCode::InvalidClaim,
            "the iss claim is not a string",
        )),
        None => Err(Error::new(
            ErrorCode::MissingClaim,
            "the iss claim is required",
        )),
    }
}

/// The provider whose issuer the token names (exact match).
///
/// # Errors
/// `issuer_mismatch` for an issuer no provider has; the parsing errors of [`peek_issuer`].
pub fn select<'a>(
    providers: &'a [Provider],
    token: &str,
    max_token_bytes: usize,
) -> Result<(usize, &'a Provider), Error> {
    let iss = peek_issuer(token, max_token_bytes)?;
    providers
        .iter()
        .enumerate()
        .find(|(_, p)| p.issuer() == iss)
        .ok_or(Error::new(
            ErrorCode::IssuerMismatch,
            "the token's issuer is not accepted",
        ))
}

fn strings(value: Option<&Value>, what: &str, index: usize) -> Result<Vec<String>, ConfigError> {
    let bad = || ConfigError {
        setting: "PROVIDERS",
        reason: format!("entry {index}: {what} must be a string or an array of strings"),
    };
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(String::from).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// Parses the `PROVIDERS` setting: a JSON list of `{issuer, audience, jwksUri?, jwks?,
/// algorithms?, tokenType?}`; `defaults` supplies the shared options (clock tolerance,
/// required scopes, …).
///
/// # Errors
/// A [`ConfigError`] for `PROVIDERS` naming the entry and what is wrong.
pub fn parse_providers(
    text: &str,
    defaults: &ValidatorOptions,
) -> Result<Vec<Provider>, ConfigError> {
    let err = |reason: String| ConfigError {
        setting: "PROVIDERS",
        reason,
    };
    let Ok(Value::Array(entries)) = json::parse_strict(text.as_bytes()) else {
        return Err(err("must be a JSON array of providers".into()));
    };
    if entries.is_empty() {
        return Err(err("names no provider".into()));
    }
    let mut providers: Vec<Provider> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(map) = entry else {
            return Err(err(format!("entry {i} is not an object")));
        };
        const KNOWN: [&str; 6] = [
            "issuer",
            "audience",
            "jwksUri",
            "jwks",
            "algorithms",
            "tokenType",
        ];
        if let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(err(format!("entry {i} has an unknown member {unknown:?}")));
        }
        let Some(Value::String(issuer)) = map.get("issuer") else {
            return Err(err(format!("entry {i} needs an issuer")));
        };
        if providers.iter().any(|p| p.issuer() == issuer) {
            return Err(err(format!("entry {i} repeats an issuer")));
        }
        let mut options = defaults.clone();
        options.issuers = alloc::vec![issuer.clone()];
        options.audiences = strings(map.get("audience"), "audience", i)?;
        if let Some(algs) = map.get("algorithms") {
            options.algorithms = strings(Some(algs), "algorithms", i)?
                .iter()
                .map(|name| {
                    Algorithm::from_name(name).ok_or_else(|| {
                        err(format!("entry {i} names an unsupported algorithm {name:?}"))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        match map.get("tokenType") {
            None => {}
            Some(Value::String(t)) => options.token_type = Some(t.clone()),
            Some(_) => return Err(err(format!("entry {i}: tokenType must be a string"))),
        }
        let validator =
            Validator::new(options).map_err(|e| err(format!("entry {i}: {}", e.description())))?;
        let keys = match (map.get("jwks"), map.get("jwksUri")) {
            (Some(_), Some(_)) => {
                return Err(err(format!("entry {i}: give jwks or jwksUri, not both")))
            }
            (Some(jwks), None) => {
                let set = match jwks {
                    Value::Object(m) => Jwks::from_map(m),
                    Value::String(s) => Jwks::from_json(s.as_bytes()),
                    _ => return Err(err(format!("entry {i}: jwks must be a JWKS object"))),
                }
                .map_err(|e| err(format!("entry {i}: jwks {}", e.description())))?;
                KeySource::Static(set)
            }
            (None, Some(Value::String(uri))) => {
                jwks_cache::check_fetch_url(uri)
                    .map_err(|e| err(format!("entry {i}: jwksUri {}", e.description())))?;
                KeySource::Uri(uri.clone())
            }
            (None, Some(_)) => return Err(err(format!("entry {i}: jwksUri must be a string"))),
            (None, None) => {
                jwks_cache::check_fetch_url(&jwks_cache::discovery_url(issuer))
                    .map_err(|e| err(format!("entry {i}: issuer {}", e.description())))?;
                KeySource::Discovery(issuer.to_string())
            }
        };
        providers.push(Provider { validator, keys });
    }
    Ok(providers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b64;

    fn token_with(payload: &str) -> String {
        alloc::format!(
            "{}.{}.sig",
            b64::encode(br#"{"alg":"ES256","kid":"k"}"#),
            b64::encode(payload.as_bytes())
        )
    }

    #[test]
    fn the_issuer_picks_the_provider_before_any_key_is_looked_at() {
        let providers = parse_providers(
            r#"[{"issuer":"https://a.example","audience":"api","jwksUri":"https://a.example/jwks"},
                {"issuer":"https://b.example","audience":["api","other"]}]"#,
            &ValidatorOptions::new("unused"),
        )
        .unwrap();
        let (index, chosen) = select(
            &providers,
            &token_with(r#"{"iss":"https://b.example"}"#),
            8192,
        )
        .unwrap();
        assert_eq!((index, chosen.issuer()), (1, "https://b.example"));
        assert!(matches!(chosen.keys, KeySource::Discovery(_)));
        assert_eq!(chosen.validator.options().audiences, ["api", "other"]);
        let unknown = select(
            &providers,
            &token_with(r#"{"iss":"https://c.example"}"#),
            8192,
        )
        .unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::IssuerMismatch);
        assert_eq!(
            select(&providers, &token_with(r#"{"sub":"x"}"#), 8192)
                .unwrap_err()
                .code(),
            ErrorCode::MissingClaim
        );
        assert_eq!(
            select(&providers, &token_with(r#"{"iss":1}"#), 8192)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidClaim
        );
        assert_eq!(
            select(&providers, "a.b", 8192).unwrap_err().code(),
            ErrorCode::Malformed
        );
    }

    #[test]
    fn bad_provider_lists_name_the_entry() {
        let defaults = ValidatorOptions::new("unused");
        for (text, fragment) in [
            ("{}", "JSON array"),
            ("[]", "no provider"),
            (r#"[{"audience":"a"}]"#, "entry 0 needs an issuer"),
            (
                r#"[{"issuer":"https://a"},{"issuer":"https://a"}]"#,
                "repeats",
            ),
            (
                r#"[{"issuer":"https://a","jwksUri":"http://evil.example/"}]"#,
                "jwksUri",
            ),
            (
                r#"[{"issuer":"https://a","algorithms":["none"]}]"#,
                "unsupported algorithm",
            ),
            (r#"[{"issuer":"https://a","kid":"x"}]"#, "unknown member"),
        ] {
            let error = parse_providers(text, &defaults).unwrap_err();
            assert_eq!(error.setting, "PROVIDERS");
            assert!(error.reason.contains(fragment), "{text}: {}", error.reason);
        }
    }
}
