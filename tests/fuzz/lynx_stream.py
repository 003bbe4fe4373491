"""Fuzz target: the FinishLynx scoreboard stream (velotime/protocols/lynx/stream.py, decoder.py).

Invariant: no exception on any bytes; only records and `LynxError`s come out, every message
counted once; the same records however the bytes are split; a valid message after any garbage
is never lost, in the same chunk or the next.
"""

from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import Target, assert_found_after, fuzz
from velotime.protocols.lif import parse_lif
from velotime.protocols.lynx import (
    LynxError,
    LynxRecord,
    LynxStream,
    Result,
    ResultsComplete,
    ResultsHeader,
    Stopped,
    encode,
)

_MAX_MESSAGE_SIZE = 256  # small, so that oversized messages are reached too

# The first row of the real shared/data/finishlynx/001-1-1.lif, as velotime's script sends it.
VALID = Result(
    place=1,
    id="187",
    lane=1,
    name="Speedy Gonzales",
    affiliation="Team High School",
    time_us=11_285_000,
    time_digits=3,
)
VALID_WIRE = encode(VALID)


def _records(items: list[LynxRecord | LynxError]) -> list[LynxRecord]:
    return [item for item in items if isinstance(item, LynxRecord)]


def _feed(stream: LynxStream, *chunks: bytes) -> list[LynxRecord | LynxError]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


def check(data: bytes) -> None:
    stream = LynxStream(_MAX_MESSAGE_SIZE)
    in_one = _feed(stream, data)
    assert all(isinstance(item, LynxRecord | LynxError) for item in in_one), in_one
    assert stream.stats.messages == len(_records(in_one))
    third = len(data) // 3
    in_three = _feed(
        LynxStream(_MAX_MESSAGE_SIZE), data[:third], data[third : 2 * third], data[2 * third :]
    )
    assert _records(in_one) == _records(in_three)

    assert_found_after(
        data, lambda: LynxStream(_MAX_MESSAGE_SIZE), VALID, (data + VALID_WIRE,), (data, VALID_WIRE)
    )


def lif_messages(shared: Path) -> Iterator[bytes]:
    """Each heat of the real LIF files as FinishLynx would send it live: header, rows, end."""
    for path in sorted((shared / "finishlynx").glob("*.lif")):
        heat = parse_lif(path.read_bytes(), path.name).heat
        if heat is None:
            continue
        messages = [encode(ResultsHeader(event_name=heat.event_name, event=heat.event))]
        for row in heat.results:
            result = Result(
                place=row.place,
                id=row.id,
                lane=row.lane,
                name=f"{row.first_name} {row.last_name}",
                affiliation=row.affiliation,
                time_us=row.time_us,
                time_digits=row.time_digits,
            )
            messages.append(encode(result))
            if row.time_us is not None:
                messages.append(encode(Stopped(time_us=row.time_us, time_digits=row.time_digits)))
        messages.append(encode(ResultsComplete()))
        yield from messages[:4]
        yield b"".join(messages)


def seeds(shared: Path | None) -> Iterator[bytes]:
    yield VALID_WIRE
    if shared is not None:
        yield from lif_messages(shared)


TARGET = Target("lynx_stream", check, seeds)

if __name__ == "__main__":
    fuzz(TARGET)
