#!/usr/bin/env bash
# Rebuilds transforms/io/number-text.wasm from native/number-text (Rust, the ryu-js crate).
# The .wasm is committed, so nothing else needs Rust; run this only after changing the crate.
# Requires: cargo and the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/native/number-text"
cargo build --release --locked --target wasm32-unknown-unknown
cp target/wasm32-unknown-unknown/release/watershed_number_text.wasm "$ROOT/transforms/io/number-text.wasm"
echo "wrote transforms/io/number-text.wasm ($(wc -c <"$ROOT/transforms/io/number-text.wasm") bytes)"
