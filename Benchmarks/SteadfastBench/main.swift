// Placeholder: the router benchmarks land here (see README § Benchmarks).
print("steadfast-bench: no benchmarks yet")
