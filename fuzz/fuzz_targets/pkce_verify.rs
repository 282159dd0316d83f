//! PKCE: arbitrary verifiers, challenges and methods never panic, and a challenge derived
//! by this library always verifies.
#![no_main]

use edge_token_validator::pkce::{
    code_challenge_s256, code_verifier_from_random, random_state_from, verify_code_challenge,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if let Ok(verifier) = code_verifier_from_random(rest) {
        let challenge = code_challenge_s256(&verifier).expect("own verifier is valid");
        assert!(verify_code_challenge(&verifier, &challenge, "S256", false));
        assert!(!verify_code_challenge(&verifier, &challenge, "plain", true));
    }
    let _ = random_state_from(rest);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let verifier = parts.next().unwrap_or_default();
    let challenge = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or_default();
    let allow_plain = selector & 1 == 1;
    let verified = verify_code_challenge(verifier, challenge, method, allow_plain);
    if verified {
        assert!(method == "S256" || (method == "plain" && allow_plain));
    }
    if let Ok(challenge) = code_challenge_s256(verifier) {
        assert!(verify_code_challenge(
            verifier,
            &challenge,
            "S256",
            allow_plain
        ));
    }
});
