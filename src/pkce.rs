//! PKCE (RFC 7636) and the random `state` / `nonce` values of an authorization request.
//!
//! Sans-IO: the caller brings the random bytes (`crypto.getRandomValues`, `getrandom`), this
//! module turns them into verifiers and challenges and checks them. Nothing here reads a
//! random source, so the same code runs in `no_std`, in wasm and in tests with fixed bytes.

use alloc::string::String;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::b64;
use crate::error::{Error, ErrorCode};

/// Shortest code verifier, in characters (RFC 7636 §4.1).
pub const MIN_VERIFIER_LEN: usize = 43;
/// Longest code verifier, in characters (RFC 7636 §4.1).
pub const MAX_VERIFIER_LEN: usize = 128;
/// Fewest random bytes for a verifier: 32 bytes give 43 base64url characters and the 256
/// bits of entropy RFC 7636 §7.1 recommends.
pub const MIN_VERIFIER_RANDOM_BYTES: usize = 32;
/// Most random bytes for a verifier: 96 bytes give exactly 128 characters.
pub const MAX_VERIFIER_RANDOM_BYTES: usize = 96;
/// Fewest random bytes for a `state` or `nonce`: 128 bits, so it cannot be guessed
/// (RFC 6749 §10.12, RFC 9700 §4.7.1).
pub const MIN_STATE_RANDOM_BYTES: usize = 16;
/// Most random bytes for a `state` or `nonce`: more only makes URLs longer.
pub const MAX_STATE_RANDOM_BYTES: usize = 512;

/// The `code_challenge_method` values of RFC 7636 §4.3 (names are case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeChallengeMethod {
    /// `S256`: the challenge is base64url(SHA-256(verifier)).
    S256,
    /// `plain`: the challenge is the verifier itself (RFC 7636 §7.2: only for clients that
    /// cannot do SHA-256).
    Plain,
}

impl CodeChallengeMethod {
    /// The registered name.
    pub const fn as_str(self) -> &'static str {
        match self {
            CodeChallengeMethod::S256 => "S256",
            CodeChallengeMethod::Plain => "plain",
        }
    }

    /// Parses a registered name, exactly as written (`s256` and `PLAIN` are not names).
    pub fn from_name(name: &str) -> Option<CodeChallengeMethod> {
        match name {
            "S256" => Some(CodeChallengeMethod::S256),
            "plain" => Some(CodeChallengeMethod::Plain),
            _ => None,
        }
    }
}

/// Whether `text` is 43 to 128 characters of the RFC 3986 unreserved alphabet
/// (`A-Z a-z 0-9 - . _ ~`): the grammar of both `code-verifier` and `code-challenge`
/// (RFC 7636 §4.1, §4.2).
pub fn is_valid_code_verifier(text: &str) -> bool {
    (MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// A code verifier from caller-supplied random bytes: their base64url encoding.
///
/// Base64url uses only unreserved characters, so the result always satisfies RFC 7636 §4.1.
///
/// # Errors
/// `invalid_request` unless `random` holds 32 to 96 bytes (43 to 128 characters).
pub fn code_verifier_from_random(random: &[u8]) -> Result<String, Error> {
    if !(MIN_VERIFIER_RANDOM_BYTES..=MAX_VERIFIER_RANDOM_BYTES).contains(&random.len()) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "a code verifier needs 32 to 96 random bytes",
        ));
    }
    Ok(b64::encode(random))
}

/// The `S256` code challenge of a verifier: base64url(SHA-256(ASCII(verifier)))
/// (RFC 7636 §4.2).
///
/// # Errors
/// `invalid_request` when `verifier` is not 43 to 128 unreserved characters: a challenge
/// of a malformed verifier would only fail later, at the token endpoint.
pub fn code_challenge_s256(verifier: &str) -> Result<String, Error> {
    if !is_valid_code_verifier(verifier) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "a code verifier is 43 to 128 unreserved characters",
        ));
    }
    Ok(b64::encode(&Sha256::digest(verifier.as_bytes())))
}

/// Checks a verifier against a challenge the way an authorization server does
/// (RFC 7636 §4.6), comparing in constant time.
///
/// `method` is the `code_challenge_method` as registered (`S256` or `plain`, case-sensitive).
/// RFC 7636 §4.3 defaults an absent method to `plain`; a caller that honours that default
/// passes `"plain"` explicitly, so an empty string here is never taken for it. `plain` is
/// accepted only when `allow_plain` is true (RFC 9700 §2.1.1 recommends `S256` only).
///
/// Returns false for a malformed verifier or challenge, an unknown method, or a mismatch.
pub fn verify_code_challenge(
    verifier: &str,
    challenge: &str,
    method: &str,
    allow_plain: bool,
) -> bool {
    // The challenge has the verifier's grammar (RFC 7636 §4.2); checking it first also keeps
    // a client from registering a challenge that `plain` would compare against garbage.
    if !is_valid_code_verifier(verifier) || !is_valid_code_verifier(challenge) {
        return false;
    }
    match CodeChallengeMethod::from_name(method) {
        Some(CodeChallengeMethod::S256) => {
            let digest = Sha256::digest(verifier.as_bytes());
            let expected = b64::encode(&digest);
            // Lengths are public (43 for S256); only the content is compared in constant
            // time, so a timing oracle cannot recover the challenge byte by byte.
            expected.as_bytes().ct_eq(challenge.as_bytes()).into()
        }
        Some(CodeChallengeMethod::Plain) if allow_plain => {
            verifier.as_bytes().ct_eq(challenge.as_bytes()).into()
        }
        _ => false,
    }
}

/// A `state` or `nonce` value from caller-supplied random bytes: their base64url encoding.
///
/// # Errors
/// `invalid_request` unless `random` holds 16 to 512 bytes: fewer could be guessed (a
/// `state` is the CSRF defence of RFC 6749 §10.12).
pub fn random_state_from(random: &[u8]) -> Result<String, Error> {
    if !(MIN_STATE_RANDOM_BYTES..=MAX_STATE_RANDOM_BYTES).contains(&random.len()) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "a state or nonce needs 16 to 512 random bytes",
        ));
    }
    Ok(b64::encode(random))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    /// RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    /// The 32 octets of RFC 7636 Appendix B whose base64url is `RFC_VERIFIER`.
    const RFC_RANDOM: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            code_verifier_from_random(&RFC_RANDOM).unwrap(),
            RFC_VERIFIER
        );
        assert_eq!(code_challenge_s256(RFC_VERIFIER).unwrap(), RFC_CHALLENGE);
        assert!(verify_code_challenge(
            RFC_VERIFIER,
            RFC_CHALLENGE,
            "S256",
            false
        ));
    }

    #[test]
    fn verifier_length_follows_the_random_byte_count() {
        for n in MIN_VERIFIER_RANDOM_BYTES..=MAX_VERIFIER_RANDOM_BYTES {
            let verifier = code_verifier_from_random(&alloc::vec![0xA5; n]).unwrap();
            assert!(is_valid_code_verifier(&verifier), "{n} bytes");
            assert!(code_challenge_s256(&verifier).is_ok());
        }
        assert_eq!(code_verifier_from_random(&[7; 32]).unwrap().len(), 43);
        assert_eq!(code_verifier_from_random(&[7; 96]).unwrap().len(), 128);
    }

    #[test]
    fn too_few_or_too_many_random_bytes_are_refused() {
        // 31 bytes encode to 42 characters: below RFC 7636 §4.1's minimum of 43.
        for n in [0, 1, 31, 97, 200] {
            let err = code_verifier_from_random(&alloc::vec![1; n]).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidRequest, "{n} bytes");
        }
    }

    #[test]
    fn verifier_grammar_is_enforced() {
        let ok43 = "a".repeat(43);
        let ok128 = "Z".repeat(128);
        assert!(is_valid_code_verifier(&ok43));
        assert!(is_valid_code_verifier(&ok128));
        assert!(is_valid_code_verifier(&("-._~".repeat(10) + "abc")));
        let bad = [
            "a".repeat(42),
            "a".repeat(129),
            String::new(),
            "a".repeat(42) + "+",
            "a".repeat(42) + "/",
            "a".repeat(42) + "=",
            "a".repeat(42) + " ",
            "a".repeat(42) + "%",
            // Non-ASCII: 43 bytes but not unreserved characters.
            "a".repeat(41) + "é",
        ];
        for verifier in &bad {
            assert!(!is_valid_code_verifier(verifier), "{verifier:?}");
            assert_eq!(
                code_challenge_s256(verifier).unwrap_err().code(),
                ErrorCode::InvalidRequest
            );
        }
    }

    #[test]
    fn s256_mismatches_are_refused() {
        // Another verifier, a challenge off by one character, and the verifier itself as its
        // own challenge (a downgrade to plain under the S256 name).
        let other = "a".repeat(43);
        assert!(!verify_code_challenge(&other, RFC_CHALLENGE, "S256", true));
        let mut flipped: Vec<u8> = RFC_CHALLENGE.bytes().collect();
        flipped[0] = b'F';
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(!verify_code_challenge(RFC_VERIFIER, &flipped, "S256", true));
        assert!(!verify_code_challenge(
            RFC_VERIFIER,
            RFC_VERIFIER,
            "S256",
            true
        ));
        // A longer challenge whose prefix matches must not pass.
        let longer = RFC_CHALLENGE.to_string() + "A";
        assert!(!verify_code_challenge(RFC_VERIFIER, &longer, "S256", true));
    }

    #[test]
    fn method_names_are_exact_and_plain_needs_opt_in() {
        // RFC 9700 §2.1.1: plain only when explicitly allowed.
        assert!(!verify_code_challenge(
            RFC_VERIFIER,
            RFC_VERIFIER,
            "plain",
            false
        ));
        assert!(verify_code_challenge(
            RFC_VERIFIER,
            RFC_VERIFIER,
            "plain",
            true
        ));
        assert!(!verify_code_challenge(
            RFC_VERIFIER,
            RFC_CHALLENGE,
            "plain",
            true
        ));
        for method in ["s256", "S-256", "PLAIN", "", "none", "S256 "] {
            assert!(
                !verify_code_challenge(RFC_VERIFIER, RFC_CHALLENGE, method, true),
                "{method:?}"
            );
            assert!(
                !verify_code_challenge(RFC_VERIFIER, RFC_VERIFIER, method, true),
                "{method:?}"
            );
        }
        assert_eq!(
            CodeChallengeMethod::from_name("S256"),
            Some(CodeChallengeMethod::S256)
        );
        assert_eq!(CodeChallengeMethod::Plain.as_str(), "plain");
    }

    #[test]
    fn malformed_inputs_never_verify() {
        // A short challenge under plain: the verifier grammar applies to the challenge too.
        assert!(!verify_code_challenge("abc", "abc", "plain", true));
        assert!(!verify_code_challenge(RFC_VERIFIER, "", "S256", true));
        assert!(!verify_code_challenge("", RFC_CHALLENGE, "S256", true));
    }

    #[test]
    fn state_from_random_bytes() {
        assert_eq!(
            random_state_from(&[0; 16]).unwrap(),
            "AAAAAAAAAAAAAAAAAAAAAA"
        );
        assert_eq!(
            random_state_from(&[0xff; 3]).unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
        assert!(random_state_from(&[0; 15]).is_err());
        assert!(random_state_from(&[0; 512]).is_ok());
        assert!(random_state_from(&[0; 513]).is_err());
        let state = random_state_from(&[0xfb; 24]).unwrap();
        assert!(state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}
