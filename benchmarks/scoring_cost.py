"""The scoring engine's cost per passing over a long event: does a timing event cost the same at
the last lap as at the first?

A 24-rider, 160-lap bunch race (benchmarks.races): 3,840 passings on the finish loop and 3,840
on the 200 m line, fed one by one to a `ScoringEngine` as the MQTT envelopes the daemon
publishes, scored as a flying 200 m (each rider's fastest pass), as a time trial (a kilometre:
the desk names a rider every 6 laps and the gate lets them go, the others ride on) and as one
keirin heat. For each scorer: the mean cost of a passing over the first 10 laps and over the
last 10, the 99th percentile over the whole event, and the whole event; medians of `--runs`
runs.

`PYTHONPATH=DIR python -m benchmarks.scoring_cost` measures the velotime in DIR (the code
before a change, say): `python -m` puts the working directory first on the path, so its
entries are put before it here. The events are fed as the code's scoring service feeds them:
typed envelopes (`velotime.wire`, decoded before the clock starts), or JSON types for code
older than the wire package.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

sys.path[:0] = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]

import msgspec  # noqa: E402

import velotime  # noqa: E402
from benchmarks.races import Crossing, bunch_race  # noqa: E402
from velotime.scoring.engine import ScoringEngine  # noqa: E402
from velotime.scoring.meet import parse_meet  # noqa: E402

RIDERS, LAPS, SEED = 24, 160, 11
WINDOW_LAPS = 10
START_US = 1_795_250_000_000_000
TRANSPONDER = 7_300_000
TT_EVERY_LAPS = 6  # the time trial: a rider named every 6 laps
EVENTS = {"flying200": "f200", "time_trial": "km", "keirin": "keirin"}


class Cost(NamedTuple):
    first_ms: float  # mean over the first WINDOW_LAPS laps' passings
    last_ms: float  # ... over the last WINDOW_LAPS laps'
    p99_ms: float
    total_s: float


def meet_text() -> str:
    bibs = list(range(1, RIDERS + 1))
    riders = "".join(
        f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\ntransponders = [{TRANSPONDER + bib}]\n'
        for bib in bibs
    )
    return (
        f'[meet]\nid = "bench"\n{riders}'
        f'[[events]]\nid = "f200"\ndiscipline = "flying200"\nstart_order = {bibs}\n'
        f'[[events]]\nid = "km"\ndiscipline = "time_trial"\nstart_order = {bibs}\n'
        "distance_m = 1000\n"
        f'[[events]]\nid = "keirin"\ndiscipline = "keirin"\nriders = {bibs}\n'
    )


def command(number: int, at_us: int, **fields: Any) -> dict[str, Any]:
    data = {"command": fields, "received_us": at_us}
    return {"v": 1, "id": f"c{number}", "seq": number, "src": "control", "kind": "command",
            "data": data}  # fmt: skip


def passing(number: int, crossing: Crossing) -> dict[str, Any]:
    t_us = START_US + crossing.t_us
    data = {
        "t_us": t_us, "line": crossing.line, "transponder": TRANSPONDER + crossing.bib,
        "rtc_time_us": t_us, "clock_offset_us": 0, "received_us": t_us + 150_000,
        "decoder_id": 1 if crossing.line == "finish" else 2, "passing_number": number,
        "record": {},
    }  # fmt: skip
    return {"v": 1, "id": f"p{number}", "seq": number, "src": f"p3-{crossing.line}",
            "kind": "passing", "data": data}  # fmt: skip


def gate(number: int, at_us: int) -> dict[str, Any]:
    data = {"t_us": at_us, "line": "start", "channel": "C0", "time_of_day_us": 0,
            "received_us": at_us, "record": {}}  # fmt: skip
    return {"v": 1, "id": f"g{number}", "seq": number, "src": "timy", "kind": "impulse",
            "data": data}  # fmt: skip


def typed(envelope: dict[str, Any]) -> Any:
    """The envelope as the scoring service hands it to the engine: typed, or as JSON types for
    code older than the wire package."""
    if importlib.util.find_spec("velotime.wire") is None:
        return envelope
    from velotime.wire.events import decode_event

    return decode_event(msgspec.json.encode(envelope))


def run(discipline: str, race: list[Crossing]) -> Cost:
    meet = parse_meet(meet_text())
    engine = ScoringEngine(meet, {"finish": 0, "200m": 200}, 250, ["start"])
    event = EVENTS[discipline]
    engine.feed(typed(command(0, START_US, type="arm", event=event)))
    named = 0
    feed: Callable[[Any], object] = engine.feed
    costs: list[int] = []
    per_lap = 2 * RIDERS
    for number, crossing in enumerate(race):
        lap = number // per_lap
        if discipline == "time_trial" and lap // TT_EVERY_LAPS == named and named < RIDERS:
            named += 1  # between two riders' rides: named, then away at the gate
            at = START_US + crossing.t_us - 1_000
            feed(typed(command(named, at, type="next_rider", event=event, bib=named)))
            feed(typed(gate(named, at + 500)))
        envelope = typed(passing(number, crossing))
        began = time.perf_counter_ns()
        feed(envelope)
        costs.append(time.perf_counter_ns() - began)
    window = WINDOW_LAPS * per_lap
    ordered = sorted(costs)
    return Cost(
        first_ms=statistics.fmean(costs[:window]) / 1e6,
        last_ms=statistics.fmean(costs[-window:]) / 1e6,
        p99_ms=ordered[int(len(ordered) * 0.99)] / 1e6,
        total_s=sum(costs) / 1e9,
    )


def main(runs: int = 3) -> None:
    race = bunch_race(RIDERS, LAPS, SEED)
    print(
        f"scoring cost per passing: {RIDERS} riders x {LAPS} laps, {len(race)} passings "
        f"(finish loop and 200 m line), median of {runs} runs; velotime from "
        f"{Path(velotime.__file__).parent.parent}"
    )
    print(
        f"  {'scorer':<12}{'first 10 laps':>15}{'last 10 laps':>15}{'p99':>11}{'whole event':>14}"
    )
    for discipline in EVENTS:
        costs = [run(discipline, race) for _ in range(runs)]
        median = Cost(*(statistics.median(values) for values in zip(*costs, strict=True)))
        print(
            f"  {discipline:<12}{median.first_ms:>12.3f} ms{median.last_ms:>12.3f} ms"
            f"{median.p99_ms:>8.3f} ms{median.total_s:>12.2f} s"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
