//! Strict compact-JWS parsing and the header rules of RFC 7515, RFC 8725 and the contract.
//!
//! Trust moves through types: [`UntrustedJws`] is what arrived; [`PendingSignature`] is a
//! token whose header passed the rules and whose key was chosen, waiting for a signature
//! verdict; only [`VerifiedJws`] (and the claims layer's `VerifiedToken`) come out trusted.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{Map, Value};

use crate::alg::{self, Algorithm};
use crate::b64;
use crate::error::{Error, ErrorCode};
use crate::json;
use crate::jwk::{Jwk, Jwks, KeyMaterial};

/// Default cap on a token's size in bytes (`maxTokenBytes`).
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8192;
/// Cap on the decoded header's size: a header is a few members.
pub const MAX_HEADER_BYTES: usize = 2048;

/// The JOSE header, with the members the rules look at pulled out.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    members: Map<String, Value>,
}

impl Header {
    /// `alg` exactly as written.
    pub fn alg(&self) -> &str {
        &self.alg
    }
    /// `kid`, when present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// `typ`, when present.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }
    /// All members.
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }
}

/// A compact JWS as received: structurally valid, nothing trusted.
#[derive(Debug, Clone)]
pub struct UntrustedJws<'a> {
    signing_input: &'a str,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

fn malformed(reason: &'static str) -> Error {
    Error::new(ErrorCode::Malformed, reason)
}

impl<'a> UntrustedJws<'a> {
    /// Parses a compact JWS: size first, then three strict base64url segments, a strict
    /// JSON-object header, and the header rules that need no key.
    ///
    /// # Errors
    /// `token_too_large`, `malformed` or `crit_unsupported`.
    pub fn parse(token: &'a str, max_token_bytes: usize) -> Result<UntrustedJws<'a>, Error> {
        // Checked before any decoding, so an oversize token costs nothing (RFC 8725 §3.x
        // resource exhaustion).
        if token.len() > max_token_bytes {
            return Err(Error::new(
                ErrorCode::TokenTooLarge,
                "token is larger than allowed",
            ));
        }
        let mut segments = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(if token.split('.').count() == 5 {
                malformed("JWE (5 segments) is not accepted: access tokens are signed JWS")
            } else {
                malformed("a compact JWS has exactly 3 segments")
            });
        };
        if header_b64.len() > MAX_HEADER_BYTES * 4 / 3 + 4 {
            return Err(malformed("header is too large"));
        }
        let header_bytes =
            b64::decode(header_b64).map_err(|_| malformed("header is not strict base64url"))?;
        let payload =
            b64::decode(payload_b64).map_err(|_| malformed("payload is not strict base64url"))?;
        let signature = b64::decode(signature_b64)
            .map_err(|_| malformed("signature is not strict base64url"))?;
        let members = json::parse_strict_object(&header_bytes).map_err(malformed_json)?;
        let header = check_header(members)?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        Ok(UntrustedJws {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    /// The header (untrusted).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The payload bytes (untrusted).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Resolves `alg` against the allow-list, chooses the key, and checks the signature's
    /// shape: everything before the signature arithmetic.
    ///
    /// # Errors
    /// `unsupported_algorithm`, `algorithm_not_allowed`, `unknown_key`, `signature_invalid`.
    pub fn prepare(self, allowed: &[Algorithm], keys: &Jwks) -> Result<PendingSignature, Error> {
        let alg = resolve_algorithm(self.header.alg(), allowed)?;
        let key = keys.select(alg, self.header.kid())?;
        PendingSignature::new(self, alg, key.clone())
    }

    /// Like [`UntrustedJws::prepare`] with one given key (a DPoP proof's own `jwk`).
    ///
    /// # Errors
    /// As `prepare`; `unknown_key` when the key does not fit `alg`.
    pub fn prepare_with_key(
        self,
        allowed: &[Algorithm],
        key: &Jwk,
    ) -> Result<PendingSignature, Error> {
        let alg = resolve_algorithm(self.header.alg(), allowed)?;
        if !key.allows(alg) {
            return Err(Error::new(
                ErrorCode::UnknownKey,
                "the key does not fit the token's algorithm",
            ));
        }
        PendingSignature::new(self, alg, key.clone())
    }
}

pub(crate) fn malformed_json(reason: &'static str) -> Error {
    malformed(reason)
}

/// `alg` comes from the allow-list: the token only says which of the allowed ones it claims.
pub(crate) fn resolve_algorithm(name: &str, allowed: &[Algorithm]) -> Result<Algorithm, Error> {
    let Some(alg) = Algorithm::from_name(name) else {
        // `none`, `None`, `NONE`, and anything unregistered (RFC 8725 §3.1).
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            "the token's alg is not supported",
        ));
    };
    if !allowed.contains(&alg) {
        return Err(Error::new(
            ErrorCode::AlgorithmNotAllowed,
            "the token's alg is not allowed",
        ));
    }
    Ok(alg)
}

fn optional_header_str(members: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed("a header member has the wrong type")),
    }
}

fn check_header(members: Map<String, Value>) -> Result<Header, Error> {
    let alg = match members.get("alg") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(malformed("alg is not a string")),
        None => return Err(malformed("header has no alg")),
    };
    let kid = optional_header_str(&members, "kid")?;
    let typ = optional_header_str(&members, "typ")?;
    let cty = optional_header_str(&members, "cty")?;
    // RFC 7515 §4.1.11: every name in crit must be understood. This validator understands
    // none, and b64 (RFC 7797) in particular changes what is signed: never for a JWT.
    if let Some(crit) = members.get("crit") {
        let Value::Array(names) = crit else {
            return Err(malformed("crit is not an array"));
        };
        if names.is_empty() || names.iter().any(|n| !n.is_string()) {
            return Err(malformed("crit must be a non-empty array of names"));
        }
        return Err(Error::new(
            ErrorCode::CritUnsupported,
            "the token requires an extension this validator does not support",
        ));
    }
    if members.contains_key("b64") {
        return Err(malformed("b64 without crit is invalid (RFC 7797 §6)"));
    }
    // RFC 7519 §5.2: cty "JWT" means a nested token; an access token is never one.
    // "application/jwt" is the same media type (RFC 7515 §4.1.10), so compare as media types.
    if cty
        .as_deref()
        .is_some_and(|c| crate::policy::media_type_eq(c, "JWT"))
    {
        return Err(malformed("nested JWTs are not accepted"));
    }
    Ok(Header {
        alg,
        kid,
        typ,
        members,
    })
}

/// Group orders, big-endian: ECDSA scalars must lie in [1, n−1] (SEC 1 §4.1.4 step 1).
const P256_ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const P384_ORDER: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
const P521_ORDER: &str = "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409";
const SECP256K1_ORDER: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/// Ed25519's group order L, big-endian: S must be below it (RFC 8032 §5.1.7).
const ED25519_ORDER: &str = "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

/// Whether big-endian `value` (as long as `order_hex` / 2) lies in [1, order−1].
fn scalar_in_range(value: &[u8], order_hex: &str) -> bool {
    let order = order_hex.as_bytes().chunks(2).map(|pair| {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        digit(pair[0]) << 4 | digit(pair[1])
    });
    let mut below = false;
    for (v, o) in value.iter().zip(order) {
        if *v != o {
            below = *v < o;
            break;
        }
    }
    below && value.iter().any(|b| *b != 0)
}

/// The shape checks every verifier must agree on, done once here so that a host's crypto
/// (WebCrypto) and the pure-Rust path judge the same bytes the same way: exact lengths,
/// ECDSA r and s in [1, n−1] (CVE-2022-21449), Ed25519 S canonical.
fn signature_shape_is_valid(alg: Algorithm, key: &KeyMaterial, signature: &[u8]) -> bool {
    if let Some(len) = alg.fixed_signature_len() {
        if signature.len() != len {
            return false;
        }
    }
    let half = signature.len() / 2;
    let (r, s) = signature.split_at(half);
    match alg {
        Algorithm::ES256 => scalar_in_range(r, P256_ORDER) && scalar_in_range(s, P256_ORDER),
        Algorithm::ES384 => scalar_in_range(r, P384_ORDER) && scalar_in_range(s, P384_ORDER),
        Algorithm::ES512 => scalar_in_range(r, P521_ORDER) && scalar_in_range(s, P521_ORDER),
        Algorithm::ES256K => {
            scalar_in_range(r, SECP256K1_ORDER) && scalar_in_range(s, SECP256K1_ORDER)
        }
        Algorithm::EdDSA => {
            // S is little-endian; S = 0 is canonical, so compare S+0 against L by hand.
            let s_be: Vec<u8> = s.iter().rev().copied().collect();
            s_be.iter().all(|b| *b == 0) || scalar_in_range(&s_be, ED25519_ORDER)
        }
        _ => match key {
            // RFC 8017 §8.2.2 step 1: an RSA signature is exactly as long as the modulus.
            KeyMaterial::Rsa { n, .. } => signature.len() == n.len(),
            _ => true,
        },
    }
}

/// A token whose header passed the rules and whose key was chosen, waiting for a signature
/// verdict: from the pure-Rust verifier ([`PendingSignature::verify_native`]) or from the
/// host ([`PendingSignature::accept_host_verdict`]), e.g. WebCrypto.
#[derive(Debug, Clone)]
pub struct PendingSignature {
    signing_input: String,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
    alg: Algorithm,
    key: Jwk,
    shape_ok: bool,
}

impl PendingSignature {
    fn new(jws: UntrustedJws<'_>, alg: Algorithm, key: Jwk) -> Result<PendingSignature, Error> {
        let shape_ok = signature_shape_is_valid(alg, key.material(), &jws.signature);
        Ok(PendingSignature {
            signing_input: String::from(jws.signing_input),
            header: jws.header,
            payload: jws.payload,
            signature: jws.signature,
            alg,
            key,
            shape_ok,
        })
    }

    /// The algorithm the signature must be checked with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }
    /// The chosen key.
    pub fn key(&self) -> &Jwk {
        &self.key
    }
    /// The bytes that were signed (`header.payload`).
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }
    /// The signature bytes, in JWS form (raw r‖s for ECDSA).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
    /// Whether a host needs to be asked at all: `false` means the signature's shape is
    /// already wrong and the verdict will be `signature_invalid` whatever the host says.
    pub fn needs_verdict(&self) -> bool {
        self.shape_ok
    }
    /// The header (not yet trusted).
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The payload bytes (not yet trusted).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Checks the signature with the pure-Rust verifiers of this build.
    ///
    /// # Errors
    /// `signature_invalid`; `unsupported_algorithm` when this build lacks the algorithm.
    pub fn verify_native(self) -> Result<VerifiedJws, Error> {
        if !self.alg.has_native_verifier() {
            return Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                "this build cannot verify the token's alg",
            ));
        }
        let valid = self.shape_ok
            && alg::verify_native(
                self.alg,
                self.key.material(),
                self.signing_input.as_bytes(),
                &self.signature,
            );
        self.accept_host_verdict(valid)
    }

    /// Finishes with a verdict the host computed over [`PendingSignature::signing_input`]
    /// and [`PendingSignature::signature`] with [`PendingSignature::key`].
    ///
    /// # Errors
    /// `signature_invalid` when the verdict is false or the signature's shape was wrong.
    pub fn accept_host_verdict(self, signature_valid: bool) -> Result<VerifiedJws, Error> {
        if !(signature_valid && self.shape_ok) {
            return Err(Error::new(
                ErrorCode::SignatureInvalid,
                "signature verification failed",
            ));
        }
        Ok(VerifiedJws {
            header: self.header,
            payload: self.payload,
            alg: self.alg,
            key: self.key,
        })
    }
}

/// A JWS whose signature verified with a key from the trusted set.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    header: Header,
    payload: Vec<u8>,
    alg: Algorithm,
    key: Jwk,
}

impl VerifiedJws {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// The algorithm that verified.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }
    /// The key that verified.
    pub fn key(&self) -> &Jwk {
        &self.key
    }
    /// Takes the payload out.
    pub fn into_parts(self) -> (Header, Vec<u8>, Algorithm, Jwk) {
        (self.header, self.payload, self.alg, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_range() {
        let order = "ff01";
        assert!(scalar_in_range(&[0xff, 0x00], order));
        assert!(!scalar_in_range(&[0xff, 0x01], order));
        assert!(!scalar_in_range(&[0xff, 0x02], order));
        assert!(!scalar_in_range(&[0x00, 0x00], order));
        assert!(scalar_in_range(&[0x00, 0x01], order));
    }
}
