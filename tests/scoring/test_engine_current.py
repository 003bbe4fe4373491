"""The `current` topic: what is on the track, and when it started, so that scoreboards run the
clock themselves (a clock in a browser, not a message every tenth of a second)."""

from typing import Any

from tests.scoring import events
from tests.scoring.events import impulse, photo_finish
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Abandon, Arm, Command, Final, NextRider, Start

MEET = """
[meet]
id = "m"
[[riders]]
bib = 1
name = "Ana"
[[riders]]
bib = 2
name = "Ben"
[[riders]]
bib = 3
name = "Cas"
[[riders]]
bib = 4
name = "Dirk"
[[riders]]
bib = 5
name = "Eva"
[[riders]]
bib = 6
name = "Fay"
[[events]]
id = "km"
discipline = "time_trial"
distance_m = 1000
start_order = [1, 2]
[[events]]
id = "k"
discipline = "keirin"
riders = [1, 2, 3, 4, 5, 6]
[[events]]
id = "f"
discipline = "flying200"
start_order = [1, 2]
"""


def engine() -> ScoringEngine:
    return ScoringEngine(parse_meet(MEET), {"finish": 0, "100m": 100, "200m": 200})


def current(published: list[Any]) -> dict[str, Any]:
    (publication,) = [p for p in published if p.key == "current"]
    return events.payload(publication)


def command(engine: ScoringEngine, value: Command, t_us: int) -> list[Any]:
    # As the daemon's stream carries it: the command and when the daemon received it.
    return engine.feed(events.command(value, t_us))


def test_a_time_trial_runs_from_the_gate_of_the_rider_on_the_track() -> None:
    scoring = engine()
    assert current(scoring.command(Arm(event="km")))["start_us"] is None
    on_track = current(scoring.command(NextRider(event="km", bib=1)))
    assert (on_track["event"], on_track["on_track"], on_track["riders"]) == ("km", 1, [1, 2])
    assert current(scoring.feed(impulse("start", 5_000_000)))["start_us"] == 5_000_000
    # The next rider named: no start until their gate opens.
    assert current(scoring.command(NextRider(event="km", bib=2)))["start_us"] is None
    assert current(scoring.feed(impulse("start", 90_000_000)))["start_us"] == 90_000_000


def test_a_keirin_runs_from_the_desk_s_start_until_the_camera_says_better() -> None:
    scoring = engine()
    command(scoring, Arm(event="k"), 1_000)
    assert current(command(scoring, Start(event="k"), 60_000_000))["start_us"] == (60_000_000)
    camera = photo_finish("started", 60_000_400, event_id="pf:1")
    assert current(scoring.feed(camera))["start_us"] == 60_000_400
    # The race is stopped and run again: no start until the new one.
    assert current(scoring.command(Abandon(event="k", reason="crash")))["start_us"] is None
    assert current(command(scoring, Start(event="k"), 400_000_000))["start_us"] == (400_000_000)
    assert current(scoring.command(Final(event="k")))["event"] is None  # nothing on the track


def test_a_flying_200_runs_from_the_200_m_line_until_the_finish() -> None:
    scoring = engine()
    scoring.command(Arm(event="f"))
    assert current(scoring.feed(impulse("200m", 10_000_000)))["start_us"] == 10_000_000
    assert current(scoring.feed(impulse("100m", 15_000_000)))["start_us"] == 10_000_000
    assert current(scoring.feed(impulse("finish", 20_724_000)))["start_us"] is None
    assert current(scoring.feed(impulse("200m", 30_000_000)))["start_us"] == 30_000_000
