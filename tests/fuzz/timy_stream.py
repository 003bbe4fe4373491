"""Fuzz target: the ALGE Timy line stream (velotime/protocols/timy/stream.py, codec.py).

Invariant: no exception on any bytes, with or without required checksums; one item a non-empty
line, each counted once; the same records however the bytes are split; a valid line after any
garbage (once a line end closes it) is never lost.
"""

from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, assert_found_after, fuzz, groups
from velotime.protocols.timy import Impulse, LineError, TimyItem, TimyRecord, TimyStream, parse_line

# An impulse line as the real TdC 8001 dumps in shared/data/alge/ hold them (without the flag).
VALID_LINE = b" 0300 C0  08:53:39.4922 00"
VALID = parse_line(VALID_LINE)
assert isinstance(VALID, Impulse)


def _records(items: list[TimyItem]) -> list[TimyRecord]:
    return [item for item in items if not isinstance(item, LineError)]


def _feed(stream: TimyStream, *chunks: bytes) -> list[TimyItem]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


def check(data: bytes) -> None:
    third = len(data) // 3
    for require_checksum in (False, True):
        stream = TimyStream(require_checksum=require_checksum)
        in_one = _feed(stream, data)
        stats = stream.stats
        assert stats.lines == len(in_one)
        assert stats.records + stats.unknown_lines + stats.errors == stats.lines, stats
        in_three = _feed(
            TimyStream(require_checksum=require_checksum),
            data[:third],
            data[third : 2 * third],
            data[2 * third :],
        )
        assert _records(in_one) == _records(in_three)

    assert_found_after(
        data,
        TimyStream,
        VALID,
        (data + b"\r" + VALID_LINE + b"\r",),
        (data, b"\n" + VALID_LINE + b"\r\n"),
    )


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield VALID_LINE + b"\r"
    if shared is not None:
        for path in sorted((shared / "alge").glob("*.dump")):
            lines = path.read_bytes().splitlines(keepends=True)
            yield from groups(lines, sizes=(1, 3, 10))


TARGET = Target("timy_stream", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
