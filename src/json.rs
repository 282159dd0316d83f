//! Strict JSON for untrusted input: duplicate member names and deep nesting are refused.
//!
//! `serde_json::Value` keeps the last of two members with the same name, so two parsers can
//! disagree about what a token says (RFC 8725 §3.5, RFC 7515 §5.2 step 4: "MUST reject").
//! This module builds the same `Value` but fails on a repeated name at any depth.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// How deeply arrays and objects may nest in a token's header or payload, or in a JWKS.
pub const MAX_DEPTH: usize = 32;

/// Parses `bytes` as one JSON value with no duplicate member names and nesting of at most
/// `MAX_DEPTH`.
///
/// # Errors
/// A short static reason when the bytes are not such JSON.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, &'static str> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictSeed { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|err| classify(&err))?;
    deserializer
        .end()
        .map_err(|_| "trailing bytes after JSON")?;
    Ok(value)
}

/// Parses `bytes` as a JSON object under the same rules.
///
/// # Errors
/// A short static reason when the bytes are not a strict JSON object.
pub fn parse_strict_object(bytes: &[u8]) -> Result<Map<String, Value>, &'static str> {
    match parse_strict(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err("JSON is not an object"),
    }
}

/// A JWT claims set: a strict JSON object, except that a top-level member whose value is a
/// number too large for a double (`1e400`) is kept aside by name rather than failing the
/// whole parse, so the claim rules can call it what it is: an invalid claim (RFC 7519 §2).
///
/// # Errors
/// A short static reason when the bytes are not a strict JSON object.
pub fn parse_claims(bytes: &[u8]) -> Result<(Map<String, Value>, Vec<String>), &'static str> {
    // One strict pass is the whole answer for almost every token; only when it fails (an
    // out-of-range number, or any error) does the member-by-member pass below run, to find
    // which members overflow or to name the error. Both passes apply the same rules (same
    // seed, same depth), so they accept the same claims sets.
    if let Ok(claims) = parse_strict_object(bytes) {
        return Ok((claims, Vec::new()));
    }
    let raw: Vec<(String, &serde_json::value::RawValue)> = {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let members = deserializer
            .deserialize_map(RawMembers)
            .map_err(|err| classify(&err))?;
        deserializer
            .end()
            .map_err(|_| "trailing bytes after JSON")?;
        members
    };
    let mut claims = Map::new();
    let mut out_of_range = Vec::new();
    for (name, value) in raw {
        if claims.contains_key(&name) || out_of_range.contains(&name) {
            return Err("duplicate member name");
        }
        let mut deserializer = serde_json::Deserializer::from_str(value.get());
        match (StrictSeed { depth: 1 }).deserialize(&mut deserializer) {
            Ok(parsed) => {
                claims.insert(name, parsed);
            }
            Err(err)
                if err.to_string().contains("out of range") && is_number_literal(value.get()) =>
            {
                out_of_range.push(name);
            }
            Err(err) => return Err(classify(&err)),
        }
    }
    Ok((claims, out_of_range))
}

fn is_number_literal(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
}

fn classify(err: &serde_json::Error) -> &'static str {
    let text = err.to_string();
    if text.contains(DUPLICATE) {
        "duplicate member name"
    } else if text.contains(TOO_DEEP) {
        "JSON nested too deeply"
    } else if text.contains("out of range") {
        "number out of range"
    } else if err.is_data() {
        "JSON is not an object"
    } else {
        "invalid JSON"
    }
}

struct RawMembers;

impl<'de> Visitor<'de> for RawMembers {
    type Value = Vec<(String, &'de serde_json::value::RawValue)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            members.push((name, map.next_value()?));
        }
        Ok(members)
    }
}

const DUPLICATE: &str = "edge-token-validator: duplicate member";
const TOO_DEEP: &str = "edge-token-validator: nested too deeply";

#[derive(Clone, Copy)]
struct StrictSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictSeed {
    fn nested<E: de::Error>(self) -> Result<StrictSeed, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(StrictSeed {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for StrictSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json yields infinities for overflowing literals such as 1e400; those are not
        // numbers a claim can carry.
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(String::from(v)))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            if members.insert(name, value).is_some() {
                return Err(de::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_members_are_refused_at_any_depth() {
        // RFC 7515 §5.2 / RFC 8725 §3.5: a parser that keeps the last duplicate can be made to
        // disagree with one that keeps the first.
        assert_eq!(
            parse_strict(br#"{"alg":"RS256","alg":"none"}"#),
            Err("duplicate member name")
        );
        assert_eq!(
            parse_strict(br#"{"a":{"b":1,"b":2}}"#),
            Err("duplicate member name")
        );
        assert!(parse_strict(br#"{"a":{"b":1},"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep: String = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse_strict(deep.as_bytes()), Err("JSON nested too deeply"));
        let ok: String = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse_strict(ok.as_bytes()).is_ok());
    }

    #[test]
    fn claims_with_an_overflowing_member_keep_the_others() {
        let (claims, out) = parse_claims(br#"{"a":1,"big":1e400,"c":{"d":2}}"#).unwrap();
        assert_eq!(out, ["big"]);
        assert_eq!(claims.len(), 2);
        assert_eq!(
            parse_claims(br#"{"a":1,"a":2}"#),
            Err("duplicate member name")
        );
        assert_eq!(
            parse_claims(br#"{"big":1e400,"big":1}"#),
            Err("duplicate member name")
        );
        let (claims, out) = parse_claims(br#"{"a":[1,{"b":true}]}"#).unwrap();
        assert!(out.is_empty());
        assert_eq!(claims["a"][1]["b"], Value::Bool(true));
    }

    #[test]
    fn overflowing_numbers_and_trailing_bytes_are_refused() {
        assert!(parse_strict(b"1e400").is_err());
        assert_eq!(parse_strict(b"{} x"), Err("trailing bytes after JSON"));
        assert_eq!(parse_strict_object(b"[1]"), Err("JSON is not an object"));
    }
}
