#!/usr/bin/env bash
# Installs the tools Pocket Cluster needs to build and test, but only the ones
# that are missing. Safe to run again and again. Everything comes from the
# package registries (crates.io, npm, Debian apt); nothing else is downloaded.
#
# Usage: scripts/ensure-tools.sh [--browser]
#   --browser   also make sure Chromium is at /usr/bin/chromium (for the e2e tests)
#
# It exports nothing: callers put node_modules/.bin (wasm-opt) and ~/.cargo/bin
# on PATH themselves.
set -euo pipefail

cd "$(dirname "$0")/.."

TRUNK_VERSION="0.21.14"
WANT_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) WANT_BROWSER=1 ;;
    -h|--help)
      sed -n '2,11p' "$0"
      exit 0
      ;;
    *)
      echo "ensure-tools: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

say() { echo "ensure-tools: $*"; }
die() { echo "ensure-tools: error: $*" >&2; exit 1; }

# cargo installs land here; make them visible to this script.
export PATH="$HOME/.cargo/bin:$PATH"

command -v cargo >/dev/null 2>&1 || die "cargo is missing: install the Rust toolchain (rustup) first"
command -v rustup >/dev/null 2>&1 || die "rustup is missing: it is needed to add the wasm32-unknown-unknown target"

# --- wasm32 target ---------------------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "rust target wasm32-unknown-unknown: present"
else
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- trunk -------------------------------------------------------------------
trunk_version() {
  command -v trunk >/dev/null 2>&1 || return 0
  trunk --version 2>/dev/null | awk '{print $2}' || true
}
have_trunk="$(trunk_version)"
if [ "$have_trunk" = "$TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION (found: ${have_trunk:-none}); this takes a while"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# --- wasm-bindgen-cli (must match Cargo.lock) --------------------------------
[ -f Cargo.lock ] || die "Cargo.lock is missing: cannot tell which wasm-bindgen-cli to install"
WB_VERSION="$(awk '
  /^name = "wasm-bindgen"$/ { found = 1; next }
  found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  /^\[\[package\]\]/ { found = 0 }
' Cargo.lock)"
[ -n "$WB_VERSION" ] || die "could not find the wasm-bindgen version in Cargo.lock"

wb_version() {
  command -v wasm-bindgen >/dev/null 2>&1 || return 0
  wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true
}
have_wb="$(wb_version)"
if [ "$have_wb" = "$WB_VERSION" ]; then
  say "wasm-bindgen-cli $WB_VERSION: present"
else
  say "installing wasm-bindgen-cli $WB_VERSION (found: ${have_wb:-none}); this takes a while"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# --- node / npm and node_modules (playwright-core, binaryen's wasm-opt) -----
command -v node >/dev/null 2>&1 || die "node is missing: install Node.js 18+ (Debian: apt-get install -y nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is missing: install npm (Debian: apt-get install -y npm)"
[ -f package-lock.json ] || die "package-lock.json is missing"

if [ ! -f node_modules/.package-lock.json ]; then
  say "node_modules missing: npm ci"
  npm ci --no-audit --no-fund
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "package-lock.json is newer than node_modules: npm ci"
  npm ci --no-audit --no-fund
else
  say "node_modules: up to date"
fi

# wasm-opt comes from the npm package binaryen (never Debian's binaryen).
[ -x node_modules/.bin/wasm-opt ] || die "node_modules/.bin/wasm-opt is missing after npm ci (devDependency binaryen)"
# axe-core: the accessibility checks of tests/e2e/a11y.test.mjs (npm ci installs devDependencies).
[ -f node_modules/axe-core/axe.min.js ] || die "node_modules/axe-core/axe.min.js is missing after npm ci (devDependency axe-core)"

# --- Chromium (only for the browser tests) -----------------------------------
if [ "$WANT_BROWSER" = 1 ]; then
  if [ -x /usr/bin/chromium ]; then
    say "chromium: present"
  elif [ "$(id -u)" = 0 ]; then
    say "installing Debian package chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y chromium
    [ -x /usr/bin/chromium ] || die "apt-get installed chromium but /usr/bin/chromium is still missing"
  else
    echo "Chromium is missing: install the Debian package 'chromium' (sudo apt-get install -y chromium)" >&2
    exit 1
  fi
fi

# --- report ------------------------------------------------------------------
say "versions:"
echo "  rustc:        $(rustc --version 2>/dev/null || echo missing)"
echo "  cargo:        $(cargo --version 2>/dev/null || echo missing)"
echo "  trunk:        $(trunk --version 2>/dev/null || echo missing)"
echo "  wasm-bindgen: $(wasm-bindgen --version 2>/dev/null || echo missing)"
echo "  wasm-opt:     $(node_modules/.bin/wasm-opt --version 2>/dev/null || echo missing)"
echo "  node:         $(node --version 2>/dev/null || echo missing)"
echo "  npm:          $(npm --version 2>/dev/null || echo missing)"
if [ "$WANT_BROWSER" = 1 ]; then
  echo "  chromium:     $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
fi
