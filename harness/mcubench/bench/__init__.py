"""The suite: benchmarks as data, budgets, references, measuring one benchmark, running
many on the process pool, FFT cost tables and emulation speed."""
