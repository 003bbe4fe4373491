"""Fuzz target: the venue configuration loader (velotime/config/load.py, `load_config`).

Invariant: any file gives a `Config` or a `ConfigError` whose problems are each one line,
never another exception (a traceback at startup).
"""

import atexit
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, fuzz
from tests.fuzz.toml_seeds import PROJECT, toml_seeds
from velotime.config import Config, ConfigError, load_config

_directory = tempfile.TemporaryDirectory(prefix="velotime-fuzz-config-")
atexit.register(_directory.cleanup)
_FILE = Path(_directory.name) / "velodrome.toml"

# Crashes known and being fixed elsewhere, each with its strict xfail regression test: the fuzzer
# passes over them to look for others (docs/testing.md). None today (RecursionError on deeply
# nested TOML was one: tests/cli/test_startup_errors.py).
KNOWN_CRASHES: tuple[type[BaseException], ...] = ()


def assert_one_line_problems(problems: tuple[str, ...]) -> None:
    """A loader's error: at least one problem, each one line of text."""
    assert problems, "an error without a problem"
    for problem in problems:
        assert problem.strip(), problems
        assert "\n" not in problem, problem
        assert "\r" not in problem, problem


def check(data: bytes) -> None:
    _FILE.write_bytes(data)
    try:
        config = load_config(_FILE, env={})
    except ConfigError as exc:
        assert_one_line_problems(exc.problems)
        return
    except KNOWN_CRASHES:
        return
    assert isinstance(config, Config)


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield from toml_seeds(PROJECT / "config" / "velodrome.example.toml")


TARGET = Target("config_loader", check, seeds, needs_shared_data=False)

if __name__ == "__main__":
    fuzz(TARGET)
