"""The four real LIF files in ../shared/data/finishlynx, with every expected value read off the
file text by hand (times converted by hand in the comments)."""

from pathlib import Path

import pytest

from velotime.protocols.lif import (
    LifHeat,
    LifParse,
    LifStatus,
    LifWarningKind,
    decode_text,
    parse_lif,
)


def parse_real(shared_data: Path, name: str) -> LifHeat:
    parsed = parse_lif((shared_data / "finishlynx" / name).read_bytes(), name)
    assert parsed.name == name
    assert parsed.warnings == (), "a real FinishLynx file must parse without a warning"
    assert parsed.heat is not None
    return parsed.heat


def test_001_1_1_header_wind_and_start(shared_data: Path) -> None:
    heat = parse_real(shared_data, "001-1-1.lif")
    assert (heat.event, heat.round, heat.heat) == ("1", "1", "1")
    assert heat.event_name == "Boys 100 Meter Dash"
    assert (heat.wind, heat.wind_unit) == ("+2.0", "m/s")
    assert heat.distance_m == 100
    # 11:20:46.5819 = (11 * 3600 + 20 * 60 + 46) s = 40846 s, + 0.5819 s
    assert heat.start_time_of_day_us == 40_846_581_900
    assert heat.start_digits == 4
    assert heat.reserved == ("", "", "")
    assert heat.extra == ()


def test_001_1_1_rows_with_user_fields(shared_data: Path) -> None:
    first, second = parse_real(shared_data, "001-1-1.lif").results
    assert (first.line, first.place, first.status, first.place_text) == (2, 1, None, "1")
    assert (first.id, first.lane) == ("187", 1)
    assert (first.last_name, first.first_name) == ("Gonzales", "Speedy")
    assert first.affiliation == "Team High School"
    assert (first.time_us, first.time_digits) == (11_285_000, 3)
    assert first.license == ""
    assert first.delta_us == 11_285_000  # the winner's delta is its time
    assert first.reaction_us is None
    assert first.splits == ()
    # 11:20:46.582: 40846 s + 0.582 s (the row's start is written to 3 decimals, the header's 4)
    assert (first.start_time_of_day_us, first.start_digits) == (40_846_582_000, 3)
    assert first.user == ("M", "7,21", "")  # the quoted "7,21" is one field
    assert first.extra == ("11.285", "11.285")  # 17 columns: no speed column in this file

    assert (second.line, second.place, second.id, second.lane) == (3, 2, "328", 2)
    assert (second.last_name, second.first_name) == ("Man", "Rocket")
    assert (second.time_us, second.delta_us) == (11_286_000, 1_000)  # 11.286, 0.001
    assert second.user == ("M", "7", "")
    assert second.extra == ("0.001", "0.001")


def test_017_2_01_one_finisher_and_seven_unplaced_starters(shared_data: Path) -> None:
    heat = parse_real(shared_data, "017-2-01.lif")
    assert (heat.event, heat.round, heat.heat) == ("17", "2", "1")
    assert heat.event_name == "100 Meter Hurdles Women"
    assert (heat.wind, heat.wind_unit) == ("+0.6", "m/s")
    assert heat.distance_m is None  # the Distance column is empty in this file
    # 13:41:52.2875 = 46800 + 2460 + 52 = 49312 s, + 0.2875 s
    assert (heat.start_time_of_day_us, heat.start_digits) == (49_312_287_500, 4)
    assert len(heat.results) == 8

    winner = heat.results[0]
    assert (winner.place, winner.id, winner.lane) == (1, "643", 6)
    assert (winner.last_name, winner.first_name) == ("Vaughn", "Angela")
    assert winner.affiliation == "UNIVERSITY OF TEXAS"
    assert (winner.time_us, winner.time_digits) == (12_800_000, 2)  # "12.80"
    assert winner.delta_us is None  # DeltaTime is empty here
    assert winner.reaction_us == 162_000  # 0.162
    # 13:41:52.29: the header's 52.2875 rounded to two decimals (up, not truncated)
    assert (winner.start_time_of_day_us, winner.start_digits) == (49_312_290_000, 2)
    assert winner.extra == ("12.80", "12.80", "", "")

    unplaced = heat.results[1:]
    assert [(r.place, r.status, r.place_text) for r in unplaced] == [(None, None, "")] * 7
    assert [r.id for r in unplaced] == ["436", "413", "348", "161", "61", "391", "53"]
    assert [r.lane for r in unplaced] == [1, 2, 3, 4, 5, 7, 8]
    assert [r.reaction_us for r in unplaced] == [
        162_000,
        134_000,
        158_000,
        190_000,
        160_000,
        162_000,
        179_000,
    ]
    assert all(r.time_us is None and r.time_digits is None for r in unplaced)
    last = heat.results[-1]
    assert (last.line, last.last_name, last.first_name, last.affiliation) == (
        9,
        "Bowles",
        "Dawn",
        "ASICS",
    )
    assert heat.results[3].affiliation == "TEXAS A & M UNIV"


def test_31500017_1_02_eight_finishers_with_speed_and_umlauts(shared_data: Path) -> None:
    heat = parse_real(shared_data, "31500017-1-02.lif")
    assert (heat.event, heat.round, heat.heat) == ("31500017", "1", "2")
    assert heat.event_name == "11:02 | 60m W"
    assert (heat.wind, heat.wind_unit) == (None, None)
    assert heat.distance_m == 60
    # 11:03:28.5250 = 39600 + 180 + 28 = 39808 s, + 0.525 s
    assert (heat.start_time_of_day_us, heat.start_digits) == (39_808_525_000, 4)
    results = heat.results
    assert [r.place for r in results] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [r.id for r in results] == [
        "2926",
        "2875",
        "2268",
        "2768",
        "2694",
        "3060",
        "2884",
        "2309",
    ]
    assert [r.lane for r in results] == [8, 5, 4, 6, 7, 1, 2, 3]
    assert [r.time_us for r in results] == [
        7_636_000,
        7_775_000,
        7_778_000,
        7_934_000,
        8_020_000,
        8_025_000,
        8_107_000,
        8_338_000,
    ]
    assert [r.delta_us for r in results[:3]] == [7_636_000, 139_000, 3_000]
    # Single bytes 0xFC, 0xE8 and 0xE4 in the file: ü, è and ä in Windows-1252 (and Latin-1).
    assert results[2].affiliation == "LAC Quelle Fürth"
    assert (results[3].last_name, results[3].first_name) == ("Amoikon", "Linda Zoè")
    assert (results[7].last_name, results[7].first_name) == ("Furtwängler", "Clara")
    assert results[7].affiliation == "LG Main-Spessart"
    # Speed with a decimal comma: 60 m / 7.636 s = 7.857 m/s, written "7,86".
    assert results[0].extra == ("7.636", "7.636", "7,86", "")
    assert results[-1].extra == ("0.231", "0.231", "7,20", "")


def test_32400031_1_11_800m_with_a_german_dnf(shared_data: Path) -> None:
    heat = parse_real(shared_data, "32400031-1-11.lif")
    assert (heat.event, heat.round, heat.heat) == ("32400031", "1", "11")
    assert heat.event_name == "20:10 | 800m M, MJU20, MJU18"  # quoted, commas inside
    assert heat.distance_m == 800
    # 20:11:54.4049 = 72000 + 660 + 54 = 72714 s, + 0.4049 s
    assert (heat.start_time_of_day_us, heat.start_digits) == (72_714_404_900, 4)
    results = heat.results
    assert len(results) == 11
    assert [r.place for r in results] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None]
    assert [r.id for r in results] == [
        "762",
        "408",
        "307",
        "745",
        "3",
        "82",
        "634",
        "637",
        "831",
        "875",
        "895",
    ]
    assert [r.lane for r in results] == [11, 9, 1, 13, 15, 7, 3, 2, 5, 6, 16]
    assert [r.time_us for r in results] == [
        105_611_000,  # 1:45.611
        105_644_000,  # 1:45.644
        106_350_000,  # 1:46.350
        106_491_000,  # 1:46.491
        108_170_000,  # 1:48.170
        108_651_000,  # 1:48.651
        108_849_000,  # 1:48.849
        109_914_000,  # 1:49.914
        110_951_000,  # 1:50.951
        112_408_000,  # 1:52.408
        None,
    ]
    assert results[0].delta_us == 105_611_000
    assert results[2].delta_us == 706_000  # to the runner ahead: 1:46.350 - 1:45.644
    # 0xF3 = ó (the club writes Łódź without its Polish letters), 0xF6 = ö, 0xE4 = ä.
    assert results[0].affiliation == "RKS Lódz"
    assert results[2].affiliation == "LG Göttingen"
    assert results[6].affiliation == "Unterländer LG"

    dnf = results[-1]
    assert (dnf.line, dnf.place, dnf.status, dnf.place_text) == (12, None, LifStatus.DNF, "aufg.")
    assert (dnf.id, dnf.lane, dnf.last_name, dnf.first_name) == ("895", 16, "Hock", "Marvin")
    assert dnf.affiliation == "LG Region Karlsruhe"
    assert (dnf.time_us, dnf.delta_us) == (None, None)
    assert dnf.start_time_of_day_us == 72_714_405_000  # 20:11:54.405
    assert dnf.extra == ("", "", "", "")


def test_crlf_and_lf_files_parse_alike(shared_data: Path) -> None:
    # 32400031-1-11.lif has CRLF line ends (001-1-1.lif too), 31500017-1-02.lif only LF.
    data = (shared_data / "finishlynx" / "32400031-1-11.lif").read_bytes()
    assert data.count(b"\r\n") == 12
    assert parse_lif(data.replace(b"\r\n", b"\n")) == parse_lif(data)


def test_a_dnf_in_another_language_needs_its_own_status_table(shared_data: Path) -> None:
    data = (shared_data / "finishlynx" / "32400031-1-11.lif").read_bytes()
    parsed: LifParse = parse_lif(data, status_codes={"DNF": LifStatus.DNF})
    assert parsed.heat is not None
    assert parsed.heat.results[-1].status is None
    (warning,) = parsed.warnings
    assert (warning.kind, warning.line, warning.column, warning.text) == (
        LifWarningKind.BAD_PLACE,
        12,
        1,
        "aufg.",
    )


def test_lynx_evt_proves_windows_1252(shared_data: Path) -> None:
    """The byte 0x9A is "š" only in Windows-1252 (a C1 control code in ISO-8859-1)."""
    text = decode_text((shared_data / "finishlynx" / "Lynx.evt").read_bytes())
    assert ",355,6,Stromšík,Zdenek,Tschechien" in text
    assert "Großbritannien" in text  # 0xDF
    assert "LG Stadtwerke München" in text  # 0xFC


@pytest.mark.parametrize(
    "name", ["001-1-1.lif", "017-2-01.lif", "31500017-1-02.lif", "32400031-1-11.lif"]
)
def test_no_real_split_field_is_misread(shared_data: Path, name: str) -> None:
    # None of the four files records splits; the Splits column is empty in every row.
    heat = parse_real(shared_data, name)
    assert all(result.splits == () for result in heat.results)
