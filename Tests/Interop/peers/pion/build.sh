#!/usr/bin/env bash
# Builds the pion interop peer offline from Debian's Go sources (golang-github-pion-webrtc.v3-dev)
# through a GOPATH shim that maps the module paths (…/v3, …/v2) onto Debian's unversioned tree.
# Usage: build.sh OUTPUT_BINARY
set -euo pipefail
out=$(realpath -m "${1:?usage: build.sh OUTPUT_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
# awk reads the whole listing: `grep -m1` would exit early, and dpkg's SIGPIPE fails the pipeline under pipefail.
gocode=$(dpkg -L golang-github-pion-webrtc.v3-dev | awk '/\/gocode$/ && !found { print; found = 1 }')
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
mkdir -p "$shim/src/github.com/pion"/{webrtc,sdp,transport,udp} "$shim/src/pionpeer"
ln -s "$gocode/src/github.com/pion/webrtc" "$shim/src/github.com/pion/webrtc/v3"
ln -s "$gocode/src/github.com/pion/sdp" "$shim/src/github.com/pion/sdp/v3"
ln -s "$gocode/src/github.com/pion/transport" "$shim/src/github.com/pion/transport/v2"
ln -s "$gocode/src/github.com/pion/udp" "$shim/src/github.com/pion/udp/v2"
cp "$here/main.go" "$shim/src/pionpeer/main.go"
mkdir -p "$(dirname "$out")"
cd "$shim/src/pionpeer"
GOPATH="$shim:$gocode" GO111MODULE=off GOPROXY=off GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" go build -o "$out" .
