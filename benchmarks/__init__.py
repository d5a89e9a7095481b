"""Benchmarks (`make bench`): live latency, memory and idle CPU of the job."""
