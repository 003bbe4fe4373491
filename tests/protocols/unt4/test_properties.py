"""Property tests: round trips, any chunking, any bytes, and the specification agreeing with the
hand-written decoder."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.unt4 import records
from velotime.protocols.unt4 import (
    UNT4_MESSAGE,
    MalformedMessageError,
    Text,
    Unt4Error,
    Unt4Record,
    Unt4Stream,
    board_text,
    decode_message,
    encode,
    from_telegraph,
    parse_message,
    to_telegraph,
)
from velotime.protocols.unt4.spec import build_fields
from velotime.protocols.unt4.telegraph import CODES


@given(records)
def test_decode_of_encode_is_identity(record: Unt4Record) -> None:
    wire = encode(record)
    assert decode_message(wire) == record
    assert Unt4Stream().feed(wire) == [record]


@given(records)
def test_the_specification_parses_what_it_builds(record: Unt4Record) -> None:
    assert parse_message(UNT4_MESSAGE.build(build_fields(record))) == record


@given(st.lists(records, min_size=1, max_size=8), st.lists(st.integers(0, 600), max_size=12))
def test_records_survive_any_split_of_the_stream(batch: list[Unt4Record], cuts: list[int]) -> None:
    wire = b"".join(encode(r) for r in batch)
    edges = [0, *sorted(c for c in cuts if c < len(wire)), len(wire)]
    stream = Unt4Stream()
    out = [item for a, b in pairwise(edges) for item in stream.feed(wire[a:b])]
    assert out + stream.close() == batch


def _decoded_either_way(message: bytes) -> tuple[str, object]:
    try:
        fast: tuple[str, object] = ("record", decode_message(message))
    except MalformedMessageError:
        fast = ("malformed", None)
    try:
        spec: tuple[str, object] = ("record", parse_message(message))
    except MalformedMessageError:
        spec = ("malformed", None)
    assert fast == spec, message
    return fast


# The bytes UNT4 gives meaning to, and some that are text: mutated messages, not just noise.
meaningful = st.sampled_from(
    [b"\x01", b"\x02", b"\x04", b"\x0b", b"\x0c", b"\x10", b"\x12", b"\x14", b"0", b"9", b"S",
     b"\x08", b"\xe9", b"\x7f", b" "]
)  # fmt: skip


@given(st.lists(meaningful | st.binary(max_size=3), max_size=20).map(b"".join))
def test_the_decoder_agrees_with_the_specification_on_any_framed_bytes(body: bytes) -> None:
    body = body.replace(b"\x01", b"").replace(b"\x04", b"")  # what the framer hands over
    _decoded_either_way(b"\x01" + body + b"\x04")


@given(records, st.integers(0, 200), st.binary(min_size=1, max_size=3))
def test_the_decoder_agrees_with_the_specification_on_mutated_messages(
    record: Unt4Record, at: int, new: bytes
) -> None:
    wire = encode(record)
    at = 1 + at % max(1, len(wire) - 2)
    mutated = wire[:at] + new + wire[at + 1 :]
    if mutated.count(b"\x01") == 1 and mutated.count(b"\x04") == 1 and mutated.endswith(b"\x04"):
        _decoded_either_way(mutated)


@given(st.binary(max_size=2000), st.integers(0, 2000))
def test_random_bytes_never_raise_and_every_byte_is_accounted_for(data: bytes, cut: int) -> None:
    stream = Unt4Stream(max_message_size=64)
    out = stream.feed(data[:cut]) + stream.feed(data[cut:]) + stream.close()
    decoded = [item for item in out if not isinstance(item, Unt4Error)]
    assert len(decoded) == stream.stats.messages
    skipped = sum(len(item.raw) for item in out if isinstance(item, Unt4Error))
    assert skipped + 2 * len(decoded) <= len(data)  # a record took at least SOH and EOT


# Random bytes, and bytes rich in the framing bytes: SOHs that start messages never ended, EOTs
# that end messages never started, positions cut short.
garbage = st.binary(max_size=200) | st.lists(
    st.sampled_from([b"\x01", b"\x02", b"\x04", b"\x10", b"\x100", b"\x0b", b"x", b"\xff"]),
    max_size=30,
).map(b"".join)


@given(garbage, st.lists(records, min_size=1, max_size=4), garbage, st.integers(0, 1000))
def test_good_messages_survive_garbage_around_them(
    before: bytes, batch: list[Unt4Record], after: bytes, cut: int
) -> None:
    wire = before + b"".join(encode(r) for r in batch) + after
    stream = Unt4Stream()
    out = stream.feed(wire[:cut]) + stream.feed(wire[cut:]) + stream.close()
    decoded = [item for item in out if not isinstance(item, Unt4Error)]
    # Garbage may decode to records of its own, but never hides or changes a good one.
    at = 0
    for record in batch:
        at = decoded.index(record, at) + 1


@given(st.binary(max_size=300))
def test_telegraph_round_trips_any_bytes_in_printable_text(data: bytes) -> None:
    text = to_telegraph(data)
    assert from_telegraph(text) == data
    # None of the bytes it escapes is left: they cannot upset a text channel (or a board).
    assert not set(text) & {chr(byte) for byte in CODES}


@given(records)
def test_the_telegraph_form_of_a_message_is_printable(record: Unt4Record) -> None:
    text = to_telegraph(encode(record))
    if all(0x20 <= ord(c) < 0x7F for c in getattr(record, "text", "")):
        assert text.isprintable()
    assert from_telegraph(text) == encode(record)


@given(st.text(max_size=60))
def test_board_text_is_always_printable_ascii_and_encodes(text: str) -> None:
    shown = board_text(text)
    assert shown.isascii()
    assert shown.isprintable()
    row = Text(0, 0, shown, erase_line=True)
    assert decode_message(encode(row)) == row
