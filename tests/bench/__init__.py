"""Benchmarks, run by hand (not collected by pytest): python -m tests.bench.bench_pages"""
