"""The fault suite's harness: real parts, faults injected from outside, and a count of what came
out against what went in.

Each scenario runs `velotime run` as its own process with a config file, a real Mosquitto
configured with the shipped durability settings (config/mosquitto/velotime.conf), simulated
decoders over TCP or a pseudo-terminal, and a collector: a persistent QoS 1 subscriber (clean
session off, as the scoring service subscribes) that keeps every message. What the simulators
made is compared with what the collector got, deduplicated by event id, and the scenario's one
line (`<scenario>: sent N, delivered N, lost 0, duplicates after dedupe 0`) is printed in the
session's summary (conftest.py) before anything is asserted, so a failing run reports it too.
"""

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tests.brokers import require_mosquitto
from tests.daemon.harness import DaemonProcess, Subscriber, unique_by_id
from velotime.localvenue import LocalMosquitto, free_port, source_toml, write_local_config
from velotime.protocols.p3 import Passing
from velotime.simulators.p3_decoder import SERIAL_BAUDRATE, P3DecoderSimulator
from velotime.times import US_PER_SECOND

VENUE = "fault-velodrome"
TOPICS = f"velotime/{VENUE}/#"
SHIPPED_MOSQUITTO_CONF = Path(__file__).resolve().parents[2] / "config/mosquitto/velotime.conf"
# What the shipped broker configuration says about keeping messages: the scenarios run with
# exactly these; listeners, accounts and paths are the test's own.
DURABILITY_KEYS = frozenset(
    {
        "persistence",
        "autosave_interval",
        "autosave_on_changes",
        "max_queued_messages",
        "max_queued_bytes",
        "max_inflight_messages",
        "max_inflight_bytes",
        "queue_qos0_messages",
        "persistent_client_expiration",
        "upgrade_outgoing_qos",
        "set_tcp_nodelay",
    }
)
# The daemon's P3 source in every scenario: a link noticed dead after 2 s of silence, reconnects
# within half a second, GET_TIME every 5 s (docs/configuration.md).
P3_LINK_SETTINGS: dict[str, object] = {
    "silence_timeout_s": 2.0,
    "get_time_interval_s": 5.0,
    "reconnect_min_s": 0.1,
    "reconnect_max_s": 0.5,
}

REPORT: list[str] = []  # every scenario's line, printed at the end of the session


def shipped_durability_settings() -> list[str]:
    """The lines of the shipped Mosquitto configuration whose key is in DURABILITY_KEYS."""
    kept = []
    for raw in SHIPPED_MOSQUITTO_CONF.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and line.split()[0] in DURABILITY_KEYS:
            kept.append(line)
    return kept


class FaultBroker(LocalMosquitto):
    """Mosquitto on a loopback port with the shipped durability settings; `kill` is kill -9,
    `start` again resumes from the same persistence directory. `extra` is appended to its
    configuration (a bridge)."""

    def __init__(self, directory: Path, extra: str = "") -> None:
        require_mosquitto()
        super().__init__(directory)
        run_as = "user root\n" if os.geteuid() == 0 else ""
        shipped = "".join(f"{line}\n" for line in shipped_durability_settings())
        self.config.write_text(
            f"{run_as}listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            f"persistence_location {directory}/\n"
            f"{shipped}"
            f"log_dest file {directory}/mosquitto.log\n"
            f"{extra}"
        )

    def kill(self) -> None:
        """SIGKILL: nothing saved on the way out."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def running(broker: FaultBroker) -> Iterator[FaultBroker]:
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def p3_finish_source(transport: str, **settings: object) -> str:
    return source_toml("p3-finish", "p3", transport, line="finish", **(P3_LINK_SETTINGS | settings))


def daemon(tmp_path: Path, broker_url: str, *sources: str) -> DaemonProcess:
    """`velotime run` for the venue, its state in tmp_path/state, its log in tmp_path."""
    config = write_local_config(tmp_path, VENUE, broker_url, *sources)
    return DaemonProcess(config, tmp_path / "daemon.log")


class Collector:
    """The persistent QoS 1 subscriber to everything the venue publishes (clean session off, a
    fixed client id, as the scoring service subscribes), which can go offline and come back:
    the broker keeps what arrives meanwhile. `messages` holds all it ever received."""

    def __init__(self, port: int, name: str = "collector") -> None:
        self.port = port
        self.name = name
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._subscriber: Subscriber | None = None

    async def connect(self) -> None:
        subscriber = Subscriber(self.port, TOPICS, self.name)
        subscriber.messages = self.messages  # one record across its sessions
        await subscriber.__aenter__()
        self._subscriber = subscriber

    async def disconnect(self) -> None:
        """Offline (a clean DISCONNECT): its session and subscription stay on the broker."""
        if self._subscriber is not None:
            await self._subscriber.__aexit__(None, None, None)
            self._subscriber = None


@contextlib.asynccontextmanager
async def collector(port: int, name: str = "collector") -> AsyncIterator[Collector]:
    got = Collector(port, name)
    await got.connect()
    try:
        yield got
    finally:
        await got.disconnect()


def event_key(event: dict[str, Any]) -> tuple[Any, ...]:
    """The passing a published event is of: its passing_key."""
    data = event["data"]
    return passing_key(
        data.get("decoder_id"), data.get("passing_number"), data["rtc_time_us"], data["transponder"]
    )


def passing_key(
    decoder_id: Any, number: Any, rtc_time_us: Any, transponder: Any
) -> tuple[Any, ...]:
    return (decoder_id, number, rtc_time_us, transponder)


@dataclass
class Tally:
    """What went in against what came out, for one scenario."""

    scenario: str
    sent: int
    delivered: int
    duplicates: int  # copies of a passing under another event id, after dedupe by id
    missing: list[tuple[Any, ...]] = field(default_factory=list)
    phantoms: list[str] = field(default_factory=list)  # event ids matching no passing made

    @property
    def lost(self) -> int:
        return len(self.missing)

    def line(self) -> str:
        return (
            f"{self.scenario}: sent {self.sent}, delivered {self.delivered}, lost {self.lost}, "
            f"duplicates after dedupe {self.duplicates}"
        )


def passing_events(messages: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The passing events a consumer keeps: one per event id."""
    return unique_by_id([p for t, p in messages if t.endswith("/timing/passing")])


def tally(scenario: str, made: Sequence[Passing], messages: Sequence[tuple[str, Any]]) -> Tally:
    """Match every passing the decoders made with the events published, by decoder, number,
    decoder time and transponder (a rebooted decoder reuses numbers, never with the same time)."""
    sent: dict[tuple[Any, ...], int] = {}
    for passing in made:
        key = passing_key(
            passing.decoder_id, passing.passing_number, passing.rtc_time_us, passing.transponder
        )
        sent[key] = 0
    phantoms = []
    for event_id, event in passing_events(messages).items():
        key = event_key(event)
        if key in sent:
            sent[key] += 1
        else:
            phantoms.append(event_id)
    return Tally(
        scenario=scenario,
        sent=len(sent),
        delivered=sum(1 for copies in sent.values() if copies),
        duplicates=sum(copies - 1 for copies in sent.values() if copies > 1),
        missing=[key for key, copies in sent.items() if not copies],
        phantoms=phantoms,
    )


def report(result: Tally) -> None:
    REPORT.append(result.line())


def check(result: Tally, log: str) -> None:
    """Report the scenario's line, then fail if anything was lost, doubled or made up."""
    report(result)
    detail = f"{result.line()}\nmissing {result.missing[:10]}\nlog tail:\n{log[-2500:]}"
    assert result.lost == 0, detail
    assert result.duplicates == 0, detail
    assert not result.phantoms, f"events matching no passing made: {result.phantoms[:10]}"


async def settle(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Wait until `condition()` holds or `timeout_s` passes; whether it holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    if not await settle(condition, timeout_s):
        raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class HasMessages(Protocol):
    messages: list[tuple[str, dict[str, Any]]]


def all_delivered(made: Callable[[], Sequence[Passing]], got: HasMessages) -> bool:
    """Whether every passing made so far is among the published events."""
    published = {event_key(e) for e in passing_events(got.messages).values()}
    return all(
        passing_key(p.decoder_id, p.passing_number, p.rtc_time_us, p.transponder) in published
        for p in made()
    )


# -- a scene: broker, decoder in real time, daemon, collector -----------------------------------

RIDERS = range(2001, 2011)
LAP_US = US_PER_SECOND
# Once the decoder has made its last passing, how long the daemon has to get every one out: a
# RESEND retry (5 s) and a little more.
SETTLE_S = 7.0


class Scene:
    """A broker, a decoder, the daemon connected to it and the collector."""

    def __init__(
        self,
        broker: FaultBroker,
        sim: P3DecoderSimulator,
        run: DaemonProcess,
        got: Collector,
        decoder_port: int,
    ) -> None:
        self.broker = broker
        self.sim = sim
        self.run = run
        self.got = got
        self.decoder_port = decoder_port

    async def switch_on_decoder(self, *, reachable: bool = True) -> None:
        """Start the TCP decoder now (a scene made with `decoder_on=False`): it makes passings
        from this moment, and listens on its port unless it is to be out of reach."""
        await self.sim.set_reachable(reachable)
        await self.sim.start("127.0.0.1", self.decoder_port)

    def source_status_seen(self) -> bool:
        """Whether the daemon has said anything about its decoder link (it is up and trying)."""
        return any(t.endswith("/status/sources/p3-finish") for t, _ in self.got.messages)

    def everything_so_far_delivered(self) -> bool:
        return all_delivered(lambda: self.sim.passings, self.got)

    def transmitted(self) -> list[Passing]:
        """The passings of the current count that the decoder has written to a host."""
        return [p for p in self.sim.passings if p.passing_number in self.sim.sent_at]

    async def delivered_at_least(self, passings: int, settle_s: float = SETTLE_S) -> None:
        """Until `passings` were made and every one the decoder has written to the daemon is
        published: a fault from here on loses nothing by itself (a counter restart clears the
        decoder's memory, so what it sent before must be out). Before any counter restart.
        If the daemon does not get them all out within `settle_s`, the scenario goes on: it
        had them, and the count at the end will show what it lost."""
        await wait(lambda: len(self.sim.passings) >= passings, 20, f"{passings} passings")
        await settle(lambda: all_delivered(self.transmitted, self.got), settle_s)

    async def finish(
        self,
        scenario: str,
        got: HasMessages | None = None,
        settle_s: float = SETTLE_S,
        absurd: Sequence[Passing] = (),
    ) -> None:
        """Wait for the decoder's last passing, give the daemon `settle_s` to get everything
        out (to the collector, or to `got`), stop it, and count. Only the `absurd` passings
        (injected glitches) may be published flagged: a real passing flagged is one the
        scoring will not use."""
        got = got or self.got
        await wait(lambda: self.sim.done, 60, "the decoder's last passing")
        await settle(lambda: all_delivered(lambda: self.sim.passings, got), settle_s)
        exit_code = self.run.stop()
        check(tally(scenario, self.sim.passings, got.messages), self.run.log_text())
        glitches = {
            passing_key(p.decoder_id, p.passing_number, p.rtc_time_us, p.transponder)
            for p in absurd
        }
        flagged = [
            e
            for e in passing_events(got.messages).values()
            if e["data"].get("flag") and event_key(e) not in glitches
        ]
        assert not flagged, f"{len(flagged)} real passings flagged, e.g. {flagged[:3]}"
        log = self.run.log_text()
        assert exit_code == 0, log[-3000:]
        # A fault is met with a logged line, never a traceback (the developers' guide).
        assert "Traceback" not in log, log[log.index("Traceback") - 500 :][:4000]


@contextlib.asynccontextmanager
async def scene(
    tmp_path: Path,
    count: int,
    seed: int,
    *,
    when_connected: bool = True,
    decoder_on: bool = True,
    serial: bool = False,
    lap_time_us: int = LAP_US,
    broker_extra: str = "",
    **source_settings: object,
) -> AsyncIterator[Scene]:
    """A broker, a decoder making `count` passings in real time (from the daemon's first
    connection, or at once; or, with `decoder_on=False`, once `switch_on_decoder` is called), on
    TCP or on a serial port (a pty behind tmp_path/ttyP3), the daemon configured for it (not
    started) and the collector. `broker_extra` goes into the broker's configuration (a bridge).
    """
    broker = FaultBroker(tmp_path / "broker", broker_extra)
    with running(broker):
        sim = P3DecoderSimulator(
            transponders=RIDERS,
            lap_time_us=lap_time_us,
            count=count,
            seed=seed,
            status_interval_s=0.5,
        )
        async with sim, collector(broker.port) as got:
            port = 0
            if serial:
                link = tmp_path / "ttyP3"
                sim.start_serial(link=link, when_connected=when_connected)
                source = p3_finish_source(
                    f"serial://{link}?baudrate={SERIAL_BAUDRATE}", **source_settings
                )
            else:
                port = free_port()
                if decoder_on:
                    await sim.start("127.0.0.1", port, when_connected=when_connected)
                source = p3_finish_source(f"tcp://127.0.0.1:{port}", **source_settings)
            run = daemon(tmp_path, broker.url, source)
            try:
                yield Scene(broker, sim, run, got, port)
            finally:
                run.stop()


# -- a link we can cut -------------------------------------------------------------------------


class CuttableProxy:
    """A TCP relay on a loopback port to `target_port`: `cut()` closes every connection through
    it and refuses new ones until `mend()` (a WAN link going down and coming back)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    async def mend(self) -> None:
        await self.start()  # the same port again

    async def stop(self) -> None:
        await self.cut()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._pipes |= {writer, up_writer}
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )
        for end in (writer, up_writer):
            self._pipes.discard(end)
            end.transport.abort()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
        writer.transport.abort()
