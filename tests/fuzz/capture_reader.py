"""Fuzz target: the capture file reader (velotime/capture/reader.py).

Invariant: a file of any bytes is refused with `CaptureFormatError` (its one documented error)
or read; reading never raises; each non-blank line after the header is one chunk or one counted
problem; a good chunk line after any damaged lines is never lost.
"""

import atexit
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec

from tests.fuzz.harness import Target, fuzz, groups, hex_lines
from velotime.capture import CaptureChunk, CaptureHeader, CaptureWriter, read_capture
from velotime.capture.reader import CaptureFormatError

_directory = tempfile.TemporaryDirectory(prefix="velotime-fuzz-capture-")
atexit.register(_directory.cleanup)
_FILE = Path(_directory.name) / "fuzz.capture.jsonl"

HEADER_LINE = msgspec.json.encode(
    CaptureHeader(venue="fuzz", sources={"p3-finish": {"protocol": "p3"}})
)
VALID = CaptureChunk(1_551_542_808_933_000, "p3-finish", b"\x8e\x02\x33\x00")
VALID_LINE = msgspec.json.encode(VALID)


def _read(data: bytes) -> tuple[list[CaptureChunk], int] | None:
    """The chunks and the number of problems, or None for a file refused as no capture."""
    _FILE.write_bytes(data)
    try:
        reader = read_capture(_FILE)
    except CaptureFormatError:
        return None
    chunks = list(reader.chunks())
    assert reader.bytes_read == len(data)
    return chunks, len(reader.problems)


def check(data: bytes) -> None:
    _read(data)  # as a whole file, its header too

    framed = HEADER_LINE + b"\n" + data + b"\n" + VALID_LINE + b"\n"
    read = _read(framed)
    assert read is not None
    chunks, problems = read
    lines = sum(1 for line in framed.split(b"\n")[1:] if line.strip())
    assert len(chunks) + problems == lines, (chunks, problems, lines)
    assert chunks, f"the chunk after {data!r} was lost"
    assert chunks[-1] == VALID, f"the chunk after {data!r} was lost"


def capture_bytes(shared: Path) -> bytes:
    """A capture of the real P3 and Timy records, one chunk a read, as the daemon writes it."""
    path = Path(_directory.name) / "seed.capture.jsonl"
    path.unlink(missing_ok=True)
    sources = {"p3-finish": {"protocol": "p3"}, "timy": {"protocol": "timy"}}
    writer = CaptureWriter(path, CaptureHeader(venue="seed", sources=sources))
    t_us = 1_551_542_808_933_000
    p3 = hex_lines(shared / "p3" / "amb-short.out")[:40]
    timy = (shared / "alge" / "ALGETdC8001-202002020841.dump").read_bytes().splitlines(True)[:40]
    for p3_chunk, timy_chunk in zip(groups(p3, (3,)), groups(timy, (3,)), strict=False):
        writer.write(t_us, "p3-finish", p3_chunk)
        writer.write(t_us + 1_000, "timy", timy_chunk)
        t_us += 500_000
    writer.close()
    return path.read_bytes()


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield HEADER_LINE + b"\n" + VALID_LINE + b"\n"
    if shared is not None:
        whole = capture_bytes(shared)
        yield whole
        lines = whole.splitlines(keepends=True)
        yield b"".join(lines[1:4])  # chunk lines only: the target adds a header
        yield lines[1]


TARGET = Target("capture_reader", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
