"""Helpers the tests share, and the benchmarks import the same way: fakes of what Beatline talks to."""
