//! The algorithm registry (RFC 7518 §3, RFC 8037, RFC 8812) and the pure-Rust verifiers.
//!
//! Each family is one Cargo feature (`alg-hs`, `alg-rs`, `alg-es256`, `alg-es384`,
//! `alg-es512`, `alg-es256k`, `alg-eddsa`), so a build carries only the arithmetic it uses.
//! The registry itself is always present: an algorithm whose feature is off is still *known*
//! (its keys can be parsed and a host can verify it through [`crate::PendingSignature`]).

use crate::jwk::{Curve, KeyMaterial};

mod points;

/// A JWS algorithm this library implements.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (salt length 32).
    PS256,
    /// RSASSA-PSS with SHA-384 (salt length 48).
    PS384,
    /// RSASSA-PSS with SHA-512 (salt length 64).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812).
    ES256K,
    /// Ed25519 (RFC 8037).
    EdDSA,
}

/// The hash an algorithm signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256
    Sha256,
    /// SHA-384
    Sha384,
    /// SHA-512
    Sha512,
}

impl Hash {
    /// The output length in bytes.
    pub const fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
    /// Always false: a hash has an output.
    pub const fn is_empty(self) -> bool {
        false
    }
    /// The WebCrypto name.
    pub const fn webcrypto_name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

impl Algorithm {
    /// Every implemented algorithm.
    pub const ALL: [Algorithm; 14] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
    ];

    /// The asymmetric algorithms: the default allow-list of the gateway.
    pub const ASYMMETRIC: [Algorithm; 11] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
    ];

    /// The registered name (`"RS256"`). Exact and case-sensitive, as RFC 7515 §4.1.1 says.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::ES256K => "ES256K",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Looks up a registered name. `none`, in any case, is never found.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The hash the algorithm uses.
    pub const fn hash(self) -> Hash {
        match self {
            Algorithm::HS256
            | Algorithm::RS256
            | Algorithm::PS256
            | Algorithm::ES256
            | Algorithm::ES256K
            | Algorithm::EdDSA => Hash::Sha256,
            Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
                Hash::Sha384
            }
            Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::ES512 => {
                Hash::Sha512
            }
        }
    }

    /// Whether the algorithm is a MAC (the key is a shared secret).
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// The curve an ECDSA or EdDSA algorithm requires.
    pub const fn curve(self) -> Option<Curve> {
        match self {
            Algorithm::ES256 => Some(Curve::P256),
            Algorithm::ES384 => Some(Curve::P384),
            Algorithm::ES512 => Some(Curve::P521),
            Algorithm::ES256K => Some(Curve::Secp256k1),
            Algorithm::EdDSA => Some(Curve::Ed25519),
            _ => None,
        }
    }

    /// Whether `key` has the type (and curve) this algorithm needs (RFC 8725 §3.1: the key
    /// decides what may run, so an RSA key can never be fed to HMAC).
    pub fn fits(self, key: &KeyMaterial) -> bool {
        match key {
            KeyMaterial::Oct { k } => self.is_symmetric() && k.len() >= self.hash().len(),
            KeyMaterial::Rsa { .. } => matches!(
                self,
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            ),
            KeyMaterial::Ec { curve, .. } | KeyMaterial::Okp { curve, .. } => {
                self.curve() == Some(*curve)
            }
        }
    }

    /// The exact length of a signature, where the algorithm fixes it (ECDSA r‖s, Ed25519,
    /// HMAC output); RSA signatures are as long as the modulus.
    pub const fn fixed_signature_len(self) -> Option<usize> {
        match self {
            Algorithm::HS256 => Some(32),
            Algorithm::HS384 => Some(48),
            Algorithm::HS512 => Some(64),
            Algorithm::ES256 | Algorithm::ES256K => Some(64),
            Algorithm::ES384 => Some(96),
            Algorithm::ES512 => Some(132),
            Algorithm::EdDSA => Some(64),
            _ => None,
        }
    }

    /// Whether this build can verify the algorithm in pure Rust.
    pub const fn has_native_verifier(self) -> bool {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => cfg!(feature = "alg-hs"),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => cfg!(feature = "alg-rs"),
            Algorithm::ES256 => cfg!(feature = "alg-es256"),
            Algorithm::ES384 => cfg!(feature = "alg-es384"),
            Algorithm::ES512 => cfg!(feature = "alg-es512"),
            Algorithm::ES256K => cfg!(feature = "alg-es256k"),
            Algorithm::EdDSA => cfg!(feature = "alg-eddsa"),
        }
    }
}

impl core::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks a signature with the pure-Rust implementations (RustCrypto).
///
/// The caller ([`crate::PendingSignature`]) has already checked the key fits the algorithm
/// and the signature's shape; this only does the arithmetic. The answer is deliberately a
/// bare yes or no, as RustCrypto's `signature` crate keeps it: why a signature failed is not
/// something to tell an attacker.
// With no algorithm feature on, every argument is unused: each arm is feature-gated.
#[cfg_attr(not(feature = "all-algorithms"), allow(unused_variables))]
pub fn verify_native(
    alg: Algorithm,
    key: &KeyMaterial,
    signing_input: &[u8],
    signature: &[u8],
) -> bool {
    match (alg, key) {
        #[cfg(feature = "alg-hs")]
        (Algorithm::HS256, KeyMaterial::Oct { k }) => {
            hs::verify::<sha2::Sha256>(k, signing_input, signature)
        }
        #[cfg(feature = "alg-hs")]
        (Algorithm::HS384, KeyMaterial::Oct { k }) => {
            hs::verify::<sha2::Sha384>(k, signing_input, signature)
        }
        #[cfg(feature = "alg-hs")]
        (Algorithm::HS512, KeyMaterial::Oct { k }) => {
            hs::verify::<sha2::Sha512>(k, signing_input, signature)
        }
        #[cfg(feature = "alg-rs")]
        (
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
            KeyMaterial::Rsa { n, e },
        ) => rs::verify(alg, n, e, signing_input, signature),
        #[cfg(feature = "alg-es256")]
        (Algorithm::ES256, KeyMaterial::Ec { x, y, .. }) => {
            es256::verify(x, y, signing_input, signature, false)
        }
        #[cfg(feature = "alg-es384")]
        (Algorithm::ES384, KeyMaterial::Ec { x, y, .. }) => {
            es384::verify(x, y, signing_input, signature, false)
        }
        #[cfg(feature = "alg-es512")]
        (Algorithm::ES512, KeyMaterial::Ec { x, y, .. }) => {
            es512::verify(x, y, signing_input, signature, false)
        }
        #[cfg(feature = "alg-es256k")]
        (Algorithm::ES256K, KeyMaterial::Ec { x, y, .. }) => {
            // High-S signatures are valid ECDSA (Wycheproof secp256k1 tc 1); the backend
            // refuses them for Bitcoin's sake, so fold s into the low half first.
            es256k::verify(x, y, signing_input, signature, true)
        }
        #[cfg(feature = "alg-eddsa")]
        (Algorithm::EdDSA, KeyMaterial::Okp { x, .. }) => {
            eddsa::verify(x, signing_input, signature)
        }
        _ => false,
    }
}

/// Whether the public point is a valid point of `curve` (coordinates reduced, on the curve;
/// the point at infinity has no affine encoding). Every build checks this, with or without
/// the curve's signature code (see `points`).
pub fn ec_point_is_valid(curve: Curve, x: &[u8], y: &[u8]) -> bool {
    points::ec_point_is_valid(curve, x, y)
}

/// Whether an Ed25519 public key is usable for strict verification (a valid encoding, not
/// of small order). Every build checks this, with or without Ed25519 signature code.
pub fn ed25519_key_is_valid(x: &[u8]) -> bool {
    points::ed25519_key_is_valid(x)
}

#[cfg(feature = "alg-hs")]
mod hs {
    use hmac::{KeyInit, Mac};

    pub(super) fn verify<D>(key: &[u8], input: &[u8], tag: &[u8]) -> bool
    where
        hmac::Hmac<D>: KeyInit + Mac,
        D: hmac::digest::block_api::EagerHash,
    {
        let Ok(mut mac) = <hmac::Hmac<D> as KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(input);
        // Constant-time comparison of the full tag (no truncated MACs in JWS).
        mac.verify_slice(tag).is_ok()
    }
}

#[cfg(feature = "alg-rs")]
mod rs {
    use super::Algorithm;
    use rsa::signature::Verifier;
    use rsa::{BoxedUint, PublicKey};

    pub(super) fn verify(
        alg: Algorithm,
        n: &[u8],
        e: &[u8],
        input: &[u8],
        signature: &[u8],
    ) -> bool {
        // The key was checked when the JWK was parsed (size, odd exponent); a signature must
        // be exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
        if signature.len() != n.len() {
            return false;
        }
        let modulus = BoxedUint::from_be_slice_vartime(n);
        let exponent = BoxedUint::from_be_slice_vartime(e);
        let Ok(key) = PublicKey::new_with_size_limits(
            modulus,
            exponent,
            crate::jwk::RSA_MIN_BITS..=crate::jwk::RSA_MAX_BITS,
        ) else {
            return false;
        };
        let (Ok(pkcs1_sig), Ok(pss_sig)) = (
            rsa::pkcs1v15::Signature::try_from(signature),
            rsa::pss::Signature::try_from(signature),
        ) else {
            return false;
        };
        use rsa::{pkcs1v15, pss};
        use sha2::{Sha256, Sha384, Sha512};
        // RFC 7518 §3.5: the PSS salt is as long as the hash; `pss::VerifyingKey::new` fixes it so.
        match alg {
            Algorithm::RS256 => pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(input, &pkcs1_sig)
                .is_ok(),
            Algorithm::RS384 => pkcs1v15::VerifyingKey::<Sha384>::new(key)
                .verify(input, &pkcs1_sig)
                .is_ok(),
            Algorithm::RS512 => pkcs1v15::VerifyingKey::<Sha512>::new(key)
                .verify(input, &pkcs1_sig)
                .is_ok(),
            Algorithm::PS256 => pss::VerifyingKey::<Sha256>::new(key)
                .verify(input, &pss_sig)
                .is_ok(),
            Algorithm::PS384 => pss::VerifyingKey::<Sha384>::new(key)
                .verify(input, &pss_sig)
                .is_ok(),
            Algorithm::PS512 => pss::VerifyingKey::<Sha512>::new(key)
                .verify(input, &pss_sig)
                .is_ok(),
            _ => false,
        }
    }
}

/// One module per curve, alike but for the crate: ECDSA over that curve's RustCrypto types.
macro_rules! ecdsa_curve {
    ($feature:literal, $module:ident, $krate:ident) => {
        #[cfg(feature = $feature)]
        mod $module {
            use $krate::ecdsa::signature::Verifier;
            use $krate::ecdsa::{Signature, VerifyingKey};
            use $krate::elliptic_curve::point::AffineCoordinates;
            use $krate::{AffinePoint, FieldBytes};

            /// The key from its affine coordinates. Not `from_sec1_bytes`: that also decodes
            /// compressed points, which needs a square root, a large function in wasm that a
            /// JWK (always uncompressed x and y) never uses.
            fn key(x: &[u8], y: &[u8]) -> Option<VerifyingKey> {
                let (x, y) = (FieldBytes::try_from(x).ok()?, FieldBytes::try_from(y).ok()?);
                let point = Option::<AffinePoint>::from(AffinePoint::from_coordinates(&x, &y))?;
                VerifyingKey::from_affine(point).ok()
            }

            pub(super) fn verify(
                x: &[u8],
                y: &[u8],
                input: &[u8],
                signature: &[u8],
                normalize_s: bool,
            ) -> bool {
                let Some(key) = key(x, y) else {
                    return false;
                };
                // `from_slice` takes exactly r‖s and refuses r or s outside [1, n−1]
                // (CVE-2022-21449, "psychic signatures").
                let Ok(mut sig) = Signature::from_slice(signature) else {
                    return false;
                };
                if normalize_s {
                    sig = sig.normalize_s();
                }
                key.verify(input, &sig).is_ok()
            }
        }
    };
}

ecdsa_curve!("alg-es256", es256, p256);
ecdsa_curve!("alg-es384", es384, p384);
ecdsa_curve!("alg-es512", es512, p521);
ecdsa_curve!("alg-es256k", es256k, k256);

#[cfg(feature = "alg-eddsa")]
mod eddsa {
    use ed25519_dalek::{Signature, VerifyingKey};

    pub(super) fn verify(x: &[u8], input: &[u8], signature: &[u8]) -> bool {
        let (Ok(key_bytes), Ok(sig_bytes)) =
            (<[u8; 32]>::try_from(x), <[u8; 64]>::try_from(signature))
        else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&key_bytes) else {
            return false;
        };
        // Strict: canonical s, no small-order key or R (RFC 8032 §5.1.7 plus the checks that
        // make verification agree across libraries).
        key.verify_strict(input, &Signature::from_bytes(&sig_bytes))
            .is_ok()
    }
}
