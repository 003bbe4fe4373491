"""An omnium of 12 riders through its four races (tests/scoring/scenarios/omnium.py, where every
total, the line-ups and the tie-break are worked out by hand).

- Through the engine from device bytes: the scratch race, the scratch scenario's capture (three
  P3 loops and the desk's commands, naming the omnium's scratch race): the standings published
  when it is provisional and again when final, not on every passing; the tempo's start list
  lined up by them (3.2.249 bis).
- All four races through the engine from one capture (tests/scoring/scenarios/omnium_races.py:
  P3 passings, the desk's and judges' commands): the standings after each race, each race's
  line-up, the standings live in the points race as its sprints and a lap gain are ridden,
  the tie on total points broken by the final sprint.
- The four races read from result lines made by hand (the fields their disciplines publish),
  for what the capture does not ride: a rider taken off two laps down in the tempo, a DNS in
  the elimination, a lap lost and an abandon in the points race, riders level and unplaced in
  the final sprint; a race missing a rider.
- The points race live through the engine from device bytes: the points race scenario's
  capture in an omnium of that race alone, the standings following it passing by passing.
"""

from itertools import pairwise
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cli.helpers import velotime_main
from tests.docs.test_mqtt_schemas import check
from tests.scoring.scenarios import omnium, omnium_races, points_race, scratch
from velotime.scoring.engine import Publication, ScoringEngine
from velotime.scoring.meet import Meet, parse_meet
from velotime.scoring.omnium_competition import OmniumCompetition, RaceState
from velotime.wire.commands import Arm, Reopen, SetStatus
from velotime.wire.events import Envelope, Event, EventData, decode_event
from velotime.wire.results import EventStatus, OmniumStandings, ResultLine, StartList, Status


def meet() -> Meet:
    return parse_meet(omnium.meet_text())


def rows(standings: OmniumStandings) -> list[omnium.Row]:
    return [(line.rank, line.bib, line.total, line.status) for line in standings.lines]


def replayed_events(
    tmp_path: Path, meet_text: str, capture: Path | None = None
) -> list[Event | Envelope[EventData]]:
    """A capture (by default the scratch scenario's, its commands naming the omnium's scratch
    race) decoded by the offline replay."""
    capture = capture or omnium.write_capture(tmp_path)
    (tmp_path / "meet.toml").write_text(meet_text)
    events = tmp_path / "events.jsonl"
    result = velotime_main(
        "replay", capture, "--offline", "--meet", tmp_path / "meet.toml", "--output", events,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [decode_event(raw) for raw in events.read_bytes().splitlines()]


def test_the_scratch_race_from_bytes_publishes_the_standings_at_provisional_and_final(
    tmp_path: Path,
) -> None:
    engine = ScoringEngine(meet(), {"finish": 0, "200m": 200, "100m": 100}, 250)
    published: list[tuple[str, Publication]] = []  # (the scratch race's status, publication)
    snapshot = {p.key: p for p in engine.snapshot()}
    first = snapshot[f"standings/{omnium.OMNIUM}"].message
    assert isinstance(first, OmniumStandings)
    assert [(race.event, race.counted) for race in first.races] == [
        (race, False) for race in omnium.RACES
    ]
    for event in replayed_events(tmp_path, omnium.meet_text()):
        for publication in engine.feed(event):
            status = engine.results(omnium.RACES[0])["status"]
            published.append((status, publication))
    standings = [(s, p.message) for s, p in published if p.key == f"standings/{omnium.OMNIUM}"]
    for _, publication in published:  # what docs/mqtt.md's schema says, key for key
        if publication.key.startswith("standings/"):
            assert check(publication.key, publication.encoded()) is OmniumStandings
    # Published when a command changed the race (armed, lap changes, the abandon...), never on
    # a passing: 8 commands, 8 publications; the standings count it from provisional.
    assert len(standings) == len(scratch.COMMANDS)
    counted = [
        (s, m) for s, m in standings if isinstance(m, OmniumStandings) and m.races[0].counted
    ]
    assert [s for s, _ in counted] == ["provisional", "final"]
    for _, message in counted:
        assert isinstance(message, OmniumStandings)
        assert rows(message) == omnium.AFTER_SCRATCH
        assert message.status == "running"
        top = message.lines[0]
        assert (top.name, top.nation) == ("Rider 5", "GER")
        assert top.races[0] is not None
        assert (top.races[0].place, top.races[0].points) == (1, 40)
        assert top.races[1:] == [None, None, None]
    # The tempo's start list follows the standings, 12 (out) left out, once the scratch counts.
    start_lists = [p.message for _, p in published if p.key == f"startlists/{omnium.RACES[1]}"]
    assert len(start_lists) == 1  # at provisional; at final the order is the same
    (tempo,) = start_lists
    assert isinstance(tempo, StartList)
    assert [r.bib for r in tempo.riders] == omnium.LINE_UPS["tempo"]
    assert tempo.competition == omnium.OMNIUM


def states(*races: tuple[EventStatus, list[ResultLine]]) -> dict[str, RaceState]:
    return {omnium.RACES[i]: RaceState(status, lines) for i, (status, lines) in enumerate(races)}


def test_the_four_races_standings_after_each_live_and_the_tie_broken_by_the_final_sprint() -> None:
    spec = meet().omniums[0]
    competition = OmniumCompetition(spec, meet().omnium_format(spec))
    names = {bib: (f"Rider {bib}", "") for bib in omnium.BIBS}

    def standings(races: dict[str, RaceState]) -> OmniumStandings:
        return competition.standings(races, names)

    running = states(("running", omnium.SCRATCH[:3]))
    assert [line.rank for line in standings(running).lines] == [1] * 12  # nothing counted yet
    after = states(("provisional", omnium.SCRATCH))
    assert rows(standings(after)) == omnium.AFTER_SCRATCH
    assert list(competition.line_up(1, after)) == omnium.LINE_UPS["tempo"]

    after = states(("final", omnium.SCRATCH), ("provisional", omnium.TEMPO))
    assert rows(standings(after)) == omnium.AFTER_TEMPO
    (eleven,) = [line for line in standings(after).lines if line.bib == 11]
    lapped = eleven.races[1]
    assert lapped is not None
    assert (lapped.place, lapped.points, lapped.status) == (11, -20, "lapped")
    assert list(competition.line_up(2, after)) == omnium.LINE_UPS["elimination"]

    after = states(
        ("final", omnium.SCRATCH), ("final", omnium.TEMPO), ("final", omnium.ELIMINATION)
    )
    assert rows(standings(after)) == omnium.AFTER_ELIMINATION
    assert list(competition.line_up(3, after)) == omnium.LINE_UPS["points race"]
    # The points race armed, not yet a sprint: counted live at its start, every total as it was.
    start = states(
        ("final", omnium.SCRATCH), ("final", omnium.TEMPO), ("final", omnium.ELIMINATION),
        ("running", omnium.points([(b, 0, 0, None) for b in omnium.LINE_UPS["points race"]])),
    )  # fmt: skip
    assert rows(standings(start)) == omnium.AFTER_ELIMINATION
    assert standings(start).status == "live"

    live = states(
        ("final", omnium.SCRATCH), ("final", omnium.TEMPO), ("final", omnium.ELIMINATION),
        ("running", omnium.POINTS_LIVE),
    )  # fmt: skip
    assert rows(standings(live)) == omnium.LIVE
    assert standings(live).status == "live"

    over = states(
        ("final", omnium.SCRATCH), ("final", omnium.TEMPO), ("final", omnium.ELIMINATION),
        ("final", omnium.POINTS_FINAL),
    )  # fmt: skip
    final = standings(over)
    assert rows(final) == omnium.FINAL
    assert final.status == "final"
    assert final.problems == []
    (one,) = [line for line in final.lines if line.bib == 1]
    points_race = one.races[3]
    assert points_race is not None
    assert (points_race.place, points_race.points, points_race.laps) == (None, 23, 1)


def test_a_race_that_leaves_out_a_rider_still_in_stops_the_count_and_says_why() -> None:
    """The tempo's lines without 11 (still in the omnium after the scratch): the standings
    stay those after the scratch, and say which race and rider."""
    spec = meet().omniums[0]
    competition = OmniumCompetition(spec, meet().omnium_format(spec))
    short = [line for line in omnium.TEMPO if line.bib != 11]
    result = competition.standings(states(("final", omnium.SCRATCH), ("final", short)), {})
    assert [(line.rank, line.bib, line.total, line.status) for line in result.lines] == (
        omnium.AFTER_SCRATCH
    )
    assert result.problems == ["tempo: no result for 11"]
    assert [race.counted for race in result.races] == [True, False, False, False]


TWO_SCRATCHES = """
[[omnium_formats]]
name = "two-scratches"
races = [{ name = "scratch", kind = "scratch" }, { name = "second scratch", kind = "scratch" }]
place_points = [40, 38, 36, 34, 32, 30, 28, 26, 24, 22, 20, 18]
points_after = 1
tie_break = "none"
"""


def test_the_next_race_is_lined_up_by_the_standings_until_it_is_armed(tmp_path: Path) -> None:
    """A meet's own table of two scratch races (both scored by the engine today): after the
    first (the scratch scenario's bytes), the second's start list is the standings' order, 12
    (abandoned, out of the omnium) left out (3.2.249 bis, 3.2.251 bis): 5 7 2 1 9 3 4 6 10 8 11,
    as the scenario's docstring works out. Before the first is provisional it is the declared
    order, 1 to 12; once armed, a correction to the first race no longer changes it."""
    text = omnium.meet_text(TWO_SCRATCHES, "two-scratches").replace(
        "laps = { scratch = 20 }", "laps = { scratch = 20, second-scratch = 20 }"
    )
    second = f"{omnium.OMNIUM}-second-scratch"
    engine = ScoringEngine(parse_meet(text), {"finish": 0, "200m": 200, "100m": 100}, 250)
    start_lists: list[list[int]] = []
    for event in replayed_events(tmp_path, text):
        for publication in engine.feed(event):
            if publication.key == f"startlists/{second}":
                assert isinstance(publication.message, StartList)
                start_lists.append([rider.bib for rider in publication.message.riders])
    assert start_lists == [omnium.LINE_UPS["tempo"]]  # once, at provisional; final: the same
    assert engine.take_command(Arm(event=second)) is None
    engine.changes()
    # The first race reopened and 12's abandon withdrawn: 12 is back, last; the armed race's
    # line-up stands (a start list changes before the race, not during it).
    assert engine.take_command(Reopen(event=omnium.RACES[0], reason="protest")) is None
    assert engine.take_command(SetStatus(event=omnium.RACES[0], bib=12, status="")) is None
    keys = [p.key for p in engine.changes()]
    assert f"standings/{omnium.OMNIUM}" in keys
    assert f"startlists/{second}" not in keys


@given(st.permutations(omnium.BIBS), st.sets(st.sampled_from(omnium.BIBS), max_size=3))
def test_any_scratch_result_lines_the_tempo_up_by_its_points(
    order: list[int], abandoned: set[int]
) -> None:
    """Whatever the scratch's order and whoever abandons it: the standings rank the riders who
    finished by their place (3.2.250: 42 - 2k points for place k, all different), so the
    tempo's line-up is the scratch's order less those who abandoned (3.2.249 bis, 3.2.251 bis),
    and every rider of the omnium is listed once."""
    spec = meet().omniums[0]
    competition = OmniumCompetition(spec, meet().omnium_format(spec))
    finished = [bib for bib in order if bib not in abandoned]
    lines = omnium.placed(finished, dict.fromkeys(sorted(abandoned), Status.DNF))
    races = states(("provisional", lines))
    assert list(competition.line_up(1, races)) == finished
    result = competition.standings(races, {})
    assert sorted(line.bib for line in result.lines) == omnium.BIBS
    assert [line.total for line in result.lines[: len(finished)]] == [
        42 - 2 * place for place in range(1, len(finished) + 1)
    ]


@pytest.mark.slow  # 3 s: a 24-rider, 80-lap race replayed, then fed to the engine
def test_the_standings_follow_the_points_race_live_from_its_bytes(tmp_path: Path) -> None:
    """The points race scenario's capture (24 riders, 80 laps, a lap gained, a lap lost, a
    camera-judged sprint, an abandon), its commands naming an omnium's points race: while it
    runs the standings are published, `live`, whenever a rider's points or laps change, each
    time with every rider's total the race's points as they stand then (3.2.251: nothing before
    it to add); once final, the standings worked out in `omnium.points_final`."""
    capture = omnium.write_points_capture(tmp_path)
    text = omnium.points_meet_text()
    (tmp_path / "meet.toml").write_text(text)
    events = tmp_path / "events.jsonl"
    result = velotime_main(
        "replay", capture, "--offline", "--meet", tmp_path / "meet.toml", "--output", events,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    engine = ScoringEngine(parse_meet(text), {"finish": 0, "200m": 200, "100m": 100}, 250)
    live: list[OmniumStandings] = []
    last: OmniumStandings | None = None
    for raw in events.read_bytes().splitlines():
        event = decode_event(raw)
        for publication in engine.feed(event):
            if publication.key != f"standings/{omnium.OMNIUM}":
                continue
            message = publication.message
            assert isinstance(message, OmniumStandings)
            last = message
            if message.status != "live":
                continue
            live.append(message)
            race = engine.results(omnium.POINTS_RACE)
            points = {line["bib"]: line.get("points") or 0 for line in race["lines"]}
            ranked = [line for line in message.lines if line.rank is not None]
            assert {line.bib: line.total for line in ranked} == {
                line.bib: points[line.bib] for line in ranked
            }
    # Published when a rider's points or laps change (each sprint as the loops judge it, the
    # lap changes) or a command comes for the race, not on the other passings: at least once
    # for each of its 8 sprints, and for far fewer than its passings (6,000 and more).
    assert points_race.LAPS // 10 <= len(live) < 200
    assert last is not None
    assert last.status == "final"
    assert rows(last) == omnium.points_final()


def test_a_rider_who_abandons_the_elimination_is_out_of_the_omnium() -> None:
    """The elimination ranks a rider who abandons, at the next sprint (3.2.223); the omnium
    puts them out, DNF (3.2.251 bis): 11 abandons the elimination (its line ranked 10th, out
    by "abandoned"); the standings after it are those of `omnium.AFTER_ELIMINATION` but for
    11, listed DNF with the 0 points it had (before 12, both abandoned, by bib)."""
    spec = meet().omniums[0]
    competition = OmniumCompetition(spec, meet().omnium_format(spec))
    lines = [
        msgspec.structs.replace(line, out_by="abandoned") if line.bib == 11 else line
        for line in omnium.ELIMINATION
    ]
    races = states(("final", omnium.SCRATCH), ("final", omnium.TEMPO), ("final", lines))
    expected = [row for row in omnium.AFTER_ELIMINATION if row[1] != 11]
    expected.insert(9, (None, 11, 0, "DNF"))
    assert rows(competition.standings(races, {})) == expected


@pytest.mark.slow  # 1.2-1.4 s: four races replayed, then fed to the engine
def test_the_four_races_from_bytes_their_totals_and_the_tie_break_as_worked_out_by_hand(
    tmp_path: Path,
) -> None:
    """The omnium races scenario (tests/scoring/scenarios/omnium_races.py, every place and total
    worked out by hand there): the four races scored by the engine from one capture of P3
    passings and the desk's and judges' commands. The standings after each race (a lap gained
    in the scratch; 12 not starting the tempo, out of the omnium), each race lined up by them;
    live in the points race, moving with each rider over the line in a sprint (sprint 1: 7 +5,
    9 +3, 3 +2, 6 +1; sprint 2: 2 +5, 5 +3, 8 +2, 6 +1; sprint 3: 1 alone +5, then 9 +3, 7 +2,
    3 +1), then 1's lap (+20), then the final sprint (5 +10, 1 +6, 9 +4, 7 +2, the others
    placed with no points); at the end 5 and 7 level on 121, parted by the final sprint (5 1st
    in it, 7 4th)."""
    capture = omnium_races.write_capture(tmp_path)
    text = omnium_races.meet_text()
    engine = ScoringEngine(parse_meet(text), {"finish": 0, "200m": 200, "100m": 100}, 250)
    published: list[OmniumStandings] = []
    start_lists: dict[str, list[int]] = {}  # the last one each race had
    passings = 0
    for event in replayed_events(tmp_path, text, capture):
        passings += event.kind == "passing"
        for publication in engine.feed(event):
            message = publication.message
            if isinstance(message, StartList):
                start_lists[publication.key.partition("/")[2]] = [r.bib for r in message.riders]
            elif isinstance(message, OmniumStandings):
                assert check(publication.key, publication.encoded()) is OmniumStandings
                published.append(message)

    def after(counted: int) -> list[list[omnium.Row]]:
        """The standings published while the first `counted` races were counted."""
        return [
            rows(message)
            for message in published
            if [race.counted for race in message.races] == [i < counted for i in range(4)]
        ]

    assert distinct(after(1)) == [omnium_races.AFTER_SCRATCH]  # provisional, final: the same
    assert distinct(after(2)) == [omnium_races.AFTER_TEMPO]
    assert distinct(after(3)) == [omnium_races.AFTER_ELIMINATION]
    for race, line_up in omnium_races.LINE_UPS.items():
        assert start_lists[race] == line_up
    # The points race: live from the moment it is armed, every total as it was.
    live = distinct([rows(m) for m in published if m.races[3].counted and m.status == "live"])
    assert live[0] == omnium_races.AFTER_ELIMINATION
    assert [changed(before, now) for before, now in pairwise(live)] == [
        {7: 5}, {9: 3}, {3: 2}, {6: 1},
        {2: 5}, {5: 3}, {8: 2}, {6: 1},
        {1: 5}, {9: 3}, {7: 2}, {3: 1},
        {1: 20},
        {5: 10}, {1: 6}, {9: 4}, {7: 2},
    ]  # fmt: skip
    assert live[12] == omnium_races.AFTER_SPRINT_3
    assert live[13] == omnium_races.AFTER_LAP_GAIN
    final = published[-1]
    assert (final.status, final.problems) == ("final", [])
    assert rows(final) == omnium_races.FINAL
    # Not built on every passing: on the desk's commands and the points race's sprints.
    assert len(published) < passings // 20
    # The tie-break read from the race: 5 and 7 1st and 4th in its final sprint, every rider
    # placed in it (the order across the line: 5, 1, 9, 7, then 2, 3, 4, 6, 8, 10, 11 by slot).
    points_race_lines = engine.results(omnium_races.POINTS_RACE)["lines"]
    assert {line["bib"]: line.get("final_sprint_place") for line in points_race_lines} == {
        5: 1, 1: 2, 9: 3, 7: 4, 2: 5, 3: 6, 4: 7, 6: 8, 8: 9, 10: 10, 11: 11
    }  # fmt: skip
    by_bib = {line.bib: line for line in final.lines}
    gained = by_bib[1].races[3]
    assert gained is not None
    assert (gained.points, gained.laps) == (31, 1)  # sprint 3's 5, the final's 6, 20 its lap
    assert [None if score is None else score.status for score in by_bib[12].races] == [
        "", "DNS", None, None
    ]  # fmt: skip


def distinct(standings: list[list[omnium.Row]]) -> list[list[omnium.Row]]:
    """The standings as they changed: each one unlike the one before."""
    return [each for i, each in enumerate(standings) if i == 0 or each != standings[i - 1]]


def changed(before: list[omnium.Row], now: list[omnium.Row]) -> dict[int, int]:
    """The riders whose total changed from one standings to the next, and by how much."""
    totals = {bib: total for _, bib, total, _ in before}
    return {bib: total - totals[bib] for _, bib, total, _ in now if total != totals[bib]}
