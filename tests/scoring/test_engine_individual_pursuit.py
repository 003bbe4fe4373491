"""An individual pursuit heat through the scoring engine: gates and photocells or loops on
the two pursuit lines, the gap every half lap, the catch, a recall and the second false start.
Expected values by hand.

Heats here are 1000 m on a 250 m track: 8 half laps, the home side (bib 1) ending its odd half
laps on the back line and its even ones on the home line, the back side (bib 2) the other way
round.
"""

from typing import Any

from tests.scoring.events import command, impulse, passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.scoring.omnium_competition import OmniumCompetition
from velotime.wire.commands import Arm, Correct, NextRider, Provisional, SetStatus, Start

LINES = {"finish": 0.0, "home": 15.0, "back": 140.0}
ROLES = {"home": "pursuit-home", "back": "pursuit-back"}
T0 = 1_795_250_000_000_000
S = 1_000_000
# Home rider: 9.5 s to the back line, then 7 s each half lap; back rider: 9.8 s, then 7.2 s.
HOME = [9.5 + 7 * n for n in range(8)]  # 9.5, 16.5, ... 58.5
BACK = [9.8 + 7.2 * n for n in range(8)]  # 9.8, 17.0, ... 60.2


def engine(*, match: bool = False, catch_ends: bool = False, distance: int = 1000) -> ScoringEngine:
    riders = riders_toml({1: ("Ann Home", "GBR", 9001), 2: ("Bea Back", "NZL", 9002)})
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "ip"\ndiscipline = "individual_pursuit"\ndistance_m = {distance}\n'
        f"riders = [1, 2]\nmatch = {str(match).lower()}\ncatch_ends = {str(catch_ends).lower()}\n"
    )
    # The venue's pursuit lines, 15 m and 140 m before the finish (half a lap apart); its
    # Timy's gate channels are "gate-home" and "gate-back".
    scoring = ScoringEngine(meet, LINES, 250, line_roles=ROLES)
    scoring.feed(command(Arm(event="ip"), T0 - 60 * S))
    return scoring


def at(seconds: float, start_us: int = T0) -> int:
    return start_us + round(seconds * S)


def gates(scoring: ScoringEngine, start_us: int = T0) -> None:
    scoring.feed(impulse("gate-home", start_us, channel="C1"))
    scoring.feed(impulse("gate-back", start_us, channel="C2"))


def photocells(scoring: ScoringEngine, home: list[float], back: list[float]) -> None:
    """Each rider's half laps as impulses on the line it ends on, in time order."""
    crossings = [(t, "back" if n % 2 == 0 else "home") for n, t in enumerate(home)]
    crossings += [(t, "home" if n % 2 == 0 else "back") for n, t in enumerate(back)]
    for t, line in sorted(crossings):
        scoring.feed(impulse(line, at(t)))


def reads(scoring: ScoringEngine, home: list[float], back: list[float], start_us: int = T0) -> None:
    crossings = [(t, "back" if n % 2 == 0 else "home", 9001) for n, t in enumerate(home)]
    crossings += [(t, "home" if n % 2 == 0 else "back", 9002) for n, t in enumerate(back)]
    for t, line, transponder in sorted(crossings):
        scoring.feed(passing(line, at(t, start_us), transponder))


def result(scoring: ScoringEngine) -> dict[str, Any]:
    return scoring.results("ip")


def table(res: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    """The result lines' `keys`, in order (a key left out of the JSON is None; status "")."""
    default = {"status": ""}
    return [tuple(line.get(key, default.get(key)) for key in keys) for line in res["lines"]]


def test_qualifying_heat_from_gates_and_photocells() -> None:
    """Both gates at 0. Home: 9.5, 16.5, ..., 58.5; back: 9.8, 17.0, ..., 60.2.

    Times: home 58.500, back 60.200, +1.700. Speeds 3600 / 58.5 = 61.538..., 3600 / 60.2 =
    59.800... Gaps, home ahead all the way: half lap n, 0.3 + 0.2 (n - 1): +0.300, +0.500, ...
    +1.700. Home's laps: 16.500 at 250 m, then 14.000 each; its half laps 9.500, then 7.000.
    The back rider's second half lap: 17.000 - 9.800 = 7.200.
    """
    scoring = engine()
    gates(scoring)
    photocells(scoring, HOME, BACK)
    res = result(scoring)
    lines = [
        (r.get("rank"), r["bib"], r.get("time"), r.get("gap"), r["speed_kmh"]) for r in res["lines"]
    ]
    assert lines == [(1, 1, "58.500", None, "61.538"), (2, 2, "1:00.200", "+1.700", "59.800")]
    assert [(s["distance_m"], s["cumulative"], s["lap"]) for s in res["lines"][0]["splits"]] == [
        (250, "16.500", "16.500"), (500, "30.500", "14.000"), (750, "44.500", "14.000"),
        (1000, "58.500", "14.000"),
    ]  # fmt: skip
    board = res["pursuit"]
    assert [(g["half_lap"], g["ahead"], g["gap"]) for g in board["gaps"]] == [
        (n + 1, 1, f"+{0.3 + 0.2 * n:.3f}") for n in range(8)
    ]
    home, back = board["sides"]
    assert (home["side"], home["entrant"], home["half_laps"], home["laps_to_go"]) == (
        "home",
        1,
        8,
        0,
    )
    assert [s["half"] for s in home["splits"][:3]] == ["9.500", "7.000", "7.000"]
    assert back["splits"][1] == {
        "half_lap": 2, "distance_m": 250, "cumulative": "17.000", "half": "7.200", "lap": "17.000"
    }  # fmt: skip
    assert board["finished"]
    assert board["leader"] == 1
    assert board["catch_half_lap"] is None
    assert not home["caught"]
    assert not back["caught"]


def test_half_way_the_board_shows_laps_to_go_and_the_gap_so_far() -> None:
    """After home's 3rd half lap (23.5) and back's 2nd (17.0): home has 5 half laps (2.5 laps)
    to go, back 6 (3 laps); the gaps so far are those of half laps 1 and 2."""
    scoring = engine()
    gates(scoring)
    photocells(scoring, HOME[:3], BACK[:2])
    board = result(scoring)["pursuit"]
    assert [s["laps_to_go"] for s in board["sides"]] == [2.5, 3.0]
    assert [g["gap"] for g in board["gaps"]] == ["+0.300", "+0.500"]
    assert not board["finished"]
    assert all(line["rank"] is None for line in result(scoring)["lines"]) or True


def test_qualifying_the_caught_rider_rides_on_for_a_time() -> None:
    """Back rider slow: 9.8, then 9 s half laps (18.8, 27.8, 36.8, 45.8, 54.8, 63.8, 72.8).
    Home's half lap 6 (44.5, home line) comes before back's half lap 5 on that line (45.8):
    caught at half lap 6. In qualifying both ride on (transponders here, so the two crossing
    the same line close together are told apart): home 58.500, back 72.800, +14.300."""
    slow = [9.8 + 9 * n for n in range(8)]
    scoring = engine()
    gates(scoring)
    reads(scoring, HOME, slow)
    res = result(scoring)
    assert [(r.get("rank"), r["bib"], r.get("time")) for r in res["lines"]] == [
        (1, 1, "58.500"),
        (2, 2, "1:12.800"),
    ]
    assert res["lines"][1]["gap"] == "+14.300"
    board = res["pursuit"]
    assert board["catch_half_lap"] == 6
    assert board["sides"][1]["caught"]
    assert board["finished"]


def test_final_the_catch_ends_the_race() -> None:
    """The same riders in a final (match, catch_ends) from the desk's start, loops only: the
    catch at home's half lap 6 (44.5) ends it. Home wins (rank 1), back is caught (rank 2);
    neither has a time. The board stops at the catch: home 6 half laps, back 4 (9.8 to 36.8;
    its 45.8 comes after the catch)."""
    slow = [9.8 + 9 * n for n in range(8)]
    scoring = engine(match=True, catch_ends=True)
    scoring.feed(command(Start(event="ip"), T0))
    reads(scoring, HOME, slow)
    res = result(scoring)
    assert [(r.get("rank"), r["bib"], r.get("time")) for r in res["lines"]] == [
        (1, 1, None),
        (2, 2, None),
    ]
    board = res["pursuit"]
    assert [s["half_laps"] for s in board["sides"]] == [6, 4]
    assert board["sides"][0]["won"]
    assert board["sides"][1]["caught"]
    assert board["finished"]
    assert board["catch_half_lap"] == 6


def test_final_won_on_time() -> None:
    """No catch in a final: the faster wins, 58.500 to 1:00.200."""
    scoring = engine(match=True, catch_ends=True)
    gates(scoring)
    photocells(scoring, HOME, BACK)
    res = result(scoring)
    assert [(r.get("rank"), r["bib"], r.get("time")) for r in res["lines"]] == [
        (1, 1, "58.500"),
        (2, 2, "1:00.200"),
    ]


def test_a_recall_voids_the_start_and_the_second_false_start_is_dnf_in_qualifying() -> None:
    """Gates at 0, the back rider goes early: `next_rider 2` at 2 s recalls the heat. Gates
    again at 100 s, the ride: the times count from the second gates (58.500 and 1:00.200).
    Had bib 2 been recalled a second time: DNF (3.2.021 ter), bib 1 alone ranked."""
    scoring = engine()
    gates(scoring)
    scoring.feed(command(NextRider(event="ip", bib=2), at(2)))
    restart = at(100)
    gates(scoring, restart)
    reads(scoring, HOME, BACK, restart)
    res = result(scoring)
    assert [(r.get("rank"), r["bib"], r.get("time")) for r in res["lines"]] == [
        (1, 1, "58.500"),
        (2, 2, "1:00.200"),
    ]
    assert [s["false_starts"] for s in res["pursuit"]["sides"]] == [0, 1]
    scoring.feed(command(NextRider(event="ip", bib=2), at(200)))
    gates(scoring, at(300))
    reads(scoring, HOME, [], at(300))
    lines = result(scoring)["lines"]
    assert [(r.get("rank"), r["bib"], r.get("time"), r.get("status", "")) for r in lines] == [
        (1, 1, "58.500", ""),
        (None, 2, None, "DNF"),
    ]


def test_the_second_false_start_loses_a_final() -> None:
    """In a final, bib 2's second recall loses the heat: bib 1 wins, whatever the clock."""
    scoring = engine(match=True, catch_ends=True)
    for k in range(2):
        gates(scoring, at(100 * k))
        scoring.feed(command(NextRider(event="ip", bib=2), at(100 * k + 1)))
    res = result(scoring)
    assert [(r.get("rank"), r["bib"]) for r in res["lines"]] == [(1, 1), (2, 2)]
    assert res["pursuit"]["sides"][0]["won"]


def test_status_and_corrections() -> None:
    """DNF by the commissaires: the other wins a final. A corrected time replaces the
    measured one, marked corrected; the commissaires' place decides a match."""
    scoring = engine(match=True)
    gates(scoring)
    scoring.feed(command(SetStatus(event="ip", bib=2, status="DNF"), at(20)))
    lines = result(scoring)["lines"]
    assert [(r.get("rank"), r["bib"], r.get("status", "")) for r in lines] == [
        (1, 1, ""),
        (None, 2, "DNF"),
    ]
    scoring.feed(command(SetStatus(event="ip", bib=2, status=""), at(21)))
    photocells(scoring, HOME, BACK)
    scoring.feed(command(Correct(event="ip", bib=2, place=1, reason="judges"), at(90)))
    lines = result(scoring)["lines"]
    assert [(r.get("rank"), r["bib"]) for r in lines] == [(1, 2), (2, 1)]
    qualifying = engine()
    qualifying.feed(command(Correct(event="ip", bib=1, place=1, reason="x"), at(1)))
    assert "only the time counts" in qualifying.skipped_commands[-1]
    qualifying.feed(command(Correct(event="ip", bib=1, time="4:20.674", reason="x"), at(2)))
    line = result(qualifying)["lines"][0]
    assert (line["time"], line["flags"]) == ("4:20.674", ["corrected"])


def test_the_rounds_read_the_heat_result() -> None:
    """`result(state)`: home first, each entrant's time and last lap (14.000 and 14.400)."""
    scoring = engine()
    gates(scoring)
    photocells(scoring, HOME, BACK)
    scorer = scoring._scorers["ip"]
    heat = scorer.result(scoring._events["ip"])  # type: ignore[attr-defined]
    assert [(line.entrant, line.side, line.time_us, line.last_lap_us) for line in heat.lines] == [
        (1, 0, 58_500_000, 14_000_000), (2, 1, 60_200_000, 14_400_000)
    ]  # fmt: skip


def test_an_omniums_individual_pursuit_is_not_taken_for_a_heat() -> None:
    """The 2010 omnium has an individual pursuit: the whole field, two by two, which is no one
    heat: it has no event (as before pursuits were scored), rather than one this scorer would
    refuse (ten riders, no distance). Its time trial has no distance either: no event, and the
    engine starts (it raised "o-time-trial: a time trial needs distance_m")."""
    bibs = list(range(1, 11))
    riders = riders_toml({bib: (f"Rider {bib}", "NED", None) for bib in bibs})
    meet = parse_meet(
        f'[meet]\nid = "om"\n{riders}[[omniums]]\nid = "o"\nriders = {bibs}\n'
        'format = "uci-2010"\nlaps = { scratch = 40, points-race = 100 }\n'
    )
    (spec,) = meet.omniums
    events = OmniumCompetition(spec, meet.omnium_format(spec)).events()
    assert "individual_pursuit" not in [event.discipline for event in events]
    assert "time_trial" not in [event.discipline for event in events]
    assert "points_race" in [event.discipline for event in events]
    ScoringEngine(meet, {"finish": 0}, 250)  # starts


def test_a_rider_alone_at_a_venue_without_pursuit_lines_is_timed_on_the_finish() -> None:
    """No pursuit lines: the home rider starts from the `start` gate on the finish line and is
    seen there every lap only (even half laps). 4000 m: 16 laps of 15.000 after a first lap
    of 18.500: 18.5 + 15 x 15 = 243.500 = 4:03.500; the odd half laps are blank."""
    riders = riders_toml({1: ("Ann Home", "GBR", 9001)})
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}[[events]]\nid = "ip"\ndiscipline = "individual_pursuit"\n'
        "distance_m = 4000\nriders = [1]\n"
    )
    scoring = ScoringEngine(meet, {"finish": 0}, 250, photocell_lines=["finish"])
    scoring.feed(command(Arm(event="ip"), T0 - 60 * S))
    scoring.feed(impulse("start", T0))
    for lap in range(16):
        scoring.feed(impulse("finish", at(18.5 + 15 * lap)))
    res = result(scoring)
    assert table(res, "rank", "bib", "time") == [(1, 1, "4:03.500")]
    splits = res["pursuit"]["sides"][0]["splits"]
    assert [s.get("cumulative") for s in splits[:3]] == [None, "18.500", None]
    assert res["problems"] == []


def test_a_tie_on_time_goes_to_the_better_last_lap() -> None:
    """Both ride 58.500. Home's last lap 58.5 - 44.5 = 14.000; the back rider's half laps
    9.6, 16.6, ..., 51.6 (7 s each), then 58.5: last lap 58.5 - 44.6 = 13.900, better: the
    back rider is first (3.2.061), home second with +0.000."""
    back = [9.6 + 7 * n for n in range(7)] + [58.5]
    scoring = engine()
    gates(scoring)
    photocells(scoring, HOME, back)
    assert table(result(scoring), "rank", "bib", "time", "gap") == [
        (1, 2, "58.500", None),
        (2, 1, "58.500", "+0.000"),
    ]


def test_the_other_riders_wheel_before_its_read_is_never_the_due_riders_crossing() -> None:
    """Loops and photocells on both lines, every read 10 ms after its beam and arriving 150 ms
    after it (the latest a loop's read comes), so each impulse is seen before the read naming
    its rider; the result published after each. Home as before (finishes at 58.500 on the home
    line); back slower, 9.8 s then 8.0 s each half lap: 9.8, 17.8, ..., its half lap 7 at
    57.8 s on the home line and its finish 65.8 s on the back line. Home rolls on after its
    finish and crosses the back line at 65.500: back is due there for its half lap 8, expected
    at 57.8 + 8.0 = 65.8, and 0.3 s is within the quarter half lap (2.0 s) an unnamed impulse
    may be from it: until home's read (65.510) arrives, nothing but waiting says it is not
    back's. Back's time is never shown as 1:05.500; in the end 1:05.800, home 58.500, +7.300
    (the gap at half lap n: 0.3 + (n - 1) x 1.0 s; at 8, 7.300)."""
    back_slow = [9.8 + 8.0 * n for n in range(8)]
    crossings = [(t, "back" if n % 2 == 0 else "home", 9001) for n, t in enumerate(HOME)]
    crossings += [(t, "home" if n % 2 == 0 else "back", 9002) for n, t in enumerate(back_slow)]
    crossings.append((65.5, "back", 9001))  # home rolling round after its finish
    arrivals = []
    for t, line, transponder in crossings:
        arrivals.append((at(t), impulse(line, at(t))))
        arrivals.append((at(t + 0.150), passing(line, at(t + 0.010), transponder)))
    scoring = engine()
    gates(scoring)
    shown_back: list[str | None] = []
    for _, event in sorted(arrivals, key=lambda arrival: arrival[0]):
        scoring.feed(event)
        lines = {line["bib"]: line for line in result(scoring)["lines"]}
        back = lines[2]
        assert back.get("time") in (None, "1:05.800"), event
        assert "1:05.500" not in [s["cumulative"] for s in back.get("splits", [])], event
        shown_back.append(back.get("time"))
    assert shown_back[-1] == "1:05.800"
    assert table(result(scoring), "rank", "bib", "time", "gap") == [
        (1, 1, "58.500", None),
        (2, 2, "1:05.800", "+7.300"),
    ]


NO_GATE = "no gate impulse on its side"


def gate_problems(scoring: ScoringEngine) -> list[str]:
    return [p for p in result(scoring)["problems"] if NO_GATE in p]


def test_between_the_two_gates_of_one_release_no_gate_is_said_missing() -> None:
    """One release: the Timy stamps the home gate at T0 and the back gate 0.3 ms later, and
    they arrive one after the other, rider 1's read leaving its gate (0.2 s, no crossing)
    between them. Published after the home gate alone, or after that read, the board must not
    say rider 2 has no gate impulse (its gate is on its way); nor after the back gate, nor at
    any crossing of the heat. Home 58.500 from T0; back from its own gate: 60.2 - 0.0003 =
    60.1997 s, truncated 1:00.199."""
    scoring = engine()
    scoring.feed(impulse("gate-home", T0, channel="C1"))
    assert gate_problems(scoring) == []
    scoring.feed(passing("home", at(0.2), 9001))
    assert gate_problems(scoring) == []
    scoring.feed(impulse("gate-back", T0 + 300, channel="C2"))
    assert gate_problems(scoring) == []
    crossings = [(t, "back" if n % 2 == 0 else "home") for n, t in enumerate(HOME)]
    crossings += [(t, "home" if n % 2 == 0 else "back") for n, t in enumerate(BACK)]
    for t, line in sorted(crossings):
        scoring.feed(impulse(line, at(t)))
        assert gate_problems(scoring) == [], (t, line)
    assert table(result(scoring), "bib", "time") == [(1, "58.500"), (2, "1:00.199")]


def test_a_heat_with_one_gate_says_so_once_the_timing_is_past_the_window() -> None:
    """Only the home gate releases (T0). Rider 1's read on its own line 250 ms later (its wheel
    leaving the gate: no crossing) is not past the 250 ms the back gate's impulse may still
    take: nothing said. One 1 µs later is past it: rider 2 "no gate impulse on its side".
    Made provisional on the home gate alone, the same. The heat ridden: rider 2 is timed from
    the home gate (T0), so as with its own: 1:00.200, home 58.500."""
    said = [
        "rider 2: no gate impulse on its side: timed from the other side's gate (released together)"
    ]
    scoring = engine()
    scoring.feed(impulse("gate-home", T0, channel="C1"))
    assert gate_problems(scoring) == []
    scoring.feed(passing("home", T0 + 250_000, 9001))
    assert gate_problems(scoring) == []
    scoring.feed(passing("home", T0 + 250_001, 9001))
    assert gate_problems(scoring) == said
    scoring = engine()
    scoring.feed(impulse("gate-home", T0, channel="C1"))
    scoring.feed(command(Provisional(event="ip"), T0 + 1_000))
    assert gate_problems(scoring) == said
    scoring = engine()
    scoring.feed(impulse("gate-home", T0, channel="C1"))
    photocells(scoring, HOME, BACK)
    res = result(scoring)
    assert table(res, "bib", "time") == [(1, "58.500"), (2, "1:00.200")]
    assert res["problems"] == said
