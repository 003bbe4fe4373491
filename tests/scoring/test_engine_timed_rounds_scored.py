"""An individual pursuit competition through the real heat scorer: transponder reads on the
two pursuit lines and the start gates, heat after heat, the finals drawn from the qualifying
and the classification from the finals. Expected values by hand.

Heats of 1000 m on a 250 m track: 8 half laps, the home side ending its odd half laps on the
back line and its even ones on the home line, the back side the other way round.
"""

from typing import Any

import msgspec
import pytest

from tests.scoring.events import command, impulse, passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.disciplines import DISCIPLINES
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final

if "individual_pursuit" not in DISCIPLINES:
    pytest.skip(
        "the individual pursuit heat scorer is not in this version", allow_module_level=True
    )

LINES = {"finish": 0.0, "home": 15.0, "back": 140.0}
ROLES = {"home": "pursuit-home", "back": "pursuit-back"}
S = 1_000_000
T0 = 1_795_250_000_000_000
RIDERS = riders_toml({bib: (f"Rider {bib}", "GBR", 9000 + bib) for bib in (1, 2, 3, 4)})
MEET = (
    f'[meet]\nid = "t"\n{RIDERS}'
    '[[competitions]]\nid = "ip"\ndiscipline = "individual_pursuit"\ndistance_m = 1000\n'
    "seeding = [1, 2, 3, 4]\n"
)


def ride(
    scoring: ScoringEngine,
    event: str,
    start_us: int,
    home: tuple[int, float, float],
    back: tuple[int, float, float],
) -> list[Any]:
    """Arm, both gates at `start_us`, each rider's 8 half laps (bib, first, each next one, in
    seconds) read on the line it ends on, then final: the publications of the final."""
    scoring.feed(command(Arm(event=event), start_us - 60 * S))
    scoring.feed(impulse("gate-home", start_us, channel="C1"))
    scoring.feed(impulse("gate-back", start_us, channel="C2"))
    (home_bib, home_first, home_next), (back_bib, back_first, back_next) = home, back
    crossings = [
        (home_first + home_next * n, "back" if n % 2 == 0 else "home", 9000 + home_bib)
        for n in range(8)
    ]
    crossings += [
        (back_first + back_next * n, "home" if n % 2 == 0 else "back", 9000 + back_bib)
        for n in range(8)
    ]
    for t, line, transponder in sorted(crossings):
        scoring.feed(passing(line, start_us + round(t * S), transponder))
    return scoring.feed(command(Final(event=event), start_us + 120 * S))


def test_an_individual_pursuit_competition_through_the_heat_scorer() -> None:
    """Qualifying 1 v 2: 1 in 9.5 + 7 x 7 = 58.500, 2 in 9.8 + 7 x 7.2 = 60.200; 3 v 4: 3 in
    9.6 + 7 x 7.1 = 59.300, 4 in 10.0 + 7 x 7.3 = 61.100. Ranked 1, 3, 2, 4: bronze final
    2 v 4, gold final 1 v 3, the faster qualifier on the home straight. Bronze: 2 (58.500)
    beats 4 (60.200); gold: 3 on the back straight (58.500) beats 1 (60.200). Classification
    3, 1, 2, 4."""
    scoring = ScoringEngine(parse_meet(MEET), LINES, 250, line_roles=ROLES)
    ride(scoring, "ip-qualifying-1", T0, (1, 9.5, 7.0), (2, 9.8, 7.2))
    drawn = ride(scoring, "ip-qualifying-2", T0 + 300 * S, (3, 9.6, 7.1), (4, 10.0, 7.3))
    by_key = {p.key: msgspec.json.decode(p.encoded()) for p in drawn}
    assert [r["bib"] for r in by_key["startlists/ip-final-3-4"]["riders"]] == [2, 4]
    assert [r["bib"] for r in by_key["startlists/ip-final-1-2"]["riders"]] == [1, 3]
    qualifying = by_key["standings/ip"]["rounds"][0]["heats"]
    assert [(e["entrant"], e["time"]) for h in qualifying for e in h["entrants"]] == [
        (1, "58.500"), (2, "1:00.200"), (3, "59.300"), (4, "1:01.100"),
    ]  # fmt: skip

    ride(scoring, "ip-final-3-4", T0 + 600 * S, (2, 9.5, 7.0), (4, 9.8, 7.2))
    done = ride(scoring, "ip-final-1-2", T0 + 900 * S, (1, 9.8, 7.2), (3, 9.5, 7.0))
    standings = next(p for p in done if p.key == "standings/ip")
    final = msgspec.json.decode(standings.encoded())
    assert final["status"] == "final"
    assert [(c["rank"], c["bib"], c["time"]) for c in final["classification"]] == [
        (1, 3, "58.500"), (2, 1, "1:00.200"), (3, 2, "58.500"), (4, 4, "1:00.200"),
    ]  # fmt: skip
