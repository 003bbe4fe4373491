"""Fuzz target: the SOH..EOT framer FinishLynx and UNT4 share (velotime/protocols/framing.py).

Invariant: no exception on any bytes; every byte comes out once, in a message or in an error's
bytes, in order; every message is one SOH..EOT with neither inside and within the size limit;
a message the decoder refuses is one counted `malformed` error.
"""

from collections.abc import Iterator
from pathlib import Path

from tests.fuzz import lynx_stream, unt4_stream
from tests.fuzz.harness import Target, fuzz
from velotime.protocols.framing import EOT, SOH, ErrorKind, FramingError, SohEotFramer

_MAX, _MIN = 64, 3


class _RefusedError(ValueError):
    pass


def _decode(message: bytes) -> bytes:
    if len(message) % 3 == 0:  # some messages refused, as a protocol's decoder refuses some
        raise _RefusedError(f"{len(message)} bytes")
    return message


def check(data: bytes) -> None:
    framer = SohEotFramer(_MAX, _MIN)
    half = len(data) // 2
    items = framer.feed(data[:half]) + framer.feed(data[half:]) + framer.close()
    covered = b"".join(item if isinstance(item, bytes) else item.raw for item in items)
    assert covered == data, f"bytes lost or added: {data!r} -> {items!r}"
    for item in items:
        if isinstance(item, bytes):
            assert item[0] == SOH, item
            assert item[-1] == EOT, item
            assert SOH not in item[1:], item
            assert EOT not in item[:-1], item
            assert len(item) <= _MAX, item

    decoded = SohEotFramer(_MAX, _MIN)
    out = decoded.decode(decoded.feed(data) + decoded.close(), _decode, _RefusedError)
    messages = [item for item in out if isinstance(item, bytes)]
    malformed = [i for i in out if isinstance(i, FramingError) and i.kind is ErrorKind.MALFORMED]
    assert decoded.stats.messages == len(messages)
    assert decoded.stats.malformed == len(malformed)
    assert all(len(message) % 3 for message in messages)


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield from lynx_stream.seeds(shared)
    yield from unt4_stream.seeds(shared)


TARGET = Target("framing", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
