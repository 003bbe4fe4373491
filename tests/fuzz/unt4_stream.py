"""Fuzz target: the UNT4 board stream and the telegraph form (velotime/protocols/unt4/).

Invariant: no exception on any bytes but the documented ones (`from_telegraph` raises only
`TelegraphError`); the same records however the bytes are split; a valid message after any
garbage is never lost; any bytes come back unchanged from their telegraph form.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, assert_found_after, fuzz
from velotime.protocols.lif import parse_lif
from velotime.protocols.unt4 import (
    ClearAll,
    TelegraphError,
    Text,
    Unt4Error,
    Unt4Item,
    Unt4Record,
    Unt4Stream,
    board_text,
    encode,
    from_telegraph,
    to_telegraph,
)

_MAX_MESSAGE_SIZE = 128  # small, so that oversized messages are reached too

VALID = Text(column=0, row=1, text=" 1  187 Gonzales      11.28", erase_line=True)
VALID_WIRE = encode(VALID)


def _records(items: list[Unt4Item]) -> list[Unt4Record]:
    return [item for item in items if not isinstance(item, Unt4Error)]


def _feed(stream: Unt4Stream, *chunks: bytes) -> list[Unt4Item]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


def check(data: bytes) -> None:
    stream = Unt4Stream(_MAX_MESSAGE_SIZE)
    in_one = _feed(stream, data)
    assert stream.stats.messages == len(_records(in_one))
    third = len(data) // 3
    in_three = _feed(
        Unt4Stream(_MAX_MESSAGE_SIZE), data[:third], data[third : 2 * third], data[2 * third :]
    )
    assert _records(in_one) == _records(in_three)

    assert_found_after(
        data, lambda: Unt4Stream(_MAX_MESSAGE_SIZE), VALID, (data + VALID_WIRE,), (data, VALID_WIRE)
    )

    assert from_telegraph(to_telegraph(data)) == data
    with contextlib.suppress(TelegraphError):
        from_telegraph(data.decode("utf-8", errors="replace"))


def board_messages(shared: Path) -> Iterator[bytes]:
    """Result boards of the real LIF files' heats, as `velotime boards` would write them."""
    for path in sorted((shared / "finishlynx").glob("*.lif")):
        heat = parse_lif(path.read_bytes(), path.name).heat
        if heat is None:
            continue
        messages = [encode(ClearAll())]
        for row, result in enumerate(heat.results[:8]):
            line = f"{result.place_text:>2} {result.id:>4} {result.last_name:<12}"
            messages.append(encode(Text(column=0, row=row, text=board_text(line), erase_line=True)))
        yield from messages[:3]
        yield b"".join(messages)


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield VALID_WIRE
    if shared is not None:
        yield from board_messages(shared)


TARGET = Target("unt4_stream", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
