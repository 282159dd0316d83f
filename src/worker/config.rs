//! Gateway configuration from wrangler vars and secrets (SPEC §5). Values that hold JSON
//! arrive as strings and are parsed here; a bad value names its setting.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use worker::Env;

use crate::jwk::Jwks;
use crate::policy::{Validator, ValidatorOptions};
use crate::Algorithm;

/// A configuration problem: which setting, and what is wrong (never its value: it may be a
/// secret).
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

/// The parsed gateway configuration.
pub struct GatewayConfig {
    pub validator: Validator,
    pub keys: Jwks,
    pub realm: String,
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret(name).ok().map(|v| v.to_string()))
        .filter(|v| !v.trim().is_empty())
}

fn list(value: &str, separators: &[char]) -> Vec<String> {
    value
        .split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn err(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

impl GatewayConfig {
    /// Reads and checks every setting.
    pub fn from_env(env: &Env) -> Result<GatewayConfig, ConfigError> {
        let issuer = var(env, "ISSUER").ok_or_else(|| err("ISSUER", "is not set"))?;
        let mut options = ValidatorOptions::new(issuer);
        if let Some(audience) = var(env, "AUDIENCE") {
            options.audiences = list(&audience, &[',']);
        }
        if let Some(algorithms) = var(env, "ALGORITHMS") {
            options.algorithms = list(&algorithms, &[',', ' '])
                .iter()
                .map(|name| {
                    Algorithm::from_name(name)
                        .ok_or_else(|| err("ALGORITHMS", format!("unknown algorithm {name:?}")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(tolerance) = var(env, "CLOCK_TOLERANCE_SECONDS") {
            options.clock_tolerance_seconds = tolerance.trim().parse().map_err(|_| {
                err(
                    "CLOCK_TOLERANCE_SECONDS",
                    "is not a whole number of seconds",
                )
            })?;
        }
        if let Some(scopes) = var(env, "REQUIRED_SCOPES") {
            options.required_scopes = list(&scopes, &[' ']);
        }
        options.token_type = var(env, "TOKEN_TYPE");
        let validator =
            Validator::new(options).map_err(|e| err("ISSUER", e.description().to_string()))?;
        let keys = match var(env, "JWKS") {
            Some(jwks) => {
                let keys = Jwks::from_json(jwks.as_bytes())
                    .map_err(|e| err("JWKS", e.description().to_string()))?;
                if keys.keys().is_empty() {
                    return Err(err("JWKS", "holds no usable key"));
                }
                keys
            }
            None => return Err(err("JWKS", "is not set (JWKS or JWKS_URI is required)")),
        };
        Ok(GatewayConfig {
            validator,
            keys,
            realm: var(env, "REALM").unwrap_or_else(|| String::from("api")),
        })
    }
}
