"""Benchmarks: each `bench_*.py` module measures one hot path against a floor in the same run."""
