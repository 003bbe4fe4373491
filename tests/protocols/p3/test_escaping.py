import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols.p3.constants import ESCAPED_BYTES_DECODER, ESCAPED_BYTES_WIDE
from velotime.protocols.p3.escaping import EscapeError, escape, unescape


def test_markers_inside_a_record_travel_escaped() -> None:
    record = bytes([0x8E, 0x01, 0x8D, 0x8E, 0x8F, 0x8C, 0x02, 0x8F])
    assert escape(record) == bytes(
        [0x8E, 0x01, 0x8D, 0xAD, 0x8D, 0xAE, 0x8D, 0xAF, 0x8C, 0x02, 0x8F]
    )


def test_wide_escaping_also_escapes_8a_to_8c() -> None:
    record = bytes([0x8E, 0x8A, 0x8B, 0x8C, 0x8F])
    assert escape(record, ESCAPED_BYTES_WIDE) == bytes(
        [0x8E, 0x8D, 0xAA, 0x8D, 0xAB, 0x8D, 0xAC, 0x8F]
    )


def test_any_escaped_byte_is_accepted_not_only_the_markers() -> None:
    # OpenStint-style 0x8A..0x8C escapes, and an escape of an ordinary byte, decode too.
    assert unescape(bytes([0x8E, 0x8D, 0xAA, 0x8D, 0x41, 0x8F])) == bytes([0x8E, 0x8A, 0x21, 0x8F])


def test_an_escape_takes_the_next_byte_even_if_it_is_another_escape() -> None:
    assert unescape(bytes([0x8E, 0x8D, 0x8D, 0x8D, 0xAD, 0x8F])) == bytes([0x8E, 0x6D, 0x8D, 0x8F])


@pytest.mark.parametrize(
    "wire",
    [
        bytes([0x8E, 0x01, 0x8D, 0x8F]),  # escape right before EOR
        bytes([0x8E, 0x8D, 0x1F, 0x8F]),  # would unescape below zero
    ],
)
def test_impossible_escapes_are_errors(wire: bytes) -> None:
    with pytest.raises(EscapeError):
        unescape(wire)


@pytest.mark.parametrize(
    "escaped",
    [
        {0x8D, 0x8E},  # leaves raw EOR inside records
        ESCAPED_BYTES_DECODER | {0xE0},  # 0xE0 + 0x20 is not a byte
        ESCAPED_BYTES_DECODER | {0x6E},  # 0x6E would travel as 0x8E, a raw SOR
    ],
)
def test_escape_sets_that_would_break_framing_are_refused(escaped: set[int]) -> None:
    with pytest.raises(ValueError, match="escaped"):
        escape(bytes([0x8E, 0x00, 0x8F]), escaped)


@given(st.binary(max_size=200), st.sampled_from([ESCAPED_BYTES_DECODER, ESCAPED_BYTES_WIDE]))
def test_round_trip_and_no_marker_inside(body: bytes, escaped: frozenset[int]) -> None:
    record = bytes([0x8E]) + body + bytes([0x8F])
    wire = escape(record, escaped)
    assert unescape(wire) == record
    assert 0x8E not in wire[1:-1]
    assert 0x8F not in wire[1:-1]
