"""Property tests: round trips of every record type, any chunking, any bytes."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.lynx import records, records_of, times
from velotime.protocols.lynx import (
    RECORD_CLASSES,
    LynxError,
    LynxRecord,
    LynxStream,
    encode,
    format_time,
    parse_time,
)


@pytest.mark.parametrize("cls", RECORD_CLASSES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_decode_of_encode_is_identity_for_each_record_type(
    cls: type[LynxRecord], data: st.DataObject
) -> None:
    record = data.draw(records_of(cls))
    stream = LynxStream()
    assert stream.feed(encode(record)) == [record]
    assert stream.stats.bad_fields == 0


@given(records)
def test_decode_of_encode_is_identity_for_unknown_codes_too(record: LynxRecord) -> None:
    assert LynxStream().feed(encode(record)) == [record]


@given(times(signed=True))
def test_time_text_round_trips_exactly(time: tuple[int, int]) -> None:
    assert parse_time(format_time(*time)) == time
    assert parse_time(" " * 5 + format_time(*time)) == time  # %12.12s padding


@given(st.lists(records, min_size=1, max_size=6), st.lists(st.integers(0, 3000), max_size=10))
def test_records_survive_any_split_of_the_stream(batch: list[LynxRecord], cuts: list[int]) -> None:
    wire = b"".join(encode(r) for r in batch)
    edges = [0, *sorted(c for c in cuts if c < len(wire)), len(wire)]
    stream = LynxStream()
    out = [item for a, b in pairwise(edges) for item in stream.feed(wire[a:b])]
    assert out + stream.close() == batch


@given(st.binary(max_size=3000), st.integers(0, 3000))
def test_random_bytes_never_raise_and_every_byte_is_accounted_for(data: bytes, cut: int) -> None:
    stream = LynxStream(max_message_size=256)
    out = stream.feed(data[:cut]) + stream.feed(data[cut:]) + stream.close()
    decoded = [item for item in out if not isinstance(item, LynxError)]
    assert len(decoded) == stream.stats.messages
    skipped = sum(len(item.raw) for item in out if isinstance(item, LynxError))
    # Each decoded record came from at least SOH, code, STX and EOT: 5 bytes.
    assert skipped + 5 * len(decoded) <= len(data)
    assert stream.stats.bad_fields == sum(len(item.invalid) for item in decoded)


# Random bytes, and bytes rich in the framing bytes: SOHs that start messages never ended, EOTs
# that end messages never started, separators and codes.
garbage = st.binary(max_size=300) | st.lists(
    st.sampled_from([b"\x01", b"\x02", b"\x04", b"\x1f", b"LR", b"TR\x02", b"x"]), max_size=40
).map(b"".join)


@given(garbage, records, garbage)
def test_garbage_around_good_messages_never_loses_them(
    before: bytes, record: LynxRecord, after: bytes
) -> None:
    stream = LynxStream()
    out = stream.feed(before + encode(record) + after) + stream.close()
    assert record in out
