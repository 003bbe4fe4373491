"""Fuzz target: the meet file loader (velotime/scoring/meet.py, `load_meet`).

Invariant: any file gives a `Meet` or a `MeetError` whose problems are each one line, never
another exception.
"""

import atexit
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.config_loader import KNOWN_CRASHES, assert_one_line_problems
from tests.fuzz.harness import Target, fuzz
from tests.fuzz.toml_seeds import PROJECT, toml_seeds
from velotime.scoring.meet import Meet, MeetError, load_meet

_directory = tempfile.TemporaryDirectory(prefix="velotime-fuzz-meet-")
atexit.register(_directory.cleanup)
_FILE = Path(_directory.name) / "meet.toml"


def check(data: bytes) -> None:
    _FILE.write_bytes(data)
    try:
        meet = load_meet(_FILE)
    except MeetError as exc:
        assert_one_line_problems(exc.problems)
        return
    except KNOWN_CRASHES:
        return
    assert isinstance(meet, Meet)


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield from toml_seeds(PROJECT / "config" / "meets" / "example-meet.toml")


TARGET = Target("meet_loader", check, seeds, needs_shared_data=False)

if __name__ == "__main__":
    fuzz(TARGET)
