//! The Rust half of the attack corpus parity (issue 4): every case of the corpus the JS suite
//! replays through the npm package (tests/common/corpus.rs, printed by `examples/
//! attack_corpus.rs`) gives its expected code here, read back from the same JSON.

mod common;

use std::collections::HashSet;

use common::corpus::{attack_corpus, validator_options_from_js, CorpusCase};
use edge_token_validator::{Error, Jwks, Validator, VerifiedToken};

/// Runs one case as the JS door does: options mapped, key set parsed from JSON, then
/// validation at the case's time.
fn outcome(case: &CorpusCase) -> Result<(), String> {
    let validator = Validator::new(validator_options_from_js(&case.options))
        .map_err(|e| format!("options refused: {}", e.description()))?;
    let keys = Jwks::from_json(case.jwks.to_string().as_bytes())
        .map_err(|e| format!("key set refused: {}", e.description()))?;
    let name = |result: Result<VerifiedToken, Error>| match result {
        Ok(_) => "valid",
        Err(err) => err.code().as_str(),
    };
    let native = name(validator.validate(&case.token, &keys, case.now));
    // The JS door's two phases: a signature of the wrong shape gets a `false` verdict without
    // asking the host; otherwise the verifier (WebCrypto there, the native one here) decides.
    let two_phase = name(validator.begin(&case.token, &keys).and_then(|pending| {
        let verified = if pending.needs_verdict() {
            pending.verify_native()
        } else {
            pending.accept_host_verdict(false)
        }?;
        validator.check_claims(verified, case.now, &[])
    }));
    if native == case.expect_str() && two_phase == native {
        Ok(())
    } else {
        Err(format!(
            "expected {}, got {native} (two-phase path: {two_phase})",
            case.expect_str()
        ))
    }
}

#[test]
fn every_corpus_case_gives_its_code_in_rust() {
    // Read back from the JSON the example prints (`corpus_json`): what the JS suite reads.
    let corpus = attack_corpus();
    let text = serde_json::Value::Array(corpus.iter().map(CorpusCase::to_json).collect());
    let parsed: serde_json::Value = serde_json::from_str(&text.to_string()).unwrap();
    let cases: Vec<CorpusCase> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(CorpusCase::from_json)
        .collect();
    assert_eq!(cases, corpus, "the JSON form loses nothing");
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut names = HashSet::new();
    for case in &cases {
        assert!(names.insert(&case.name), "duplicate name {}", case.name);
    }
    let controls = cases.iter().filter(|c| c.expect.is_none()).count();
    assert!(controls >= 20, "only {controls} positive controls");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| outcome(case).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
