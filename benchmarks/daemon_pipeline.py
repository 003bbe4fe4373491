"""The daemon end to end: P3 decoder -> daemon process (outbox, QoS 1) -> Mosquitto -> subscriber.

- **Latency**: the simulated decoder at a race-like rate (10 passings/s); from a passing
  written to the decoder socket to its arrival at an MQTT subscriber (same host clock).
- **Burst**: `--passings` passings offered at BURST_PER_S, more than the daemon can take, once
  the daemon has connected and settled. The passings are encoded beforehand and written to the
  daemon's socket in slices (the simulator's own P3 encoder could not offer that much: its cap
  is measured and printed). Reported, medians of `--runs` bursts: the CPU time of the daemon
  process (/proc/PID/stat) per passing, from the first passing sent to the last received,
  which is its cost whatever else shares the machine (target < 60 us, i.e. >= 15,000
  passings/s of one core); the sustained passings/s end to end; and the CPU per passing of
  Mosquitto and of this process (the writer and the subscriber), which say what capped it.

    python -m benchmarks.daemon_pipeline [--tree DIR]... [--runs 3] [--passings 30000]
"""

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from statistics import median
from typing import Any, NamedTuple

import aiomqtt

from benchmarks.process import add_tree_option, chosen_trees, tree_env, velotime_args
from velotime.localvenue import LocalMosquitto, p3_source, write_local_config
from velotime.protocols import p3
from velotime.simulators.p3_decoder import P3DecoderSimulator

VENUE = "bench"
TOPIC = f"velotime/{VENUE}/timing/passing"
_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
SETTLE_S = 1.0  # after the daemon connected to the decoder, before a burst
BURST_PER_S = 40_000  # offered passings/s: more than the daemon can take
SLICE_S = 0.002  # the burst is written in slices this far apart


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_S  # utime, stime


class Cpu(NamedTuple):
    """CPU seconds each process spent while `passings` went through, in `wall_s`."""

    passings: int
    wall_s: float
    daemon_s: float
    broker_s: float
    bench_s: float  # this process: the decoder's writer and the subscriber


class CpuMeter:
    def __init__(self, daemon: int, broker: int) -> None:
        self.pids = (daemon, broker)
        self.start: tuple[float, float, float, float] | None = None

    def sample(self) -> tuple[float, float, float, float]:
        daemon, broker = (cpu_s(pid) for pid in self.pids)
        return time.perf_counter(), daemon, broker, time.process_time()

    def first(self) -> None:
        self.start = self.sample()

    def last(self, passings: int) -> Cpu:
        assert self.start is not None
        wall, daemon, broker, bench = (
            b - a for a, b in zip(self.start, self.sample(), strict=True)
        )
        return Cpu(passings, wall, daemon, broker, bench)


def passing_number(payload: bytes) -> int:
    """The passing number in an event's JSON, without decoding the rest (the subscriber shares
    this process with the decoder, which must keep up)."""
    start = payload.index(b'"passing_number":') + len(b'"passing_number":')
    return int(payload[start : payload.index(b",", start)])


async def run_daemon(
    tree: Path,
    broker: LocalMosquitto,
    directory: Path,
    decoder_port: int,
    expected: int,
    feed: Callable[[CpuMeter], Coroutine[Any, Any, None]],
) -> tuple[dict[int, int], Cpu | None]:
    """Run `tree`'s daemon, reading a decoder on `decoder_port`, with `feed` running beside,
    until `expected` passings arrived at a subscriber: passing number -> ns, and the CPU
    spent since `feed` started the meter, if it did."""
    arrivals: dict[int, int] = {}
    cpu = None
    config = write_local_config(
        directory, VENUE, broker.url, p3_source(decoder_port, clock="decoder")
    )
    assert broker.process is not None
    async with aiomqtt.Client("127.0.0.1", broker.port, max_queued_incoming_messages=0) as client:
        await client.subscribe(TOPIC, qos=1)
        daemon = await asyncio.create_subprocess_exec(
            *velotime_args("run", "--config", config),
            cwd=directory,
            env=tree_env(tree),  # its start-up is outside what is measured
            stderr=asyncio.subprocess.DEVNULL,
        )
        meter = CpuMeter(daemon.pid, broker.process.pid)
        feeding = asyncio.create_task(feed(meter))
        try:
            async with asyncio.timeout(300):
                async for message in client.messages:
                    now = time.time_ns()
                    payload = message.payload
                    assert isinstance(payload, bytes)
                    arrivals.setdefault(passing_number(payload), now)
                    if len(arrivals) == expected:
                        cpu = meter.last(expected) if meter.start else None
                        break
        finally:
            feeding.cancel()
            daemon.terminate()
            await daemon.wait()
    return arrivals, cpu


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def latency(tree: Path, broker: LocalMosquitto, directory: Path) -> None:
    # A race-like load: 20 riders lapping every 2 s, i.e. 10 passings a second.
    decoder = P3DecoderSimulator(
        transponders=range(1, 21), lap_time_us=2_000_000, count=300, seed=1
    )
    await decoder.start("127.0.0.1", 0, when_connected=True)

    async def nothing(meter: CpuMeter) -> None:
        pass

    try:
        arrivals, _ = await run_daemon(tree, broker, directory, decoder.port, 300, nothing)
    finally:
        await decoder.stop()
    latencies_ms = [(arrivals[n] - decoder.sent_at[n]) / 1e6 for n in arrivals]
    print(
        f"  {tree.name:>12}  latency, decoder socket -> MQTT subscriber, {len(latencies_ms)} "
        f"passings at 10/s: median {median(latencies_ms):.2f} ms, "
        f"p99 {percentile(latencies_ms, 0.99):.2f} ms, max {max(latencies_ms):.2f} ms",
        flush=True,
    )


class PreparedDecoder:
    """A P3 decoder (clock mode "decoder": no GET_TIME) whose passings are encoded beforehand
    and written on `burst`; it ignores what the daemon sends it."""

    def __init__(self, count: int) -> None:
        start_us = time.time_ns() // 1000
        self.wire = [
            p3.encode(
                p3.Passing(
                    passing_number=n,
                    transponder=1 + n % 50,
                    rtc_time_us=start_us + n * 25,
                    strength=120,
                    hits=30,
                    flags=0,
                    decoder_id=4_000_001,
                )
            )
            for n in range(1, count + 1)
        ]
        self.first_sent_ns = 0
        self.last_sent_ns = 0
        self._writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self.connected.set()
        while await reader.read(1 << 16):
            pass

    async def burst(self, meter: CpuMeter, per_s: int) -> None:
        """Once the daemon is connected and settled, every passing at `per_s`."""
        await self.connected.wait()
        await asyncio.sleep(SETTLE_S)
        assert self._writer is not None
        meter.first()
        started = time.monotonic()
        self.first_sent_ns = time.time_ns()
        sent = 0
        while sent < len(self.wire):
            due = min(len(self.wire), int((time.monotonic() - started) * per_s) + 1)
            self._writer.write(b"".join(self.wire[sent:due]))
            sent = due
            await asyncio.sleep(SLICE_S)
        self.last_sent_ns = time.time_ns()

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


class Burst(NamedTuple):
    offered: float  # passings/s written to the daemon's socket
    delivered: float  # passings/s from the first sent to the last received
    cpu: Cpu


async def burst(tree: Path, broker: LocalMosquitto, directory: Path, passings: int) -> Burst:
    decoder = PreparedDecoder(passings)
    port = await decoder.start()
    try:
        arrivals, cpu = await run_daemon(
            tree,
            broker,
            directory,
            port,
            passings,
            lambda meter: decoder.burst(meter, BURST_PER_S),
        )
    finally:
        await decoder.stop()
    assert cpu is not None
    offered = passings / max(1e-9, (decoder.last_sent_ns - decoder.first_sent_ns) / 1e9)
    delivered = passings / ((max(arrivals.values()) - decoder.first_sent_ns) / 1e9)
    return Burst(offered, delivered, cpu)


async def simulator_cap(passings: int = 5_000) -> float:
    """Passings/s the simulated decoder produces from one core (encoding and writing each)."""
    async with P3DecoderSimulator() as decoder:
        await decoder.start("127.0.0.1", 0)
        _, writer = await asyncio.open_connection("127.0.0.1", decoder.port)
        while not decoder.client_count:
            await asyncio.sleep(0.001)
        cpu = time.process_time()
        for n in range(passings):
            decoder.detect(1 + n % 50, 1_000_000 + n)
        cpu = time.process_time() - cpu
        writer.close()
    return passings / cpu


def burst_report(tree: Path, bursts: list[Burst]) -> str:
    def per_passing_us(process: str) -> float:
        costs: list[float] = [getattr(b.cpu, f"{process}_s") / b.cpu.passings * 1e6 for b in bursts]
        return median(costs)

    daemon_us = per_passing_us("daemon")
    return (
        f"  {tree.name:>12}  burst of {bursts[0].cpu.passings} passings, QoS 1 with the outbox, "
        f"median of {len(bursts)}: daemon CPU {daemon_us:.1f} us/passing (capacity "
        f"{1e6 / daemon_us:.0f} passings/s of one core); offered "
        f"{median([b.offered for b in bursts]):.0f}/s, delivered "
        f"{median([b.delivered for b in bursts]):.0f} passings/s end to end; CPU per passing "
        f"of Mosquitto {per_passing_us('broker'):.1f} us, of the writer and subscriber "
        f"{per_passing_us('bench'):.1f} us"
    )


async def run(args: argparse.Namespace) -> None:
    print(
        "the daemon end to end (P3 decoder -> daemon -> Mosquitto -> subscriber); the "
        f"simulated decoder encodes {await simulator_cap():.0f} passings/s of one core:"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        broker = LocalMosquitto(root / "broker")
        broker.start()
        try:
            chosen = dict(enumerate(chosen_trees(args)))
            for index, tree in chosen.items():
                await latency(tree, broker, root / f"{index}" / "latency")
            # The trees in turn, burst after burst: a machine busy elsewhere slows each alike.
            bursts: dict[int, list[Burst]] = {index: [] for index in chosen}
            for n in range(args.runs):
                for index, tree in chosen.items():
                    directory = root / f"{index}" / f"burst-{n}"
                    bursts[index].append(await burst(tree, broker, directory, args.passings))
            for index, tree in chosen.items():
                print(burst_report(tree, bursts[index]), flush=True)
        finally:
            broker.stop()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_option(parser)
    parser.add_argument("--runs", type=int, default=3, help="bursts per tree")
    parser.add_argument("--passings", type=int, default=30_000, help="passings per burst")
    return parser


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parser().parse_args(argv)))


if __name__ == "__main__":
    main()
