"""A scenario's capture played live through every real part: each source's bytes sent by a
device of its kind -> the daemon (in this process, as `velotime run` runs it, on a test clock)
-> a real Mosquitto -> the scoring service (in this process), the desk's commands typed into
`velotime ctl` (its `main`, in this process).

    async with Venue(capture, meet, tmp_path / "live", broker, monkeypatch) as venue:
        await venue.play()
    venue.check_recorded()    # the daemon recorded the capture's chunks, stamps and all
    venue.retained            # every retained message below the venue ("results/ip-q": ...)
    venue.daemon_capture      # what the daemon recorded: replay it offline to compare
    venue.desk                # each command typed, and ctl's exit status (1: refused)
    venue.published_commands  # what the daemon published on timing/command

The devices, one for each source of the capture's header:
- a P3 decoder (`p3`): a TCP server the daemon connects to, which sends the chunks' bytes;
- an ALGE Timy (`timy`): a raw pseudo-terminal (os.openpty) the daemon opens as its serial port;
- a FinishLynx camera (`lynx`): a TCP client of the daemon's listening port;
- the desk (`control`): each command typed into `velotime ctl` with its words.
A device sends a chunk's bytes as they are, whatever they hold (a record split over two reads,
several in one): the daemon reads what a real device would have sent.

Time. The daemon stamps what it reads with its clock, and the sessions and scorers read those
stamps (a Timy's time of day is dated by it, a P3 decoder's clock learnt from the stamp of its
answer to GET_TIME, the desk's `start` and the camera's blocks placed by them). So the daemon
reads a test clock, set to a chunk's receive time before its bytes are sent: it records the
chunk as the scenario's capture has it, however fast it is sent.

Order. A chunk is sent once the daemon has recorded the one before in its capture (the file
is written before a chunk is parsed, unbuffered): so every chunk is read alone, stamped with
its own time, and the sources' chunks reach the daemon in the capture's order, as they came in
on the track. `velotime ctl` returns once the scoring has answered, so nothing is sent after a
command until it is applied; the daemon publishes in the order it reads, so the scoring sees
the timing and the commands in that order too. A session ends with a command (the last
`final`): once it is answered, the scoring has applied everything and published its results.
"""

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import aiomqtt
import msgspec
import pytest
from msgspec import UNSET

from tests.cli.helpers import velotime_main
from tests.scoring.live import Watch, retained, write_venue_config
from velotime.capture import CONTROL_SOURCE, CaptureChunk, CaptureHeader, read_capture
from velotime.cli.ctl import _STATUSES as CTL_STATUSES
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.localvenue import LocalBroker, free_port, source_toml
from velotime.scoring.service import ScoringService
from velotime.simulators.serial_link import open_raw_pty, termios_speed
from velotime.wire.commands import (
    Abandon,
    Arm,
    Command,
    Final,
    LapChangeDecision,
    NextRider,
    Provisional,
    SetStatus,
    SprintDecision,
    Start,
    decode_command,
)
from velotime.wire.events import CommandData, decode_event

DAEMON_TIMEOUT_S = 30.0  # for the daemon to read a chunk: it takes milliseconds
TIMY_BAUDRATE = 38400
_STATUS_WORDS = {status: word for word, status in CTL_STATUSES.items()}


class VenueClock:
    """The daemon's clock (`velotime.times.now_us` where the daemon reads it), moved on by the
    test to the instant of what it sends next; never back."""

    def __init__(self, t_us: int) -> None:
        self.t_us = t_us

    def now_us(self) -> int:
        return self.t_us

    def advance_to(self, t_us: int) -> None:
        self.t_us = max(self.t_us, t_us)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The daemon and its drivers read this clock from now on."""
        for module in ("velotime.daemon.service", "velotime.drivers.driver"):
            monkeypatch.setattr(f"{module}.now_us", self.now_us)


def ctl_args(command: Command) -> list[str]:
    """The `velotime ctl` words the desk types for `command`."""
    event = command.event
    if isinstance(command, Arm | Start | Provisional | Final):
        return [str(command.__struct_config__.tag), event]
    if isinstance(command, NextRider):
        return ["next-rider", event, str(command.bib)]
    if isinstance(command, Abandon):
        return ["abandon", event, "--reason", command.reason]
    if isinstance(command, SprintDecision):
        args = ["sprint", event, str(command.number)]
        if command.placings:
            placings = ",".join("=".join(map(str, place)) for place in command.placings)
            args += ["--placings", placings, "--reason", command.reason]
        return args
    if isinstance(command, LapChangeDecision):
        return ["lap-change", event, str(command.bib), f"{command.change:+d}", "--reason",
                command.reason]  # fmt: skip
    if isinstance(command, SetStatus):
        word = _STATUS_WORDS[command.status]
        return ["status", event, str(command.bib), word, "--reason", command.reason]
    raise AssertionError(f"no ctl words for {command!r}")


class CaptureTail:
    """The daemon's capture file as it grows: its chunks, and the bytes read from each source."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.chunks: list[CaptureChunk] = []
        self.received: Counter[str] = Counter()
        self._offset = len(path.read_bytes().partition(b"\n")[0]) + 1  # past the header
        self._decoder = msgspec.json.Decoder(CaptureChunk)
        self._handle = path.open("rb")

    def close(self) -> None:
        """Once the daemon has stopped: its capture read to the end."""
        self.read()
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def read(self) -> None:
        self._handle.seek(self._offset)
        text = self._handle.read()
        whole = text[: text.rfind(b"\n") + 1]  # a line being written is read next time
        self._offset += len(whole)
        for line in whole.splitlines():
            chunk = self._decoder.decode(line)
            self.chunks.append(chunk)
            self.received[chunk.src] += len(chunk.data)

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Until the daemon has recorded what `condition` asks; the daemon runs in this loop,
        and reads within a turn or two of it."""
        deadline = asyncio.get_running_loop().time() + DAEMON_TIMEOUT_S
        turns = 0
        while True:
            self.read()
            if condition():
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {DAEMON_TIMEOUT_S} s waiting for {what}")
            turns += 1
            await asyncio.sleep(0 if turns < 50 else 0.001)

    async def received_all(self, source: str, count: int) -> None:
        """Until the daemon has recorded `count` bytes from `source`."""
        await self.until(
            lambda: self.received[source] >= count, f"the daemon to record {source}'s {count} bytes"
        )

    def connections(self, source: str) -> int:
        return sum(1 for chunk in self.chunks if chunk.src == source and not chunk.data)


class Device:
    """A device of the venue: sends a chunk's bytes as they are."""

    def source_toml(self, name: str, settings: dict[str, Any]) -> str:
        raise NotImplementedError

    async def start(self) -> None:
        """Ready for the daemon to connect (a listening device), before the daemon starts."""

    async def connect(self) -> None:
        """Connect to the daemon (a device that connects), once the daemon is up."""

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        pass


class Decoder(Device):
    """A P3 decoder: a TCP server; what the daemon sends it (GET_TIME, polls) goes unanswered
    but by the capture's own chunks."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        while await reader.read(4096):  # the daemon's requests: read, not answered
            pass

    def source_toml(self, name: str, settings: dict[str, Any]) -> str:
        return source_toml(name, "p3", f"tcp://127.0.0.1:{self.port}", **settings)

    def send(self, data: bytes) -> None:
        assert self._writer is not None, "the daemon has not connected"
        self._writer.write(data)

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._server is not None:
            self._server.close()


class ImpulseTimer(Device):
    """An ALGE Timy on a raw pseudo-terminal: the daemon opens its slave as the serial port; its
    commands (TIMYINIT, CHK1, ...) are read and go unanswered."""

    def __init__(self) -> None:
        self._master, self._slave, self.path = open_raw_pty(termios_speed(TIMY_BAUDRATE))
        asyncio.get_running_loop().add_reader(self._master, self._drain)

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            os.read(self._master, 4096)

    def source_toml(self, name: str, settings: dict[str, Any]) -> str:
        return source_toml(name, "timy", f"serial://{self.path}?baudrate={TIMY_BAUDRATE}",
                           **settings)  # fmt: skip

    def send(self, data: bytes) -> None:
        written = os.write(self._master, data)  # a line or two: the pty takes it whole
        assert written == len(data), f"the pty took {written} of {len(data)} bytes"

    async def stop(self) -> None:
        asyncio.get_running_loop().remove_reader(self._master)
        os.close(self._master)
        os.close(self._slave)


class Camera(Device):
    """A FinishLynx camera: connects to the daemon's listening port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._writer: asyncio.StreamWriter | None = None

    def source_toml(self, name: str, settings: dict[str, Any]) -> str:
        return source_toml(name, "lynx", f"tcp-listen://127.0.0.1:{self.port}", **settings)

    async def connect(self) -> None:
        deadline = asyncio.get_running_loop().time() + DAEMON_TIMEOUT_S
        while True:
            try:
                _, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
                return
            except OSError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.01)

    def send(self, data: bytes) -> None:
        assert self._writer is not None, "the camera has not connected"
        self._writer.write(data)

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _device(description: dict[str, Any]) -> tuple[Device, dict[str, Any]]:
    """The device for a source of the capture's header, and its [[sources]] settings."""
    protocol = description["protocol"]
    if protocol == "p3":
        settings = {key: description[key] for key in ("line", "decoder_lines", "clock")
                    if description.get(key)}  # fmt: skip
        return Decoder(), settings
    if protocol == "timy":
        channels: dict[str, dict[str, Any]] = {}
        for key, channel in description["channels"].items():
            channels[key] = {"line": channel["line"]}
            if channel.get("delay_us"):
                channels[key]["delay_us"] = channel["delay_us"]
            if channel.get("dead_time_us"):  # configured in milliseconds
                dead_time_ms, rest = divmod(channel["dead_time_us"], 1000)
                assert not rest, f"channel {key}: a dead time of whole milliseconds"
                channels[key]["dead_time_ms"] = dead_time_ms
        return ImpulseTimer(), {"channels": channels}
    if protocol == "lynx":
        return Camera(), {}
    raise AssertionError(f"no device plays a {protocol!r} source")


class Venue:
    """The scenario's devices, the daemon, the scoring service and the desk."""

    def __init__(
        self,
        capture: Path,
        meet: Path,
        directory: Path,
        broker: LocalBroker,
        monkeypatch: pytest.MonkeyPatch,
        *,
        venue: str = "through-the-daemon",
        until_us: int | None = None,
    ) -> None:
        """`until_us`: play only the chunks received up to then (the first races of a session)."""
        reader = read_capture(capture)
        self.header: CaptureHeader = reader.header
        self.chunks = [c for c in reader.chunks() if until_us is None or c.t_us <= until_us]
        assert not reader.problems, reader.problems
        self.meet = meet
        self.directory = directory
        self.broker = broker
        self.venue = venue
        self.root = f"velotime/{venue}"
        self.clock = VenueClock(self.chunks[0].t_us)
        self._monkeypatch = monkeypatch
        self.desk: list[tuple[Command, int]] = []  # what the desk typed, and ctl's exit status
        self.published_commands: list[Command] = []  # on timing/command, without ctl's ids
        self.retained: dict[str, bytes] = {}
        self.daemon_capture: Path | None = None
        self._devices: dict[str, Device] = {}
        self._settings: dict[str, dict[str, Any]] = {}  # each device's [[sources]] settings
        self._tail: CaptureTail | None = None
        self._stack = contextlib.AsyncExitStack()

    def _timezone(self) -> str:
        zones = {d["timezone"] for d in self.header.sources.values() if d.get("timezone")}
        assert len(zones) <= 1, f"sources on several time zones: {zones}"
        return zones.pop() if zones else "UTC"

    def _config(self) -> Path:
        sources = [
            self._devices[name].source_toml(name, settings)
            for name, settings in self._settings.items()
        ]
        return write_venue_config(
            self.directory, self.venue, self.broker.url, self.header.lines, *sources,
            track_length_m=self.header.track_length_m or 250, meet=self.meet,
            timezone=self._timezone(), roles=self.header.roles,
        )  # fmt: skip

    async def __aenter__(self) -> "Venue":
        await self._stack.__aenter__()
        try:
            await self._stack.enter_async_context(self._running())
        except BaseException:
            await self._stack.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stack.__aexit__(kind, exc, tb)

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        for name, description in self.header.sources.items():
            if name == CONTROL_SOURCE or description["protocol"] in ("control", "lif"):
                continue
            self._devices[name], self._settings[name] = _device(description)
        try:
            for device in self._devices.values():
                await device.start()
            self.clock.install(self._monkeypatch)
            config = load_config(self._config(), env={})
            daemon = Daemon(config)
            service = ScoringService.open(config, self.meet)
            self.daemon_capture = daemon.capture.path
            self._tail = CaptureTail(daemon.capture.path)
            self._stack.callback(self._tail.close)
            stop = asyncio.Event()
            tasks = [asyncio.create_task(daemon.run(stop)), asyncio.create_task(service.run(stop))]
            subscribed = asyncio.Event()
            watching = asyncio.create_task(self._watch_commands(subscribed))
            try:
                await asyncio.wait_for(subscribed.wait(), DAEMON_TIMEOUT_S)
                async with Watch(self.broker.port, f"{self.root}/status/#") as watch:
                    await watch.wait_for(lambda: self._online(watch), "the daemon and scoring")
                for device in self._devices.values():
                    await device.connect()
                tail = self._tail
                await tail.until(
                    lambda: all(tail.connections(name) for name in self._devices),
                    "the daemon to record a connection from every device",
                )
                yield
            finally:
                stop.set()
                await asyncio.gather(*tasks)
                watching.cancel()
                await asyncio.gather(watching, return_exceptions=True)
                service.close()
        finally:
            for device in self._devices.values():
                await device.stop()

    async def _watch_commands(self, subscribed: asyncio.Event) -> None:
        async with aiomqtt.Client("127.0.0.1", self.broker.port) as client:
            await client.subscribe(f"{self.root}/timing/command", qos=1)
            subscribed.set()
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                data = decode_event(message.payload).data
                assert isinstance(data, CommandData), data
                self.published_commands.append(msgspec.structs.replace(data.command, id=UNSET))

    def _online(self, watch: Watch) -> bool:
        statuses = [watch.json(f"{self.root}/status/{name}") for name in ("daemon", "scoring")]
        return all(status is not None and status["online"] for status in statuses)

    async def play(self) -> None:
        """Every chunk of the capture in its order, then the retained messages read back."""
        tail = self._tail
        assert tail is not None, "play within `async with`"
        sent: Counter[str] = Counter()
        connected = set()
        last = self.chunks[-1]
        assert last.src == CONTROL_SOURCE, "a session ends with a command (its last final)"
        for chunk in self.chunks:
            if chunk.src == CONTROL_SOURCE:
                await self.type(chunk.t_us, decode_command(chunk.data))
                continue
            if not chunk.data:  # the daemon connected: it has, once, at the start
                assert chunk.src not in connected, f"{chunk.src} reconnects: not played"
                connected.add(chunk.src)
                continue
            self.clock.advance_to(chunk.t_us)
            self._devices[chunk.src].send(chunk.data)
            sent[chunk.src] += len(chunk.data)
            await tail.received_all(chunk.src, sent[chunk.src])
        await tail.until(
            lambda: len(self.published_commands) == len(self.desk),
            "the daemon to publish every command",
        )
        self.retained = await retained(self.broker.port, self.root)

    async def type(self, t_us: int, command: Command) -> None:
        """The desk types the command at `t_us`."""
        self.clock.advance_to(t_us)
        base = ("ctl", "--broker", self.broker.url, "--venue", self.venue, "--timeout", "30")
        result = await asyncio.to_thread(velotime_main, *base, *ctl_args(command))
        assert result.returncode in (0, 1), result.stderr  # accepted, or refused with a reason
        self.desk.append((command, result.returncode))

    def recorded(self, source: str) -> list[CaptureChunk]:
        """What the daemon recorded from `source`, in order."""
        assert self._tail is not None
        if not self._tail.closed:
            self._tail.read()
        return [chunk for chunk in self._tail.chunks if chunk.src == source]

    def check_recorded(self) -> None:
        """The daemon recorded each device's chunks as the capture has them (the same bytes,
        read at the same instants), and the capture's commands as the desk typed them."""
        for source in self._devices:
            expected = [(c.t_us, c.data) for c in self.chunks if c.src == source and c.data]
            got = [(c.t_us, c.data) for c in self.recorded(source) if c.data]
            assert got == expected, f"{source}: the daemon recorded other chunks"
        commands = [decode_command(c.data) for c in self.chunks if c.src == CONTROL_SOURCE]
        assert self.recorded_commands() == commands
        assert [command for command, _ in self.desk] == commands

    def recorded_commands(self) -> list[Command]:
        """The commands the daemon recorded, without the ids ctl gave them."""
        return [
            msgspec.structs.replace(decode_command(chunk.data), id=UNSET)
            for chunk in self.recorded(CONTROL_SOURCE)
        ]


def results_and_standings(retained: dict[str, bytes]) -> dict[str, bytes]:
    """The retained results and standings, each as the file `replay --results` writes it."""
    return {
        key: payload + b"\n"
        for key, payload in retained.items()
        if key.startswith(("results/", "standings/"))
    }
