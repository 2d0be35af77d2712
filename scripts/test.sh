#!/usr/bin/env bash
# The one test command: what CI runs (through .ci/run -> make test).
set -euo pipefail

cd "$(dirname "$0")/.."

scripts/ensure-tools.sh --browser

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

START=$SECONDS
step() { echo; echo "==> [$((SECONDS - START)) s] $*"; }

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo clippy --target wasm32-unknown-unknown --bin pocket-cluster-web -- -D warnings"
cargo clippy --target wasm32-unknown-unknown --bin pocket-cluster-web -- -D warnings

step "cargo test"
cargo test

step "trunk build --release"
trunk build --release

step "node --test tests/e2e/"
node --test tests/e2e/

echo
echo "==> all checks passed in $((SECONDS - START)) s"
