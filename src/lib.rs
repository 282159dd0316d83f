//! # edge-token-validator
//!
//! Strict validation of OAuth 2.0 JWT access tokens (RFC 9068) signed per JWS/JWK/JWA, for
//! the edge. This crate is the sans-IO core: it never reads a clock, a random source or the
//! network. Callers pass `now`, key sets and random bytes; a host with its own crypto
//! (WebCrypto) can check signatures itself through [`PendingSignature`].
//!
//! ```
//! use edge_token_validator::{Algorithm, ErrorCode, Jwks, Validator, ValidatorOptions};
//!
//! // The issuer's keys (here a shared HMAC secret; RSA, EC and Ed25519 keys work the same).
//! let jwks = Jwks::from_json(br#"{"keys":[{"kty":"oct","kid":"k1",
//!     "k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}]}"#)?;
//! let mut options = ValidatorOptions::new("https://issuer.example")
//!     .audience("api")
//!     .algorithms(&[Algorithm::HS256]); // the default allow-list is asymmetric only
//! options.token_type = Some("at+jwt".into()); // RFC 9068 access tokens
//! let validator = Validator::new(options)?;
//!
//! let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.\
//!     eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwiYXVkIjoiYXBpIiwic3ViIjoiYWxpY2UiLCJzY29wZSI6InJlYWQgd3JpdGUiLCJpYXQiOjE4MDAwMDAwMDAsImV4cCI6MTgwMDAwMzYwMH0.\
//!     fvgDHZ0mt4SbEIJ-GKa85pjdQi3L5t2DvwrhVW73FFo";
//!
//! // The core never reads a clock: the caller says what time it is (seconds since the epoch).
//! let verified = validator.validate(token, &jwks, 1_800_000_100.0)?;
//! assert_eq!(verified.subject(), Some("alice"));
//! assert_eq!(verified.scopes(), ["read", "write"]);
//!
//! // An hour and a minute later (past the 60 s tolerance) the same token has expired.
//! let err = validator.validate(token, &jwks, 1_800_003_661.0).unwrap_err();
//! assert_eq!(err.code(), ErrorCode::Expired);
//! assert_eq!(err.code().as_str(), "expired");
//! # Ok::<(), edge_token_validator::Error>(())
//! ```
//!
//! ## Design choices
//! - **Trust moves through types.** [`UntrustedJws`] → [`PendingSignature`] →
//!   [`VerifiedJws`] → [`VerifiedToken`]. Nothing reads claims before the signature verified.
//! - **`alg` comes from configuration and the key.** The token's header only picks among the
//!   allowed algorithms that fit the chosen key (RFC 8725 §3.1); `none` is not implemented.
//! - **One rule, one place.** The doors (JS package, Worker) translate; they never decide.
//! - **RustCrypto directly rather than jwt-compact.** jwt-compact's RSA feature turns on
//!   `getrandom`, which does not build for `wasm32v1-none`, and its token parsing is less
//!   strict than the contract; its design (one algorithm family per feature, untrusted →
//!   trusted types, an injected clock) is kept.
//! - **Errors are opaque about secrets.** Descriptions are fixed strings; no token or key
//!   bytes are ever formatted.

// The core is no_std; the Worker door alone builds with std, because workers-rs's `#[event]`
// macro expands to code that assumes the std prelude inside a module of its own.
#![cfg_attr(not(feature = "worker"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(all(feature = "std", not(feature = "worker")))]
extern crate std;

pub mod alg;
pub mod b64;
pub mod dpop;
pub mod error;
pub mod gateway;
pub mod http;
pub mod introspect;
pub mod json;
pub mod jwk;
pub mod jwks_cache;
pub mod opaque;
pub mod pkce;
pub mod policy;
pub mod providers;
pub mod revocation;
pub mod token;
pub mod token_cache;

#[cfg(feature = "js")]
pub mod js;
#[cfg(feature = "worker")]
mod worker;

pub use alg::Algorithm;
pub use error::{Error, ErrorCode};
pub use jwk::{Jwk, Jwks, KeyMaterial};
pub use policy::{Validator, ValidatorOptions, VerifiedToken};
pub use token::{Header, PendingSignature, UntrustedJws, VerifiedJws};
