#!/usr/bin/env bash
# Builds the pion SCTP test peer offline from Debian's Go sources (golang-github-pion-sctp-dev,
# golang-github-pion-datachannel-dev; both come with golang-github-pion-webrtc.v3-dev).
# Usage: build.sh OUTPUT_BINARY
set -euo pipefail
out=$(realpath -m "${1:?usage: build.sh OUTPUT_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
mkdir -p "$shim/src/pionsctppeer" "$(dirname "$out")"
cp "$here/main.go" "$shim/src/pionsctppeer/main.go"
cd "$shim/src/pionsctppeer"
GOPATH="$shim:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" go build -o "$out" .
