"""Property tests: round trips, the construct spec against the fast decoder, chunking."""

from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.p3.builders import assemble_body
from tests.protocols.p3.strategies import records
from velotime.protocols.p3 import (
    ESCAPED_BYTES_DECODER,
    ESCAPED_BYTES_WIDE,
    FrameError,
    MalformedRecordError,
    P3Record,
    P3Stream,
    P3Tally,
    Passing,
    decode_record,
    encode,
    encode_unescaped,
)
from velotime.protocols.p3.constants import Tor
from velotime.protocols.p3.escaping import escape
from velotime.protocols.p3.spec import parse_record


@given(records, st.sampled_from([ESCAPED_BYTES_DECODER, ESCAPED_BYTES_WIDE]))
def test_decode_of_encode_is_identity(record: P3Record, escaped: frozenset[int]) -> None:
    stream = P3Stream()
    assert stream.feed(encode(record, escaped)) == [record]


@given(records)
def test_spec_and_fast_decoder_agree_on_generated_records(record: P3Record) -> None:
    unescaped = encode_unescaped(record)
    assert parse_record(unescaped) == decode_record(unescaped) == record
    assert decode_record(unescaped) == record  # again, through the remembered shape


@given(
    st.sampled_from([*Tor, 0x0099]),
    st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=10)), max_size=8),
    st.binary(max_size=3),
)
def test_spec_and_fast_decoder_agree_on_arbitrary_fields(
    tor: int, fields: list[tuple[int, bytes]], tail: bytes
) -> None:
    """Any tags and widths, and sometimes a few stray bytes that break the field structure."""
    body = b"".join(bytes([tag, len(value)]) + value for tag, value in fields) + tail
    record = assemble_body(tor, body)
    try:
        expected = parse_record(record)
    except MalformedRecordError:
        with pytest.raises(MalformedRecordError):
            decode_record(record)
        return
    assert decode_record(record) == expected
    assert decode_record(record) == expected


@given(st.lists(records, min_size=1, max_size=6), st.lists(st.integers(0, 2000), max_size=10))
def test_records_survive_any_split_of_the_stream(batch: list[P3Record], cuts: list[int]) -> None:
    wire = b"".join(encode(r) for r in batch)
    edges = [0, *sorted(c for c in cuts if c < len(wire)), len(wire)]
    stream = P3Stream()
    out = [item for a, b in pairwise(edges) for item in stream.feed(wire[a:b])]
    assert out + stream.close() == batch


@given(st.binary(max_size=3000))
def test_garbage_never_raises_and_only_valid_records_come_out(data: bytes) -> None:
    stream = P3Stream(max_frame_size=512)
    out = stream.feed(data[: len(data) // 2]) + stream.feed(data[len(data) // 2 :])
    out += stream.close()
    decoded = [item for item in out if isinstance(item, P3Record)]
    assert len(decoded) == stream.stats.frames
    for item in decoded:
        assert P3Stream().feed(encode(item)) == [item]


# -- the tally: what `decode --summary` counts with -------------------------------------------

_fields = st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=10)), max_size=6)
# Pieces of a stream: encoded records, records whose fields overrun them (CRC fine: malformed),
# damaged records and garbage.
_pieces = st.one_of(
    records.map(encode),
    st.tuples(st.sampled_from([*Tor, 0x0099]), _fields, st.binary(max_size=3)).map(
        lambda t: escape(
            assemble_body(t[0], b"".join(bytes([tag, len(v)]) + v for tag, v in t[1]) + t[2])
        )
    ),
    st.tuples(records.map(encode), st.integers(0, 200), st.integers(1, 255)).map(
        lambda t: (
            t[0][: t[1] % len(t[0])]
            + bytes([t[0][t[1] % len(t[0])] ^ t[2]])
            + t[0][t[1] % len(t[0]) + 1 :]
        )
    ),
    st.binary(max_size=40),
)


@given(
    st.lists(_pieces, min_size=1, max_size=6),
    st.lists(st.integers(0, 5), max_size=30),
    st.lists(st.integers(0, 4000), max_size=12),
    st.sampled_from([64, 4096]),
)
def test_the_tally_agrees_with_the_stream_on_any_split_and_garbage(
    pieces: list[bytes], order: list[int], cuts: list[int], max_frame_size: int
) -> None:
    """The same passings, errors, statistics and counts by class as the full decoder, also when
    the same records come again (the tally remembers them)."""
    wire = b"".join(pieces[i % len(pieces)] for i in [*range(len(pieces)), *order])
    edges = [0, *sorted(c for c in cuts if c < len(wire)), len(wire)]
    stream, tally = P3Stream(max_frame_size), P3Tally(max_frame_size)
    full = [item for a, b in pairwise(edges) for item in stream.feed(wire[a:b])] + stream.close()
    tallied = [item for a, b in pairwise(edges) for item in tally.feed(wire[a:b])] + tally.close()
    assert tallied == [item for item in full if isinstance(item, Passing | FrameError)]
    assert tally.stats == stream.stats
    by_class = Counter(type(item) for item in full if isinstance(item, P3Record))
    assert list(tally.counts.items()) == list(by_class.items())
