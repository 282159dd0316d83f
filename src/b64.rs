//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
//!
//! Strict means: only the URL-safe alphabet, no `=`, no white space, and canonical trailing
//! bits, so that exactly one text encodes a given byte string. A lenient decoder lets one
//! signature have many spellings (Wycheproof JWS tcs 365–371, 375).

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64UrlUnpadded, Encoding};

/// Decodes strict base64url.
///
/// # Errors
/// When `text` is not strict unpadded base64url.
pub fn decode(text: &str) -> Result<Vec<u8>, base64ct::Error> {
    Base64UrlUnpadded::decode_vec(text)
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
}
