"""A sprint tournament in the engine: races made from final results only, race 2 after race 1,
the decider only at 1-1, the standings a bracket reads, and a draw never left standing on a result
reopened. Expected values by hand from the meets below and uci-rules.md §2.3."""

from typing import Any

import msgspec
import pytest

from tests.scoring.events import passing
from velotime.scoring.engine import Publication, ScoringEngine
from velotime.scoring.meet import MeetError, parse_meet
from velotime.wire.commands import (
    Arm,
    Command,
    Correct,
    Final,
    Provisional,
    Reopen,
    SetStatus,
    Start,
)
from velotime.wire.results import Standings, StartList

NL = "\n"
BIBS = list(range(11, 19))
START_US = 1_795_219_200_000_000


def meet_text(competition: str, events: str = "") -> str:
    riders = "".join(
        f'[[riders]]{NL}bib = {bib}{NL}name = "S{bib}"{NL}transponders = [{1000 + bib}]{NL}'
        for bib in BIBS
    )
    return f'[meet]\nid = "m"\n{riders}{events}\n[[competitions]]\nid = "sp"\n' + competition


SEEDED = meet_text(f'discipline = "sprint"\nname = "Sprint"\nseeding = {BIBS}\n')


def start_lists(publications: list[Publication]) -> dict[str, list[int]]:
    return {
        p.message.event: [rider.bib for rider in p.message.riders]
        for p in publications
        if isinstance(p.message, StartList)
    }


def standings(engine: ScoringEngine) -> dict[str, Any]:
    (found,) = [p.message for p in engine.snapshot() if isinstance(p.message, Standings)]
    out: dict[str, Any] = msgspec.to_builtins(found)
    return out


class Desk:
    """Rides races by transponder: the riders cross the finish line in the given order, 0.1 s
    apart, in the latest-crossing mode (no `laps`)."""

    def __init__(self, engine: ScoringEngine) -> None:
        self.engine = engine
        self.t_us = START_US

    def ride(self, event: str, order: list[int], *decisions: Command) -> list[Publication]:
        self.t_us += 600_000_000
        self.engine.command(Arm(event=event), self.t_us)
        self.engine.command(Start(event=event), self.t_us)
        for i, bib in enumerate(order):
            self.engine.feed(passing("finish", self.t_us + 60_000_000 + i * 100_000, 1000 + bib))
        for decision in decisions:
            self.engine.command(decision, self.t_us + 70_000_000)
        return self.engine.command(Final(event=event), self.t_us + 90_000_000)


def test_race_2_after_race_1_and_the_decider_only_at_one_all() -> None:
    """8 seeded riders: quarter-finals 11v18, 12v17, 13v16, 14v15 (best of three). Race 1s are
    drawn at once; QF1's race 2 only once its race 1 is final, with the positions swapped
    (3.2.037); 11 wins both: no race 3. QF2: 12 wins race 1, 17 race 2 (12 relegated: it crossed
    first), so race 3 is drawn, 12 v 17 again."""
    engine = ScoringEngine(parse_meet(SEEDED), {"finish": 0})
    drawn = start_lists(engine.snapshot())
    assert drawn == {
        "sp-1-4-1-r1": [11, 18],
        "sp-1-4-2-r1": [12, 17],
        "sp-1-4-3-r1": [13, 16],
        "sp-1-4-4-r1": [14, 15],
    }
    desk = Desk(engine)
    assert start_lists(desk.ride("sp-1-4-1-r1", [11, 18])) == {"sp-1-4-1-r2": [18, 11]}
    assert start_lists(desk.ride("sp-1-4-1-r2", [11, 18])) == {}  # 2-0: no decider
    assert start_lists(desk.ride("sp-1-4-2-r1", [12, 17])) == {"sp-1-4-2-r2": [17, 12]}
    relegated = SetStatus(event="sp-1-4-2-r2", bib=12, status="REL", reason="irregular sprint")
    assert start_lists(desk.ride("sp-1-4-2-r2", [12, 17], relegated)) == {"sp-1-4-2-r3": [12, 17]}
    quarter_2 = standings(engine)["rounds"][0]["heats"][1]
    assert quarter_2["event"] == "sp-1-4-2"
    assert (quarter_2["riders"], quarter_2["wins"], quarter_2["status"]) == (
        [12, 17],
        [1, 1],
        "running",
    )
    assert [(r["event"], r["winner"]) for r in quarter_2["races"]] == [
        ("sp-1-4-2-r1", 12), ("sp-1-4-2-r2", 17), ("sp-1-4-2-r3", None)
    ]  # fmt: skip


def test_a_round_is_drawn_once_every_match_feeding_it_is_decided() -> None:
    """Upsets 18 over 11 and 15 over 14: the semi-finals by slot, 18 (slot 1) v 15 (slot 4) and
    12 (slot 2) v 13 (slot 3); then gold 18 v 12 and bronze 15 v 13. 12 wins the gold 2-0, 15 the
    bronze. Classification: 12, 18, 15, 13; then the quarter-final losers by qualifying rank
    (their place in the seeding): 11, 14, 16, 17."""
    engine = ScoringEngine(parse_meet(SEEDED), {"finish": 0})
    desk = Desk(engine)
    winners = {1: 18, 2: 12, 3: 13, 4: 15}
    riders = {1: (11, 18), 2: (12, 17), 3: (13, 16), 4: (14, 15)}
    drawn: dict[str, list[int]] = {}
    for heat in (1, 2, 3, 4):
        for race in (1, 2):
            winner = winners[heat]
            loser = next(b for b in riders[heat] if b != winner)
            drawn |= start_lists(desk.ride(f"sp-1-4-{heat}-r{race}", [winner, loser]))
            if heat < 4:
                assert "sp-1-2-1-r1" not in drawn
    assert drawn["sp-1-2-1-r1"] == [18, 15]
    assert drawn["sp-1-2-2-r1"] == [12, 13]
    for race in (1, 2):
        drawn |= start_lists(desk.ride(f"sp-1-2-1-r{race}", [18, 15]))
        drawn |= start_lists(desk.ride(f"sp-1-2-2-r{race}", [12, 13]))
    assert drawn["sp-final-r1"] == [18, 12]
    assert drawn["sp-bronze-final-r1"] == [15, 13]
    assert standings(engine)["classification"] == []
    for race in (1, 2):
        desk.ride(f"sp-final-r{race}", [12, 18])
        desk.ride(f"sp-bronze-final-r{race}", [15, 13])
    final = standings(engine)
    assert final["status"] == "final"
    assert [(line["rank"], line["bib"]) for line in final["classification"]] == [
        (1, 12), (2, 18), (3, 15), (4, 13), (5, 11), (6, 14), (7, 16), (8, 17)
    ]  # fmt: skip
    assert final["classification"][0]["name"] == "S12"
    assert final["rounds"][0]["slots"][0] == ["q1", "q8"]
    assert final["rounds"][0]["best_of"] == 3


def test_a_reopened_race_never_leaves_a_draw_standing() -> None:
    """Race 2 of QF1 was drawn from race 1: race 1 can no longer be reopened. Race 2 (11 won
    2-0, no later round drawn yet) can, and a place correction there makes it 1-1: the decider."""
    engine = ScoringEngine(parse_meet(SEEDED), {"finish": 0})
    desk = Desk(engine)
    desk.ride("sp-1-4-1-r1", [11, 18])
    refused = engine.take_command(Reopen(event="sp-1-4-1-r1", reason="protest"))
    assert refused is not None
    assert "sp-1-4-1-r2" in refused
    desk.ride("sp-1-4-1-r2", [11, 18])
    assert engine.take_command(Reopen(event="sp-1-4-1-r2", reason="protest")) is None
    engine.command(Correct(event="sp-1-4-1-r2", bib=18, place=1, reason="video"))
    assert start_lists(engine.command(Final(event="sp-1-4-1-r2"))) == {"sp-1-4-1-r3": [11, 18]}


QUALIFYING = f"""
[[events]]
id = "q200"
discipline = "flying200"
start_order = {BIBS}
qualify = 4
"""


def test_seeded_from_the_flying_200_once_it_is_final() -> None:
    """Qualifying of 8, 4 go on (`qualify = 4`): semi-finals 1v4, 2v3 by the 200 m ranking.
    Times (200 m line -> finish): 14 10.1 s, 12 10.2, 17 10.3, 11 10.4, then the others slower:
    semi-finals 14 v 11 and 12 v 17. Nothing is drawn while the qualifying is provisional; once
    the sprint is drawn, the qualifying cannot be reopened."""
    meet = parse_meet(meet_text('discipline = "sprint"\nqualifying = "q200"\n', QUALIFYING))
    engine = ScoringEngine(meet, {"finish": 0, "200m": 200})
    assert not [key for key in start_lists(engine.snapshot()) if key.startswith("sp-")]
    times = {14: 10.1, 12: 10.2, 17: 10.3, 11: 10.4, 13: 10.5, 15: 10.6, 16: 10.7, 18: 10.8}
    engine.command(Arm(event="q200"), START_US)
    for i, bib in enumerate(BIBS):
        at = START_US + 10_000_000 + i * 60_000_000
        engine.feed(passing("200m", at, 1000 + bib))
        engine.feed(passing("finish", at + round(times[bib] * 1_000_000), 1000 + bib))
    assert start_lists(engine.command(Provisional(event="q200"), START_US + 10**9)) == {}
    assert standings(engine)["qualifiers"] == []
    drawn = start_lists(engine.command(Final(event="q200"), START_US + 10**9))
    assert drawn == {"sp-1-2-1-r1": [14, 11], "sp-1-2-2-r1": [12, 17]}
    assert standings(engine)["qualifiers"] == [14, 12, 17, 11]
    refused = engine.take_command(Reopen(event="q200", reason="protest"))
    assert refused is not None
    assert "sp-1-2-1-r1" in refused


@pytest.mark.parametrize(
    ("competition", "events", "problem"),
    [
        (
            'discipline = "sprint"\n',
            "",
            "competitions[0]: a sprint is seeded by `seeding` or by `qualifying`, one of them",
        ),
        (
            'discipline = "sprint"\nqualifying = "nope"\n',
            "",
            "competitions[0].qualifying: no event 'nope' in [[events]]",
        ),
        (
            f'discipline = "sprint"\nseeding = {BIBS[:3]}\n',
            "",
            "competitions[0]: sprint: a knockout takes 4 to 32 qualifiers, not 3",
        ),
        (
            'discipline = "sprint"\nqualifying = "q200"\nqualifiers = 40\n',
            QUALIFYING,
            "competitions[0]: sprint: a knockout takes 4 to 32 qualifiers, not 40",
        ),
    ],
)
def test_a_sprint_competition_s_mistakes_are_named(
    competition: str, events: str, problem: str
) -> None:
    with pytest.raises(MeetError) as error:
        parse_meet(meet_text(competition, events), "m.toml")
    assert f"m.toml: {problem}" in str(error.value).splitlines()


def test_a_sprint_race_of_its_own_in_events() -> None:
    """A `sprint` event is one race: 2 to 4 riders (3.2.029), its distance in laps."""
    race = '[[events]]\nid = "r"\ndiscipline = "sprint"\nlaps = 3\nriders = '
    meet = meet_text(f'discipline = "sprint"\nseeding = {BIBS[:4]}\n', race + "[11, 12]\n")
    assert parse_meet(meet).event("r").laps == 3
    with pytest.raises(MeetError) as error:
        parse_meet(meet.replace("riders = [11, 12]", f"riders = {BIBS[:5]}"), "m.toml")
    assert "m.toml: events[0].riders: a sprint race is 2 to 4 riders, got 5" in str(error.value)


def test_a_tie_in_the_qualifying_waits_for_the_commissaires() -> None:
    """14 and 12 both ride 10.100 s and there is no 100 m split to part them (3.2.027): a draw,
    both 1st. Who meets whom depends on it (1v4, 2v3), so nothing is drawn and the standings say
    why. The commissaires reopen the qualifying, put 12 first, and make it final: semi-finals
    12 v 11 and 14 v 17."""
    meet = parse_meet(meet_text('discipline = "sprint"\nqualifying = "q200"\n', QUALIFYING))
    engine = ScoringEngine(meet, {"finish": 0, "200m": 200})
    times = {14: 10.1, 12: 10.1, 17: 10.3, 11: 10.4, 13: 10.5, 15: 10.6, 16: 10.7, 18: 10.8}
    engine.command(Arm(event="q200"), START_US)
    for i, bib in enumerate(BIBS):
        at = START_US + 10_000_000 + i * 60_000_000
        engine.feed(passing("200m", at, 1000 + bib))
        engine.feed(passing("finish", at + round(times[bib] * 1_000_000), 1000 + bib))
    assert start_lists(engine.command(Final(event="q200"), START_US + 10**9)) == {}
    (problem,) = standings(engine)["problems"]
    assert "riders [12, 14] tie in the qualifying ranking" in problem
    assert engine.take_command(Reopen(event="q200", reason="draw for 1st")) is None
    engine.command(Correct(event="q200", bib=12, place=1, reason="drawn first"))
    drawn = start_lists(engine.command(Final(event="q200"), START_US + 10**9))
    assert drawn == {"sp-1-2-1-r1": [12, 11], "sp-1-2-2-r1": [14, 17]}
    assert standings(engine)["problems"] == []


OWN_TABLE = """
[[competitions.sprint_rounds]]
name = "round 1"
heats = [["q1", "q4"], ["q2", "q3"]]

[[competitions.sprint_rounds]]
name = "repechage"
heats = [["round 1:1:2", "round 1:2:2", "q5"]]

[[competitions.sprint_rounds]]
name = "final"
heats = [["round 1:1", "round 1:2", "repechage:1"]]
first_place = 1
"""


def test_a_meets_own_table_with_a_repechage_and_a_walk_over() -> None:
    """5 qualifiers 11-15, a table of the meet's own: round 1 11v14, 12v13 (one race each); the
    losers and 15 ride a repechage of three; the winners of all three ride a final of three.
    14 does not start: 11 wins by walk-over and 14, 2nd of the match, rides the repechage, where
    15 wins, 12 2nd, 14 DNF. Final: 13, 15, 11. Classification: 1 13, 2 15, 3 11, then the riders
    out in the repechage by qualifying rank: 4 12 (q2), 5 14 (q4)."""
    competition = f'discipline = "sprint"\nseeding = {BIBS[:5]}\n{OWN_TABLE}'
    engine = ScoringEngine(parse_meet(meet_text(competition)), {"finish": 0})
    assert start_lists(engine.snapshot()) == {"sp-round-1-1": [11, 14], "sp-round-1-2": [12, 13]}
    desk = Desk(engine)
    walk_over = SetStatus(event="sp-round-1-1", bib=14, status="DNS", reason="not at the start")
    desk.ride("sp-round-1-1", [11], walk_over)
    assert start_lists(desk.ride("sp-round-1-2", [13, 12])) == {"sp-repechage": [14, 12, 15]}
    dnf = SetStatus(event="sp-repechage", bib=14, status="DNF", reason="crashed")
    assert start_lists(desk.ride("sp-repechage", [15, 12], dnf)) == {"sp-final": [11, 13, 15]}
    desk.ride("sp-final", [13, 15, 11])
    final = standings(engine)
    assert final["format"] == "sp"
    assert [(line["rank"], line["bib"]) for line in final["classification"]] == [
        (1, 13), (2, 15), (3, 11), (4, 12), (5, 14)
    ]  # fmt: skip
    assert final["rounds"][0]["heats"][0]["order"] == [11, 14]


def test_a_rider_disqualified_in_race_1_loses_the_match_without_a_race_2() -> None:
    """QF4 14 v 15: 15 is disqualified in race 1 (3.2.013: out of the tournament): the match is
    14's, no race 2 is drawn; 15 is unranked in the classification, DSQ."""
    engine = ScoringEngine(parse_meet(SEEDED), {"finish": 0})
    desk = Desk(engine)
    dsq = SetStatus(event="sp-1-4-4-r1", bib=15, status="DSQ", reason="dangerous riding")
    assert start_lists(desk.ride("sp-1-4-4-r1", [15, 14], dsq)) == {}
    quarter_4 = standings(engine)["rounds"][0]["heats"][3]
    assert (quarter_4["status"], quarter_4["order"]) == ("final", [14])
