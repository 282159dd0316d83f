//! Prints the attack corpus (tests/common/corpus.rs) as JSON, for the JS suite:
//! `cargo run --quiet --example attack_corpus > target/attack-corpus.json`.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let corpus = common::corpus::corpus_json();
    println!(
        "{}",
        serde_json::to_string_pretty(&corpus).expect("the corpus is JSON")
    );
}
