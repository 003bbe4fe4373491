"""A bunch race scored live: timing events published on timing/ -> `velotime score` (a process)
-> Mosquitto -> an MQTT subscriber to results/<event>.

The race of benchmarks.lap_counting (24 riders, 160 laps, the finish loop's and the 200 m
line's passings, 7,704 in all after the flying start), published one passing at a time as the
daemon publishes them (`timing/passing`, the desk's `arm` and `start` on `timing/command`), to
a real Mosquitto and the scoring service as a user runs it. Its times are the race's, not the
wall clock's: the service scores the race's times, so the 43 minutes of the race are fed in
well under a minute. After each finish-line passing the benchmark waits for the first
`results/<event>` whose line for that rider has its laps changed: the latency is from the
publish of the passing to that message's arrival. A 200 m line passing changes no lap count:
the next passing follows it 1 ms later (as the riders do, 3 s later, on the track).

Reported: the median and 99th percentile of the latency over the whole race, and the medians
over the first lap and the last 10 laps (is the last lap as quick as the first?); and the
scoring engine's own cost per passing (in-process, `ScoringEngine.feed` of the same events),
first lap against last. `--discipline` names the race's discipline (a bunch race of the meet
format: scratch, and the others once the engine scores them); `--laps` shortens the race.

    python -m benchmarks.bunch_latency [--discipline scratch] [--laps 160]
"""

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiomqtt

from benchmarks import lap_counting
from benchmarks.daemon_pipeline import percentile
from benchmarks.races import Crossing
from benchmarks.scoring_cost import START_US, TRANSPONDER, command, passing, typed
from velotime.localvenue import LocalMosquitto, free_port, source_toml, write_local_config
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet

VENUE = "bench"
ROOT = f"velotime/{VENUE}"
EVENT = "race"
RIDERS = lap_counting.RIDERS
GAP_S = 0.001  # after a passing that changes no lap count
WAIT_S = 2.0  # a finish passing whose result has not come by then is counted as lost


def meet_text(discipline: str, laps: int) -> str:
    bibs = list(range(1, RIDERS + 1))
    riders = "".join(
        f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\ntransponders = [{TRANSPONDER + bib}]\n'
        for bib in bibs
    )
    return (
        f'[meet]\nid = "bench"\n{riders}[[events]]\nid = "{EVENT}"\n'
        f'discipline = "{discipline}"\nriders = {bibs}\nlaps = {laps}\n'
    )


def race(laps: int) -> list[Crossing]:
    """The flying start (lap 0) and `laps` laps of benchmarks.lap_counting's race."""
    crossings = lap_counting.flying_start()
    if laps == lap_counting.LAPS:
        return crossings
    from benchmarks.races import bunch_race

    return crossings[:RIDERS] + bunch_race(RIDERS, laps, lap_counting.SEED)


class Results:
    """Each rider's laps in the latest results/<event>, and when they last changed."""

    def __init__(self) -> None:
        self.laps: dict[int, int] = {}
        self.changed_ns: dict[int, int] = {}
        self.online = asyncio.Event()
        self.armed = asyncio.Event()
        self.board: dict[str, Any] = {}

    async def collect(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            now = time.time_ns()
            payload = message.payload
            assert isinstance(payload, bytes)
            data = json.loads(payload)
            if str(message.topic).endswith("/status/scoring"):
                if data.get("online"):
                    self.online.set()
                continue
            self.armed.set()
            self.board = data.get("lap_board", {})
            for line in data["lines"]:
                laps = line.get("laps")
                if laps is not None and self.laps.get(line["bib"]) != laps:
                    self.laps[line["bib"]] = laps
                    self.changed_ns[line["bib"]] = now


async def changed_after(results: Results, bib: int, sent_ns: int) -> int | None:
    """When the rider's laps changed after `sent_ns` (ns), or None within WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while results.changed_ns.get(bib, 0) < sent_ns:
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.0002)
    return results.changed_ns[bib]


async def measure(
    broker: LocalMosquitto, directory: Path, discipline: str, laps: int
) -> tuple[list[float], int, dict[str, Any]]:
    """The latency (ms) of each finish passing, in race order; how many got no result."""
    meet = directory / "meet.toml"
    directory.mkdir(parents=True)
    meet.write_text(meet_text(discipline, laps))
    idle = source_toml("idle", "p3", f"tcp://127.0.0.1:{free_port()}", line="finish")
    config = write_local_config(directory, VENUE, broker.url, idle)
    config.write_text(config.read_text() + f"\n[scoring]\nmeet = {json.dumps(str(meet))}\n")
    results = Results()
    latencies: list[float] = []
    lost = 0
    # No Nagle on the benchmark's own connection, as velotime's clients (velotime.mqtt.client).
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    async with aiomqtt.Client("127.0.0.1", broker.port, socket_options=nodelay) as client:
        for topic in (f"results/{EVENT}", "status/scoring"):
            await client.subscribe(f"{ROOT}/{topic}", qos=1)
        collector = asyncio.create_task(results.collect(client))
        service = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "velotime", "score", "--config", str(config),
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(results.online.wait(), 20)

            async def publish(kind: str, envelope: dict[str, Any]) -> int:
                sent = time.time_ns()
                await client.publish(f"{ROOT}/timing/{kind}", json.dumps(envelope), qos=1)
                return sent

            await publish("command", command(0, START_US - 2_000_000, type="arm", event=EVENT))
            await asyncio.wait_for(results.armed.wait(), 10)
            crossings = race(laps)
            for number, crossing in enumerate(crossings):
                if number == RIDERS:  # the bunch is over the line: the flying start
                    at = START_US + crossings[RIDERS - 1].t_us + 500_000
                    await publish("command", command(1, at, type="start", event=EVENT))
                sent = await publish("passing", passing(number, crossing))
                if crossing.line != "finish" or number < RIDERS:
                    await asyncio.sleep(GAP_S)
                    continue
                arrived = await changed_after(results, crossing.bib, sent)
                if arrived is None:
                    lost += 1
                else:
                    latencies.append((arrived - sent) / 1e6)
        finally:
            service.terminate()
            await service.wait()
            collector.cancel()
    return latencies, lost, results.board


def engine_cost(discipline: str, laps: int) -> lap_counting.Cost:
    """The engine's own cost per passing, in-process, as benchmarks.lap_counting measures it."""
    engine = ScoringEngine(parse_meet(meet_text(discipline, laps)), {"finish": 0, "200m": 200})
    engine.feed(typed(command(0, START_US - 2_000_000, type="arm", event=EVENT)))
    crossings = race(laps)
    costs: list[int] = []
    for number, crossing in enumerate(crossings):
        if number == RIDERS:
            at = START_US + crossings[RIDERS - 1].t_us + 500_000
            engine.feed(typed(command(1, at, type="start", event=EVENT)))
        envelope = typed(passing(number, crossing))
        began = time.perf_counter_ns()
        engine.feed(envelope)
        costs.append(time.perf_counter_ns() - began)
    return lap_counting.cost(costs)


async def run(discipline: str, laps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalMosquitto(Path(tmp) / "broker")
        broker.start()
        try:
            latencies, lost, board = await measure(broker, Path(tmp) / "venue", discipline, laps)
        finally:
            broker.stop()
    first, last = latencies[:RIDERS], latencies[-10 * RIDERS :]
    print(
        f"bunch race live, timing/passing -> `velotime score` -> results/<event> at an MQTT "
        f"subscriber: {discipline}, {RIDERS} riders x {laps} laps, {len(latencies)} finish "
        f"passings timed ({lost} without a result within {WAIT_S:.0f} s; the race "
        f"{'finished' if board.get('finished') else 'NOT finished'}): median "
        f"{statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms, max "
        f"{max(latencies):.2f} ms; median over the first lap {statistics.median(first):.2f} "
        f"ms, over the last 10 laps {statistics.median(last):.2f} ms"
    )
    block = max(1, laps // 8) * RIDERS  # the median of each eighth of the race: flat or not
    medians = [statistics.median(latencies[i : i + block]) for i in range(0, len(latencies), block)]
    print(f"  median by {block // RIDERS} laps: " + " ".join(f"{m:.2f}" for m in medians) + " ms")
    cost = engine_cost(discipline, laps)
    print(
        f"  the engine's cost per passing (in-process): first lap {cost.first_lap_us:.1f} us, "
        f"last lap {cost.last_lap_us:.1f} us, first 10 laps {cost.first_10_us:.1f} us, last 10 "
        f"{cost.last_10_us:.1f} us, p99 {cost.p99_us:.1f} us",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--discipline", default="scratch", help="the race's (default scratch)")
    parser.add_argument("--laps", type=int, default=lap_counting.LAPS)
    args = parser.parse_args(argv)
    asyncio.run(run(args.discipline, args.laps))


if __name__ == "__main__":
    main()
