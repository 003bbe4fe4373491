"""The lap counter's cost per passing over a long bunch race: does a passing cost the same on
the last lap as on the first?

A 24-rider, 160-lap bunch race (benchmarks.races: 3,840 passings on the finish loop and 3,840
on the 200 m line, after the 24 of the flying start), fed one passing at a time to
- the lap counter alone (`rules.laps.LapCounter.crossing`, then the lap board, as a scorer asks
  for it after each passing), and
- the scoring engine scoring it as a scratch race of 160 laps (`ScoringEngine.feed` of the MQTT
  envelope the daemon publishes: the whole result built, lap board and lines), and as a points
  race of 160 laps (16 sprints judged from the finish loop, the table after each passing).
For each: the median cost of a passing on the first lap and on the last lap, over the first
10 laps and the last 10, and the 99th percentile; medians of `--runs` runs.
"""

import argparse
import statistics
import time
from typing import NamedTuple

from benchmarks.races import Crossing, bunch_race
from benchmarks.scoring_cost import START_US, TRANSPONDER, command, passing, typed
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.scoring.rules.laps import LapCounter

RIDERS, LAPS, SEED = 24, 160, 11
PER_LAP = 2 * RIDERS  # passings a lap: the finish loop's and the 200 m line's
DISTANCE_TO_FINISH = {"finish": 0, "200m": 200}


class Cost(NamedTuple):
    first_lap_us: float  # median over the first lap's passings
    last_lap_us: float
    first_10_us: float  # median over the first 10 laps'
    last_10_us: float
    p99_us: float


def meet_text() -> str:
    bibs = list(range(1, RIDERS + 1))
    riders = "".join(
        f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\ntransponders = [{TRANSPONDER + bib}]\n'
        for bib in bibs
    )
    return (
        f'[meet]\nid = "bench"\n{riders}'
        f'[[events]]\nid = "scratch"\ndiscipline = "scratch"\nriders = {bibs}\nlaps = {LAPS}\n'
        f'[[events]]\nid = "points"\ndiscipline = "points_race"\nriders = {bibs}\n'
        f"laps = {LAPS}\n"
    )


def cost(costs_ns: list[int]) -> Cost:
    def median_us(part: list[int]) -> float:
        return statistics.median(part) / 1000

    window = 10 * PER_LAP
    return Cost(
        first_lap_us=median_us(costs_ns[:PER_LAP]),
        last_lap_us=median_us(costs_ns[-PER_LAP:]),
        first_10_us=median_us(costs_ns[:window]),
        last_10_us=median_us(costs_ns[-window:]),
        p99_us=sorted(costs_ns)[int(len(costs_ns) * 0.99)] / 1000,
    )


def run_counter(race: list[Crossing]) -> Cost:
    counter = LapCounter(range(1, RIDERS + 1), LAPS)
    counter.start(START_US)
    costs: list[int] = []
    for crossing in race:
        began = time.perf_counter_ns()
        counter.crossing(crossing.bib, DISTANCE_TO_FINISH[crossing.line], START_US + crossing.t_us)
        counter.board()
        costs.append(time.perf_counter_ns() - began)
    return cost(costs)


def run_engine(race: list[Crossing], event: str = "scratch") -> Cost:
    engine = ScoringEngine(parse_meet(meet_text()), {"finish": 0, "200m": 200}, 250)
    engine.feed(typed(command(0, START_US - 2_000_000, type="arm", event=event)))
    engine.feed(typed(command(1, START_US + 4_000_000, type="start", event=event)))
    costs: list[int] = []
    for number, crossing in enumerate(race):
        envelope = typed(passing(number, crossing))
        began = time.perf_counter_ns()
        engine.feed(envelope)
        costs.append(time.perf_counter_ns() - began)
    board = engine.results(event)["lap_board"]
    assert board["finished"], board  # the race was counted to its end
    return cost(costs)


def run_points_race(race: list[Crossing]) -> Cost:
    return run_engine(race, "points")


def flying_start() -> list[Crossing]:
    """The race of benchmarks.races, with the bunch's passage of the line at the flying start
    (lap 0) before it: the riders in a line, where `bunch_race` starts them."""
    return [Crossing(bib * 150_000, "finish", bib) for bib in range(1, RIDERS + 1)] + bunch_race(
        RIDERS, LAPS, SEED
    )


def main(runs: int = 3) -> None:
    race = flying_start()
    print(
        f"lap counting cost per passing: {RIDERS} riders x {LAPS} laps, {len(race)} passings "
        f"(finish loop and 200 m line), median of {runs} runs"
    )
    print(f"  {'':<24}{'first lap':>11}{'last lap':>11}{'first 10':>11}{'last 10':>11}{'p99':>10}")
    for name, run in (
        ("lap counter + board", run_counter),
        ("engine, scratch race", run_engine),
        ("engine, points race", run_points_race),
    ):
        results = [run(race) for _ in range(runs)]
        median = Cost(*(statistics.median(values) for values in zip(*results, strict=True)))
        print(
            f"  {name:<24}{median.first_lap_us:>8.1f} us{median.last_lap_us:>8.1f} us"
            f"{median.first_10_us:>8.1f} us{median.last_10_us:>8.1f} us{median.p99_us:>7.1f} us"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
