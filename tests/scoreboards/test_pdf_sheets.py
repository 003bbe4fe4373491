"""PDF sheets as WeasyPrint renders them in-process, read back as text: a flying 200 m scored by
the engine from hand-made passings (its times truncated to the thousandth, a DNS, PROVISIONAL
then FINAL), its start list, and a start list long enough for three pages, each with the
running header and its page number; a sprint tournament's sheet and its races' sheets, and
pursuit and team sprint heats lap by lap, from the payloads the scoring publishes for the
scenarios of tests/scoring/scenarios/ (sprint.py, pursuit.py, team_sprint.py); an individual
pursuit competition's rounds as the engine scores them. Expected values by hand from the
passings, the meet and the scenarios' tables."""

from datetime import UTC
from functools import partial
from pathlib import Path

import pytest

from tests.scoreboards.pdf_text import page_lines, pdf_pages
from tests.scoreboards.scenario_payloads import (
    pursuit_heats,
    sprint_tournament,
    team_sprint_heat,
)
from tests.scoring.events import command, passing
from tests.scoring.scenarios.sprint import BRONZE, FINAL, qf
from tests.scoring.test_engine_start_lists import MEET
from tests.scoring.test_engine_timed_rounds_scored import LINES as ROUNDS_LINES
from tests.scoring.test_engine_timed_rounds_scored import MEET as ROUNDS_MEET
from tests.scoring.test_engine_timed_rounds_scored import ROLES as ROUNDS_ROLES
from tests.scoring.test_engine_timed_rounds_scored import T0 as ROUNDS_T0
from tests.scoring.test_engine_timed_rounds_scored import S
from tests.scoring.test_engine_timed_rounds_scored import ride as ride_heat
from velotime.scoreboards.web.pdf import sheet_pdf
from velotime.scoreboards.web.sheets import (
    result_sheet_html,
    standings_sheet_html,
    start_list_html,
)
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final, NextRider, Provisional, SetStatus
from velotime.wire.results import EventResult, Standings, StartList, StartListRider

# Rendering takes a tenth of a second a page, and importing WeasyPrint most of a second.
pytestmark = pytest.mark.slow

START_US = 1_795_271_400_000_000  # 2026-11-21 14:30:00 UTC
result_page = partial(
    result_sheet_html, meet="Test meet", venue="Test velodrome", zone=UTC, generated_us=START_US
)
start_page = partial(
    start_list_html, meet="Test meet", venue="Test velodrome", zone=UTC, generated_us=START_US
)
HEADER = "Test meet · Test velodrome"


def ride(engine: ScoringEngine, bib: int, start_us: int, took_us: int) -> None:
    """The rider crosses the 200 m line, then the finish `took_us` later (transponders)."""
    engine.feed(command(NextRider(event="sprint-q", bib=bib), start_us))
    engine.feed(passing("200m", start_us + 20_000_000, 1000 + bib))
    engine.feed(passing("finish", start_us + 20_000_000 + took_us, 1000 + bib))


def result_of(engine: ScoringEngine) -> EventResult:
    found = {p.key: p.message for p in engine.snapshot()}["results/sprint-q"]
    assert isinstance(found, EventResult)
    return found


def test_a_result_pdf_with_times_truncated_and_its_status() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    engine.feed(command(Arm(event="sprint-q"), START_US))
    ride(engine, 12, START_US + 60_000_000, 10_724_900)  # 10.7249 s: "10.724", never rounded
    ride(engine, 7, START_US + 120_000_000, 10_725_000)  # 10.725 s
    dns = SetStatus(event="sprint-q", bib=21, status="DNS", reason="ill")
    engine.feed(command(dns, START_US + 150_000_000))
    engine.feed(command(Provisional(event="sprint-q"), START_US + 180_000_000))

    provisional = pdf_pages(sheet_pdf(result_page(result_of(engine))))
    assert len(provisional) == 1
    lines = page_lines(provisional[0])
    # The running header (meet, venue; event and status) and the page number.
    assert f"{HEADER} Sprint qualifying — PROVISIONAL" in lines
    assert "Page 1 of 1" in lines[-1]
    assert "Generated 2026-11-21 14:30:00 UTC" in lines[-1]
    # The sheet itself: the event, the status in large letters, the rows in result order.
    assert "Sprint qualifying" in lines
    assert "Women Elite · Flying 200 m" in lines
    assert "PROVISIONAL" in lines
    rows = [line for line in lines if line.split(" ")[0] in {"1", "2", "21"}]
    assert rows[0].startswith("1 12 Bea Beta GBR 10.724 ")
    assert rows[1].startswith("2 7 Anna Alpha NED 10.725 ")
    assert rows[2].startswith("21 Cleo Gamma AUS")
    assert rows[2].endswith("DNS")
    assert "10.725" not in rows[0]
    assert any(line.endswith("status DNS ill") for line in lines)  # the decision, its reason

    engine.feed(command(Final(event="sprint-q"), START_US + 240_000_000))
    final = page_lines(pdf_pages(sheet_pdf(result_page(result_of(engine))))[0])
    assert "FINAL" in final
    assert "Official result" in final
    assert f"{HEADER} Sprint qualifying — FINAL" in final
    assert not any("PROVISIONAL" in line for line in final)


def test_a_start_list_pdf_in_start_order() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    start_list = {p.key: p.message for p in engine.snapshot()}["startlists/sprint-q"]
    assert isinstance(start_list, StartList)
    pages = pdf_pages(sheet_pdf(start_page(start_list)))
    assert len(pages) == 1
    lines = page_lines(pages[0])
    assert f"{HEADER} Sprint qualifying — START LIST" in lines
    assert "START LIST" in lines
    assert "Riders in start order" in lines
    # By the meet's start_order = [12, 7, 21]: position, bib, name, nation.
    table = lines[lines.index("# BIB NAME NATION NOTES") + 1 :]
    assert table[:3] == ["1 12 Bea Beta GBR", "2 7 Anna Alpha NED", "3 21 Cleo Gamma AUS"]
    assert "Page 1 of 1" in lines[-1]


def test_a_long_start_list_has_the_header_and_its_number_on_every_page() -> None:
    riders = [StartListRider(bib=100 + n, name=f"Rider {n}", nation="NED") for n in range(1, 81)]
    start_list = StartList(
        event="km", discipline="time_trial", name="Kilometre", category="Men Junior", round="",
        heat="", competition="", programme=3, riders=riders,
    )  # fmt: skip
    pages = pdf_pages(sheet_pdf(start_page(start_list)))
    count = len(pages)
    assert count >= 3  # 80 rows: a page holds about 30
    seen = []
    for number, text in enumerate(pages, 1):
        lines = page_lines(text)
        assert f"{HEADER} Kilometre — START LIST" in lines, number
        assert f"Page {number} of {count}" in lines[-1], number
        seen += [int(line.split(" ")[1]) for line in lines if line.endswith(" NED")]
    assert seen == [rider.bib for rider in riders]  # every rider once, in order, across pages


@pytest.fixture(scope="module")
def tournament(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Standings, dict[str, EventResult]]:
    return sprint_tournament(tmp_path_factory.mktemp("sprint"))


def test_a_sprint_tournament_sheet_round_by_round(
    tournament: tuple[Standings, dict[str, EventResult]],
) -> None:
    """The tournament of tests/scoring/scenarios/sprint.py, printed: the seeding, each round's
    matches with the winner's last 200 m in the winner's row under the race it won, the
    relegated rider's REL under theirs, the races won, the 1-1 decided by a third race, then the
    classification. By hand from the scenario's table:

        QF1 205 v 204: 205 wins races 1 and 2 (10.345, 10.456)           2-0
        QF2 201 v 207: 201 race 1 (10.567), 207 race 2 (10.678), 201 race 3 (10.789): 2-1
        QF3 208 v 202: 208 first over the line in race 1 but REL: 202 (10.890), 202 (10.901)
        QF4 203 v 206: 206 (11.012, 11.123)
        SF1 205 v 206: 205 (10.234, 10.345);  SF2 201 v 202: 201 (10.456, 10.567)
        bronze 206 v 202: 202 (10.678, 10.789);  final 205 v 201: 205 (9.999, 10.000)

    A match's rows: its places (winner first), the heat's number in the first. The seeds with
    their qualifying times (the scenario's) and speeds, 720 / t truncated: 720 / 10.101 =
    71.28007.. -> 71.280, 720 / 10.250 = 70.2439.. -> 70.243, 720 / 10.333 = 69.6796.. ->
    69.679, 720 / 10.400 = 69.2307.. -> 69.230, 720 / 10.512 = 68.4931.. -> 68.493, 720 /
    10.600 = 67.9245.. -> 67.924, 720 / 10.755 = 66.9456.. -> 66.945, 720 / 10.901 =
    66.0489.. -> 66.048."""
    standings, results = tournament
    html = standings_sheet_html(
        standings, results=results, riders={}, meet="Test meet", venue="Test velodrome",
        zone=UTC, generated_us=START_US,
    )  # fmt: skip
    pages = pdf_pages(sheet_pdf(html))
    lines = [line for page in pages for line in page_lines(page)]
    for number, page in enumerate(pages, 1):
        page_text = page_lines(page)
        assert f"{HEADER} Sprint — FINAL" in page_text, number
        assert f"Page {number} of {len(pages)}" in page_text[-1], number
    assert "Men Elite · Sprint" in lines
    assert "Official classification" in lines
    seeds = lines[lines.index("SEED BIB NAME NATION 200 M KM/H") + 1 :][:8]
    # By 200 m time, fastest first; 720 / t truncated to the thousandth.
    qualifiers = [
        (205, "10.101", "71.280"), (201, "10.250", "70.243"), (208, "10.333", "69.679"),
        (203, "10.400", "69.230"), (206, "10.512", "68.493"), (202, "10.600", "67.924"),
        (207, "10.755", "66.945"), (204, "10.901", "66.048"),
    ]  # fmt: skip
    assert seeds == [
        f"q{n} {bib} Rider {bib} NED {time} {kmh}"
        for n, (bib, time, kmh) in enumerate(qualifiers, 1)
    ]

    def round_rows(heading: str, count: int) -> list[str]:
        at = lines.index(heading)
        assert lines[at + 1].startswith("HEAT RANK BIB NAME NATION RACE 1 RACE 2"), lines[at + 1]
        return lines[at + 2 : at + 2 + count]

    assert lines[lines.index("1/4 · BEST OF 3") + 1] == (
        "HEAT RANK BIB NAME NATION RACE 1 RACE 2 RACE 3 WINS NOTES"
    )
    assert round_rows("1/4 · BEST OF 3", 8) == [
        "1 1 205 Rider 205 NED 10.345 10.456 2",
        "2 204 Rider 204 NED 0",
        "2 1 201 Rider 201 NED 10.567 10.789 2 DECIDER AT 1-1, WON 2-1",
        "2 207 Rider 207 NED 10.678 1",
        "3 1 202 Rider 202 NED 10.890 10.901 2",
        "2 208 Rider 208 NED REL 0",
        "4 1 206 Rider 206 NED 11.012 11.123 2",
        "2 203 Rider 203 NED 0",
    ]
    # No match of the semi-finals went to 1-1: no race 3 column.
    assert lines[lines.index("1/2 · BEST OF 3") + 1] == (
        "HEAT RANK BIB NAME NATION RACE 1 RACE 2 WINS NOTES"
    )
    assert round_rows("1/2 · BEST OF 3", 4) == [
        "1 1 205 Rider 205 NED 10.234 10.345 2",
        "2 206 Rider 206 NED 0",
        "2 1 201 Rider 201 NED 10.456 10.567 2",
        "2 202 Rider 202 NED 0",
    ]
    assert round_rows("BRONZE FINAL · BEST OF 3", 2) == [
        "1 1 202 Rider 202 NED 10.678 10.789 2",
        "2 206 Rider 206 NED 0",
    ]
    assert round_rows("FINAL · BEST OF 3", 2) == [
        "1 1 205 Rider 205 NED 9.999 10.000 2",
        "2 201 Rider 201 NED 0",
    ]
    # Gold and bronze finals, then the quarter-finals' losers by their qualifying rank.
    classified = lines[lines.index("RANK BIB NAME NATION NOTES") + 1 :][:8]
    order = [205, 201, 202, 206, 208, 203, 207, 204]
    assert classified == [f"{rank} {bib} Rider {bib} NED" for rank, bib in enumerate(order, 1)]


def test_sprint_race_sheets_with_a_relegation_and_a_re_ride(
    tournament: tuple[Standings, dict[str, EventResult]],
) -> None:
    """A sprint race's sheet: its finish order, the winner's last 200 m with its speed, and the
    commissaires' relegation and the race stopped and re-ridden, in words with their reasons.
    By hand from the scenario: QF3 race 1, 208 over the line first and relegated ("left the
    sprinters' lane"): 202 wins in 10.890, 720 / 10.890 = 66.1157... -> 66.115 km/h; the
    bronze final's race 1 stopped after a fall in lap 1 and re-ridden, 202 winning in 10.678
    (720 / 10.678 = 67.4283... -> 67.428), 206 0.1000 s behind on the camera: "+0.100"; the
    final's race 1: 9.999, 720 / 9.999 = 72.0072... -> 72.007."""
    _, results = tournament
    relegated = page_lines(pdf_pages(sheet_pdf(result_page(results[qf(3, 1)])))[0])
    assert f"{HEADER} Sprint, 1/4, heat 3, race 1 — FINAL" in relegated
    assert "Men Elite · 1/4 · Sprint" in relegated
    table = relegated[relegated.index("RANK BIB NAME NATION GAP NOTES") + 1 :]
    assert table[:2] == ["1 202 Rider 202 NED", "2 208 Rider 208 NED REL"]
    assert "Winner's last 200 m: 10.890 (66.115 km/h)" in relegated
    assert "208 Rider 208 relegated (REL): left the sprinters' lane" in relegated
    assert not any(line.startswith("Re-ridden") for line in relegated)

    re_ridden = page_lines(pdf_pages(sheet_pdf(result_page(results[BRONZE[0]])))[0])
    table = re_ridden[re_ridden.index("RANK BIB NAME NATION GAP NOTES") + 1 :]
    assert table[:2] == ["1 202 Rider 202 NED", "2 206 Rider 206 NED +0.100"]
    assert "Winner's last 200 m: 10.678 (67.428 km/h)" in re_ridden
    assert "Re-ridden: the race was stopped: fall in lap 1; the result is the re-ride's" in (
        re_ridden
    )
    final = page_lines(pdf_pages(sheet_pdf(result_page(results[FINAL[0]])))[0])
    assert "Winner's last 200 m: 9.999 (72.007 km/h)" in final
    assert "RELEGATIONS AND RE-RIDES" not in final


@pytest.fixture(scope="module")
def pursuits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EventResult]:
    return pursuit_heats(tmp_path_factory.mktemp("pursuit"))


def split_rows(lines: list[str]) -> list[str]:
    """The rows of a pursuit sheet's lap-by-lap table, on every page."""
    at = lines.index("LAP M TIME LAP TIME LAP GAP AHEAD")
    rows = []
    for line in lines[at + 1 :]:
        if not line[0].isdigit():
            break
        rows.append(line)
    return rows


def test_an_individual_pursuit_heat_lap_by_lap(pursuits: dict[str, EventResult]) -> None:
    """The qualifying heat of tests/scoring/scenarios/pursuit.py: the result with times and
    speeds, then both sides' time at every lap's end (250 m on this track), that lap's time and
    the gap. By hand: home (1) crosses half lap n at 11.0 + 7.5 (n - 1) s, back (2) at 11.4 +
    8.5 (n - 1): at lap k (half lap 2k) home 3.5 + 15 k, back 2.9 + 17 k, the gap 0.4 + (2k - 1)
    = 2k - 0.6, home ahead: lap 1 18.500 / 19.900, +1.400; lap 16 (4000 m) 243.500 = 4:03.500
    / 274.9007 -> 4:34.900, +31.400; laps of 15.000 and 17.000 after the first. 1 catches 2 at
    half lap 10 (1250 m) and both ride on (qualifying): 2 is marked caught, with a time."""
    lines = page_lines(pdf_pages(sheet_pdf(result_page(pursuits["ip-q"])))[0])
    assert f"{HEADER} Individual pursuit — FINAL" in lines
    table = lines[lines.index("RANK BIB NAME NATION TIME KM/H GAP NOTES") + 1 :]
    assert table[:2] == [
        "1 1 Ann Red GBR 4:03.500 59.137",
        "2 2 Bea Green NZL 4:34.900 52.382 +31.400 CAUGHT",
    ]
    assert "2 Bea Green caught by 1 Ann Red at 1250 m (half lap 10): both rode on for a time" in (
        lines
    )
    assert "HOME: 1 ANN RED BACK: 2 BEA GREEN" in lines
    rows = split_rows(lines)
    assert len(rows) == 16
    assert rows[0] == "1 250 18.500 18.500 19.900 19.900 +1.400 1"
    assert rows[3] == "4 1000 1:03.500 15.000 1:10.900 17.000 +7.400 1"
    assert rows[15] == "16 4000 4:03.500 15.000 4:34.900 17.000 +31.400 1"


def test_a_pursuit_final_ended_by_a_catch(pursuits: dict[str, EventResult]) -> None:
    """The final: 4 false-starts once and is recalled; 3 catches 4 at half lap 10 (1250 m,
    3's 1:18.500) and the race ends there: no times, 3 wins. 4's last crossing is half lap 8
    (1000 m, 1:10.900, the gap +7.400); lap 5 has 3's time and the catch."""
    lines = page_lines(pdf_pages(sheet_pdf(result_page(pursuits["ip-f"])))[0])
    table = lines[lines.index("RANK BIB NAME NATION GAP NOTES") + 1 :]
    assert table[:2] == ["1 3 Cat Red AUS WON", "2 4 Dee Green ITA CAUGHT"]
    assert "4 Dee Green caught by 3 Cat Red at 1250 m (half lap 10): the race ended" in lines
    assert "4 Dee Green: 1 false start" in lines
    assert split_rows(lines)[3:] == [
        "4 1000 1:03.500 15.000 1:10.900 17.000 +7.400 3",
        "5 1250 1:18.500 15.000 CAUGHT",
    ]


def test_a_team_pursuit_heat_with_a_rider_dropped(pursuits: dict[str, EventResult]) -> None:
    """The team pursuit's qualifying heat: team 1 (Italy) on its third rider at 10.0 + 7.2
    (n - 1) + 0.24 s for half lap n, team 2 (Denmark) at 10.3 + 7.4 (n - 1) + 0.24: lap 1
    17.440 / 17.940, +0.500; laps of 14.400 and 14.800; 4000 m 233.440987 -> 3:53.440 /
    3:59.940, +6.500 (0.3 + 0.2 x 31). Rider 14 dropped after half lap 20: Italy finishes on
    11, 12 and 13."""
    lines = page_lines(pdf_pages(sheet_pdf(result_page(pursuits["tp-q"])))[0])
    table = lines[lines.index("RANK BIB NAME NATION TIME KM/H GAP NOTES") + 1 :]
    assert table[:2] == ["1 1 Italy 3:53.440 61.686", "2 2 Denmark 3:59.940 60.015 +6.500"]
    assert "1 Italy: riders 11, 12, 13 to the line, 14 dropped" in lines
    rows = split_rows(lines)
    assert rows[0] == "1 250 17.440 17.440 17.940 17.940 +0.500 1"
    assert rows[-1] == "16 4000 3:53.440 14.400 3:59.940 14.800 +6.500 1"


def test_a_team_sprint_heat_lap_by_lap(tmp_path: Path) -> None:
    """The team sprint heat of tests/scoring/scenarios/team_sprint.py: the result (team 10
    43.678, 2700 / 43.678 = 61.8160.. -> 61.816; team 20 44.012, 61.3469.. -> 61.346, +0.334),
    then each lap: the rider who led it (rider k leads lap k: 1, 2, 3 and 4, 5, 6), the team's
    time and the lap's: 17.123, 30.456, 43.678 (laps 17.123, 13.333, 13.222) against 17.200,
    30.654, 44.012 (17.200, 13.454, 13.358); the gap 17.200 - 17.123 = +0.077, 30.654 - 30.456
    = +0.198, 44.012 - 43.678 = +0.334, team 10 ahead throughout. The scenario's two timing
    problems are printed as timing notes."""
    heat = team_sprint_heat(tmp_path)
    lines = page_lines(pdf_pages(sheet_pdf(result_page(heat)))[0])
    table = lines[lines.index("RANK BIB NAME NATION TIME KM/H GAP NOTES") + 1 :]
    assert table[:2] == [
        "1 10 Netherlands NED 43.678 61.816",
        "2 20 Great Britain GBR 44.012 61.346 +0.334",
    ]
    assert "HOME: 10 NETHERLANDS BACK: 20 GREAT BRITAIN" in lines
    rows = lines[lines.index("LAP M RIDER TIME LAP RIDER TIME LAP GAP AHEAD") + 1 :][:3]
    assert rows == [
        "1 250 1 17.123 17.123 4 17.200 17.200 +0.077 10",
        "2 500 2 30.456 13.333 5 30.654 13.454 +0.198 10",
        "3 750 3 43.678 13.222 6 44.012 13.358 +0.334 10",
    ]
    assert "TIMING NOTES" in lines


def test_an_individual_pursuit_competition_sheet() -> None:
    """An individual pursuit competition scored by the engine from reads and gates
    (tests/scoring/test_engine_timed_rounds_scored.py, where each time is worked by hand):
    qualifying 1 58.500 v 2 1:00.200 and 3 59.300 v 4 1:01.100; the bronze final 2 (58.500,
    won) v 4 (1:00.200), the gold final 3 (58.500, won) v 1 (1:00.200); classification 3, 1, 2,
    4 with the times that placed them. Each heat's entrants in its order with their time. The
    qualifying ranking: 1 58.500, 3 59.300 (+0.800), 2 1:00.200 (+1.700), 4 1:01.100 (+2.600);
    the two fastest to the gold final, the next two to the bronze (3.2.053)."""
    scoring = ScoringEngine(parse_meet(ROUNDS_MEET), ROUNDS_LINES, 250, line_roles=ROUNDS_ROLES)
    ride_heat(scoring, "ip-qualifying-1", ROUNDS_T0, (1, 9.5, 7.0), (2, 9.8, 7.2))
    ride_heat(scoring, "ip-qualifying-2", ROUNDS_T0 + 300 * S, (3, 9.6, 7.1), (4, 10.0, 7.3))
    ride_heat(scoring, "ip-final-3-4", ROUNDS_T0 + 600 * S, (2, 9.5, 7.0), (4, 9.8, 7.2))
    ride_heat(scoring, "ip-final-1-2", ROUNDS_T0 + 900 * S, (1, 9.8, 7.2), (3, 9.5, 7.0))
    published = {p.key: p.message for p in scoring.snapshot()}
    standings = published["standings/ip"]
    assert isinstance(standings, Standings)
    results = {
        key.removeprefix("results/"): result
        for key, result in published.items()
        if isinstance(result, EventResult)
    }
    html = standings_sheet_html(
        standings, results=results, riders={}, meet="Test meet", venue="Test velodrome",
        zone=UTC, generated_us=START_US,
    )  # fmt: skip
    pages = [page_lines(page) for page in pdf_pages(sheet_pdf(html))]
    lines = pages[0]
    assert f"{HEADER} ip — FINAL" in lines
    heading = "HEAT RANK BIB NAME NATION TIME NOTES"
    at = lines.index("QUALIFYING")
    assert lines[at + 1 : at + 6] == [
        heading,
        "1 1 1 Rider 1 GBR 58.500",
        "2 2 Rider 2 GBR 1:00.200",
        "2 1 3 Rider 3 GBR 59.300",
        "2 4 Rider 4 GBR 1:01.100",
    ]
    at = lines.index("QUALIFYING RANKING")
    assert lines[at + 1 : at + 6] == [
        "RANK BIB NAME NATION TIME GAP GOES TO NOTES",
        "1 1 Rider 1 GBR 58.500 final 1-2",
        "2 3 Rider 3 GBR 59.300 +0.800 final 1-2",
        "3 2 Rider 2 GBR 1:00.200 +1.700 final 3-4",
        "4 4 Rider 4 GBR 1:01.100 +2.600 final 3-4",
    ]
    at = lines.index("FINAL 3-4")
    assert lines[at + 1 : at + 4] == [
        heading, "1 1 2 Rider 2 GBR 58.500 WON", "2 4 Rider 4 GBR 1:00.200"
    ]  # fmt: skip
    at = lines.index("FINAL 1-2")
    assert lines[at + 1 : at + 4] == [
        heading, "1 1 3 Rider 3 GBR 58.500 WON", "2 1 Rider 1 GBR 1:00.200"
    ]  # fmt: skip
    # The classification runs onto page 2, its heading repeated there.
    lines = [line for page in pages for line in page]
    at = lines.index("FINAL CLASSIFICATION")
    assert lines[at + 1] == "RANK BIB NAME NATION TIME NOTES"
    assert [line for line in lines[at + 2 :] if line[0].isdigit()][:4] == [
        "1 3 Rider 3 GBR 58.500",
        "2 1 Rider 1 GBR 1:00.200",
        "3 2 Rider 2 GBR 58.500",
        "4 4 Rider 4 GBR 1:00.200",
    ]
