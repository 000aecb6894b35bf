#!/bin/sh
# Our SCTPAssociation on the usrsctp spike's workload, release build, mallocs counted by LD_PRELOAD.
# Usage (from the package root): sh Tests/SCTPTests/Spike/bench.sh
set -eu
root=$(pwd)
work=${TMPDIR:-/tmp}/steadfast-sctp-bench
mkdir -p "$work/Sources/bench"
ln -sfn "$root/Sources/SCTP" "$work/Sources/SCTP"
ln -sfn "$root/Sources/SansIO" "$work/Sources/SansIO"
cp "$root/Tests/SCTPTests/Spike/sctp_bench.swift" "$work/Sources/bench/main.swift"
cat > "$work/Package.swift" <<'PKG'
// swift-tools-version: 6.1
import PackageDescription
let package = Package(name: "SCTPBench", targets: [
    .target(name: "SansIO"), .target(name: "SCTP", dependencies: ["SansIO"]),
    .executableTarget(name: "bench", dependencies: ["SCTP"]),
], swiftLanguageModes: [.v6])
PKG
cc -O2 -shared -fPIC -o "$work/malloc_count.so" "$root/Tests/SCTPTests/Spike/malloc_count.c"
(cd "$work" && swift build -c release --product bench 2>&1 | grep -E "error|Compiling|Build" | tail -3)
LD_PRELOAD="$work/malloc_count.so" "$work/.build/release/bench"
