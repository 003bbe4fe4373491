"""Fuzz target: the FinishLynx LIF result file parser (velotime/protocols/lif/parser.py).

Invariant: `parse_lif` never raises; every warning is one line and points at a line of the
file; a good result row after any damaged line is never lost.
"""

from collections.abc import Iterator
from pathlib import Path

import msgspec

from tests.fuzz.harness import Target, fuzz
from velotime.protocols.lif import LifResult, parse_lif

# The header and first row of the real shared/data/finishlynx/001-1-1.lif.
HEADER = b"1,1,1,Boys 100 Meter Dash,+2.0,m/s,,,,100,11:20:46.5819"
ROW = b"1,187,1,Gonzales,Speedy,Team High School,11.285,,11.285,,,11:20:46.582,M,7,,11.285"
_heat = parse_lif(HEADER + b"\r\n" + ROW + b"\r\n").heat
assert _heat is not None
assert len(_heat.results) == 1
VALID: LifResult = _heat.results[0]


def check(data: bytes) -> None:
    parsed = parse_lif(data, "fuzz.lif")
    lines = data.count(b"\n") + data.count(b"\r") + 1  # at most
    for warning in parsed.warnings:
        assert 1 <= warning.line <= lines, warning
        assert "\n" not in warning.message, warning
        assert "\r" not in warning.message, warning
    if parsed.heat is not None:
        assert all(1 <= result.line <= lines for result in parsed.heat.results)

    damaged = data.replace(b"\r", b" ").replace(b"\n", b" ")
    parsed = parse_lif(HEADER + b"\r\n" + damaged + b"\r\n" + ROW + b"\r\n", "fuzz.lif")
    assert parsed.heat is not None, parsed.warnings
    last = parsed.heat.results[-1] if parsed.heat.results else None
    assert last == msgspec.structs.replace(VALID, line=3), f"row lost after {damaged!r}: {last}"


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield HEADER + b"\r\n" + ROW + b"\r\n"
    if shared is None:
        return
    for path in sorted((shared / "finishlynx").glob("*.lif")):
        data = path.read_bytes()
        yield data
        lines = data.splitlines(keepends=True)
        yield from lines[:3]
        yield b"".join(lines[:2])


TARGET = Target("lif_parser", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
