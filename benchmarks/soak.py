"""The soak: the real daemon at ten times race-day load for the equivalent of 10 hours of race
day, compressed in time.

Race-day load, from the bunch race of benchmarks/races.py (the heaviest a velodrome sees): a
field of 24 riders (the scoring benchmark's race) lapping every 16 s (`races.LAP_US`), each
crossing two timing lines a lap (finish and 200 m): 24 x 2 x 60/16 = 180 passings a minute,
3 a second. Ten times that is 30 passings/s (240 riders); 10 hours of it is 1,080,000 passings,
half on each line's decoder. The run compresses them into `--seconds` (default 240 s: 4,500
passings/s offered).

Two simulated P3 decoders over TCP (`LoadDecoder`) on the finish and 200 m lines, the daemon
(`velotime run`: capture log, durable outbox, QoS 1) as a process, a real Mosquitto, and a
subscriber in a process of its own, so that the decoders' work in this one does not delay its
clock readings. Each decoder's clock is the host clock, as at a venue: the riders of the
compressed race lap every 16 s / speedup.

Reported: the daemon's RSS at the start (connected, before the load), after the first 10 % of
the passings, and at the end, and its growth; the latency from the bytes' receipt by the daemon
(its `received_us`, host clock) to the event's arrival at the subscriber (host clock), median
and p99 over the first and the last 10 % of the passings; throughput offered and delivered;
and that nothing was lost or duplicated.

    python -m benchmarks.soak [--tree DIR]... [--hours 10] [--load 10] [--seconds 240] [--quick]

`--tree DIR` (repeatable) also soaks the daemon of DIR, e.g. the code before a change.

`--quick` is one hour of race day at the same rate (24 s), to check that it works.
"""

import argparse
import asyncio
import multiprocessing
import multiprocessing.connection
import struct
import tempfile
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import aiomqtt
import msgspec

from benchmarks.daemon_pipeline import cpu_s, percentile
from benchmarks.process import add_tree_option, chosen_trees, tree_env, velotime_args
from benchmarks.races import LAP_US
from velotime.localvenue import LocalMosquitto, source_toml, write_local_config
from velotime.protocols import p3
from velotime.protocols.p3.constants import CRC_OFFSET, HEADER_SIZE
from velotime.protocols.p3.crc import p3_crc
from velotime.protocols.p3.escaping import escape

VENUE = "soak"
TOPIC = f"velotime/{VENUE}/timing/passing"
RACE_DAY_RIDERS = 24  # the field of benchmarks/scoring_cost.py's race
LINES = ("finish", "200m")  # a passing on each, every lap (benchmarks/races.py)
SLICE_S = 0.005  # the decoders detect what is due this often
SETTLE_S = 2.0  # after the daemon connected to both decoders, before the load
DRAIN_S = 120.0  # after the last passing sent, at most this long for the rest to arrive


def race_day_per_s() -> float:
    """Passings a second at race-day load (see the module's docstring)."""
    return RACE_DAY_RIDERS * len(LINES) / (LAP_US / 1e6)


def vm_kb(pid: int, key: str) -> int:
    """A /proc/PID/status memory figure (VmRSS, VmHWM) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise ValueError(f"no {key} for process {pid}")


# -- the decoders ------------------------------------------------------------------------------


class LoadDecoder:
    """A P3 decoder on TCP for a load the simulator cannot offer: each passing is one encoded
    record with its fields patched and its CRC made again (the simulator's construct encoder
    tops out at about 13,000 passings/s of a whole core, README.md), a STATUS every 4 s. What
    the daemon sends is read and ignored: with clock "decoder" it sends no GET_TIME, and TCP
    loses nothing that RESEND would ask for."""

    _PATCHED = ("passing_number", "transponder", "rtc_time_us", "strength", "hits")

    def __init__(self, decoder_id: int) -> None:
        template = p3.encode_unescaped(
            p3.Passing(
                passing_number=1,
                transponder=1,
                rtc_time_us=1,
                strength=1,
                hits=1,
                flags=0,
                decoder_id=decoder_id,
            )
        )
        self._template = bytearray(template)
        # Where each patched field's value lies, and its width: the TLVs after the header.
        names = {field.tag: field.name for field in p3.Passing.FIELDS}
        self._fields: list[tuple[str, int, struct.Struct]] = []
        pos = HEADER_SIZE
        while pos < len(template) - 1:
            tag, width = template[pos], template[pos + 1]
            if names.get(tag) in self._PATCHED:
                code = {1: "B", 2: "H", 4: "I", 8: "Q"}[width]
                self._fields.append((names[tag], pos + 2, struct.Struct("<" + code)))
            pos += 2 + width
        assert len(self._fields) == len(self._PATCHED), "the template lacks a patched field"
        self._status = p3.encode(p3.Status(noise=40, temperature=22, decoder_id=decoder_id))
        self.number = 0
        self.port = 0
        self.connected = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None
        self._pending: list[bytes] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._writer is not None:  # one host at a time, as in the soak
            writer.close()
            return
        self._writer = writer
        self.connected.set()
        self._tasks.append(asyncio.create_task(self._statuses()))
        while await reader.read(1 << 16):
            pass

    async def _statuses(self) -> None:
        while self._writer is not None:
            await asyncio.sleep(4.0)
            self._writer.write(self._status)

    def detect(self, transponder: int, rtc_time_us: int) -> None:
        """The next passing, queued until `flush`."""
        self.number += 1
        record = self._template
        values = {
            "passing_number": self.number,
            "transponder": transponder,
            "rtc_time_us": rtc_time_us,
            "strength": 120 + self.number % 80,
            "hits": 20 + self.number % 40,
        }
        for name, offset, field in self._fields:
            field.pack_into(record, offset, values[name])
        struct.pack_into("<H", record, CRC_OFFSET, p3_crc(record))
        self._pending.append(escape(bytes(record)))

    def flush(self) -> None:
        """Send what was detected since the last flush, as one write (a busy decoder's read)."""
        if self._pending and self._writer is not None:
            self._writer.write(b"".join(self._pending))
        self._pending.clear()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


# -- the subscriber, in a process of its own ----------------------------------------------------


class _Data(msgspec.Struct):
    received_us: int
    passing_number: int


class _Event(msgspec.Struct):
    src: str
    data: _Data


@dataclass
class Deliveries:
    """What the subscriber saw, one entry a message, in arrival order."""

    source: "array[int]"  # index into the sources' names
    number: "array[int]"  # passing number
    latency_us: "array[int]"  # arrival (host clock) - received_us
    first_arrival_us: int
    last_arrival_us: int


def subscriber(
    port: int,
    sources: tuple[str, ...],
    per_source: int,
    ready: Any,
    sent_all: Any,
    results: multiprocessing.connection.Connection,
) -> None:
    results.send(asyncio.run(_subscribe(port, sources, per_source, ready, sent_all)))


async def _subscribe(
    port: int, sources: tuple[str, ...], per_source: int, ready: Any, sent_all: Any
) -> Deliveries:
    decode = msgspec.json.Decoder(_Event).decode
    index = {name: i for i, name in enumerate(sources)}
    seen = [bytearray(per_source + 2) for _ in sources]  # by passing number (from 1)
    out = Deliveries(array("q"), array("q"), array("q"), 0, 0)

    async def read(client: aiomqtt.Client) -> None:
        unique = 0
        async for message in client.messages:
            arrival_us = time.time_ns() // 1000
            payload = message.payload
            assert isinstance(payload, bytes)
            event = decode(payload)
            source, number = index[event.src], event.data.passing_number
            out.source.append(source)
            out.number.append(number)
            out.latency_us.append(arrival_us - event.data.received_us)
            out.first_arrival_us = out.first_arrival_us or arrival_us
            out.last_arrival_us = arrival_us
            if 0 < number <= per_source and not seen[source][number]:
                seen[source][number] = 1
                unique += 1
                if unique == per_source * len(sources):
                    return

    async def give_up() -> None:
        """Once everything was sent, wait for the rest at most DRAIN_S after the last."""
        while not (sent_all.is_set() and time.time() - out.last_arrival_us / 1e6 > DRAIN_S):
            await asyncio.sleep(1.0)

    async with aiomqtt.Client("127.0.0.1", port, max_queued_incoming_messages=0) as client:
        await client.subscribe(TOPIC, qos=1)
        ready.set()
        tasks = [asyncio.create_task(read(client)), asyncio.create_task(give_up())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
    return out


# -- the run ------------------------------------------------------------------------------------


@dataclass
class Soak:
    passings: int
    seconds: float  # the compressed run, as planned
    sent_s: float  # as it took
    rss_kb: list[tuple[str, int]]  # (when, VmRSS of the daemon)
    anon_kb: tuple[int, int]  # its RssAnon (heap, not mapped files) at the start and the end
    peak_rss_kb: int
    daemon_cpu_s: float
    deliveries: Deliveries
    first_sent_us: int
    daemon_log: list[str]  # its stderr


async def soak(tree: Path, hours: float, load: float, seconds: float) -> Soak:
    """The soak of `tree`'s daemon."""
    per_s = race_day_per_s() * load
    per_line = round(per_s * hours * 3600 / len(LINES))
    riders = round(RACE_DAY_RIDERS * load)
    names = tuple(f"p3-{line}" for line in LINES)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="velotime-soak-") as tmp:
        root = Path(tmp)
        broker = LocalMosquitto(root / "broker")
        broker.start()
        try:
            ready, sent_all = context.Event(), context.Event()
            receiving, sending = context.Pipe(duplex=False)
            listener = context.Process(
                target=subscriber,
                args=(broker.port, names, per_line, ready, sent_all, sending),
                daemon=True,
            )
            listener.start()
            try:
                if not await asyncio.to_thread(ready.wait, 30):
                    raise RuntimeError("the subscriber did not subscribe in 30 s")
                return await _run(tree, root, broker, names, per_line, riders, seconds,
                                  sent_all, receiving, listener)  # fmt: skip
            finally:
                if listener.is_alive():
                    listener.kill()
        finally:
            broker.stop()


async def _run(
    tree: Path,
    root: Path,
    broker: LocalMosquitto,
    names: tuple[str, ...],
    per_line: int,
    riders: int,
    seconds: float,
    sent_all: Any,
    receiving: multiprocessing.connection.Connection,
    listener: Any,
) -> Soak:
    decoders = [LoadDecoder(decoder_id=4_100_001 + i) for i in range(len(LINES))]
    daemon: asyncio.subprocess.Process | None = None
    try:
        for decoder in decoders:
            await decoder.start()
        sources = [
            source_toml(name, "p3", f"tcp://127.0.0.1:{decoder.port}", line=line, clock="decoder")
            for name, line, decoder in zip(names, LINES, decoders, strict=True)
        ]
        config = write_local_config(root / "daemon", VENUE, broker.url, *sources)
        with (root / "daemon.log").open("wb") as log:
            daemon = await asyncio.create_subprocess_exec(
                *velotime_args("run", "--config", config),
                cwd=root,
                env=tree_env(tree),
                stderr=log,
            )
        try:
            async with asyncio.timeout(30):
                for decoder in decoders:
                    await decoder.connected.wait()
        except TimeoutError:
            tail = (root / "daemon.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"the daemon did not connect to the decoders in 30 s:\n{tail}"
            ) from None
        await asyncio.sleep(SETTLE_S)
        rss = [("start", vm_kb(daemon.pid, "VmRSS"))]
        anon = [vm_kb(daemon.pid, "RssAnon")]
        cpu_before = cpu_s(daemon.pid)
        first_sent_us = time.time_ns() // 1000
        sent_s = await _offer(decoders, per_line, riders, seconds, daemon.pid, rss)
        sent_all.set()
        deliveries: Deliveries = await asyncio.to_thread(_receive, receiving, listener)
        rss.append(("end", vm_kb(daemon.pid, "VmRSS")))
        anon.append(vm_kb(daemon.pid, "RssAnon"))
        return Soak(
            passings=per_line * len(LINES),
            seconds=seconds,
            sent_s=sent_s,
            rss_kb=rss,
            anon_kb=(anon[0], anon[-1]),
            peak_rss_kb=vm_kb(daemon.pid, "VmHWM"),
            daemon_cpu_s=cpu_s(daemon.pid) - cpu_before,
            deliveries=deliveries,
            first_sent_us=first_sent_us,
            daemon_log=(root / "daemon.log").read_text(errors="replace").splitlines(),
        )
    finally:
        if daemon is not None and daemon.returncode is None:
            daemon.terminate()
            await daemon.wait()
        for decoder in decoders:
            await decoder.stop()


async def _offer(
    decoders: list[LoadDecoder],
    per_line: int,
    riders: int,
    seconds: float,
    daemon_pid: int,
    rss: list[tuple[str, int]],
) -> float:
    """Each decoder detects its line's passings at the compressed rate: the riders of the field
    cross it in turn, spread evenly round the lap. Returns the seconds it took."""
    rate = per_line / seconds  # a line's passings a second
    sent = 0
    last_us = [0] * len(decoders)
    started = time.monotonic()
    while sent < per_line:
        await asyncio.sleep(SLICE_S)
        due = min(per_line, int((time.monotonic() - started) * rate) + 1)
        for i, decoder in enumerate(decoders):
            for n in range(sent, due):
                # The decoder's clock is the host's; its passings in increasing time.
                last_us[i] = max(last_us[i] + 1, time.time_ns() // 1000)
                decoder.detect(10_000 + n % riders, last_us[i])
            decoder.flush()
        tenth = due * 10 // per_line
        if tenth > sent * 10 // per_line and tenth < 10:
            rss.append((f"{tenth * 10} %", vm_kb(daemon_pid, "VmRSS")))
        sent = due
    return time.monotonic() - started


def _receive(receiving: multiprocessing.connection.Connection, listener: Any) -> Deliveries:
    if not receiving.poll(DRAIN_S + 60):
        raise RuntimeError("the subscriber gave no result")
    deliveries: Deliveries = receiving.recv()
    listener.join(10)
    return deliveries


# -- the report ---------------------------------------------------------------------------------


def report(tree: Path, result: Soak, hours: float, load: float) -> list[str]:
    d = result.deliveries
    per_line = result.passings // len(LINES)
    seen: set[tuple[int, int]] = set()
    duplicates = 0
    tenths: list[list[float]] = [[] for _ in range(10)]  # latencies (ms) by tenth of the run
    for source, number, latency_us in zip(d.source, d.number, d.latency_us, strict=True):
        if (source, number) in seen:
            duplicates += 1
            continue
        seen.add((source, number))
        tenths[min(9, (number - 1) * 10 // per_line)].append(latency_us / 1000)
    lost = result.passings - len(seen)
    rss = dict(result.rss_kb)
    wall_s = (d.last_arrival_us - result.first_sent_us) / 1e6

    def latency(values: list[float]) -> str:
        if not values:
            return "none delivered"
        return (
            f"median {median(values):.2f} ms, p99 {percentile(values, 0.99):.2f} ms, "
            f"max {max(values):.1f} ms"
        )

    def mb(kb: int) -> str:
        return f"{kb / 1024:.1f}"

    p99s = " ".join(f"{percentile(t, 0.99):.1f}" if t else "-" for t in tenths)
    return [
        f"the soak of {tree.name}: {hours:g} h of race day at {load:g}x race-day load (race day: "
        f"{race_day_per_s():g} passings/s, {RACE_DAY_RIDERS} riders x {len(LINES)} lines, a lap "
        f"every {LAP_US / 1e6:g} s), {result.passings:,} passings on {len(LINES)} P3 decoders, "
        f"compressed into {result.seconds:g} s:",
        f"  offered {result.passings / result.sent_s:,.0f} passings/s "
        f"(sent in {result.sent_s:.1f} s), delivered {len(seen) / wall_s:,.0f}/s end to end "
        f"({wall_s:.1f} s to the last); lost {lost}, duplicates {duplicates}; daemon CPU "
        f"{result.daemon_cpu_s / result.passings * 1e6:.0f} us/passing",
        f"  daemon RSS: start {mb(rss['start'])} MB, end {mb(rss['end'])} MB, growth "
        f"{(rss['end'] - rss['start']) / 1024:+.1f} MB, of which anonymous "
        f"{(result.anon_kb[1] - result.anon_kb[0]) / 1024:+.1f} MB "
        f"(peak {mb(result.peak_rss_kb)} MB); "
        "by tenth of the run: " + " ".join(mb(kb) for _, kb in result.rss_kb) + " MB",
        f"  latency, daemon receipt -> MQTT subscriber: first 10 % {latency(tenths[0])}; "
        f"last 10 % {latency(tenths[-1])}; p99 by tenth: {p99s} ms",
    ]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_option(parser)
    parser.add_argument("--hours", type=float, default=10.0, help="hours of race day")
    parser.add_argument("--load", type=float, default=10.0, help="times race-day load")
    parser.add_argument("--seconds", type=float, default=240.0, help="the compressed run")
    parser.add_argument(
        "--quick", action="store_true", help="one hour of race day at the same rate"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.quick:
        args.seconds *= 1 / args.hours
        args.hours = 1.0
    for tree in chosen_trees(args):
        result = asyncio.run(soak(tree, args.hours, args.load, args.seconds))
        for line in report(tree, result, args.hours, args.load):
            print(line, flush=True)


if __name__ == "__main__":
    main()
