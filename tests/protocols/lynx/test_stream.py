"""Framing: messages split anywhere, garbage, cut-off and oversized messages, counters."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols.lynx import (
    ErrorKind,
    LynxError,
    LynxFramer,
    LynxRecord,
    LynxStream,
    Result,
    ResultsComplete,
    Stopped,
    StreamStats,
)

STOPPED = b"\x01TS\x0212.3456\x04"
RESULT = b"\x01LR\x021\x1f104\x1f5\x1fA B\x1fC\x1f12.3456\x1f\x1f0\x04"
TRAILER = b"\x01LE\x02\x04"
WIRE = STOPPED + RESULT + TRAILER
RECORDS = [
    Stopped(time_us=12_345_600, time_digits=4),
    Result(
        place=1,
        id="104",
        lane=5,
        name="A B",
        affiliation="C",
        time_us=12_345_600,
        time_digits=4,
        laps_to_go=0,
    ),
    ResultsComplete(),
]


def feed_all(stream: LynxStream, *chunks: bytes) -> list[LynxRecord | LynxError]:
    return [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()


def kinds(items: list[LynxRecord | LynxError]) -> list[str]:
    return [item.kind.value if isinstance(item, LynxError) else item.CODE for item in items]


def test_messages_back_to_back_in_one_chunk() -> None:
    stream = LynxStream()
    assert feed_all(stream, WIRE) == RECORDS
    assert stream.stats.messages == 3
    assert stream.stats.bad_messages == stream.stats.garbage_bytes == 0


def test_a_stream_fed_byte_by_byte() -> None:
    assert feed_all(LynxStream(), *(WIRE[i : i + 1] for i in range(len(WIRE)))) == RECORDS


@given(st.lists(st.integers(0, len(WIRE)), max_size=12))
def test_any_split_gives_the_same_records(cuts: list[int]) -> None:
    edges = [0, *sorted(cuts), len(WIRE)]
    assert feed_all(LynxStream(), *(WIRE[a:b] for a, b in pairwise(edges))) == RECORDS


def test_garbage_between_messages_is_counted_and_skipped() -> None:
    stream = LynxStream()
    out = feed_all(stream, b"\r\nhello" + STOPPED + b"\x04\x04x" + TRAILER + b"\r\n")
    assert kinds(out) == ["garbage", "TS", "garbage", "LE", "garbage"]
    assert [i.raw for i in out if isinstance(i, LynxError)] == [b"\r\nhello", b"\x04\x04x", b"\r\n"]
    assert stream.stats.garbage_bytes == 12
    assert stream.stats.bad_messages == 0


def test_a_message_cut_off_by_the_next_one_costs_only_itself() -> None:
    # A connection lost mid-message, then the camera reconnects and sends again.
    stream = LynxStream()
    out = feed_all(stream, RESULT[:20] + STOPPED + RESULT)
    assert kinds(out) == ["truncated", "TS", "LR"]
    assert out[0] == LynxError(ErrorKind.TRUNCATED, RESULT[:20], "cut off by SOH")
    assert stream.stats.truncated == 1


def test_several_cut_off_messages_and_garbage_before_them() -> None:
    stream = LynxStream()
    out = feed_all(stream, b"xy\x01AB\x01CD\x02" + TRAILER)
    assert out == [
        LynxError(ErrorKind.GARBAGE, b"xy"),
        LynxError(ErrorKind.TRUNCATED, b"\x01AB", "cut off by SOH"),
        LynxError(ErrorKind.TRUNCATED, b"\x01CD\x02", "cut off by SOH"),
        ResultsComplete(),
    ]


def test_a_stream_ending_mid_message_reports_it_truncated() -> None:
    stream = LynxStream()
    out = feed_all(stream, STOPPED, RESULT[:-1])
    assert out == [RECORDS[0], LynxError(ErrorKind.TRUNCATED, RESULT[:-1], "end of stream")]
    assert stream.feed(TRAILER) == [ResultsComplete()]  # usable again after close


def test_a_start_without_end_is_dropped_once_it_exceeds_the_maximum_size() -> None:
    stream = LynxStream(max_message_size=64)
    assert stream.feed(b"\x01LR\x02" + b"x" * 40) == []  # still waiting
    out = stream.feed(b"x" * 40)
    assert kinds(out) == ["oversized"]
    # The rest of the lost message is garbage; the next message is decoded.
    assert kinds(feed_all(stream, b"yy\x04" + TRAILER)) == ["garbage", "LE"]
    assert (stream.stats.oversized, stream.stats.garbage_bytes) == (1, 3)


def test_a_complete_message_over_the_maximum_size_is_refused() -> None:
    stream = LynxStream(max_message_size=len(STOPPED))
    assert kinds(feed_all(stream, RESULT + STOPPED)) == ["oversized", "TS"]


def test_the_maximum_size_must_hold_the_shortest_message() -> None:
    with pytest.raises(ValueError, match="at least 5"):
        LynxFramer(4)
    assert LynxStream(max_message_size=5).feed(TRAILER) == [ResultsComplete()]


def test_each_error_kind_has_its_own_count() -> None:
    # Garbage is counted in bytes (3 here), every other kind in skipped messages.
    counted = {
        ErrorKind.GARBAGE: StreamStats(garbage_bytes=3),
        ErrorKind.TRUNCATED: StreamStats(truncated=1),
        ErrorKind.OVERSIZED: StreamStats(oversized=1),
        ErrorKind.MALFORMED: StreamStats(malformed=1),
    }
    assert set(counted) == set(ErrorKind)
    for kind, expected in counted.items():
        stats = StreamStats()
        stats.count(LynxError(kind, b"\x01TS"))
        assert stats == expected, kind
