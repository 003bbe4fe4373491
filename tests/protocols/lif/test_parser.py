"""parse_lif on small files written by hand: each rule of docs/protocols/lif.md on its own."""

import pytest

from velotime.protocols.lif import (
    LifHeat,
    LifParse,
    LifResult,
    LifSplit,
    LifStatus,
    LifWarningKind,
    parse_lif,
)

HEADER = b"5,1,2,Sprint 200m,,,,,,200,14:25:33.4364\r\n"
# 19 columns, like the newer real files.
ROW = b'1,392,5,King,Sofia,Ottawa,11.123,,11.123,,,14:25:33.436,,,,11.123,11.123,"17,98",\r\n'


def heat_of(parsed: LifParse) -> LifHeat:
    assert parsed.heat is not None
    return parsed.heat


def only_result(data: bytes) -> LifResult:
    parsed = parse_lif(data)
    assert parsed.warnings == ()
    (result,) = heat_of(parsed).results
    return result


def kinds(parsed: LifParse) -> list[tuple[LifWarningKind, int, int | None]]:
    return [(w.kind, w.line, w.column) for w in parsed.warnings]


def test_a_minimal_file() -> None:
    parsed = parse_lif(HEADER + ROW, "5-1-2.lif")
    assert parsed.warnings == ()
    heat = heat_of(parsed)
    assert (heat.event, heat.round, heat.heat, heat.event_name) == ("5", "1", "2", "Sprint 200m")
    assert heat.distance_m == 200
    # 14:25:33.4364: 50400 + 1500 + 33 = 51933 s
    assert heat.start_time_of_day_us == 51_933_436_400
    (result,) = heat.results
    assert (result.line, result.place, result.id, result.time_us) == (2, 1, "392", 11_123_000)
    assert result.extra == ("11.123", "11.123", "17,98", "")


def test_splits_are_cumulative_and_lap_pairs() -> None:
    # The example of protocols.md 5.1 plus a third pair: 1:09.119 = 69.119 s, 1:06.013 = 66.013 s.
    row = b'1,392,5,K,S,O,1:55.893,,,,"3.106 (3.106),1:09.119 (1:06.013), 1:55.893 (46.774)"\n'
    result = only_result(HEADER + row)
    assert result.splits == (
        LifSplit(3_106_000, 3_106_000),
        LifSplit(69_119_000, 66_013_000),
        LifSplit(115_893_000, 46_774_000),
    )
    assert result.splits[1].lap_us == 66_013_000


def test_one_bad_split_drops_all_of_them() -> None:
    row = b'1,392,5,K,S,O,1:55.893,,,,"3.106 (3.106),1:09.1l9 (1:06.013)"\n'
    parsed = parse_lif(HEADER + row)
    assert kinds(parsed) == [(LifWarningKind.BAD_SPLITS, 2, 11)]
    assert parsed.warnings[0].text == "3.106 (3.106),1:09.1l9 (1:06.013)"
    assert heat_of(parsed).results[0].splits == ()
    assert heat_of(parsed).results[0].time_us == 115_893_000


@pytest.mark.parametrize(
    ("place", "status"),
    [
        (b"DNF", LifStatus.DNF),
        (b"dnf", LifStatus.DNF),
        (b"DNS", LifStatus.DNS),
        (b"DQ", LifStatus.DQ),
        (b"DSQ", LifStatus.DQ),
        (b" DQ ", LifStatus.DQ),
        (b"aufg.", LifStatus.DNF),
        (b"AUFG.", LifStatus.DNF),
    ],
)
def test_status_words(place: bytes, status: LifStatus) -> None:
    result = only_result(HEADER + place + b",7,3,A,B,C,,,,,\n")
    assert (result.place, result.status, result.place_text) == (None, status, place.decode())


def test_a_caller_may_add_its_languages_words() -> None:
    codes = {"DNF": LifStatus.DNF, "ab.": LifStatus.DNF, "n.a.": LifStatus.DNS}
    parsed = parse_lif(HEADER + b"Ab.,7,3,A,B,C,\nN.A.,8,4,A,B,C,\n", status_codes=codes)
    assert parsed.warnings == ()
    assert [r.status for r in heat_of(parsed).results] == [LifStatus.DNF, LifStatus.DNS]


def test_an_unknown_place_word_is_a_warning_and_the_row_stays() -> None:
    parsed = parse_lif(HEADER + b"WHAT,7,3,A,B,C,12.5\n")
    assert kinds(parsed) == [(LifWarningKind.BAD_PLACE, 2, 1)]
    (result,) = heat_of(parsed).results
    assert (result.place, result.status, result.place_text, result.time_us) == (
        None,
        None,
        "WHAT",
        12_500_000,
    )


def test_a_relay_row_keeps_its_empty_id() -> None:
    result = only_result(HEADER + b"1,,4,Team Alpha,,Club,41.50\n")
    assert (result.id, result.last_name, result.first_name, result.lane) == (
        "",
        "Team Alpha",
        "",
        4,
    )


def test_rows_may_end_after_time_as_finishlynx_can_be_set_to() -> None:
    parsed = parse_lif(HEADER + b"1,7,3,A,B,C,12.5\n2,8,4,D,E,F,12.6\n")
    assert parsed.warnings == ()
    first, second = heat_of(parsed).results
    assert (first.time_us, second.time_us) == (12_500_000, 12_600_000)
    assert (first.license, first.delta_us, first.splits, first.user, first.extra) == (
        "",
        None,
        (),
        (),
        (),
    )


def test_a_row_shorter_than_the_others_is_kept_with_a_warning() -> None:
    parsed = parse_lif(HEADER + ROW + b"2,8,4,D,E,F,12.6\n" + ROW)
    assert kinds(parsed) == [(LifWarningKind.SHORT_ROW, 3, None)]
    assert [r.time_us for r in heat_of(parsed).results] == [11_123_000, 12_600_000, 11_123_000]


def test_of_two_rows_of_different_widths_the_shorter_is_the_cut_one() -> None:
    parsed = parse_lif(HEADER + b"2,8,4,D,E,F,12.6\n" + ROW)
    assert kinds(parsed) == [(LifWarningKind.SHORT_ROW, 2, None)]


def test_blank_lines_are_skipped_silently_and_separator_lines_are_reported() -> None:
    parsed = parse_lif(b"\r\n" + HEADER + b"\r\n   \r\n" + ROW + b" , ,\r\n\r\n")
    assert kinds(parsed) == [(LifWarningKind.EMPTY_ROW, 6, None)]
    heat = heat_of(parsed)
    assert heat.event == "5"
    assert [r.line for r in heat.results] == [5]


def test_lone_carriage_returns_end_lines_too() -> None:
    assert parse_lif((HEADER + ROW).replace(b"\r\n", b"\r")) == parse_lif(HEADER + ROW)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"\r\n\r\n  \n", 1),
        (b"garbage\n" + ROW, 1),  # one column cannot name event, round and heat
        (b"\n1,2\n" + ROW, 2),
        (b",,,,,,,,,,\n" + ROW, 1),
    ],
)
def test_no_usable_header_means_no_heat(data: bytes, line: int) -> None:
    parsed = parse_lif(data)
    assert parsed.heat is None
    assert kinds(parsed) == [(LifWarningKind.BAD_HEADER, line, None)]


def test_a_short_header_is_kept_with_a_warning() -> None:
    parsed = parse_lif(b"5,1,2,Sprint\n" + ROW)
    assert kinds(parsed) == [(LifWarningKind.SHORT_HEADER, 1, None)]
    heat = heat_of(parsed)
    assert (heat.event_name, heat.wind, heat.distance_m, heat.start_time_of_day_us) == (
        "Sprint",
        None,
        None,
        None,
    )
    assert len(heat.results) == 1


def test_header_values_that_are_not_what_they_should_be() -> None:
    parsed = parse_lif(b"5,1,2,Sprint,-0.4,m/s,a,b,c,200m,25:00:00.0,100M,\n" + ROW)
    assert kinds(parsed) == [
        (LifWarningKind.BAD_DISTANCE, 1, 10),
        (LifWarningKind.BAD_TIME, 1, 11),
        (LifWarningKind.UNKNOWN_EXTRA, 1, 12),
    ]
    heat = heat_of(parsed)
    assert (heat.wind, heat.wind_unit) == ("-0.4", "m/s")
    assert heat.reserved == ("a", "b", "c")
    assert heat.extra == ("100M", "")
    assert (heat.distance_m, heat.start_time_of_day_us) == (None, None)


def test_every_bad_time_column_is_named() -> None:
    row = b"1,7,3,A,B,C,1:4x.5,,0.1.2,-0.1,,13:61:00.0\n"
    parsed = parse_lif(HEADER + row)
    assert [(w.kind, w.column, w.field) for w in parsed.warnings] == [
        (LifWarningKind.BAD_TIME, 7, "Time"),
        (LifWarningKind.BAD_TIME, 9, "DeltaTime"),
        (LifWarningKind.BAD_TIME, 10, "ReactionTime"),
        (LifWarningKind.BAD_TIME, 12, "StartTime"),
    ]
    (result,) = heat_of(parsed).results
    assert (result.time_us, result.delta_us, result.reaction_us) == (None, None, None)
    assert result.start_time_of_day_us is None


def test_unknown_extra_columns_are_kept_and_reported() -> None:
    row = b"1,7,3,A,B,C,12.5,,,,,,u1,u2,u3,0.1,x,7.8,,surprise,\n"
    parsed = parse_lif(HEADER + row)
    assert [(w.kind, w.column, w.field, w.text) for w in parsed.warnings] == [
        (LifWarningKind.UNKNOWN_EXTRA, 17, "Delta3", "x"),
        (LifWarningKind.UNKNOWN_EXTRA, 20, "Extra20", "surprise"),
    ]
    (result,) = heat_of(parsed).results
    assert result.user == ("u1", "u2", "u3")
    assert result.extra == ("0.1", "x", "7.8", "", "surprise", "")


def test_a_stray_quote_damages_only_its_own_row() -> None:
    data = HEADER + b'1,7,3,"A,B,C,12.5\n' + ROW
    parsed = parse_lif(data)
    # Read leniently, the open quote swallows the rest of line 2: 4 columns, dropped.
    assert kinds(parsed) == [(LifWarningKind.BAD_CSV, 2, None), (LifWarningKind.SHORT_ROW, 2, None)]
    assert [r.line for r in heat_of(parsed).results] == [3]


def test_quotes_out_of_place_are_read_leniently_and_kept() -> None:
    parsed = parse_lif(HEADER + b'1,7,3,"A"x,B,C,12.5\n')
    assert kinds(parsed) == [(LifWarningKind.BAD_CSV, 2, None)]
    assert heat_of(parsed).results[0].last_name == "Ax"


def test_a_field_too_large_for_csv_drops_only_its_line() -> None:
    parsed = parse_lif(HEADER + b"1,7,3," + b"A" * 200_000 + b",B,C,12.5\n" + ROW)
    assert kinds(parsed) == [(LifWarningKind.BAD_CSV, 2, None)]
    assert [r.line for r in heat_of(parsed).results] == [3]


def test_windows_1252_and_its_undefined_bytes() -> None:
    # 0x80 is the euro sign, 0x9A "š", 0x8A "Š"; 0x81 is undefined and kept as U+0081.
    result = only_result(HEADER + b"1,7,3,\x8aafr\x9a\x81,\xe9,\x80 Club,12.5\n")
    assert (result.last_name, result.first_name, result.affiliation) == (
        "Šafrš\x81",
        "é",
        "€ Club",
    )


def test_a_utf8_byte_order_mark_is_reported() -> None:
    parsed = parse_lif(b"\xef\xbb\xbf" + HEADER + ROW)
    assert kinds(parsed) == [(LifWarningKind.ENCODING, 1, None)]
    assert heat_of(parsed).event == "\xef\xbb\xbf5"  # read as Windows-1252, as documented


def test_warnings_come_in_file_order() -> None:
    parsed = parse_lif(HEADER + b"X,7,y,A,B,C,z\n,,,\nQ,1,2,A,B,C,1\n")
    assert kinds(parsed) == [
        (LifWarningKind.BAD_PLACE, 2, 1),
        (LifWarningKind.BAD_LANE, 2, 3),
        (LifWarningKind.BAD_TIME, 2, 7),
        (LifWarningKind.EMPTY_ROW, 3, None),
        (LifWarningKind.BAD_PLACE, 4, 1),
    ]
