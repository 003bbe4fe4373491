"""The Race Result line format: a documented passing decoded field by field, replies, fetches,
and what is refused (docs/protocols/raceresult.md)."""

import pytest

from velotime.protocols import raceresult as rr

# A pushed passing written by hand from the 20-field list of ../shared/docs/protocols.md §4.1
# (protocol >= 1.6), every field set to something that shows it was read from its own place.
LINE = b"#P;1234;4711;2026-12-07;18:34:14.123;0;1F;5C;0A1B;1;3;2;0;1547;2.95;-4;64;VELO-1;2;1;5123"


def test_a_documented_passing_line_decodes_to_its_20_fields() -> None:
    """Each field by hand:
    1 PassingNo "1234" -> 1234; 2 Bib/TranspCode "4711" (kept as text); 3 Date "2026-12-07";
    4 Time "18:34:14.123" -> 18 h = 64,800 s, 34 min = 2,040 s, 14.123 s: 66,854.123 s =
    66,854,123,000 us; 5 EventID "0" -> 0; 6 Hits "1F" (hexadecimal) -> 31; 7 MaxRSSI "5C" ->
    5 * 16 + 12 = 92; 8 InternalData "0A1B" (kept as text); 9 IsActive "1" -> True; 10 Channel
    "3" -> 3; 11 LoopID "2" -> 2; 12 LoopOnly "0" -> False; 13 WakeupCounter "1547" -> 1547;
    14 Battery "2.95" -> 2.95 V; 15 Temperature "-4" -> -4 C; 16 InternalActiveData "64" -> 64
    = 0x40: a stored passing; 17 BoxName "VELO-1"; 18 FileNumber "2" -> 2; 19 MaxRSSIAntenna
    "1" -> 1; 20 BoxId "5123". The `#P;` prefix: pushed."""
    record = rr.parse_line(LINE)
    assert isinstance(record, rr.Passing)
    assert record.pushed is True
    assert record.passing_number == 1234
    assert record.code == "4711"
    assert record.date == "2026-12-07"
    assert record.time_of_day_us == 66_854_123_000
    assert record.event_id == 0
    assert record.hits == 31
    assert record.max_rssi == 92
    assert record.internal_data == "0A1B"
    assert record.is_active is True
    assert record.channel == 3
    assert record.loop_id == 2
    assert record.loop_only is False
    assert record.wakeup_counter == 1547
    assert record.battery_v == 2.95
    assert record.temperature_c == -4
    assert record.internal_active_data == 64
    assert record.stored is True
    assert record.box_name == "VELO-1"
    assert record.file_number == 2
    assert record.max_rssi_antenna == 1
    assert record.box_id == "5123"
    assert record.text == LINE.decode()
    assert rr.encode(record) == LINE + b"\r\n"


def test_a_fetched_passing_has_no_prefix_and_a_passive_one_empty_fields() -> None:
    # A passive transponder: no LoopID, WakeupCounter, Battery, Temperature, active data.
    line = b"7;NXKC37T;0000-00-01;00:00:09.500;0;4;40;;0;1;;0;;;;;BOX;1;;"
    record = rr.parse_line(line)
    assert isinstance(record, rr.Passing)
    assert (record.pushed, record.passing_number, record.code) == (False, 7, "NXKC37T")
    assert record.day_counter() == 1  # no GPS: the first day since the decoder started
    assert record.time_of_day_us == 9_500_000
    assert (record.loop_id, record.wakeup_counter, record.battery_v) == (None, None, None)
    assert (record.temperature_c, record.internal_active_data, record.stored) == (None, None, False)
    assert rr.encode(record) == line + b"\r\n"


def test_replies_fetch_ends_and_other_lines() -> None:
    assert rr.parse_line(b"GETTIME;2026-12-07;18:34:14.123") == rr.Reply(
        command="GETTIME", fields=("2026-12-07", "18:34:14.123")
    )
    assert rr.parse_line(b"PASSINGS;120;3") == rr.Reply(command="PASSINGS", fields=("120", "3"))
    assert rr.parse_line(b"") == rr.FetchEnd()
    assert rr.parse_line(b"ONLY 3") == rr.Unknown(text="ONLY 3")


@pytest.mark.parametrize(
    ("line", "kind", "detail"),
    [
        (b"#P;1;2;2026-12-07;18:34:14.123", "malformed", "20 fields, this line 4"),
        (LINE.replace(b"18:34:14.123", b"25:00:00.000"), "malformed", "Time"),
        (LINE.replace(b";1F;", b";1G;"), "malformed", "Hits"),
        (b"12\x00;ab", "garbage", "control characters"),
    ],
)
def test_what_is_refused_and_why(line: bytes, kind: str, detail: str) -> None:
    error = rr.parse_line(line)
    assert isinstance(error, rr.LineError)
    assert error.kind == kind
    assert detail in error.detail


def test_the_host_commands() -> None:
    assert rr.command("SETPUSHPASSINGS", 1, 0) == b"SETPUSHPASSINGS;1;0\r\n"
    assert rr.fetch(1234, 32) == b"1234:32\r\n"
    assert rr.parse_fetch(b"1234:32") == (1234, 32)
    assert rr.parse_fetch(b"GETTIME") is None


def test_a_record_that_cannot_be_a_line_is_refused() -> None:
    with pytest.raises(ValueError, match="';'"):
        rr.Passing(passing_number=1, code="a;b", date="2026-12-07", time_of_day_us=0)
    with pytest.raises(ValueError, match="whole ms"):
        rr.Passing(passing_number=1, code="1", date="2026-12-07", time_of_day_us=1)
