"""The scoring engine's cost per timing event in the scorers that rework a heat on each change:
the individual and team pursuit, the team sprint, and a sprint tournament's races.

Each is fed one event at a time to a `ScoringEngine` as the scoring service feeds it: typed
envelopes (decoded before the clock starts), the publications taken after each and encoded
(what the service puts on MQTT); the cost timed is `feed` plus that encoding.

- **individual pursuit**: a 4 km heat on a 250 m track (32 half laps a side), two riders from
  the two pursuit lines (15 m and 140 m before the finish), both gates, a loop read on each
  half lap: 64 reads.
- **team pursuit**: a 4 km heat, two teams of four, every rider read on every half lap, the
  wheels 0.25 s apart (a read every ~0.25 s on each line): 256 reads.
- **team sprint**: a 3-lap heat, two teams of three, on both pursuit lines a photocell impulse
  and a loop read for each wheel (the lead rider peeling off each lap): 60 timing events.
- **sprint tournament**: 28 riders seeded (the Worlds table, 3.2.050), every race of it ridden
  (3 laps, the better seed winning by 0.05 s): each race's finish and 200 m line reads, the
  desk's arm, start and final between races (not timed).

For each: the mean cost of a timing event over the first and the last 10% of the heat (the
tournament: of all its races' timing events), the 99th percentile and the worst, and the whole
heat's total; medians of `--runs` runs.

**Target**: under 5 ms a timing event, mean over the last 10% of each heat, the end of a 4 km
team pursuit included (a loop read every ~0.25 s on each pursuit line must not back up the
service); the verdict is printed on each line.

`PYTHONPATH=DIR python -m benchmarks.timed_events` measures the velotime in DIR (the code
before a change, say), as benchmarks.scoring_cost does.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

sys.path[:0] = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]

import velotime  # noqa: E402
from benchmarks.scoring_cost import command, typed  # noqa: E402
from velotime.scoring.engine import ScoringEngine  # noqa: E402
from velotime.scoring.meet import parse_meet  # noqa: E402

TARGET_MS = 5.0
START_US = 1_795_250_000_000_000
S = 1_000_000
TRANSPONDER = 9_000
# A 250 m track: the pursuit lines 15 m and 140 m before the finish, half a lap apart.
LINES = {"finish": 0.0, "200m": 200.0, "red": 15.0, "green": 140.0}
ROLES = {"red": "pursuit-home", "green": "pursuit-back"}
PURSUIT_HALF_LAPS = 32  # 4 km on a 250 m track
TEAMS = {1: (11, 12, 13, 14), 2: (21, 22, 23, 24)}
SPRINT_RIDERS = 28
SPRINT_LAPS = 3


class Cost(NamedTuple):
    first_ms: float  # mean over the first 10% of the heat's timing events
    last_ms: float  # ... over the last 10%
    p99_ms: float
    max_ms: float
    total_ms: float
    events: int


class Feeder:
    """Feeds one engine as the scoring service does and times the timing events."""

    def __init__(self, engine: ScoringEngine) -> None:
        self.engine = engine
        self.costs: list[int] = []
        self.number = 0

    def _id(self, prefix: str) -> str:
        self.number += 1
        return f"{prefix}{self.number}"

    def command(self, at_us: int, **fields: Any) -> list[Any]:
        self.number += 1
        return self.engine.feed(typed(command(self.number, at_us, **fields)))

    def timing(self, envelope: dict[str, Any]) -> None:
        event = typed(envelope)
        feed: Callable[[Any], list[Any]] = self.engine.feed
        began = time.perf_counter_ns()
        for publication in feed(event):
            publication.encoded()
        self.costs.append(time.perf_counter_ns() - began)

    def read(self, line: str, t_us: int, bib: int) -> None:
        data = {
            "t_us": t_us, "line": line, "transponder": TRANSPONDER + bib, "rtc_time_us": t_us,
            "clock_offset_us": 0, "received_us": t_us + 20_000, "decoder_id": 1,
            "passing_number": self.number, "record": {},
        }  # fmt: skip
        self.timing({"v": 1, "id": self._id("p"), "seq": self.number, "src": f"p3-{line}",
                     "kind": "passing", "data": data})  # fmt: skip

    def impulse(self, line: str, t_us: int) -> None:
        data = {"t_us": t_us, "line": line, "channel": "C0", "time_of_day_us": 0,
                "received_us": t_us, "record": {}}  # fmt: skip
        self.timing({"v": 1, "id": self._id("i"), "seq": self.number, "src": "timy",
                     "kind": "impulse", "data": data})  # fmt: skip


def riders_toml(bibs: list[int]) -> str:
    return "".join(
        f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\ntransponders = [{TRANSPONDER + bib}]\n'
        for bib in bibs
    )


def teams_toml(teams: Mapping[int, tuple[int, ...]]) -> str:
    return "".join(
        f'[[events.teams]]\nnumber = {n}\nname = "Team {n}"\nriders = {list(r)}\n'
        for n, r in teams.items()
    )


def half_lap_line(side: int, n: int) -> str:
    """The line that ends half lap n (0-based) of the side starting on the home (0) or back (1)
    straight: the home side's first half lap ends on the back straight's line."""
    return "green" if (side + n) % 2 == 0 else "red"


def individual_pursuit(feeder: Feeder) -> None:
    feeder.command(START_US - 60 * S, type="arm", event="ip")
    feeder.impulse("gate-home", START_US)
    feeder.impulse("gate-back", START_US)
    reads = [
        (round((first_s + half_s * n) * S), half_lap_line(side, n), side + 1)
        for side, (first_s, half_s) in enumerate(((9.5, 7.0), (9.8, 7.1)))
        for n in range(PURSUIT_HALF_LAPS)
    ]
    for t_us, line, bib in sorted(reads):
        feeder.read(line, START_US + t_us, bib)


def team_pursuit(feeder: Feeder) -> None:
    feeder.command(START_US - 60 * S, type="arm", event="tp")
    feeder.impulse("gate-home", START_US)
    feeder.impulse("gate-back", START_US)
    reads = []
    for side, riders in enumerate(TEAMS.values()):
        first_s, half_s = (9.5, 7.0) if side == 0 else (9.8, 7.1)
        for n in range(PURSUIT_HALF_LAPS):
            for k, bib in enumerate(riders):
                t_us = round((first_s + half_s * n + 0.25 * k) * S)
                reads.append((t_us, half_lap_line(side, n), bib))
    for t_us, line, bib in sorted(reads):
        feeder.read(line, START_US + t_us, bib)


def team_sprint(feeder: Feeder) -> None:
    """Team 10 (1, 2, 3) from the home straight, 20 (4, 5, 6) from the back; a lap of ~13.5 s,
    the wheels 0.12 s apart, a loop reading each transponder 10 ms after its wheel."""
    feeder.command(START_US - 60 * S, type="arm", event="ts")
    feeder.impulse("gate-home", START_US)
    feeder.impulse("gate-back", START_US)
    timing: list[tuple[int, str, str, int]] = []
    for side, riders in enumerate(((1, 2, 3), (4, 5, 6))):
        lap_s = 13.4 + 0.1 * side
        for n in range(6):  # half laps; rider k peels off after lap k + 1
            on = riders[n // 2 :]
            front_s = 9.5 + lap_s * n / 2
            for k, bib in enumerate(on):
                wheel = round((front_s + 0.12 * k) * S)
                line = half_lap_line(side, n)
                timing.append((wheel, "impulse", line, bib))
                timing.append((wheel + 10_000, "read", line, bib))
    for t_us, kind, line, bib in sorted(timing):
        if kind == "impulse":
            feeder.impulse(line, START_US + t_us)
        else:
            feeder.read(line, START_US + t_us, bib)


def start_lists(publications: list[Any]) -> Iterator[tuple[str, list[int]]]:
    for publication in publications:
        message = publication.message
        if publication.key.startswith("startlists/") and hasattr(message, "riders"):
            yield message.event, [rider.bib for rider in message.riders]


def sprint_tournament(feeder: Feeder) -> None:
    """Every race, in the order drawn: arm, start, each rider's SPRINT_LAPS + 1 finish line
    reads and the 200 m line's, the better seed (the lower bib) 0.05 s ahead; final."""
    pending = dict(start_lists(feeder.engine.snapshot()))
    at_us = START_US
    ridden = 0
    while pending:
        event, riders = next(iter(pending.items()))
        del pending[event]
        at_us += 600 * S
        feeder.command(at_us, type="arm", event=event)
        feeder.command(at_us, type="start", event=event)
        reads = []
        for bib in riders:
            behind = 50_000 * sorted(riders).index(bib)
            for lap in range(SPRINT_LAPS + 1):
                finish_us = round((1.0 + 20.0 * lap - 3.0 * (lap == SPRINT_LAPS)) * S) + behind
                reads.append((finish_us, "finish", bib))
                if lap:  # the 200 m line, 50 m after the finish: a lap's last 200 m start
                    reads.append((finish_us - round(12.5 * S), "200m", bib))
        for t_us, line, bib in sorted(reads):
            feeder.read(line, at_us + t_us, bib)
        drawn = feeder.command(at_us + 90 * S, type="final", event=event)
        pending.update(start_lists(drawn))
        ridden += 1
    if ridden < 30:
        raise SystemExit(f"the sprint tournament rode {ridden} races only: not drawn as expected")


def meet_text(heat: str) -> str:
    if heat == "individual_pursuit":
        return (
            f'[meet]\nid = "b"\n{riders_toml([1, 2])}[[events]]\nid = "ip"\n'
            'discipline = "individual_pursuit"\ndistance_m = 4000\nriders = [1, 2]\n'
        )
    if heat == "team_pursuit":
        bibs = [bib for team in TEAMS.values() for bib in team]
        return (
            f'[meet]\nid = "b"\n{riders_toml(bibs)}[[events]]\nid = "tp"\n'
            f'discipline = "team_pursuit"\ndistance_m = 4000\n{teams_toml(TEAMS)}'
        )
    if heat == "team_sprint":
        teams = teams_toml({10: (1, 2, 3), 20: (4, 5, 6)})
        return (
            f'[meet]\nid = "b"\n{riders_toml(list(range(1, 7)))}[[events]]\nid = "ts"\n'
            f'discipline = "team_sprint"\nmatch = true\n{teams}'
        )
    bibs = list(range(1, SPRINT_RIDERS + 1))
    return (
        f'[meet]\nid = "b"\n{riders_toml(bibs)}[[competitions]]\nid = "sp"\n'
        f'discipline = "sprint"\nname = "Sprint"\nseeding = {bibs}\nlaps = {SPRINT_LAPS}\n'
    )


HEATS: dict[str, Callable[[Feeder], None]] = {
    "individual_pursuit": individual_pursuit,
    "team_pursuit": team_pursuit,
    "team_sprint": team_sprint,
    "sprint_tournament": sprint_tournament,
}


EVENT_OF_HEAT = {"individual_pursuit": "ip", "team_pursuit": "tp", "team_sprint": "ts"}


def check(heat: str, engine: ScoringEngine) -> None:
    """The heat was scored as ridden: each side timed (a pursuit, the team sprint), or the
    tournament classified; else the figures would be of a heat the engine did not follow."""
    if heat in EVENT_OF_HEAT:
        lines = engine.results(EVENT_OF_HEAT[heat])["lines"]
        if len(lines) != 2 or any(line.get("time") is None for line in lines):
            raise SystemExit(f"{heat}: not both sides timed: {lines}")
        return
    statuses = [
        getattr(p.message, "status", None)
        for p in engine.snapshot()
        if p.key.startswith("standings/")
    ]
    if statuses != ["final"]:
        raise SystemExit(f"{heat}: the tournament's standings are {statuses}, not final")


def run(heat: str) -> Cost:
    photocells = ["red", "green"] if heat == "team_sprint" else []
    engine = ScoringEngine(parse_meet(meet_text(heat)), LINES, 250, photocells, ROLES)
    feeder = Feeder(engine)
    HEATS[heat](feeder)
    check(heat, engine)
    costs = feeder.costs
    window = max(1, len(costs) // 10)
    ordered = sorted(costs)
    return Cost(
        first_ms=statistics.fmean(costs[:window]) / 1e6,
        last_ms=statistics.fmean(costs[-window:]) / 1e6,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6,
        max_ms=ordered[-1] / 1e6,
        total_ms=sum(costs) / 1e6,
        events=len(costs),
    )


def main(runs: int = 3) -> None:
    print(
        f"scoring cost per timing event in the reworked heats (feed + encoding the publications), "
        f"median of {runs} runs; target: under {TARGET_MS:.0f} ms over the last 10%; velotime "
        f"from {Path(velotime.__file__).parent.parent}"
    )
    print(
        f"  {'heat':<20}{'events':>7}{'first 10%':>12}{'last 10%':>12}{'p99':>11}{'max':>11}"
        f"{'whole heat':>13}  target"
    )
    for heat in HEATS:
        costs = [run(heat) for _ in range(runs)]
        median = Cost(*(statistics.median(values) for values in zip(*costs, strict=True)))
        verdict = "met" if median.last_ms < TARGET_MS else "NOT MET"
        print(
            f"  {heat:<20}{median.events:>7.0f}{median.first_ms:>9.3f} ms{median.last_ms:>9.3f} ms"
            f"{median.p99_ms:>8.3f} ms"
            f"{median.max_ms:>8.3f} ms{median.total_ms:>10.1f} ms  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
