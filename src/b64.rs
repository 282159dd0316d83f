//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
//!
//! Strict means: only the URL-safe alphabet, no `=`, no white space, and canonical trailing
//! bits, so that exactly one text encodes a given byte string. A lenient decoder lets one
//! signature have many spellings (Wycheproof JWS tcs 365–371, 375).

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64UrlUnpadded, Encoding};

/// The value of each base64url character; [`INVALID`] for every other byte.
const DECODE_TABLE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};
/// Any value with one of the two top bits set is not a 6-bit digit.
const INVALID: u8 = 0xff;

/// Decodes strict base64url.
///
/// Table-driven rather than `base64ct`'s constant-time decoder: every token is decoded on
/// every validation, the constant-time decoder was half of the parse time (natively and in
/// wasm), and nothing decoded here is a secret whose timing matters (token segments are sent
/// in the clear; key material is decoded once per key set). `base64ct` stays the oracle in
/// the tests below.
///
/// # Errors
/// When `text` is not strict unpadded base64url.
pub fn decode(text: &str) -> Result<Vec<u8>, base64ct::Error> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(base64ct::Error::InvalidLength);
    }
    let digit = |b: u8| u32::from(DECODE_TABLE[b as usize]);
    let rest = bytes.len() % 4;
    let mut out = alloc::vec![0u8; bytes.len() / 4 * 3 + rest.saturating_sub(1)];
    // Whole groups write into a sized buffer (no per-group push: at opt-level "z" that was a
    // call and a memmove for every 3 bytes).
    let (whole, tail) = out.split_at_mut(bytes.len() / 4 * 3);
    for (quad, triple) in bytes.chunks_exact(4).zip(whole.chunks_exact_mut(3)) {
        let (a, b, c, d) = (
            digit(quad[0]),
            digit(quad[1]),
            digit(quad[2]),
            digit(quad[3]),
        );
        if (a | b | c | d) & 0xc0 != 0 {
            return Err(base64ct::Error::InvalidEncoding);
        }
        let n = a << 18 | b << 12 | c << 6 | d;
        if let [x, y, z] = triple {
            (*x, *y, *z) = ((n >> 16) as u8, (n >> 8) as u8, n as u8);
        }
    }
    // The last 2 or 3 characters carry 1 or 2 bytes; their unused low bits must be zero
    // (canonical), or two texts would decode to the same bytes.
    match (bytes.chunks_exact(4).remainder(), tail) {
        ([], []) => {}
        (&[a, b], [x]) => {
            let (a, b) = (digit(a), digit(b));
            if (a | b) & 0xc0 != 0 || b & 0x0f != 0 {
                return Err(base64ct::Error::InvalidEncoding);
            }
            *x = (a << 2 | b >> 4) as u8;
        }
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (digit(a), digit(b), digit(c));
            if (a | b | c) & 0xc0 != 0 || c & 0x03 != 0 {
                return Err(base64ct::Error::InvalidEncoding);
            }
            let n = a << 12 | b << 6 | c;
            *x = (n >> 10) as u8;
            *y = (n >> 2) as u8;
        }
        _ => return Err(base64ct::Error::InvalidLength),
    }
    Ok(out)
}

/// Encodes as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_canonical_and_foreign_alphabets() {
        assert_eq!(decode("AQ").unwrap(), [1]);
        // "AR" decodes to the same byte as "AQ" if the low bits are ignored.
        assert!(decode("AR").is_err());
        assert!(decode("AQ==").is_err());
        assert!(decode("A+8").is_err());
        assert!(decode("A/8").is_err());
        assert!(decode("AQ\n").is_err());
        assert!(decode(" AQ").is_err());
        assert!(decode("A").is_err());
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    /// Every text of up to 3 characters over an alphabet of valid and invalid characters, and
    /// longer pseudo-random ones: the same answer as base64ct's strict decoder.
    #[test]
    fn agrees_with_base64ct() {
        let chars = b"AQRgw_-9z+/= .\x80";
        let mut texts: Vec<Vec<u8>> = alloc::vec![Vec::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for text in texts.iter().filter(|t| t.len() == len - 1) {
                for c in chars {
                    let mut t = text.clone();
                    t.push(*c);
                    next.push(t);
                }
            }
            texts.extend(next);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..200 {
            let mut t = Vec::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                // Mostly valid characters, so that long texts are not all rejected early.
                t.push(if state % 50 == 0 {
                    b'='
                } else {
                    alphabet[(state % 64) as usize]
                });
            }
            texts.push(t);
        }
        for text in texts {
            let Ok(text) = core::str::from_utf8(&text) else {
                continue;
            };
            assert_eq!(
                decode(text).ok(),
                Base64UrlUnpadded::decode_vec(text).ok(),
                "{text:?}"
            );
        }
    }
}
