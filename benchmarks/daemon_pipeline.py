"""The daemon end to end: simulated decoder -> daemon process -> Mosquitto -> subscriber.

Latency: from a passing written to the decoder socket to its arrival at an MQTT subscriber
(same host clock), at a race-like rate. Throughput: a burst far above any race, measured from
the first passing sent to the last one received.
"""

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiomqtt

from velotime.localvenue import LocalMosquitto, p3_source, write_local_config
from velotime.simulators.p3_decoder import P3DecoderSimulator

VENUE = "bench"
TOPIC = f"velotime/{VENUE}/timing/passing"


async def measure(
    broker: LocalMosquitto, directory: Path, decoder: P3DecoderSimulator, expected: int
) -> tuple[dict[int, int], P3DecoderSimulator]:
    """Run a daemon against `decoder` until its `expected` passings arrived: number -> ns."""
    arrivals: dict[int, int] = {}
    await decoder.start("127.0.0.1", 0, when_connected=True)
    source = p3_source(decoder.port, clock="decoder")
    config = write_local_config(directory, VENUE, broker.url, source)
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe(TOPIC, qos=1)
        daemon = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "velotime",
            "run",
            "--config",
            str(config),
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with asyncio.timeout(300):
                async for message in client.messages:
                    now = time.time_ns()
                    payload = message.payload
                    assert isinstance(payload, bytes)
                    arrivals.setdefault(json.loads(payload)["data"]["passing_number"], now)
                    if len(arrivals) == expected:
                        break
        finally:
            daemon.terminate()
            await daemon.wait()
            await decoder.stop()
    return arrivals, decoder


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalMosquitto(Path(tmp) / "broker")
        broker.start()
        try:
            # A race-like load: 20 riders lapping every 2 s, i.e. 10 passings a second.
            latency_decoder = P3DecoderSimulator(
                transponders=range(1, 21), lap_time_us=2_000_000, count=300, seed=1
            )
            arrivals, decoder = await measure(broker, Path(tmp) / "latency", latency_decoder, 300)
            latencies_ms = [(arrivals[n] - decoder.sent_at[n]) / 1e6 for n in arrivals]
            print(
                f"latency, decoder socket -> MQTT subscriber, {len(latencies_ms)} passings at "
                f"10/s: median {statistics.median(latencies_ms):.2f} ms, "
                f"p99 {percentile(latencies_ms, 0.99):.2f} ms, max {max(latencies_ms):.2f} ms"
            )
            # A burst: 50 riders at 17 s laps, 20000 times faster than life (~59000 passings/s).
            burst_decoder = P3DecoderSimulator(
                transponders=range(1, 51),
                lap_time_us=17_000_000,
                speedup=20_000,
                count=30_000,
                seed=2,
                status_interval_s=1.0,
            )
            arrivals, decoder = await measure(broker, Path(tmp) / "burst", burst_decoder, 30_000)
            first_sent = min(decoder.sent_at.values())
            last_arrival = max(arrivals.values())
            offered = len(decoder.sent_at) / ((max(decoder.sent_at.values()) - first_sent) / 1e9)
            handled = len(arrivals) / ((last_arrival - first_sent) / 1e9)
            print(
                f"throughput: {len(arrivals)} passings offered at {offered:.0f}/s, "
                f"all delivered at {handled:.0f} passings/s end to end"
            )
        finally:
            broker.stop()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
