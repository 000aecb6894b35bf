#!/bin/sh
# Runs steadfast-bench (release) with the allocation-counting shim preloaded, so the media benchmarks
# report heap allocations per packet. Arguments go to steadfast-bench, e.g. `--only media`.
set -eu
cd "$(dirname "$0")/.."
out=.build-malloc-counter
mkdir -p "$out"
gcc -O2 -Wall -shared -fPIC -I Benchmarks/MallocCounter/include -o "$out/libmalloccounter.so" \
    Benchmarks/MallocCounter/malloc_counter.c
swift build -c release --product steadfast-bench >&2
bin="$(swift build -c release --show-bin-path)"
LD_PRELOAD="$PWD/$out/libmalloccounter.so" exec "$bin/steadfast-bench" "$@"
