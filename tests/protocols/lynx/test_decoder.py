"""Messages written by hand from the format (docs/protocols/lynx.md) decode to these records."""

import pytest

from velotime.protocols.lynx import (
    Armed,
    Break,
    ErrorKind,
    InvalidField,
    LynxError,
    LynxRecord,
    LynxStream,
    Paused,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    StartListComplete,
    StartListEntry,
    StartListHeader,
    Stopped,
    TimeOfDay,
    Unknown,
)


def decode(wire: bytes) -> list[LynxRecord | LynxError]:
    stream = LynxStream()
    return stream.feed(wire) + stream.close()


@pytest.mark.parametrize(
    ("wire", "record"),
    [
        (
            b"\x01AR\x0212\x1f2\x1f3\x1fKeirin Men\x04",
            Armed(event="12", round=2, heat=3, event_name="Keirin Men"),
        ),
        (
            b"\x01TR\x02    1:02.3456\x1f14:03:07.0912\x04",
            RunningTime(
                time_us=62_345_600,
                time_digits=4,
                start_time_of_day_us=(14 * 3600 + 3 * 60 + 7) * 1_000_000 + 91_200,
            ),
        ),
        (b"\x01TR\x02\x1f\x04", RunningTime()),  # armed: blank running time and start
        (b"\x01TP\x0212.3\x04", Paused(time_us=12_300_000, time_digits=1)),
        (b"\x01TS\x021:02:03.45\x04", Stopped(time_us=3_723_450_000, time_digits=2)),
        (b"\x01TB\x0210.0072\x04", Break(time_us=10_007_200, time_digits=4)),
        (b"\x01TD\x0209:05:00.1000\x04", TimeOfDay(time_us=32_700_100_000, time_digits=4)),
        (
            b"\x01LH\x02UNOFFICIAL\x1f20:10 | Sprint, Men\x1f18B\x1f1\x1f02\x1fNWI\x1f8\x1f"
            b"20:11:54.4049\x04",
            ResultsHeader(
                official=False,
                event_name="20:10 | Sprint, Men",
                event="18B",
                round=1,
                heat=2,
                wind="NWI",
                count=8,
                start_time_of_day_us=(20 * 3600 + 11 * 60 + 54) * 1_000_000 + 404_900,
            ),
        ),
        (b"\x01LH\x02OFFICIAL\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x04", ResultsHeader(official=True)),
        (
            # Windows-1252: 0x8a is S caron, 0xfc u umlaut; %3.3s-style padding around numbers
            b"\x01LR\x02  1\x1f 104\x1f  5\x1f\x8aUMI Leon\x1fRV Z\xfcrich\x1f1:02.3456\x1f"
            b"0.0330\x1f 0\x04",
            Result(
                place=1,
                id="104",
                lane=5,
                name="ŠUMI Leon",
                affiliation="RV Zürich",
                time_us=62_345_600,
                time_digits=4,
                delta_us=33_000,
                laps_to_go=0,
            ),
        ),
        (
            b"\x01LR\x02DNF\x1f7\x1f3\x1fDOE Jo\x1f\x1f\x1f\x1f2\x04",
            Result(status="DNF", id="7", lane=3, name="DOE Jo", laps_to_go=2),
        ),
        (b"\x01LR\x02aufg.\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x04", Result(status="aufg.")),
        (b"\x01LR\x02\x1f\x1f\x1f\x1f\x1f\x1f-0.12\x1f\x04", Result(delta_us=-120_000)),
        (b"\x01LE\x02\x04", ResultsComplete()),
        (
            b"\x01SH\x02Sprint\x1f3\x1f1\x1f4\x1f2\x04",
            StartListHeader(event_name="Sprint", event="3", round=1, heat=4, count=2),
        ),
        (
            b"\x01SL\x0211\x1f2\x1fROE Al\x1fClub\x04",
            StartListEntry(id="11", lane=2, name="ROE Al", affiliation="Club"),
        ),
        (b"\x01SE\x02\x04", StartListComplete()),
        (b"\x01ZZ\x02a\x1f b \x1f\x04", Unknown(code="ZZ", fields=("a", " b ", ""))),
        (b"\x01Z9\x02\x04", Unknown(code="Z9")),
    ],
)
def test_hand_built_messages(wire: bytes, record: LynxRecord) -> None:
    assert decode(wire) == [record]


def test_times_are_exact_at_every_precision() -> None:
    cases = {
        b"12.345": (12_345_000, 3),
        b"1:02.3456": (62_345_600, 4),
        b"1:02:03.45": (3_723_450_000, 2),
        b"      10.7246": (10_724_600, 4),  # %12.12s pads on the left
        b"0.1": (100_000, 1),
        b"59": (59_000_000, 0),
        b"0.000001": (1, 6),
    }
    for text, (time_us, digits) in cases.items():
        [record] = decode(b"\x01TS\x02" + text + b"\x04")
        assert record == Stopped(time_us=time_us, time_digits=digits), text


@pytest.mark.parametrize(
    "text",
    [b"NWI", b"1:60.0", b"1:2.5", b"12.", b".5", b"12.3456789", b"1:02:03:04.5", b"1 2", b"-"],
)
def test_a_time_that_is_not_one_is_kept_as_text_and_counted(text: bytes) -> None:
    stream = LynxStream()
    [record] = stream.feed(b"\x01TR\x02" + text + b"\x1f13:00:00.0000\x04")
    assert record == RunningTime(
        start_time_of_day_us=13 * 3_600_000_000,
        invalid=(InvalidField("time_us", text.decode()),),
    )
    assert (stream.stats.messages, stream.stats.bad_fields) == (1, 1)


def test_fields_that_are_not_their_kind_are_kept_as_text() -> None:
    stream = LynxStream()
    [record] = stream.feed(b"\x01LR\x023a\x1f9\x1fA\x1fX\x1f\x1fDQ\x1f\x1f\xd9\x04")
    assert record == Result(
        id="9",
        name="X",
        invalid=(
            InvalidField("place", "3a"),
            InvalidField("lane", "A"),
            InvalidField("time_us", "DQ"),
            InvalidField("laps_to_go", "Ù"),
        ),
    )
    [header] = stream.feed(b"\x01LH\x02FINAL\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x04")
    assert header == ResultsHeader(invalid=(InvalidField("official", "FINAL"),))
    assert stream.stats.bad_fields == 5


def test_digits_of_other_scripts_are_not_numbers() -> None:
    # str.isdigit() accepts Arabic-Indic digits and int() reads them: velotime must not.
    [record] = decode(b"\x01SL\x02\x1f\xb2\x1f\x1f\x04")  # 0xb2: superscript two
    assert record == StartListEntry(invalid=(InvalidField("lane", "²"),))


@pytest.mark.parametrize(
    ("wire", "detail"),
    [
        (b"\x01TR\x0212.3\x04", "TR: 1 fields, expected 2"),
        (b"\x01LE\x02x\x04", "LE: 1 fields, expected 0"),
        # A separator inside a name: one field too many, never a silently shifted record.
        (b"\x01SL\x021\x1f2\x1fA\x1fB\x1fC\x04", "SL: 5 fields, expected 4"),
        (b"\x01TR12.3\x04", "not SOH, a two-letter code, STX"),
        (b"\x01tr\x0212.3\x1f\x04", "not SOH, a two-letter code, STX"),
        (b"\x01T\x02\x04", "not SOH, a two-letter code, STX"),
        (b"\x01TS\x021\x022\x04", "STX inside the fields"),
    ],
)
def test_malformed_messages_are_reported_and_skipped(wire: bytes, detail: str) -> None:
    stream = LynxStream()
    good = b"\x01LE\x02\x04"
    out = stream.feed(wire + good)
    assert out == [LynxError(ErrorKind.MALFORMED, wire, detail), ResultsComplete()]
    assert (stream.stats.malformed, stream.stats.messages) == (1, 1)
    assert stream.stats.bad_messages == 1


def test_unknown_codes_are_counted() -> None:
    stream = LynxStream()
    stream.feed(b"\x01WL\x02+0.6\x04\x01LE\x02\x04")
    assert (stream.stats.messages, stream.stats.unknown) == (2, 1)
