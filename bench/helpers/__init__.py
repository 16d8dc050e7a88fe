"""Pieces of bench/run.py: data loading, cold start and memory, scaling and throughput, baseline, plot."""
