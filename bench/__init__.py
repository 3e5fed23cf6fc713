"""Benchmark harness: `python -m bench.run` measures Samplan against the R0 baseline."""
