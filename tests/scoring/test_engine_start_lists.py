"""`startlists/<event>`: who rides each event, in start order, from before it is ridden; a keirin
competition's later rounds once drawn up. Expected values by hand from the meet below."""

import msgspec

from tests.scoring.events import passing
from velotime.scoring.engine import Publication, ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final
from velotime.wire.results import StartList

NL = "\n"
SEEDING = list(range(31, 43))  # 12 entrants: the UCI table 10-14 (round 1 of two heats, finals)
MEET = f"""
[meet]
id = "m"

[[riders]]
bib = 7
name = "Anna Alpha"
nation = "NED"
transponders = [1007]

[[riders]]
bib = 12
name = "Bea Beta"
nation = "GBR"
transponders = [1012]

[[riders]]
bib = 21
name = "Cleo Gamma"
nation = "AUS"
transponders = [1021]
{
    "".join(
        f'[[riders]]{NL}bib = {bib}{NL}name = "K{bib}"{NL}transponders = [{1000 + bib}]{NL}'
        for bib in SEEDING
    )
}
[[events]]
id = "sprint-q"
discipline = "flying200"
name = "Sprint qualifying"
category = "Women Elite"
start_order = [12, 7, 21]

[[competitions]]
id = "keirin-m"
discipline = "keirin"
name = "Keirin"
category = "Men Elite"
seeding = {SEEDING}
"""
START_US = 1_795_219_200_000_000


def start_lists(publications: list[Publication]) -> dict[str, StartList]:
    return {p.key: p.message for p in publications if isinstance(p.message, StartList)}


def test_every_event_has_its_start_list_before_any_timing() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    found = start_lists(engine.snapshot())
    sprint = found["startlists/sprint-q"]
    assert msgspec.to_builtins(sprint) == {
        "v": 1, "event": "sprint-q", "discipline": "flying200", "name": "Sprint qualifying",
        "category": "Women Elite", "round": "", "heat": "", "competition": "", "programme": 1,
        "riders": [
            {"bib": 12, "name": "Bea Beta", "nation": "GBR"},
            {"bib": 7, "name": "Anna Alpha", "nation": "NED"},
            {"bib": 21, "name": "Cleo Gamma", "nation": "AUS"},
        ],
    }  # fmt: skip
    # Round 1's two heats are drawn from the seeding at the start: every entrant rides one.
    heats = [found[f"startlists/keirin-m-round-1-{n}"] for n in (1, 2)]
    assert [(h.competition, h.heat, h.programme, h.category) for h in heats] == [
        ("keirin-m", "1", 2, "Men Elite"),
        ("keirin-m", "2", 3, "Men Elite"),
    ]
    ridden = sorted(rider.bib for heat in heats for rider in heat.riders)
    assert ridden == SEEDING
    assert [len(heat.riders) for heat in heats] == [6, 6]
    # The finals are not drawn up yet: no start list for them.
    assert not any("final" in key for key in found)


def test_a_later_round_s_start_lists_come_once_it_is_drawn_up() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    heats = start_lists(engine.snapshot())
    published: dict[str, StartList] = {}
    for n in (1, 2):
        heat = f"keirin-m-round-1-{n}"
        riders = [rider.bib for rider in heats[f"startlists/{heat}"].riders]
        engine.command(Arm(event=heat), START_US)
        for place, bib in enumerate(riders):  # they finish a tenth apart, in start-list order
            engine.feed(passing("finish", START_US + n * 10**9 + place * 100_000, 1000 + bib))
        changes = engine.command(Final(event=heat), START_US)
        published |= start_lists(changes)
        if n == 1:
            assert published == {}, "a round is drawn up only when every heat feeding it is final"
    # By the 10-14 table: places 1-3 of each heat ride the final 1-6, places 4-6 the 7-12.
    first = [rider.bib for rider in heats["startlists/keirin-m-round-1-1"].riders]
    second = [rider.bib for rider in heats["startlists/keirin-m-round-1-2"].riders]
    final_1_6 = published["startlists/keirin-m-final-1-6"]
    final_7_12 = published["startlists/keirin-m-final-7-12"]
    assert sorted(r.bib for r in final_1_6.riders) == sorted(first[:3] + second[:3])
    assert sorted(r.bib for r in final_7_12.riders) == sorted(first[3:] + second[3:])
    assert (final_1_6.competition, final_1_6.heat, final_1_6.programme) == ("keirin-m", "", 4)
    assert final_7_12.programme == 5
    assert final_1_6.riders[0].name == f"K{final_1_6.riders[0].bib}"
    # And a snapshot (a restart) has them too.
    assert start_lists(engine.snapshot())["startlists/keirin-m-final-1-6"] == final_1_6
