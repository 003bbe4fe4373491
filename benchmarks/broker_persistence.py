"""What the broker's persistence costs: the shipped Mosquitto configuration (saving after every
change, `autosave_on_changes true`, `autosave_interval 1`) against the one it replaced (saving
every 60 s), with the scoring service's persistent session away, so that every event is queued
for it and every save rewrites the whole queue.

- **Throughput**: `--events` events in the daemon's outbox, drained by its publisher (64 in
  flight) into the broker while the queue grows from 0; events/s over all of them and over the
  last tenth. Also with the scoring service connected (the queue stays empty: race day).
- **Save time**: then `--probes` QoS 1 publishes one after another, which bring the queue to
  10,000 (the shipped `max_queued_messages`; beyond it the broker drops, and nothing changes);
  each waits for the save the one before it caused, so the median round trip, less the same
  without saving, is the time of one save of the whole database. And that database's size.

    python -m benchmarks.broker_persistence [--events 9950] [--probes 50]
"""

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from statistics import median

from tests.brokers import MosquittoProcess, saving_once_a_minute_config, shipped_config
from tests.mqtt.events import event
from velotime.localvenue import free_port
from velotime.mqtt.client import BrokerSettings, mqtt_client, publish_checked
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher

TIMING = "velotime/bench/timing/passing"


async def measure(
    config: str | None, events: int, probes: int, *, scoring_away: bool = True
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        port = free_port()
        broker = MosquittoProcess(shipped_config(port, directory, config), port, directory)
        broker.start()
        try:
            scoring = BrokerSettings(
                "127.0.0.1", port, client_id="velotime-scoring-bench", clean_session=False
            )
            async with mqtt_client(scoring, identifier=scoring.client_id) as client:
                await client.subscribe("velotime/bench/timing/#", qos=1)
            consumer = None if scoring_away else asyncio.create_task(consume(scoring))
            outbox = Outbox(directory / "outbox.sqlite")
            outbox.append("p3", [(TIMING, event(n, "p3")) for n in range(events)], None)
            publisher = Publisher(
                BrokerSettings("127.0.0.1", port, client_id="velotime-bench"),
                outbox,
                "velotime/bench/status/daemon",
                lambda: b'{"online":true}',
            )
            stop = asyncio.Event()
            run = asyncio.create_task(publisher.run(stop))
            await publisher.connected.wait()
            began = time.perf_counter()
            tenth = events - events // 10
            last_tenth_began = began
            while len(outbox):
                if len(outbox) > events - tenth:
                    last_tenth_began = time.perf_counter()
                await asyncio.sleep(0.001)
            ended = time.perf_counter()
            stop.set()
            await run
            if consumer is not None:
                consumer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await consumer
                return {"events_per_s": events / (ended - began)}
            probe = BrokerSettings("127.0.0.1", port, client_id="velotime-bench-probe")
            round_trips = []
            async with mqtt_client(probe, identifier=probe.client_id) as client:
                for n in range(probes):
                    sent = time.perf_counter()
                    await publish_checked(client, TIMING, b'{"id":"p%d"}' % n)
                    round_trips.append(time.perf_counter() - sent)
        finally:
            broker.stop()  # a clean stop saves the database under either configuration
        database = directory / "mosquitto.db"
        size = database.stat().st_size if database.exists() else 0
    return {
        "events_per_s": events / (ended - began),
        "last_tenth_per_s": (events // 10) / (ended - last_tenth_began),
        "round_trip_ms": median(round_trips) * 1000,
        "database_bytes": size,
    }


async def consume(scoring: BrokerSettings) -> None:
    async with mqtt_client(scoring, identifier=scoring.client_id) as client:
        await client.subscribe("velotime/bench/timing/#", qos=1)
        async for _ in client.messages:
            pass


def main(events: int = 9_950, probes: int = 50) -> None:
    print(f"broker persistence, {events} events queued for an absent persistent session:")
    results = {}
    for name, config in (
        ("save every 60 s (before)", saving_once_a_minute_config()),
        ("shipped", None),
    ):
        results[name] = result = asyncio.run(measure(config, events, probes))
        print(
            f"  {name:<25} {result['events_per_s']:8.0f} events/s "
            f"({result['last_tenth_per_s']:.0f}/s over the last tenth), "
            f"publish round trip with the queue full {result['round_trip_ms']:.2f} ms "
            f"(median of {probes}), database {result['database_bytes'] / 1e6:.2f} MB after stop"
        )
    save_ms = (
        results["shipped"]["round_trip_ms"] - results["save every 60 s (before)"]["round_trip_ms"]
    )
    print(f"  one save of the whole database with the queue full: about {save_ms:.1f} ms")
    print(f"with the scoring service connected ({events} events, nothing queued: race day):")
    for name, config in (
        ("save every 60 s (before)", saving_once_a_minute_config()),
        ("shipped", None),
    ):
        connected = asyncio.run(measure(config, events, probes, scoring_away=False))
        print(f"  {name:<25} {connected['events_per_s']:8.0f} events/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=9_950)
    parser.add_argument("--probes", type=int, default=50)
    options = parser.parse_args()
    main(options.events, options.probes)
