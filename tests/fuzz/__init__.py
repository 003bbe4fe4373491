"""Coverage-guided fuzz targets for the framers, the capture reader and the TOML loaders.

Each module here is one target: `check(data)` asserts its invariant on any bytes, `seeds()` is
its seed corpus (built at run time from ../shared/data or the project's example files). Run one
with atheris as `python -m tests.fuzz.<target>` (docs/testing.md); pytest runs every target on
its seed corpus and on mutations of it (test_targets.py).
"""
