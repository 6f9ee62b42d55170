"""Fakes and makers shipped with the package for tests, benchmarks and the demo station."""
