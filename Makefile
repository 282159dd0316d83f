# edge-token-validator — every target installs what it needs (idempotently, pinned), so a
# fresh machine with only Rust, Node and apt can run it. See README.md.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(HOME)/.cargo/bin:$(PATH)

# Pinned tools. wasm-bindgen's CLI must equal the crate version in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)
WORKER_BUILD_VERSION := 0.8.7
CARGO_FUZZ_VERSION := 0.13.2

JS := js
NPM_STAMP := $(JS)/node_modules/.installed-from-lock
WRANGLER := $(CURDIR)/$(JS)/node_modules/.bin/wrangler
ESBUILD := $(CURDIR)/$(JS)/node_modules/.bin/esbuild
WASM_TARGET := wasm32-unknown-unknown
# The npm package's wasm: WebCrypto checks RS*, PS*, ES256/384/512 and EdDSA, so the wasm
# carries only what no host has (HS* stays in wasm because it is faster there than an async
# WebCrypto call, ES256K because WebCrypto lacks secp256k1). Every key is still checked by the
# core (EC points on their curve, Ed25519 small order: src/alg/points.rs). The pure-Rust
# fallback for the other algorithms would add 55 KB gzip (EdDSA alone 8 KB, P-521 11 KB):
# over the 120 KB budget, for hosts that all browsers since 2023 and every server runtime
# are not; such a host answers unsupported_algorithm. Measured by `make bench`.
NPM_FEATURES := js,alg-hs,alg-es256k
# cpubits="32": k256 and crypto-bigint pick their 32-bit arithmetic (wasm has no 64×64→128
# multiply, so the 64-bit code is emulated: k256 shrank from 72 KB to 19 KB). simd128: sha2's
# wasm SIMD backend (smaller and faster than the unrolled one; every runtime since 2023).
NPM_RUSTFLAGS := --cfg cpubits="32" -C target-feature=+simd128
NPM_WASM := target/npm/$(WASM_TARGET)/release/edge_token_validator.wasm
WASM_OPT := $(CURDIR)/$(JS)/node_modules/.bin/wasm-opt
# The features rustc's wasm target emits; --all-features would let wasm-opt use proposals
# (stringref, GC) that Node 20 refuses.
WASM_OPT_FEATURES := --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue --enable-simd

.PHONY: help run build token test bench setup setup-rust setup-wasm-bindgen setup-worker-build \
        setup-npm setup-chromium setup-python npm-package worker lint rust-test js-test e2e-test setup-fuzz fuzz-smoke

help:
	@echo "make run    - the gateway Worker on http://127.0.0.1:8787 (demo configuration)"
	@echo "make test   - every test (installs what it needs)"
	@echo "make token  - a demo access token for 'make run'"
	@echo "make build  - the npm package (js/) and the Worker bundle (build/)"
	@echo "make bench  - benchmarks"

# ---------------------------------------------------------------- installs (idempotent)
setup-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) && rustup target list --installed | grep -qx wasm32v1-none \
	  || rustup target add $(WASM_TARGET) wasm32v1-none
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

setup-wasm-bindgen: setup-rust
	@if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked --force; \
	fi

setup-worker-build: setup-wasm-bindgen
	@if ! worker-build --version 2>/dev/null | grep -q "$(WORKER_BUILD_VERSION)"; then \
	  echo "installing worker-build $(WORKER_BUILD_VERSION) (a few minutes)"; \
	  cargo install worker-build --version $(WORKER_BUILD_VERSION) --locked --force; \
	fi

$(NPM_STAMP): $(JS)/package-lock.json $(JS)/package.json
	cd $(JS) && npm ci --no-audit --no-fund
	@touch $@

setup-npm: $(NPM_STAMP)

setup-chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Independent signers for interop fixtures (PyJWT for ES256K, which jose lacks), in a venv.
PYENV := target/pyenv
$(PYENV)/.installed:
	python3 -m venv $(PYENV)
	$(PYENV)/bin/pip install -q --disable-pip-version-check PyJWT==2.15.1 cryptography==50.0.2
	@touch $@

setup-python: $(PYENV)/.installed

setup: setup-worker-build setup-npm

# ---------------------------------------------------------------- builds
# The npm package: the core with the JS door (see NPM_FEATURES), wasm-opt'd.
npm-package: setup-wasm-bindgen setup-npm
	RUSTFLAGS='$(NPM_RUSTFLAGS)' cargo build --release --target $(WASM_TARGET) --no-default-features --features $(NPM_FEATURES) --target-dir target/npm
	wasm-bindgen --target web --out-dir $(JS)/pkg $(NPM_WASM)
	$(WASM_OPT) -Oz $(WASM_OPT_FEATURES) $(JS)/pkg/edge_token_validator_bg.wasm -o $(JS)/pkg/edge_token_validator_bg.wasm

# The Worker bundle (wrangler's [build] command runs this too). worker-build would download
# wasm-bindgen and esbuild; point it at the pinned local ones instead. Built at opt-level 3,
# not the release profile's "z" (the npm wasm's size budget): the Worker is judged by
# throughput, and 3 cut its CPU per forwarded request by ~6 µs of ~260 in workerd (the
# .wasm: about the same raw, 1.14 MB; gzip 372 → 405 KB, far under the Workers limit).
# wasm-opt -O3 on top (-23% raw) measured no gain, so it stays off (--no-opt).
worker: setup-worker-build setup-npm
	CARGO_PROFILE_RELEASE_OPT_LEVEL=3 WASM_BINDGEN_BIN="$$(command -v wasm-bindgen)" ESBUILD_BIN="$(ESBUILD)" \
	  worker-build --release --no-opt -- --features worker

build: npm-package worker

token: setup-npm
	@node dev/mint-token.mjs

run: setup
	$(WRANGLER) dev --env dev --ip 127.0.0.1 --port 8787

# ---------------------------------------------------------------- tests
lint: setup-rust
	cargo fmt --all -- --check
	cargo clippy --all-targets --all-features -- -D warnings
	cargo clippy --lib --features js -- -D warnings
	cargo clippy --lib --features worker -- -D warnings
	@# The no_std feature sets cannot link a native cdylib, so they are built as an rlib for
	@# wasm32v1-none (which has no std at all: the proof), with warnings as errors.
	cargo rustc --lib --crate-type rlib --no-default-features --features all-algorithms --target wasm32v1-none --release -- -D warnings
	cargo rustc --lib --crate-type rlib --no-default-features --target wasm32v1-none --release -- -D warnings

rust-test:
	cargo test --all-targets
	cargo test --doc

# One suite in three runtimes: Node, headless Chromium, workerd. Fixtures are made fresh
# each run (their tokens carry real times); the attack corpus comes from the Rust tests
# (tests/common/corpus.rs), so every attack token gets the same code in JS as in Rust.
js-test: npm-package setup-chromium setup-python
	$(PYENV)/bin/python $(JS)/test/fixtures/make_es256k.py target/es256k-fixtures.json
	cargo run --quiet --example attack_corpus > target/attack-corpus.json
	cd $(JS) && node --test --test-reporter=spec test/node/ test/browser/ test/workerd/
	cd $(JS) && npx --no-install publint --strict

e2e-test: worker
	node --test --test-reporter=spec tests/e2e/

# cargo-fuzz needs nightly flags: the nightly toolchain when the machine has one, else the
# stable one with RUSTC_BOOTSTRAP (rustup can fetch no other toolchain here).
FUZZ_TOOLCHAIN := $(shell rustup toolchain list | grep -q '^nightly' && echo +nightly)
FUZZ_ENV := $(if $(FUZZ_TOOLCHAIN),,RUSTC_BOOTSTRAP=1)
FUZZ_SECONDS ?= 20

setup-fuzz:
	@cargo fuzz --version 2>/dev/null | grep -q "$(CARGO_FUZZ_VERSION)" || cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --force

fuzz-smoke: setup-fuzz
	cd fuzz && sh seed.sh
	cd fuzz && for target in $$(cargo $(FUZZ_TOOLCHAIN) fuzz list); do \
	  echo "fuzz smoke: $$target for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_ENV) cargo $(FUZZ_TOOLCHAIN) fuzz run $$target -- -max_total_time=$(FUZZ_SECONDS) -timeout=10 2>&1 | tail -n 3; \
	  test $${PIPESTATUS[0]} -eq 0 || { echo "fuzz target $$target failed"; exit 1; }; \
	done

test: lint rust-test js-test e2e-test fuzz-smoke
	@echo "make test: all suites passed"

# One table: Node (package vs jose vs bare WebCrypto), the Workers runtime (gateway vs a
# pass-through Worker), the core's criterion benches, and the wasm's size and start-up.
# BENCH_QUICK=1 for a short run. Ratios compare within one run; absolute times do not travel.
bench: npm-package worker
	cd $(JS) && node bench/run.mjs
