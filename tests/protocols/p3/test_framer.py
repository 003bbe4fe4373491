"""Framing: records split anywhere, garbage, truncation, size limits, counters."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.p3.reference import amb_crc_by_the_book
from velotime.protocols.p3 import (
    ErrorKind,
    FrameError,
    GetTime,
    P3Framer,
    Passing,
    Status,
    encode,
    encode_unescaped,
)

PASSING_RECORD = Passing(passing_number=7, transponder=1234, rtc_time_us=10**15, decoder_id=9)
PASSING = encode(PASSING_RECORD)  # its time holds 0x8D, so it travels with an escape
STATUS = encode(Status(noise=40, temperature=22, decoder_id=9))
# A passing whose number contains 0x8E: its wire form carries an escape.
ESCAPED = encode(Passing(passing_number=0x8E8F8D, transponder=1, rtc_time_us=2))


def feed_all(framer: P3Framer, *chunks: bytes) -> list[bytes | FrameError]:
    out = [item for chunk in chunks for item in framer.feed(chunk)]
    return out + framer.close()


def kinds(items: list[bytes | FrameError]) -> list[str]:
    return ["record" if isinstance(i, bytes) else i.kind.value for i in items]


def test_records_back_to_back_in_one_chunk() -> None:
    framer = P3Framer()
    out = feed_all(framer, PASSING + STATUS + ESCAPED)
    assert kinds(out) == ["record"] * 3
    assert framer.stats.frames == 3


def test_a_record_split_byte_by_byte() -> None:
    framer = P3Framer()
    out = feed_all(framer, *(ESCAPED[i : i + 1] for i in range(len(ESCAPED))))
    assert out == [encode_unescaped(Passing(passing_number=0x8E8F8D, transponder=1, rtc_time_us=2))]


@given(st.lists(st.integers(0, len(PASSING + STATUS + ESCAPED)), max_size=12))
def test_any_split_gives_the_same_records(cuts: list[int]) -> None:
    wire = PASSING + STATUS + ESCAPED
    edges = [0, *sorted(cuts), len(wire)]
    out = feed_all(P3Framer(), *(wire[a:b] for a, b in pairwise(edges)))
    assert out == feed_all(P3Framer(), wire)
    assert kinds(out) == ["record"] * 3


def test_garbage_between_records_is_counted_and_skipped() -> None:
    framer = P3Framer()
    out = feed_all(framer, b"\x00\x01hello" + PASSING + b"\x8f\x8f" + STATUS)
    assert kinds(out) == ["garbage", "record", "garbage", "record"]
    assert [len(i.raw) for i in out if isinstance(i, FrameError)] == [7, 2]
    assert framer.stats.garbage_bytes == 9


def test_a_record_cut_off_by_the_next_one_costs_only_itself() -> None:
    framer = P3Framer()
    out = feed_all(framer, PASSING[:20] + STATUS + PASSING)
    assert kinds(out) == ["truncated", "record", "record"]
    assert out[0].raw == PASSING[:20]  # type: ignore[union-attr]
    assert framer.stats.truncated == 1


def test_a_stream_ending_mid_record_reports_it_truncated() -> None:
    framer = P3Framer()
    assert kinds(feed_all(framer, STATUS + PASSING[:-1])) == ["record", "truncated"]
    assert framer.stats.truncated == 1


def test_a_start_without_end_is_dropped_once_it_exceeds_the_maximum_size() -> None:
    framer = P3Framer(max_frame_size=64)
    assert framer.feed(b"\x8e" + b"\x00" * 40) == []  # still waiting
    out = framer.feed(b"\x00" * 40)
    assert kinds(out) == ["oversized"]
    assert kinds(feed_all(framer, PASSING)) == ["record"]


def test_a_complete_record_over_the_maximum_size_is_refused() -> None:
    assert len(STATUS) < len(PASSING)
    framer = P3Framer(max_frame_size=len(STATUS))
    assert kinds(feed_all(framer, PASSING, STATUS)) == ["oversized", "record"]


def test_wrong_length_and_bad_crc_are_counted_separately() -> None:
    wrong_length = bytearray(STATUS)
    wrong_length[2] += 1
    bad_crc = bytearray(STATUS)
    bad_crc[12] ^= 0x01
    framer = P3Framer()
    out = feed_all(framer, bytes(wrong_length) + bytes(bad_crc) + STATUS)
    assert kinds(out) == ["bad_length", "bad_crc", "record"]
    assert (framer.stats.bad_length, framer.stats.bad_crc) == (1, 1)
    assert framer.stats.bad_frames == 1  # CRC errors are reported on their own


def test_a_record_too_short_for_a_header_is_a_bad_frame() -> None:
    framer = P3Framer()
    assert kinds(feed_all(framer, b"\x8e\x02\x00\x8f")) == ["bad_length"]


def test_a_dangling_escape_is_a_bad_frame() -> None:
    framer = P3Framer()
    broken = STATUS[:-2] + b"\x8d" + STATUS[-1:]
    assert kinds(feed_all(framer, broken + STATUS)) == ["bad_escape", "record"]


def test_length_zero_host_request_is_accepted() -> None:
    # The GET_TIME request published by vmindru/ambp3client: version 0, LENGTH 0, valid CRC.
    request = bytes.fromhex("8E0000005BEB000024000100040005008F")
    assert kinds(feed_all(P3Framer(), request)) == ["record"]
    assert len(encode(GetTime.request())) == 17


@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_and_every_record_has_a_valid_crc(data: bytes) -> None:
    framer = P3Framer(max_frame_size=256)
    out = feed_all(framer, data)
    for item in out:
        if isinstance(item, bytes):
            assert amb_crc_by_the_book(item) == item[4] | item[5] << 8
    skipped = sum(len(i.raw) for i in out if isinstance(i, FrameError))
    if not any(isinstance(i, bytes) for i in out):
        assert skipped == len(data)  # nothing became a record: every byte was reported
    assert framer.stats.frames == sum(isinstance(i, bytes) for i in out)


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_garbage_around_good_records_never_loses_them(before: bytes, after: bytes) -> None:
    # Garbage can end in a SOR that swallows nothing: the good record's SOR restarts framing.
    out = feed_all(P3Framer(), before + PASSING + after)
    assert encode_unescaped(PASSING_RECORD) in [i for i in out if isinstance(i, bytes)]


def test_error_kinds_are_what_the_summary_reports() -> None:
    assert {k.value for k in ErrorKind} == {
        "garbage",
        "truncated",
        "oversized",
        "bad_escape",
        "bad_length",
        "bad_crc",
        "malformed",
    }
