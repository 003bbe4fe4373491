"""A short points race through the scoring engine: the sprints proposed from the finish loop,
the judges' `sprint` command refused where a race has no sprints, and a reopened race scored
again as before. Expected values by hand (uci-rules.md §2.6)."""

from tests.scoring.events import passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final, Reopen, SprintDecision, Start

T0 = 1_795_250_000_000_000
LAP = 16_000_000
RIDERS = [1, 2, 3]


def engine() -> ScoringEngine:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in RIDERS})
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "s"\ndiscipline = "scratch"\nriders = {RIDERS}\nlaps = 10\n'
        f'[[events]]\nid = "p"\ndiscipline = "points_race"\nriders = {RIDERS}\nlaps = 4\n'
        "sprint_every = 2\n"
    )
    return ScoringEngine(meet, {"finish": 0, "200m": 200}, 250)


def ride(scoring: ScoringEngine, laps: int) -> None:
    """Laps 0 to `laps` of the bunch: 1, 2, 3 across the line 0.3 s apart, 16 s laps."""
    for p in range(laps + 1):
        for bib in RIDERS:
            scoring.feed(passing("finish", T0 + p * LAP + (bib - 1) * 300_000, 9000 + bib))


def test_a_points_race_from_the_finish_loop_and_reopened() -> None:
    """4 laps, a sprint every 2: sprint 1 at lap 2 (5-3-2), sprint 2 the final at lap 4
    (10-6-4): 1 has 15, 2 has 9, 3 has 6. Reopened after its final, the same result."""
    scoring = engine()
    scoring.command(Arm(event="p"), T0 - LAP)
    scoring.command(Start(event="p"), T0 + 1_000_000)
    refused = scoring.take_command(SprintDecision(event="s", number=1))
    assert refused == (
        "s is a scratch: it takes no judges' word on sprints (a points race, a tempo race or a "
        "Madison does)"
    )
    ride(scoring, 4)
    result = scoring.results("p")
    assert [(line["bib"], line["points"], line["sprint_points"]) for line in result["lines"]] == [
        (1, 15, [5, 10]),
        (2, 9, [3, 6]),
        (3, 6, [2, 4]),
    ]
    assert all(line["flags"] == ["unconfirmed"] for line in result["lines"])
    assert result["sprint_board"]["sprints_to_go"] == 0
    scoring.command(Final(event="p"), T0 + 5 * LAP)
    final = scoring.results("p")
    assert all("flags" not in line for line in final["lines"])
    assert all(sprint["confirmed"] for sprint in final["sprints"])
    scoring.command(Reopen(event="p", reason="protest"), T0 + 6 * LAP)
    reopened = scoring.results("p")
    assert reopened["lines"] == final["lines"]
    assert reopened["sprints"] == final["sprints"]
