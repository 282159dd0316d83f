//! One error type with the stable codes of the product contract, and their RFC 6750 mapping.
//!
//! Descriptions are fixed strings chosen by this crate (or names from the caller's own
//! configuration): never bytes of the token or of a key, so an error can be logged and sent
//! back to the client without leaking what it was about.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

/// The stable error codes. Their string form (see [`ErrorCode::as_str`]) is public API.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No token was presented (RFC 6750 §3.1: the challenge carries no `error`).
    MissingToken,
    /// The request carrying the token is malformed (RFC 6750 `invalid_request`).
    InvalidRequest,
    /// The token is not a well-formed compact JWS with JSON-object header and payload.
    Malformed,
    /// The token is larger than `maxTokenBytes`.
    TokenTooLarge,
    /// The `alg` is not implemented by this library (`none` included).
    UnsupportedAlgorithm,
    /// The `alg` is implemented but not in the configured allow-list.
    AlgorithmNotAllowed,
    /// No key fits the token's header.
    UnknownKey,
    /// The key set or key is unusable.
    InvalidKey,
    /// The signature does not verify.
    SignatureInvalid,
    /// `exp` has passed.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// `iat` is in the future beyond the clock tolerance.
    IssuedInFuture,
    /// `iat` is older than `maxTokenAgeSeconds`.
    TooOld,
    /// `iss` is not a configured issuer.
    IssuerMismatch,
    /// `aud` holds none of the configured audiences.
    AudienceMismatch,
    /// A required claim is absent.
    MissingClaim,
    /// A claim has the wrong type or value.
    InvalidClaim,
    /// The `typ` header does not match the configured token type.
    TypeMismatch,
    /// `crit` names an extension this validator does not understand.
    CritUnsupported,
    /// The token lacks a required scope.
    InsufficientScope,
    /// The token was revoked.
    Revoked,
    /// The DPoP proof is invalid (RFC 9449).
    DpopInvalid,
    /// The key set could not be fetched and no usable cached copy remains.
    JwksUnavailable,
    /// The upstream introspection endpoint failed.
    IntrospectionUnavailable,
}

impl ErrorCode {
    /// Every code, in contract order.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::MissingToken,
        ErrorCode::InvalidRequest,
        ErrorCode::Malformed,
        ErrorCode::TokenTooLarge,
        ErrorCode::UnsupportedAlgorithm,
        ErrorCode::AlgorithmNotAllowed,
        ErrorCode::UnknownKey,
        ErrorCode::InvalidKey,
        ErrorCode::SignatureInvalid,
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::IssuedInFuture,
        ErrorCode::TooOld,
        ErrorCode::IssuerMismatch,
        ErrorCode::AudienceMismatch,
        ErrorCode::MissingClaim,
        ErrorCode::InvalidClaim,
        ErrorCode::TypeMismatch,
        ErrorCode::CritUnsupported,
        ErrorCode::InsufficientScope,
        ErrorCode::Revoked,
        ErrorCode::DpopInvalid,
        ErrorCode::JwksUnavailable,
        ErrorCode::IntrospectionUnavailable,
    ];

    /// The stable string form, e.g. `"signature_invalid"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingToken => "missing_token",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Malformed => "malformed",
            ErrorCode::TokenTooLarge => "token_too_large",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::AlgorithmNotAllowed => "algorithm_not_allowed",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::SignatureInvalid => "signature_invalid",
            ErrorCode::Expired => "expired",
            ErrorCode::NotYetValid => "not_yet_valid",
            ErrorCode::IssuedInFuture => "issued_in_future",
            ErrorCode::TooOld => "too_old",
            ErrorCode::IssuerMismatch => "issuer_mismatch",
            ErrorCode::AudienceMismatch => "audience_mismatch",
            ErrorCode::MissingClaim => "missing_claim",
            ErrorCode::InvalidClaim => "invalid_claim",
            ErrorCode::TypeMismatch => "type_mismatch",
            ErrorCode::CritUnsupported => "crit_unsupported",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::Revoked => "revoked",
            ErrorCode::DpopInvalid => "dpop_invalid",
            ErrorCode::JwksUnavailable => "jwks_unavailable",
            ErrorCode::IntrospectionUnavailable => "introspection_unavailable",
        }
    }

    /// Parses the stable string form.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }

    /// The HTTP status of RFC 6750 §3.1 and the contract's mapping.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::InsufficientScope => 403,
            ErrorCode::InvalidRequest => 400,
            ErrorCode::JwksUnavailable | ErrorCode::IntrospectionUnavailable => 503,
            _ => 401,
        }
    }

    /// The RFC 6750 `error` attribute, or `None` where the challenge carries none
    /// (a missing token, RFC 6750 §3.1; a server-side outage).
    pub const fn oauth_error(self) -> Option<&'static str> {
        match self {
            ErrorCode::MissingToken => None,
            ErrorCode::InvalidRequest => Some("invalid_request"),
            ErrorCode::InsufficientScope => Some("insufficient_scope"),
            ErrorCode::JwksUnavailable | ErrorCode::IntrospectionUnavailable => {
                Some("temporarily_unavailable")
            }
            _ => Some("invalid_token"),
        }
    }

    /// Whether the failure is the server's (retry later) rather than the token's.
    pub const fn is_unavailable(self) -> bool {
        matches!(
            self,
            ErrorCode::JwksUnavailable | ErrorCode::IntrospectionUnavailable
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validation failure: a stable [`ErrorCode`] and a human description that never contains
/// token or key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    description: Cow<'static, str>,
}

impl Error {
    /// An error with a fixed description.
    pub const fn new(code: ErrorCode, description: &'static str) -> Error {
        Error {
            code,
            description: Cow::Borrowed(description),
        }
    }

    /// An error whose description names something from the caller's configuration
    /// (a claim name, a scope): never pass token or key bytes here.
    pub fn with_description(code: ErrorCode, description: String) -> Error {
        Error {
            code,
            description: Cow::Owned(description),
        }
    }

    /// The stable code.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human description (safe to log and to send back).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status for this error.
    pub const fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The `WWW-Authenticate` value for a `Bearer` challenge (RFC 6750 §3).
    ///
    /// `required_scope` is added as `scope="…"` for `insufficient_scope`.
    pub fn www_authenticate(&self, realm: &str, required_scope: Option<&str>) -> String {
        let mut value = String::from("Bearer");
        let mut separator = " ";
        let mut push = |name: &str, content: &str| {
            value.push_str(separator);
            value.push_str(name);
            value.push_str("=\"");
            push_quoted_string_content(&mut value, content);
            value.push('"');
            separator = ", ";
        };
        push("realm", realm);
        if let Some(error) = self.code.oauth_error() {
            push("error", error);
            push("error_description", &self.description);
            if self.code == ErrorCode::InsufficientScope {
                if let Some(scope) = required_scope {
                    push("scope", scope);
                }
            }
        }
        value
    }
}

/// Appends `content` as the inside of an RFC 9110 quoted-string: `"` and `\` escaped, and
/// control characters dropped so that no value can break out of the header.
pub(crate) fn push_quoted_string_content(out: &mut String, content: &str) {
    for ch in content.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        let mut names: alloc::vec::Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn rfc6750_mapping() {
        // RFC 6750 §3.1: no error attribute when the request lacks authentication.
        let missing = Error::new(ErrorCode::MissingToken, "no token");
        assert_eq!(missing.http_status(), 401);
        assert_eq!(
            missing.www_authenticate("api", None),
            r#"Bearer realm="api""#
        );
        let scope = Error::new(ErrorCode::InsufficientScope, "scope missing");
        assert_eq!(scope.http_status(), 403);
        assert_eq!(
            scope.www_authenticate("api", Some("read write")),
            r#"Bearer realm="api", error="insufficient_scope", error_description="scope missing", scope="read write""#
        );
        assert_eq!(ErrorCode::InvalidRequest.http_status(), 400);
        assert_eq!(ErrorCode::JwksUnavailable.http_status(), 503);
        assert_eq!(ErrorCode::IntrospectionUnavailable.http_status(), 503);
        assert_eq!(ErrorCode::Expired.oauth_error(), Some("invalid_token"));
    }

    #[test]
    fn header_injection_through_realm_is_escaped() {
        let err = Error::new(ErrorCode::Expired, "expired");
        let value = err.www_authenticate("a\"b\r\nX: y", None);
        assert_eq!(
            value,
            r#"Bearer realm="a\"bX: y", error="invalid_token", error_description="expired""#
        );
    }
}
