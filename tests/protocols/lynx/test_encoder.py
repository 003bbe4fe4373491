"""The encoder writes the format by hand-checked bytes, and refuses what would not read back."""

import pytest

from velotime.protocols.lynx import (
    Armed,
    EncodeError,
    InvalidField,
    LynxRecord,
    LynxStream,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    Stopped,
    Unknown,
    encode,
    format_time,
)


def test_a_result_line_byte_by_byte() -> None:
    record = Result(
        place=2,
        id="104",
        lane=5,
        name="Šimon | B",
        affiliation="Zürich",
        time_us=62_345_600,
        time_digits=4,
        delta_us=-120_000,
        laps_to_go=0,
    )
    assert encode(record) == (
        b"\x01LR\x022\x1f104\x1f5\x1f\x8aimon | B\x1fZ\xfcrich\x1f1:02.3456\x1f-0.12\x1f0\x04"
    )


def test_messages_without_fields_and_with_blank_fields() -> None:
    assert encode(ResultsComplete()) == b"\x01LE\x02\x04"
    assert encode(Stopped()) == b"\x01TS\x02\x04"
    assert encode(RunningTime()) == b"\x01TR\x02\x1f\x04"
    assert encode(ResultsHeader(official=False, round=1)) == (
        b"\x01LH\x02UNOFFICIAL\x1f\x1f\x1f1\x1f\x1f\x1f\x1f\x04"
    )


def test_times_are_written_as_finishlynx_writes_them() -> None:
    assert format_time(62_345_600, 4) == "1:02.3456"
    assert format_time(3_723_450_000, 2) == "1:02:03.45"
    assert format_time(12_300_000, 3) == "12.300"
    assert format_time(-120_000) == "-0.12"  # fewest exact decimals
    assert format_time(7_000_000) == "7"
    assert format_time(0, 1) == "0.0"
    with pytest.raises(ValueError, match="not a whole number"):
        format_time(12_345_678, 4)


def test_fields_kept_as_text_are_written_back() -> None:
    record = Result(id="9", invalid=(InvalidField("lane", "A"), InvalidField("time_us", "DQ")))
    wire = encode(record)
    assert wire == b"\x01LR\x02\x1f9\x1fA\x1f\x1f\x1fDQ\x1f\x1f\x04"
    assert LynxStream().feed(wire) == [record]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (Stopped(time_us=1_000_000), "time_us without time_digits"),
        (Stopped(time_digits=3), "time_digits without time_us"),
        (Stopped(time_us=1_234_567, time_digits=3), "not a whole number"),
        (Result(place=1, status="DNF"), "cannot share the place field"),
        (Result(status="3rd"), "would read as a place"),
        (Result(place=-1), "outside 0-999999999"),
        (Armed(heat=10**9), "outside 0-999999999"),
        (Armed(event_name=" Keirin"), "without spaces around"),
        (Armed(event_name=""), "non-empty"),
        (Armed(event_name="a\x1fb"), "inside a field"),
        (Armed(event_name="Łódź"), "'charmap' codec"),
        (Unknown(code="TR"), "has its own record class"),
        (Unknown(code="tr"), "two capital letters"),
        (Unknown(code="ÄB"), "two capital letters"),
        (Unknown(code="ZZ", fields=("",)), "reads back as no field"),
        (Unknown(code="ZZ", fields=("\x04",)), "inside a field"),
        (Result(invalid=(InvalidField("lane", "7"),)), "is valid"),
        (Result(lane=7, invalid=(InvalidField("lane", "A"),)), "a value and an invalid text"),
        (Result(invalid=(InvalidField("wind", "A"),)), "unknown or repeated"),
        (
            Result(invalid=(InvalidField("lane", "A"), InvalidField("lane", "B"))),
            "unknown or repeated",
        ),
    ],
)
def test_records_that_would_not_read_back_are_refused(record: LynxRecord, reason: str) -> None:
    with pytest.raises(EncodeError, match=reason):
        encode(record)
