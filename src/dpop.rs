//! Sender-constrained tokens at the resource server: DPoP proofs (RFC 9449) and
//! certificate-bound tokens (RFC 8705). Sans-IO: the caller passes `now`, the request's
//! method and URL, the current server nonce, and keeps the `jti` replay store (it is told
//! what to remember and for how long).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::alg::Algorithm;
use crate::b64;
use crate::error::{Error, ErrorCode};
use crate::json;
use crate::jwk::Jwk;
use crate::policy::{media_type_eq, VerifiedToken};
use crate::token::{PendingSignature, UntrustedJws, VerifiedJws};

/// How far a proof's `iat` may be from now, in seconds, before the clock tolerance
/// (RFC 9449 §11.1 leaves it to the server; the contract says ±60 s).
pub const IAT_WINDOW_SECONDS: f64 = 60.0;
/// Largest proof accepted, in bytes (a proof is a header with a public key and a few claims).
pub const MAX_PROOF_BYTES: usize = 4096;
/// Longest `jti` remembered, in bytes.
pub const MAX_JTI_BYTES: usize = 256;

/// A DPoP failure: the error (code `dpop_invalid`) and whether the cure is to retry with the
/// server's current nonce (`use_dpop_nonce`, RFC 9449 §8) rather than a new proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopError {
    /// The error, code `dpop_invalid`.
    pub error: Error,
    /// Whether the client must retry with the nonce the server sends (`DPoP-Nonce`).
    pub use_nonce: bool,
}

impl DpopError {
    fn new(description: &'static str) -> DpopError {
        DpopError {
            error: Error::new(ErrorCode::DpopInvalid, description),
            use_nonce: false,
        }
    }

    /// The RFC 6750 §3-style `error` value of the `DPoP` challenge (RFC 9449 §7.1, §12.2).
    pub fn oauth_error(&self) -> &'static str {
        if self.use_nonce {
            "use_dpop_nonce"
        } else {
            "invalid_dpop_proof"
        }
    }
}

impl From<DpopError> for Error {
    fn from(value: DpopError) -> Error {
        value.error
    }
}

/// What the proof is checked against.
#[derive(Debug, Clone)]
pub struct DpopRequest<'a> {
    /// The request's method, e.g. `GET`.
    pub method: &'a str,
    /// The request's absolute URL (query and fragment are ignored, RFC 9449 §4.3 step 9).
    pub url: &'a str,
    /// The access token presented with the proof (for `ath`).
    pub access_token: &'a str,
    /// The nonce the proof must carry, when the server uses nonces.
    pub nonce: Option<&'a str>,
}

/// A proof whose signature checks out with its own embedded key; its claims are checked by
/// [`check_proof`].
pub fn begin_proof(
    proof: &str,
    allowed: &[Algorithm],
) -> Result<(PendingSignature, Jwk), DpopError> {
    let jws = UntrustedJws::parse(proof, MAX_PROOF_BYTES)
        .map_err(|_| DpopError::new("the DPoP proof is not a well-formed JWS"))?;
    let header = jws.header();
    // RFC 9449 §4.3 steps 4–6.
    if !header
        .typ()
        .is_some_and(|typ| media_type_eq(typ, "dpop+jwt"))
    {
        return Err(DpopError::new("the DPoP proof's typ is not dpop+jwt"));
    }
    let Some(Value::Object(jwk_members)) = header.members().get("jwk") else {
        return Err(DpopError::new("the DPoP proof has no jwk header"));
    };
    let jwk = Jwk::from_map(jwk_members)
        .map_err(|_| DpopError::new("the DPoP proof's jwk is not a usable public key"))?;
    // A proof carrying its private key proves nothing (RFC 9449 §4.3 step 7).
    if jwk.has_private_members() {
        return Err(DpopError::new(
            "the DPoP proof's jwk contains private key members",
        ));
    }
    let asymmetric: Vec<Algorithm> = allowed
        .iter()
        .copied()
        .filter(|alg| !alg.is_symmetric())
        .collect();
    let pending = jws.prepare_with_key(&asymmetric, &jwk).map_err(|_| {
        DpopError::new("the DPoP proof's alg is not allowed or does not fit its key")
    })?;
    Ok((pending, jwk))
}

/// The proof's signature verdict: from the host (`Some`) or the pure-Rust verifiers
/// (`None`). Any failure is the proof's, so it is `dpop_invalid`, not `signature_invalid`.
///
/// # Errors
/// `dpop_invalid` when the signature does not verify.
pub fn verify_proof_signature(
    pending: PendingSignature,
    host_verdict: Option<bool>,
) -> Result<VerifiedJws, DpopError> {
    match host_verdict {
        Some(valid) => pending.accept_host_verdict(valid),
        None => pending.verify_native(),
    }
    .map_err(|_| DpopError::new("the DPoP proof's signature does not verify"))
}

/// What the caller must remember to refuse replays: `jti` until `remember_until`.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedProof {
    /// The proof's `jti`.
    pub jti: String,
    /// Until when the `jti` must be remembered (seconds): after that, `iat` alone refuses it.
    pub remember_until: f64,
    /// The RFC 7638 thumbprint of the proof key (base64url), to compare with `cnf.jkt`.
    pub jkt: String,
}

/// Checks a proof whose signature verified (RFC 9449 §4.3 steps 8–12) against the request,
/// and the access token's binding (`cnf.jkt`, §6.1; `ath`, §4.3 step 11). Replay (`jti`
/// seen before) is the caller's store's to answer with the returned [`AcceptedProof`].
///
/// # Errors
/// A [`DpopError`] naming the failed check; `use_nonce` when only the nonce is missing or stale.
pub fn check_proof(
    proof: VerifiedJws,
    key: &Jwk,
    request: &DpopRequest<'_>,
    token_claims: &Map<String, Value>,
    now: f64,
    clock_tolerance_seconds: f64,
) -> Result<AcceptedProof, DpopError> {
    let claims = json::parse_strict_object(proof.payload())
        .map_err(|_| DpopError::new("the DPoP proof's claims are not a JSON object"))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let jti = text("jti")
        .filter(|j| !j.is_empty() && j.len() <= MAX_JTI_BYTES)
        .ok_or(DpopError::new("the DPoP proof has no usable jti"))?;
    if text("htm") != Some(request.method) {
        return Err(DpopError::new(
            "the DPoP proof's htm does not match the request method",
        ));
    }
    let htu_matches =
        text("htu").is_some_and(
            |htu| match (normalize_htu(htu), normalize_htu(request.url)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        );
    if !htu_matches {
        return Err(DpopError::new(
            "the DPoP proof's htu does not match the request URL",
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
        .ok_or(DpopError::new("the DPoP proof has no numeric iat"))?;
    let window = IAT_WINDOW_SECONDS + clock_tolerance_seconds;
    if (iat - now).abs() > window {
        return Err(DpopError::new(
            "the DPoP proof's iat is outside the accepted window",
        ));
    }
    let expected_ath = b64::encode(&Sha256::digest(request.access_token.as_bytes()));
    let ath_matches =
        text("ath").is_some_and(|ath| bool::from(ath.as_bytes().ct_eq(expected_ath.as_bytes())));
    if !ath_matches {
        return Err(DpopError::new(
            "the DPoP proof's ath does not match the access token",
        ));
    }
    if let Some(nonce) = request.nonce {
        let nonce_matches =
            text("nonce").is_some_and(|n| bool::from(n.as_bytes().ct_eq(nonce.as_bytes())));
        if !nonce_matches {
            return Err(DpopError {
                error: Error::new(
                    ErrorCode::DpopInvalid,
                    "the DPoP proof lacks the current server nonce",
                ),
                use_nonce: true,
            });
        }
    }
    let jkt = key.thumbprint_b64();
    let bound_jkt = token_claims
        .get("cnf")
        .and_then(|cnf| cnf.get("jkt"))
        .and_then(Value::as_str);
    let bound = bound_jkt.is_some_and(|bound| bool::from(bound.as_bytes().ct_eq(jkt.as_bytes())));
    if !bound {
        return Err(DpopError::new(
            "the access token is not bound to the DPoP proof's key (cnf.jkt)",
        ));
    }
    Ok(AcceptedProof {
        jti: jti.to_string(),
        remember_until: iat + window,
        jkt,
    })
}

/// `htu` comparison form (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2–6.2.3): no query or
/// fragment, scheme and host lower-cased, default port dropped, empty path as `/`.
fn normalize_htu(url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next()?;
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let mut authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    if authority.ends_with(default_port) {
        authority.truncate(authority.len() - default_port.len());
    }
    let mut out = scheme;
    out.push_str("://");
    out.push_str(&authority);
    out.push_str(path);
    Some(out)
}

/// How the access token was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presentation<'a> {
    /// `Authorization: Bearer` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP` with a proof whose key has this thumbprint.
    Dpop {
        /// The proof key's RFC 7638 thumbprint.
        jkt: &'a str,
    },
}

/// The token's binding rules for its presentation: a DPoP-bound token (`cnf.jkt`) presented
/// as Bearer is refused (RFC 9449 §7.1); a certificate-bound token (`cnf["x5t#S256"]`,
/// RFC 8705 §3) needs the client certificate's SHA-256 thumbprint (base64url) to match.
///
/// # Errors
/// `dpop_invalid` for a Bearer presentation of a DPoP-bound token; `invalid_claim` when the
/// certificate binding fails or `cnf` is malformed.
pub fn check_binding(
    token: &VerifiedToken,
    presentation: Presentation<'_>,
    client_certificate_thumbprint: Option<&str>,
) -> Result<(), Error> {
    check_binding_claims(token.claims(), presentation, client_certificate_thumbprint)
}

/// [`check_binding`] over the claims of a token that passed validation (for doors that hold
/// the claims rather than the [`VerifiedToken`]).
///
/// # Errors
/// As [`check_binding`].
pub fn check_binding_claims(
    claims: &Map<String, Value>,
    presentation: Presentation<'_>,
    client_certificate_thumbprint: Option<&str>,
) -> Result<(), Error> {
    let Some(cnf) = claims.get("cnf") else {
        return Ok(());
    };
    let Value::Object(cnf) = cnf else {
        return Err(Error::new(
            ErrorCode::InvalidClaim,
            "the cnf claim is not an object",
        ));
    };
    if cnf.contains_key("jkt") && presentation == Presentation::Bearer {
        return Err(Error::new(
            ErrorCode::DpopInvalid,
            "a DPoP-bound token must be presented with a DPoP proof",
        ));
    }
    if let Some(bound) = cnf.get("x5t#S256") {
        let Value::String(bound) = bound else {
            return Err(Error::new(
                ErrorCode::InvalidClaim,
                "cnf x5t#S256 is not a string",
            ));
        };
        let matches = client_certificate_thumbprint
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(bound.as_bytes())));
        if !matches {
            return Err(Error::new(
                ErrorCode::InvalidClaim,
                "the token is bound to a client certificate that was not presented",
            ));
        }
    }
    Ok(())
}

/// Whether [`check_binding_claims`]'s verdict on `claims` depends on the client certificate
/// (a `cnf` object with `x5t#S256`), so a door need fetch the certificate only then.
pub fn binding_needs_certificate(claims: &Map<String, Value>) -> bool {
    matches!(claims.get("cnf"), Some(Value::Object(cnf)) if cnf.contains_key("x5t#S256"))
}

/// The base64url SHA-256 thumbprint from a hex fingerprint (as the Workers runtime gives
/// `request.cf.tlsClientAuth.certFingerprintSHA256`).
pub fn thumbprint_from_hex(hex: &str) -> Option<String> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(b64::encode(&bytes))
}

/// The `WWW-Authenticate` value of a `DPoP` challenge (RFC 9449 §7.1): `algs`, and `error` /
/// `error_description` when there is an error.
pub fn challenge(realm: &str, algs: &[Algorithm], error: Option<(&str, &str)>) -> String {
    let mut value = String::from("DPoP realm=\"");
    crate::error::push_quoted_string_content(&mut value, realm);
    value.push_str("\", algs=\"");
    let names: Vec<&str> = algs
        .iter()
        .filter(|a| !a.is_symmetric())
        .map(|a| a.name())
        .collect();
    value.push_str(&names.join(" "));
    value.push('"');
    if let Some((code, description)) = error {
        value.push_str(", error=\"");
        crate::error::push_quoted_string_content(&mut value, code);
        value.push_str("\", error_description=\"");
        crate::error::push_quoted_string_content(&mut value, description);
        value.push('"');
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8705 §3: a door may skip reading the client certificate only when the binding
    /// verdict cannot depend on it, for every shape of `cnf` (absent, DPoP-bound, malformed,
    /// certificate-bound, both).
    #[test]
    fn the_certificate_is_asked_for_whenever_the_verdict_depends_on_it() {
        let cases = [
            serde_json::json!({}),
            serde_json::json!({"cnf": {}}),
            serde_json::json!({"cnf": "x"}),
            serde_json::json!({"cnf": {"jkt": "a"}}),
            serde_json::json!({"cnf": {"x5t#S256": "thumb"}}),
            serde_json::json!({"cnf": {"x5t#S256": 7}}),
            serde_json::json!({"cnf": {"jkt": "a", "x5t#S256": "thumb"}}),
        ];
        let mut depending = 0;
        for case in cases {
            let Value::Object(claims) = case else {
                unreachable!()
            };
            let depends = [Presentation::Bearer, Presentation::Dpop { jkt: "a" }]
                .into_iter()
                .any(|presentation| {
                    let verdict = |certificate| {
                        check_binding_claims(&claims, presentation, certificate)
                            .map_err(|e| e.code())
                    };
                    verdict(None) != verdict(Some("thumb"))
                });
            if depends {
                depending += 1;
                assert!(binding_needs_certificate(&claims), "{claims:?}");
            }
            if claims.get("cnf").is_none() || claims["cnf"] == serde_json::json!({"jkt": "a"}) {
                assert!(!binding_needs_certificate(&claims), "{claims:?}");
            }
        }
        // The two cases with a string x5t#S256 (the others fail or pass without it).
        assert_eq!(depending, 2);
    }

    #[test]
    fn htu_ignores_query_fragment_case_and_default_ports() {
        let n = |u: &str| normalize_htu(u).unwrap();
        assert_eq!(
            n("https://API.example.com:443/a?x=1#f"),
            "https://api.example.com/a"
        );
        assert_eq!(n("https://api.example.com"), "https://api.example.com/");
        assert_ne!(
            n("https://api.example.com/a"),
            n("https://api.example.com/A")
        );
        assert_ne!(
            n("https://api.example.com:8443/a"),
            n("https://api.example.com/a")
        );
        assert_eq!(normalize_htu("ftp://x/"), None);
        assert_eq!(normalize_htu("https://user@x/"), None);
    }

    #[test]
    fn hex_fingerprints_become_base64url_thumbprints() {
        let hex = "a".repeat(64);
        assert_eq!(thumbprint_from_hex(&hex).unwrap(), b64::encode(&[0xaa; 32]));
        assert_eq!(thumbprint_from_hex("abc"), None);
        assert_eq!(thumbprint_from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn challenge_lists_asymmetric_algs_and_the_error() {
        let value = challenge(
            "api",
            &[Algorithm::ES256, Algorithm::HS256, Algorithm::EdDSA],
            Some(("invalid_dpop_proof", "bad \"iat\"")),
        );
        assert_eq!(
            value,
            r#"DPoP realm="api", algs="ES256 EdDSA", error="invalid_dpop_proof", error_description="bad \"iat\"""#
        );
    }
}
