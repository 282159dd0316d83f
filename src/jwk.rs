//! JWK and JWKS (RFC 7517, RFC 7518 §6, RFC 8037): strict key checks, RFC 7638 thumbprints,
//! and key choice for a token's header.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::alg::{self, Algorithm};
use crate::b64;
use crate::error::{Error, ErrorCode};
use crate::json;

/// Smallest RSA modulus accepted, in bits (RFC 7518 §3.3 and §3.5).
pub const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits: bigger keys only cost verification time.
pub const RSA_MAX_BITS: usize = 16384;
/// Largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Most keys one JWKS may hold; the rest is ignored as excluded.
pub const MAX_KEYS: usize = 100;

/// An elliptic curve of RFC 7518 §6.2.1.1, RFC 8812 or RFC 8037.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256
    P256,
    /// NIST P-384
    P384,
    /// NIST P-521
    P521,
    /// secp256k1
    Secp256k1,
    /// Ed25519 (an OKP curve)
    Ed25519,
}

impl Curve {
    /// The registered `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Secp256k1 => "secp256k1",
            Curve::Ed25519 => "Ed25519",
        }
    }

    /// The exact length of one coordinate (or of the Ed25519 public key) in bytes.
    pub const fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Secp256k1 | Curve::Ed25519 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// The public key material of a JWK, decoded and checked.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// RSA: big-endian modulus without leading zeros, and exponent.
    Rsa {
        /// modulus
        n: Vec<u8>,
        /// public exponent
        e: Vec<u8>,
    },
    /// An EC public point with full-length coordinates.
    Ec {
        /// the curve
        curve: Curve,
        /// x coordinate
        x: Vec<u8>,
        /// y coordinate
        y: Vec<u8>,
    },
    /// An octet key pair public key (Ed25519).
    Okp {
        /// the curve
        curve: Curve,
        /// the public key
        x: Vec<u8>,
    },
    /// A shared secret for HMAC.
    Oct {
        /// the secret
        k: Vec<u8>,
    },
}

// Key material is never printed: a Debug that showed a shared secret would leak it to logs.
impl core::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyMaterial::Rsa { n, .. } => write!(f, "Rsa({} bits)", n.len() * 8),
            KeyMaterial::Ec { curve, .. } => write!(f, "Ec({})", curve.name()),
            KeyMaterial::Okp { curve, .. } => write!(f, "Okp({})", curve.name()),
            KeyMaterial::Oct { k } => write!(f, "Oct({} bytes)", k.len()),
        }
    }
}

impl KeyMaterial {
    /// The `kty` name.
    pub const fn kty(&self) -> &'static str {
        match self {
            KeyMaterial::Rsa { .. } => "RSA",
            KeyMaterial::Ec { .. } => "EC",
            KeyMaterial::Okp { .. } => "OKP",
            KeyMaterial::Oct { .. } => "oct",
        }
    }
}

/// A verification key parsed from a JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    material: KeyMaterial,
    thumbprint: [u8; 32],
    has_private_members: bool,
}

/// Why a key of a set was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedKey {
    /// Position in the `keys` array.
    pub index: usize,
    /// The key's `kid`, when it had a string one.
    pub kid: Option<String>,
    /// A fixed reason (never key bytes).
    pub reason: &'static str,
}

/// Exclusion reasons for well-formed keys meant for something else (RFC 7517 §4.2, §4.3).
const REASON_USE: &str = "key is not for signatures (use)";
const REASON_KEY_OPS: &str = "key_ops does not allow verify";

const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "priv"];

impl Jwk {
    /// Parses one JWK from JSON bytes.
    ///
    /// # Errors
    /// `invalid_key` with a fixed reason when the JWK is not a usable verification key.
    pub fn from_json(bytes: &[u8]) -> Result<Jwk, Error> {
        let map = json::parse_strict_object(bytes)
            .map_err(|reason| Error::new(ErrorCode::InvalidKey, reason))?;
        Jwk::from_map(&map).map_err(|reason| Error::new(ErrorCode::InvalidKey, reason))
    }

    /// Parses one JWK from a JSON object.
    ///
    /// # Errors
    /// A fixed reason when the JWK is not a usable verification key.
    pub fn from_map(map: &Map<String, Value>) -> Result<Jwk, &'static str> {
        let kty = required_str(map, "kty")?;
        let kid = optional_str(map, "kid")?.map(String::from);
        let alg = optional_str(map, "alg")?.map(String::from);
        // RFC 7517 §4.2/§4.3: a key meant for encryption, or whose operations do not include
        // verification, must not verify signatures.
        if let Some(usage) = optional_str(map, "use")? {
            if usage != "sig" {
                return Err(REASON_USE);
            }
        }
        if let Some(ops) = map.get("key_ops") {
            let ops = ops.as_array().ok_or("key_ops is not an array")?;
            let mut allows_verify = false;
            for op in ops {
                let op = op.as_str().ok_or("key_ops member is not a string")?;
                allows_verify |= op == "verify";
            }
            if !allows_verify {
                return Err(REASON_KEY_OPS);
            }
        }
        let has_private_members = PRIVATE_MEMBERS.iter().any(|m| map.contains_key(*m));
        let (material, thumbprint_input) = match kty {
            "RSA" => parse_rsa(map)?,
            "EC" => parse_ec(map)?,
            "OKP" => parse_okp(map)?,
            "oct" => parse_oct(map)?,
            _ => return Err("unsupported kty"),
        };
        let thumbprint: [u8; 32] = Sha256::digest(thumbprint_input.as_bytes()).into();
        Ok(Jwk {
            kid,
            alg,
            material,
            thumbprint,
            has_private_members,
        })
    }

    /// The `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// The key's own `alg`, if any (kept as written: a key whose `alg` is not a registered
    /// name never verifies anything).
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }
    /// The decoded key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }
    /// The RFC 7638 SHA-256 thumbprint.
    pub fn thumbprint(&self) -> [u8; 32] {
        self.thumbprint
    }
    /// The RFC 7638 thumbprint, base64url (as in `cnf.jkt`, RFC 9449 §6.1).
    pub fn thumbprint_b64(&self) -> String {
        b64::encode(&self.thumbprint)
    }
    /// Whether the JWK carried private members (`d`, `p`, …). A DPoP proof's key must not.
    pub fn has_private_members(&self) -> bool {
        self.has_private_members
    }

    /// Whether this key may verify `alg`: the key type and curve fit, and the key's own `alg`,
    /// when present, is the same (RFC 8725 §3.1).
    pub fn allows(&self, alg: Algorithm) -> bool {
        alg.fits(&self.material) && self.alg.as_deref().is_none_or(|own| own == alg.name())
    }

    /// The public JWK as JSON members (for hosts that import keys, e.g. WebCrypto).
    pub fn to_public_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("kty".into(), self.material.kty().into());
        match &self.material {
            KeyMaterial::Rsa { n, e } => {
                map.insert("n".into(), b64::encode(n).into());
                map.insert("e".into(), b64::encode(e).into());
            }
            KeyMaterial::Ec { curve, x, y } => {
                map.insert("crv".into(), curve.name().into());
                map.insert("x".into(), b64::encode(x).into());
                map.insert("y".into(), b64::encode(y).into());
            }
            KeyMaterial::Okp { curve, x } => {
                map.insert("crv".into(), curve.name().into());
                map.insert("x".into(), b64::encode(x).into());
            }
            KeyMaterial::Oct { k } => {
                map.insert("k".into(), b64::encode(k).into());
            }
        }
        map
    }
}

fn required_str<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, &'static str> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err("member is not a string"),
        None => Err("required member missing"),
    }
}

fn optional_str<'a>(
    map: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, &'static str> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("member is not a string"),
        None => Ok(None),
    }
}

fn required_b64(map: &Map<String, Value>, name: &str) -> Result<(String, Vec<u8>), &'static str> {
    let text = required_str(map, name)?;
    let bytes = b64::decode(text).map_err(|_| "key member is not strict base64url")?;
    Ok((text.to_string(), bytes))
}

/// RFC 7638 §3.2: the required members, lexicographic order, no white space.
fn thumbprint_json(members: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Names and values here are registered names or base64url text: nothing to escape.
        out.push('"');
        out.push_str(name);
        out.push_str("\":\"");
        out.push_str(value);
        out.push('"');
    }
    out.push('}');
    out
}

fn parse_rsa(map: &Map<String, Value>) -> Result<(KeyMaterial, String), &'static str> {
    let (_, n) = required_b64(map, "n")?;
    let (_, e) = required_b64(map, "e")?;
    // Some encoders prefix a zero octet (RFC 7518 §6.3.1.1 notes it); the integer is the same.
    let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    let e: Vec<u8> = e.iter().copied().skip_while(|b| *b == 0).collect();
    let bits = n
        .first()
        .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize);
    if bits < RSA_MIN_BITS {
        return Err("RSA modulus shorter than 2048 bits");
    }
    if bits > RSA_MAX_BITS {
        return Err("RSA modulus longer than 16384 bits");
    }
    if n.last().is_none_or(|low| low & 1 == 0) {
        return Err("RSA modulus is even");
    }
    // e must be odd and at least 3; above 2^33 − 1 buys nothing and slows verification
    // (the RSA backend's limit too).
    let exponent = (e.len() <= 8).then(|| e.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)));
    if !exponent.is_some_and(|e| e >= 3 && e % 2 == 1 && e < 1 << 33) {
        return Err("RSA exponent is not an odd number from 3 to 2^33 - 1");
    }
    // CVE-2017-15361 (ROCA): moduli from the flawed Infineon generator can be factored, so
    // anyone could sign with such a key (Wycheproof JWK tc 7).
    if has_roca_fingerprint(&n) {
        return Err("RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
    }
    // RFC 7638 §3.2 hashes the RFC 7518 form, which has no leading zero octets: re-encode
    // the canonical integers so a padded `n` gives the thumbprint other implementations give.
    let (e_text, n_text) = (b64::encode(&e), b64::encode(&n));
    let thumb = thumbprint_json(&[("e", &e_text), ("kty", "RSA"), ("n", &n_text)]);
    Ok((KeyMaterial::Rsa { n, e }, thumb))
}

/// The primes of the ROCA fingerprint test (Nemec et al., CCS 2017).
const ROCA_PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// Whether `n` mod every ROCA prime p lies in the subgroup generated by 65537 mod p, as the
/// flawed generator's moduli do; a random modulus fails this almost surely.
fn has_roca_fingerprint(n: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&p| {
        let residue = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        let generator = 65_537 % p;
        let mut power = 1;
        loop {
            if power == residue {
                return true;
            }
            power = power * generator % p;
            if power == 1 {
                return false;
            }
        }
    })
}

fn parse_curve(name: &str) -> Option<Curve> {
    [
        Curve::P256,
        Curve::P384,
        Curve::P521,
        Curve::Secp256k1,
        Curve::Ed25519,
    ]
    .into_iter()
    .find(|c| c.name() == name)
}

fn parse_ec(map: &Map<String, Value>) -> Result<(KeyMaterial, String), &'static str> {
    let crv = required_str(map, "crv")?;
    let curve = parse_curve(crv)
        .filter(|c| *c != Curve::Ed25519)
        .ok_or("unsupported EC curve")?;
    let (x_text, x) = required_b64(map, "x")?;
    let (y_text, y) = required_b64(map, "y")?;
    // RFC 7518 §6.2.1.2: coordinates are full length, so no two encodings name one point.
    if x.len() != curve.coordinate_len() || y.len() != curve.coordinate_len() {
        return Err("EC coordinate has the wrong length");
    }
    // An off-curve point enables invalid-curve attacks (CVE-2017-16007 class).
    if !alg::ec_point_is_valid(curve, &x, &y) {
        return Err("EC point is not on the curve");
    }
    let thumb = thumbprint_json(&[("crv", crv), ("kty", "EC"), ("x", &x_text), ("y", &y_text)]);
    Ok((KeyMaterial::Ec { curve, x, y }, thumb))
}

fn parse_okp(map: &Map<String, Value>) -> Result<(KeyMaterial, String), &'static str> {
    let crv = required_str(map, "crv")?;
    if crv != "Ed25519" {
        return Err("unsupported OKP curve");
    }
    let (x_text, x) = required_b64(map, "x")?;
    if x.len() != 32 {
        return Err("Ed25519 key has the wrong length");
    }
    if !alg::ed25519_key_is_valid(&x) {
        return Err("Ed25519 key is invalid or of small order");
    }
    let thumb = thumbprint_json(&[("crv", crv), ("kty", "OKP"), ("x", &x_text)]);
    Ok((
        KeyMaterial::Okp {
            curve: Curve::Ed25519,
            x,
        },
        thumb,
    ))
}

fn parse_oct(map: &Map<String, Value>) -> Result<(KeyMaterial, String), &'static str> {
    let (k_text, k) = required_b64(map, "k")?;
    // RFC 7518 §3.2: at least as long as the hash; HS256's 32 bytes is the floor for any.
    if k.len() < 32 {
        return Err("HMAC key shorter than 256 bits");
    }
    let thumb = thumbprint_json(&[("k", &k_text), ("kty", "oct")]);
    Ok((KeyMaterial::Oct { k }, thumb))
}

/// A key set: the usable keys, and what was left out and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    keys: Vec<Jwk>,
    excluded: Vec<ExcludedKey>,
    /// Kids also carried by a key excluded for its material (malformed, weak): which key
    /// such a kid names depends on how strict the reader is, so it names none.
    ambiguous_kids: Vec<String>,
}

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`). Each bad key is excluded on its own
    /// without breaking the others; shared secrets (`oct`) are excluded from a set that also
    /// holds public keys, and a kid shared with a key excluded as malformed or weak names no
    /// key. [`Jwks::from_keys`] builds a set as given.
    ///
    /// # Errors
    /// `invalid_key` when the document itself is unusable (not JSON, no `keys` array, too
    /// large).
    pub fn from_json(bytes: &[u8]) -> Result<Jwks, Error> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "key set document too large",
            ));
        }
        let map = json::parse_strict_object(bytes)
            .map_err(|reason| Error::new(ErrorCode::InvalidKey, reason))?;
        Jwks::from_map(&map)
    }

    /// Builds a key set from a parsed JWKS object.
    ///
    /// # Errors
    /// `invalid_key` when there is no `keys` array.
    pub fn from_map(map: &Map<String, Value>) -> Result<Jwks, Error> {
        let Some(Value::Array(entries)) = map.get("keys") else {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "key set has no keys array",
            ));
        };
        let mut set = Jwks::default();
        let mut usable: Vec<(usize, Jwk)> = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let kid = entry.get("kid").and_then(Value::as_str).map(String::from);
            if index >= MAX_KEYS {
                set.excluded.push(ExcludedKey {
                    index,
                    kid,
                    reason: "more keys than the set may hold",
                });
                continue;
            }
            let parsed = match entry {
                Value::Object(key) => Jwk::from_map(key),
                _ => Err("key is not a JSON object"),
            };
            match parsed {
                Ok(jwk) => usable.push((index, jwk)),
                Err(reason) => {
                    // RFC 7517 §4.5 lets keys of different kty share a kid, and a key meant
                    // for encryption is not a rival signing key; any other bad key under a
                    // kid is (Wycheproof JWK tc 4, a duplicate kid whose twin is malformed).
                    let known_kty = matches!(
                        entry.get("kty").and_then(Value::as_str),
                        Some("RSA" | "EC" | "OKP" | "oct")
                    );
                    if let Some(kid) = &kid {
                        if known_kty && reason != REASON_USE && reason != REASON_KEY_OPS {
                            set.ambiguous_kids.push(kid.clone());
                        }
                    }
                    set.excluded.push(ExcludedKey { index, kid, reason });
                }
            }
        }
        // A document that publishes public keys is public: a shared secret in it is known to
        // everyone who can read it, and serving it would let them mint HMAC tokens (RFC 8725
        // §3.1; Wycheproof JWK tc 1, "MixedKeySet"). Keep the public keys, drop the secrets.
        let is_secret = |key: &Jwk| matches!(key.material, KeyMaterial::Oct { .. });
        let has_public = usable.iter().any(|(_, key)| !is_secret(key));
        for (index, key) in usable {
            if has_public && is_secret(&key) {
                set.excluded.push(ExcludedKey {
                    index,
                    kid: key.kid,
                    reason: "shared secret in a key set with public keys",
                });
            } else {
                set.keys.push(key);
            }
        }
        Ok(set)
    }

    /// A set of the given keys.
    pub fn from_keys(keys: Vec<Jwk>) -> Jwks {
        Jwks {
            keys,
            excluded: Vec::new(),
            ambiguous_kids: Vec::new(),
        }
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The keys left out, with reasons.
    pub fn excluded(&self) -> &[ExcludedKey] {
        &self.excluded
    }

    /// Whether any usable key has this `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid() == Some(kid))
    }

    /// Chooses the key for a token whose header says `alg` and `kid`.
    ///
    /// With a `kid`: the compatible key with that `kid`; without: the single compatible key.
    ///
    /// # Errors
    /// `unknown_key` when no key fits, or when two do (ambiguous: an attacker who can add a
    /// key under an existing `kid` must not get to pick).
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> Result<&Jwk, Error> {
        if kid.is_some_and(|kid| self.ambiguous_kids.iter().any(|k| k == kid)) {
            return Err(Error::new(
                ErrorCode::UnknownKey,
                "a key excluded from the set shares this kid (ambiguous)",
            ));
        }
        let mut candidates = self
            .keys
            .iter()
            .filter(|key| key.allows(alg))
            .filter(|key| kid.is_none() || key.kid() == kid);
        let first = candidates.next();
        let second = candidates.next();
        match (first, second) {
            (Some(key), None) => Ok(key),
            (None, _) => Err(Error::new(
                ErrorCode::UnknownKey,
                if kid.is_some() {
                    "no key with this kid fits the token's algorithm"
                } else {
                    "no key fits the token's algorithm"
                },
            )),
            (Some(_), Some(_)) => Err(Error::new(
                ErrorCode::UnknownKey,
                if kid.is_some() {
                    "two keys share this kid (ambiguous)"
                } else {
                    "several keys fit and the token has no kid"
                },
            )),
        }
    }
}
