// Filled in with the hashing benchmarks.
