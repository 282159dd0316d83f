//! Public-key checks that every build makes, whichever signature code it carries: an EC
//! point must lie on its curve (SEC 1 §3.2.2.1), an Ed25519 key must decode to a point
//! (RFC 8032 §5.1.3) that is not of small order.
//!
//! These used to come from the per-curve crates (p256, p384, p521, k256, ed25519-dalek), so a
//! build without those crates could not accept the keys at all. The npm package leaves the
//! P-256/384/521, RSA and Ed25519 arithmetic to WebCrypto and does not ship those crates (they
//! are most of the wasm's size), but the key rules must still be the core's, in every door:
//! so the checks are written once here over `crypto-bigint` (already in the graph through
//! `rsa` and `k256`), and the native tests cross-check them against the crates.
//!
//! Everything here handles public values only, so variable-time arithmetic is fine.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U576};

/// Every field element here is a 576-bit integer (P-521's needs 521 bits), whatever the curve:
/// one size of arithmetic instead of three keeps the wasm small, and speed does not matter
/// for checks made once per key.
type Wide = U576;
const LIMBS: usize = U576::LIMBS;

/// A short Weierstrass curve y² = x³ + ax + b over the prime field of `params`.
struct Weierstrass {
    params: FixedMontyParams<LIMBS>,
    a: Wide,
    b: Wide,
}

// The constants of SEC 2 (secp256k1) and FIPS 186-5 / SP 800-186 (the NIST curves); a = p − 3
// for the NIST curves. Montgomery parameters are computed at compile time.
const P256: Weierstrass = Weierstrass {
    params: FixedMontyParams::new_vartime(Odd::<Wide>::from_be_hex(
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    )),
    a: Wide::from_be_hex("00000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffff00000001000000000000000000000000fffffffffffffffffffffffc"),
    b: Wide::from_be_hex("000000000000000000000000000000000000000000000000000000000000000000000000000000005ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
};

const P384: Weierstrass = Weierstrass {
    params: FixedMontyParams::new_vartime(Odd::<Wide>::from_be_hex(
        "000000000000000000000000000000000000000000000000fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    )),
    a: Wide::from_be_hex(
        "000000000000000000000000000000000000000000000000fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
    ),
    b: Wide::from_be_hex(
        "000000000000000000000000000000000000000000000000b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    ),
};

// P-521's field elements take 66 bytes; they live in 576-bit integers with leading zeros.
const P521: Weierstrass = Weierstrass {
    params: FixedMontyParams::new_vartime(Odd::<Wide>::from_be_hex(
        "00000000000001ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )),
    a: Wide::from_be_hex(
        "00000000000001fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
    ),
    b: Wide::from_be_hex(
        "0000000000000051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    ),
};

const SECP256K1: Weierstrass = Weierstrass {
    params: FixedMontyParams::new_vartime(Odd::<Wide>::from_be_hex(
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
    )),
    a: Wide::ZERO,
    b: Wide::from_u8(7),
};

/// Big-endian bytes (at most 72) as an integer.
fn wide_from_be(bytes: &[u8]) -> Option<Wide> {
    let mut padded = [0u8; Wide::BYTES];
    let start = Wide::BYTES.checked_sub(bytes.len())?;
    padded[start..].copy_from_slice(bytes);
    Some(Wide::from_be_slice(&padded))
}

/// A big-endian coordinate as a field element: `None` when it is not below the modulus (a
/// coordinate ≥ p is a second encoding of a smaller one, which SEC 1 forbids).
fn field_element(bytes: &[u8], params: &FixedMontyParams<LIMBS>) -> Option<FixedMontyForm<LIMBS>> {
    let value = wide_from_be(bytes)?;
    if value.cmp_vartime(params.modulus().as_ref()).is_ge() {
        return None;
    }
    Some(FixedMontyForm::new(&value, params))
}

impl Weierstrass {
    /// Whether (x, y) satisfies the curve equation with both coordinates reduced. The point at
    /// infinity has no affine encoding, so it cannot pass.
    fn contains(&self, x: &[u8], y: &[u8]) -> bool {
        let (Some(x), Some(y)) = (
            field_element(x, &self.params),
            field_element(y, &self.params),
        ) else {
            return false;
        };
        let a = FixedMontyForm::new(&self.a, &self.params);
        let b = FixedMontyForm::new(&self.b, &self.params);
        let lhs = y.square();
        let rhs = x.square().mul(&x).add(&a.mul(&x)).add(&b);
        lhs.retrieve() == rhs.retrieve()
    }
}

/// Whether (x, y), big-endian and of the curve's full coordinate length, is a point of
/// `curve`. Never true for Ed25519 (not a Weierstrass curve; see [`ed25519_key_is_valid`]).
pub(crate) fn ec_point_is_valid(curve: crate::jwk::Curve, x: &[u8], y: &[u8]) -> bool {
    use crate::jwk::Curve;
    match curve {
        Curve::P256 => P256.contains(x, y),
        Curve::P384 => P384.contains(x, y),
        Curve::P521 => P521.contains(x, y),
        Curve::Secp256k1 => SECP256K1.contains(x, y),
        Curve::Ed25519 => false,
    }
}

/// p = 2^255 − 19.
const ED25519_P: Odd<Wide> = Odd::<Wide>::from_be_hex("000000000000000000000000000000000000000000000000000000000000000000000000000000007fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");
const ED25519_PARAMS: FixedMontyParams<LIMBS> = FixedMontyParams::new_vartime(ED25519_P);
/// d = −121665/121666 (RFC 8032 §5.1).
const ED25519_D: Wide = Wide::from_be_hex("0000000000000000000000000000000000000000000000000000000000000000000000000000000052036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3");
/// The y of two of the four points of order 8; the other two have p − y. With y = 0 (order 4),
/// 1 (the identity) and p − 1 (order 2) these are the y of all eight small-order points, and
/// a y names a point up to the sign of x, which does not change its order.
const ED25519_ORDER_8_Y: Wide = Wide::from_be_hex("0000000000000000000000000000000000000000000000000000000000000000000000000000000005fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826");

/// Whether a 32-byte Ed25519 public key is usable for strict verification: it decodes to a
/// curve point, and that point is not of small order (a small-order key lets one signature
/// verify for many messages; RFC 8032 §5.1.7 plus the "strict" rules libraries agree on).
///
/// Decoding follows ed25519-dalek (the native verifier), so both builds accept the same keys:
/// the sign bit is not a coordinate, a y ≥ p is taken mod p, and a point exists for y exactly
/// when (y² − 1)/(d·y² + 1) is a square (d·y² + 1 is never zero, as −1/d is not a square).
pub(crate) fn ed25519_key_is_valid(key: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 32]>::try_from(key) else {
        return false;
    };
    // Little-endian on the wire; the top bit is x's sign, not part of y.
    let mut y_be = bytes;
    y_be.reverse();
    y_be[0] &= 0x7f;
    let Some(mut y) = wide_from_be(&y_be) else {
        return false;
    };
    // y < 2^255 < 2p, so one subtraction reduces it.
    if y.cmp_vartime(ED25519_P.as_ref()).is_ge() {
        y = y.wrapping_sub(ED25519_P.as_ref());
    }
    let p = ED25519_P.get();
    let order_8_other = p.wrapping_sub(&ED25519_ORDER_8_Y);
    let minus_one = p.wrapping_sub(&Wide::ONE);
    if [
        Wide::ZERO,
        Wide::ONE,
        minus_one,
        ED25519_ORDER_8_Y,
        order_8_other,
    ]
    .contains(&y)
    {
        return false;
    }
    let one = FixedMontyForm::one(&ED25519_PARAMS);
    let y = FixedMontyForm::new(&y, &ED25519_PARAMS);
    let d = FixedMontyForm::new(&ED25519_D, &ED25519_PARAMS);
    let yy = y.square();
    let u = yy.sub(&one);
    let v = d.mul(&yy).add(&one);
    // u/v is a square exactly when u·v is (v² is a nonzero square); u = 0 gives x = 0.
    !u.mul(&v).jacobi_symbol_vartime().is_minus_one().to_bool()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::Curve;
    use alloc::vec::Vec;
    use sha2::{Digest, Sha256};

    /// Deterministic test bytes: SHA-256 in counter mode.
    fn bytes(seed: u32, len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut counter = 0u32;
        while out.len() < len {
            let mut h = Sha256::new();
            h.update(seed.to_be_bytes());
            h.update(counter.to_be_bytes());
            out.extend_from_slice(&h.finalize());
            counter += 1;
        }
        out.truncate(len);
        out
    }

    #[test]
    fn base_points_are_on_their_curves_and_neighbours_are_not() {
        // The generators of SEC 2 and FIPS 186-5.
        let cases: [(Curve, &str, &str); 4] = [
            (
                Curve::P256,
                "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
                "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
            ),
            (
                Curve::P384,
                "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
                "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
            ),
            (
                Curve::P521,
                "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
                "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
            ),
            (
                Curve::Secp256k1,
                "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
            ),
        ];
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        for (curve, x, y) in cases {
            let (x, mut y) = (hex(x), hex(y));
            assert_eq!(x.len(), curve.coordinate_len());
            assert!(ec_point_is_valid(curve, &x, &y), "{curve:?} generator");
            let last = y.len() - 1;
            y[last] ^= 1;
            assert!(!ec_point_is_valid(curve, &x, &y), "{curve:?} off-curve");
            let zeros = alloc::vec![0u8; curve.coordinate_len()];
            assert!(
                !ec_point_is_valid(curve, &zeros, &zeros),
                "{curve:?} (0, 0)"
            );
            let ones = alloc::vec![0xffu8; curve.coordinate_len()];
            assert!(!ec_point_is_valid(curve, &ones, &y), "{curve:?} x ≥ p");
        }
    }

    /// The same answers as the curve crates' own SEC 1 decoding, on points they produce (valid),
    /// the same points with y negated mod p written as p + (p − y) where that fits (≥ p, so
    /// invalid), altered points and random coordinates.
    #[cfg(all(
        feature = "alg-es256",
        feature = "alg-es384",
        feature = "alg-es512",
        feature = "alg-es256k"
    ))]
    #[test]
    fn agrees_with_the_curve_crates() {
        fn crate_says(curve: Curve, x: &[u8], y: &[u8]) -> bool {
            let mut sec1 = alloc::vec![4u8];
            sec1.extend_from_slice(x);
            sec1.extend_from_slice(y);
            match curve {
                Curve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                Curve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                Curve::Secp256k1 => k256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                Curve::Ed25519 => unreachable!(),
            }
        }
        fn public_point(curve: Curve, scalar: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
            macro_rules! point {
                ($krate:ident) => {{
                    let key = $krate::ecdsa::SigningKey::from_slice(scalar).ok()?;
                    let encoded = key.verifying_key().to_sec1_point(false);
                    let bytes = encoded.as_bytes();
                    let half = (bytes.len() - 1) / 2;
                    Some((bytes[1..1 + half].to_vec(), bytes[1 + half..].to_vec()))
                }};
            }
            match curve {
                Curve::P256 => point!(p256),
                Curve::P384 => point!(p384),
                Curve::P521 => point!(p521),
                Curve::Secp256k1 => point!(k256),
                Curve::Ed25519 => None,
            }
        }
        let mut valid = 0;
        for curve in [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1] {
            let len = curve.coordinate_len();
            for seed in 0..24u32 {
                let mut scalar = bytes(seed, len);
                if curve == Curve::P521 {
                    scalar[0] &= 1; // below the order
                }
                if let Some((x, y)) = public_point(curve, &scalar) {
                    assert!(ec_point_is_valid(curve, &x, &y));
                    assert!(crate_says(curve, &x, &y));
                    valid += 1;
                    let mut bent = y.clone();
                    bent[len / 2] ^= 0x10;
                    assert_eq!(
                        ec_point_is_valid(curve, &x, &bent),
                        crate_says(curve, &x, &bent)
                    );
                }
                let (x, y) = (bytes(seed + 1000, len), bytes(seed + 2000, len));
                assert_eq!(
                    ec_point_is_valid(curve, &x, &y),
                    crate_says(curve, &x, &y),
                    "{curve:?} random {seed}"
                );
            }
        }
        assert!(valid > 80);
    }

    #[test]
    fn ed25519_small_order_encodings_are_refused() {
        // libsodium's blocklist (ed25519_ref10 has_small_order): every small-order point, and
        // the non-canonical y ≥ p spellings of y = 0, 1 and p − 1, with either sign bit.
        let mut list: Vec<[u8; 32]> = Vec::new();
        let mut push_hex_le = |bytes: [u8; 32]| list.push(bytes);
        let mut zero = [0u8; 32];
        push_hex_le(zero);
        zero[0] = 1;
        push_hex_le(zero);
        push_hex_le([
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ]);
        push_hex_le([
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ]);
        for low in [0xec, 0xed, 0xee] {
            let mut b = [0xffu8; 32];
            b[0] = low;
            b[31] = 0x7f;
            push_hex_le(b);
        }
        for key in list {
            for sign in [0u8, 0x80] {
                let mut k = key;
                k[31] |= sign;
                assert!(!ed25519_key_is_valid(&k), "{k:02x?}");
            }
        }
    }

    #[test]
    fn ed25519_rfc8032_keys_are_accepted() {
        // RFC 8032 §7.1 TEST 1 and TEST 2 public keys.
        let keys: [[u8; 32]; 2] = [
            [
                0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
                0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
                0xf7, 0x07, 0x51, 0x1a,
            ],
            [
                0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0xfb, 0xe1, 0x78, 0x2d, 0xaa, 0x3d, 0x3a, 0xc0,
                0x2f, 0xb1, 0x5c, 0xbe, 0x5c, 0x95, 0x7d, 0xd7, 0x48, 0xbd, 0x7a, 0xbd, 0xac, 0x2c,
                0x4b, 0x71, 0xdb, 0x8e,
            ],
        ];
        for key in keys {
            assert!(ed25519_key_is_valid(&key));
        }
        assert!(!ed25519_key_is_valid(&[1u8; 31]));
    }

    /// The same answers as ed25519-dalek (`from_bytes` then `!is_weak`), the native verifier,
    /// on random encodings (about half decode), every y near 0 and p with both sign bits, and
    /// real public keys.
    #[cfg(feature = "alg-eddsa")]
    #[test]
    fn ed25519_agrees_with_dalek() {
        fn dalek_says(key: &[u8; 32]) -> bool {
            matches!(ed25519_dalek::VerifyingKey::from_bytes(key), Ok(k) if !k.is_weak())
        }
        let mut candidates: Vec<[u8; 32]> = Vec::new();
        for seed in 0..400u32 {
            let b = bytes(seed, 32);
            candidates.push(b.as_slice().try_into().unwrap());
        }
        for seed in 0..40u32 {
            let secret: [u8; 32] = bytes(seed + 5000, 32).as_slice().try_into().unwrap();
            let signing = ed25519_dalek::SigningKey::from_bytes(&secret);
            candidates.push(signing.verifying_key().to_bytes());
        }
        for small in 0u8..40 {
            let mut low = [0u8; 32];
            low[0] = small;
            candidates.push(low);
            // p − 20 + small .. p + 19 (non-canonical) and 2^255 − 1.
            let mut high = [0xffu8; 32];
            high[31] = 0x7f;
            high[0] = 0xed_u8.wrapping_sub(20).wrapping_add(small);
            candidates.push(high);
        }
        let mut accepted = 0;
        for key in candidates {
            for sign in [0u8, 0x80] {
                let mut k = key;
                k[31] = (k[31] & 0x7f) | sign;
                assert_eq!(ed25519_key_is_valid(&k), dalek_says(&k), "{k:02x?}");
                accepted += usize::from(dalek_says(&k));
            }
        }
        assert!(accepted > 300, "{accepted}");
    }
}
