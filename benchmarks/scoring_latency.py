"""The live scoring path end to end: simulated Timy (pty) -> daemon with its scoring service ->
Mosquitto -> an MQTT subscriber to results/<event>.

Latency: from the moment the kernel took a rider's finish impulse line on the Timy's pty to the
arrival at the subscriber of the first `results/<event>` message that gives that rider a time.
The same subscriber also times the impulse's own event on timing/impulse, so the share of the
scoring service (MQTT in, journal, engine, retained publish, MQTT out) shows.

Flying 200 m events of 40 riders, ridden one after the other (200 m line, then finish), one
rider about every 0.1 s: every finish re-ranks the event and publishes its whole result. The
broker sets TCP_NODELAY, as the venue's does.
"""

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import aiomqtt

from benchmarks.daemon_pipeline import percentile
from velotime.localvenue import LocalMosquitto, source_toml, write_local_config
from velotime.simulators.timy import TimySimulator

VENUE = "bench"
ROOT = f"velotime/{VENUE}"
EVENTS = 3
RIDERS = 40  # per event
US_PER_DAY = 86_400_000_000
GAP_S = 0.1  # between riders
K = TypeVar("K")


def meet_text() -> str:
    riders = "".join(
        f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(1, RIDERS + 1)
    )
    events = "".join(
        f'[[events]]\nid = "f200-{n}"\ndiscipline = "flying200"\n'
        f"start_order = {list(range(1, RIDERS + 1))}\nqualify = 12\n"
        for n in range(1, EVENTS + 1)
    )
    return f'[meet]\nid = "bench"\n{riders}{events}'


class Arrivals:
    """When each finish impulse event and each rider's first timed result line arrived."""

    def __init__(self) -> None:
        self.impulses: dict[int, int] = {}  # time of day -> ns
        self.results: dict[tuple[str, int], int] = {}  # (event, bib) -> ns
        self.online = asyncio.Event()
        self.status: dict[str, str] = {}  # event -> its latest result's status

    async def collect(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            now = time.time_ns()
            payload = message.payload
            assert isinstance(payload, bytes)
            topic = str(message.topic)
            data = json.loads(payload)
            if topic.endswith("/timing/impulse"):
                if data["data"]["channel"] == "C1":
                    self.impulses.setdefault(data["data"]["time_of_day_us"], now)
            elif topic.endswith("/status/scoring"):
                if data["online"]:
                    self.online.set()
            elif "/results/" in topic:
                self.status[data["event"]] = data["status"]
                for line in data["lines"]:
                    if "time" in line:
                        self.results.setdefault((data["event"], line["bib"]), now)


async def wait_until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark stalled")
        await asyncio.sleep(0.001)


async def wait_for_key(mapping: Mapping[K, object], key: K, value: object = None) -> None:
    """Until `mapping` has `key` (with `value`, if given)."""
    await wait_until(lambda: key in mapping and value in (None, mapping[key]))


async def ctl(config: Path, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "ctl", "--config", str(config), *args,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await process.wait() == 0


async def measure(broker: LocalMosquitto, directory: Path) -> tuple[list[float], list[float]]:
    """(finish impulse -> results/<event>, finish impulse -> timing/impulse) latencies, ms."""
    directory.mkdir(parents=True)
    timy = TimySimulator(link=directory / "timy")
    timy.start()
    meet = directory / "meet.toml"
    meet.write_text(meet_text())
    channels = {"C4": {"line": "200m"}, "C1": {"line": "finish"}}
    source = source_toml("timy", "timy", f"serial://{directory / 'timy'}", channels=channels)
    config = write_local_config(directory, VENUE, broker.url, source)
    config.write_text(config.read_text() + f"\n[scoring]\nmeet = {json.dumps(str(meet))}\n")
    arrivals = Arrivals()
    results_ms: list[float] = []
    timing_ms: list[float] = []
    now_of_day = time.time_ns() // 1000 % US_PER_DAY // 100 * 100
    # Times of day in the hour before now (the daemon dates them by when it reads them).
    start = now_of_day - 3_600_000_000 if now_of_day > 3_600_000_000 else now_of_day + 60_000_000
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        for topic in ("timing/impulse", "results/#", "status/scoring"):
            await client.subscribe(f"{ROOT}/{topic}", qos=1)
        collector = asyncio.create_task(arrivals.collect(client))
        daemon = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "velotime", "run", "--config", str(config),
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(arrivals.online.wait(), 20)
            await wait_until(lambda: "CHK1" in timy.commands)
            for n in range(1, EVENTS + 1):
                event = f"f200-{n}"
                await ctl(config, "arm", event)
                await wait_for_key(arrivals.status, event, "running")
                for bib in range(1, RIDERS + 1):
                    line_200 = start + ((n - 1) * RIDERS + bib) * 30_000_000
                    finish = line_200 + 10_500_000 + bib * 1_300  # all different times
                    timy.impulse(4, bib, line_200)
                    await asyncio.sleep(GAP_S / 2)
                    timy.impulse(1, bib, finish)
                    await timy.drain()
                    sent_ns = timy.sent[-1].sent_ns
                    await wait_for_key(arrivals.results, (event, bib))
                    results_ms.append((arrivals.results[event, bib] - sent_ns) / 1e6)
                    await wait_for_key(arrivals.impulses, finish)
                    timing_ms.append((arrivals.impulses[finish] - sent_ns) / 1e6)
                    await asyncio.sleep(GAP_S / 2)
                await ctl(config, "final", event)
        finally:
            daemon.terminate()
            await daemon.wait()
            collector.cancel()
            await timy.stop()
    return results_ms, timing_ms


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalMosquitto(Path(tmp) / "broker")
        broker.start()
        try:
            results_ms, timing_ms = await measure(broker, Path(tmp) / "venue")
        finally:
            broker.stop()
    print(
        f"scoring latency, Timy finish impulse -> results/<event> at an MQTT subscriber, "
        f"{len(results_ms)} riders ({EVENTS} flying 200 m of {RIDERS}): "
        f"median {statistics.median(results_ms):.2f} ms, p99 {percentile(results_ms, 0.99):.2f} "
        f"ms, max {max(results_ms):.2f} ms (the impulse event itself: median "
        f"{statistics.median(timing_ms):.2f} ms, p99 {percentile(timing_ms, 0.99):.2f} ms)"
    )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
