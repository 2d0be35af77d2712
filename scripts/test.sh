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

# The site's release build is mostly one long single-threaded compile (LTO, one codegen unit)
# and wasm-opt: it runs in the background, in a target directory of its own (a shared one
# would make each cargo wait for the other's lock), while the native checks use the other core.
SITE_TARGET="${CARGO_TARGET_DIR:-$PWD/target}/site"
SITE_LOG="$(mktemp)"
step "trunk build --release (in the background, target dir $SITE_TARGET)"
CARGO_TARGET_DIR="$SITE_TARGET" trunk build --release >"$SITE_LOG" 2>&1 &
SITE_PID=$!
trap 'kill "$SITE_PID" 2>/dev/null || true; rm -f "$SITE_LOG"' EXIT

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo clippy --target wasm32-unknown-unknown --bin pocket-cluster-web --bin pocket-cluster-engine -- -D warnings"
cargo clippy --target wasm32-unknown-unknown --bin pocket-cluster-web --bin pocket-cluster-engine -- -D warnings

step "cargo test"
cargo test

step "waiting for the site's release build"
if ! wait "$SITE_PID"; then
  cat "$SITE_LOG"
  echo "trunk build --release failed" >&2
  exit 1
fi
tail -n 3 "$SITE_LOG"

step "node --test tests/e2e/"
node --test tests/e2e/

echo
echo "==> all checks passed in $((SECONDS - START)) s"
