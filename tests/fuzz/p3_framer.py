"""Fuzz target: the P3 framer and stream (velotime/protocols/p3/framer.py, stream.py).

Invariant: no exception on any bytes; every frame passed has its header, LENGTH and CRC right;
the same records however the bytes are split; a valid record after any garbage is never lost,
in the same chunk or the next.
"""

from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, assert_found_after, fuzz, groups, hex_lines
from velotime.protocols.p3 import FrameError, P3Record, P3Stream, Passing, encode
from velotime.protocols.p3.constants import EOR, SOR
from velotime.protocols.p3.crc import p3_crc
from velotime.protocols.p3.framer import P3Framer

_MAX_FRAME_SIZE = 512  # small, so that oversized frames are reached too

# The first passing of the real p3/amb.out (shared/data/MANIFEST.md), as velotime encodes it.
VALID = Passing(
    passing_number=157777,
    transponder=5691251,
    rtc_time_us=1551542808933000,
    strength=178,
    hits=52,
)
VALID_WIRE = encode(VALID)


def _records(items: list[P3Record | FrameError]) -> list[P3Record]:
    return [item for item in items if isinstance(item, P3Record)]


def _feed(stream: P3Stream, *chunks: bytes) -> list[P3Record | FrameError]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


def check(data: bytes) -> None:
    framer = P3Framer(_MAX_FRAME_SIZE)
    third = len(data) // 3
    frames = framer.feed(data[:third]) + framer.feed(data[third:]) + framer.close()
    for item in frames:
        if isinstance(item, bytes):
            assert item[0] == SOR, item
            assert item[-1] == EOR, item
            assert (item[2] | item[3] << 8) in (0, len(item)), item
            assert p3_crc(item) == item[4] | item[5] << 8, item
        else:
            assert isinstance(item, FrameError), item
    assert framer.stats.frames == sum(isinstance(item, bytes) for item in frames)

    whole = P3Stream(_MAX_FRAME_SIZE)
    in_one = _feed(whole, data)
    assert whole.stats.frames == len(_records(in_one))
    in_three = _feed(
        P3Stream(_MAX_FRAME_SIZE), data[:third], data[third : 2 * third], data[2 * third :]
    )
    assert _records(in_one) == _records(in_three)

    assert_found_after(
        data, lambda: P3Stream(_MAX_FRAME_SIZE), VALID, (data + VALID_WIRE,), (data, VALID_WIRE)
    )


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield VALID_WIRE
    if shared is not None:
        for name in ("amb.out", "amb-short.out"):
            yield from groups(hex_lines(shared / "p3" / name))


TARGET = Target("p3_framer", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
