"""Deterministic synthetic records for the demo and the benchmarks.

Imports importing/.
"""
