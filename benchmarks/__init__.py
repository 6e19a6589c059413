"""Relevance and speed benchmarks of the suggestion engine: ``python -m benchmarks --help``."""
