"""Benchmarks against the real system on loopback; each module prints its numbers (`python -m benchmarks.<name>`)."""
