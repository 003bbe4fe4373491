"""Facts about the real AMBrc captures, checked against ../shared/data/MANIFEST.md by hand."""

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.protocols.p3.reference import hex_lines
from velotime.protocols.p3 import P3Record, P3Stream, Passing, Status, encode
from velotime.protocols.p3.gaps import GapTracker


@pytest.fixture(scope="module")
def amb(shared_data: Path) -> list[bytes]:
    return hex_lines(shared_data / "p3" / "amb.out")


@pytest.fixture(scope="module")
def amb_short(shared_data: Path) -> list[bytes]:
    return hex_lines(shared_data / "p3" / "amb-short.out")


def decode_all(chunks: list[bytes]) -> tuple[list[P3Record], P3Stream]:
    stream = P3Stream()
    out = [item for chunk in chunks for item in stream.feed(chunk)] + stream.close()
    records = [item for item in out if isinstance(item, P3Record)]
    assert len(records) == len(out), "the real capture must decode without a single error"
    return records, stream


def test_amb_out_holds_1304_status_and_84_passings_all_crcs_valid(amb: list[bytes]) -> None:
    records, stream = decode_all(amb)
    assert len(records) == 1388
    assert Counter(type(r) for r in records) == {Status: 1304, Passing: 84}
    assert stream.stats.bad_crc == 0
    assert stream.stats.bad_frames == 0
    assert stream.stats.garbage_bytes == 0


def test_amb_out_first_passing_matches_the_manifest(amb: list[bytes]) -> None:
    records, _ = decode_all(amb)
    first = next(r for r in records if isinstance(r, Passing))
    assert first.passing_number == 157777
    assert first.transponder == 5691251
    assert first.rtc_time_us == 1551542808933000  # 2019-03-02 16:06:48.933 decoder clock
    assert first.strength == 178
    assert first.hits == 52
    assert first.decoder_id == 268307


def test_amb_out_passings_per_transponder_and_contiguous_numbers(amb: list[bytes]) -> None:
    records, _ = decode_all(amb)
    passings = [r for r in records if isinstance(r, Passing)]
    assert Counter(p.transponder for p in passings) == {3438895: 31, 5691251: 27, 3292480: 26}
    assert [p.passing_number for p in passings] == list(range(157777, 157861))


def test_amb_out_escaped_records_decode(amb: list[bytes]) -> None:
    escaped = [line for line in amb if 0x8D in line]
    assert len(escaped) == 5
    records, _ = decode_all(escaped)
    numbers = {r.passing_number for r in records if isinstance(r, Passing)}
    # protocols.md 1.6 C and D: an escaped CRC byte (157820) and an escaped value (157837).
    assert {157820, 157837} <= numbers


def test_every_real_record_re_encodes_to_its_exact_wire_bytes(amb: list[bytes]) -> None:
    records, _ = decode_all(amb)
    assert [encode(r) for r in records] == amb


def test_amb_short_misses_passing_157829(amb_short: list[bytes]) -> None:
    records, _ = decode_all(amb_short)
    assert len(records) == 371
    assert Counter(type(r) for r in records) == {Status: 288, Passing: 83}
    tracker = GapTracker()
    for record in records:
        if isinstance(record, Passing) and record.passing_number is not None:
            tracker.observe(record.passing_number)
    assert tracker.gaps() == [(157829, 157829)]


def test_whole_capture_in_random_chunk_sizes_gives_identical_records(amb: list[bytes]) -> None:
    expected, _ = decode_all(amb)
    wire = b"".join(amb)
    rng = random.Random(20190302)
    for _ in range(5):
        chunks, position = [], 0
        while position < len(wire):
            size = rng.choice([1, 2, 3, 7, 50, 51, 52, 1000, 4096])
            chunks.append(wire[position : position + size])
            position += size
        assert decode_all(chunks)[0] == expected


@settings(max_examples=50)
@given(data=st.data())
def test_mutated_real_frames_never_raise_and_never_pass_a_bad_crc(
    amb: list[bytes], data: st.DataObject
) -> None:
    line = data.draw(st.sampled_from(amb))
    mutated = bytearray(line)
    for _ in range(data.draw(st.integers(1, 4))):
        mutated[data.draw(st.integers(0, len(line) - 1))] ^= data.draw(st.integers(1, 255))
    stream = P3Stream()
    good = line + line  # a good record after the damaged one must survive it
    out = stream.feed(bytes(mutated) + good) + stream.close()
    records = [item for item in out if isinstance(item, P3Record)]
    original = decode_all([line])[0][0]
    # At most the damaged record could still be valid (a mutation that keeps the CRC right is
    # about 1 in 65536); the two good copies behind it always come through unchanged.
    assert records[-2:] == [original, original]
