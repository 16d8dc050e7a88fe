"""Evaluation: the curated-set harness (answers) and external retrieval benchmarks."""
