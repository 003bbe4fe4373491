"""The points race of scenarios/points_race.py scored live through every real part: three
simulated P3 decoders (the finish, 200 m and 100 m loops) and a simulated FinishLynx camera over
TCP -> the daemon (in this process, as `velotime run` runs it) -> a real Mosquitto -> the scoring
service (in this process), with the desk's and the judges' commands typed into `velotime ctl`
(its `main`, in this process) at their places in the race. What the scoring leaves retained is
the hand-worked result of the scenario, and byte for byte what `velotime replay <the daemon's
capture> --offline --results` writes.

Time. The race lasts 23 minutes; the test takes seconds. The decoders run on the venue clock
(`clock = "decoder"`), so a passing's time is the one the scenario gives it, however fast it is
sent. But the daemon stamps what it receives with its own clock, and a scorer reads those
stamps: the desk's `start` starts the lap count when the daemon received it, and the camera's
block is matched with the sprint it judged by when it arrived. So the daemon reads a test clock,
set to the scenario's instant of what is sent (a passing 150 ms after its read, as a decoder
sends it): the daemon sees the race as it happened, sent as fast as it takes it.

Order. Before a command or a camera message, the test waits until the daemon has published
everything sent before it (on timing/, as a subscriber sees it), so each lands between the
passings it falls between in the race; `velotime ctl` returns once the scoring has answered, so
nothing is sent after a command until it is applied. Each decoder's passings keep their order on
its TCP stream, but three streams sent at once could reach the daemon in any interleaving (on
the track they come in time order, a decoder sending each read 150 ms after it): before a read
on another loop than the one before, the test waits for the daemon to have published the reads
sent so far.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from pathlib import Path
from typing import Any

import aiomqtt
import msgspec
import pytest
from msgspec import UNSET

from tests.cli.helpers import velotime_main
from tests.scoring.live import Watch, offline_files, retained, write_venue_config
from tests.scoring.scenarios import points_race as scenario
from tests.scoring.scenarios.devices import P3_DELAY_US, TIMEZONE
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.demo.director import Observer
from velotime.localvenue import LocalBroker, free_port, source_toml
from velotime.protocols import lynx
from velotime.scoring.service import ScoringService
from velotime.simulators.lynx import LynxCameraSimulator
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.wire.commands import (
    Arm,
    Command,
    Final,
    LapChangeDecision,
    Provisional,
    SetStatus,
    SprintDecision,
    Start,
)
from velotime.wire.events import CommandData, decode_event

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

VENUE = "points-live"
ROOT = f"velotime/{VENUE}"
LINES = {"finish": 0.0, "200m": 200.0, "100m": 100.0}
# The points race only: its reads end with the cool-down lap, long before the tempo race's.
LAST_US = scenario.T - 300 * scenario.SECOND


class VenueClock:
    """The daemon's clock (`velotime.times.now_us` where the daemon reads it), moved on by the
    test to the scenario's instant of what it sends; never back."""

    def __init__(self, t_us: int) -> None:
        self.t_us = t_us

    def now_us(self) -> int:
        return self.t_us

    def advance_to(self, t_us: int) -> None:
        self.t_us = max(self.t_us, t_us)


def ctl_args(command: Command) -> list[str]:
    """The `velotime ctl` words the desk types for `command`."""
    event = command.event
    if isinstance(command, Arm | Start | Provisional | Final):
        return [str(command.__struct_config__.tag), event]
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
        return ["status", event, str(command.bib), command.status, "--reason", command.reason]
    raise AssertionError(f"no ctl words for {command!r}")


def camera_key(record: lynx.LynxRecord) -> Hashable | None:
    """The event the daemon publishes for a camera message of this race (Director's keys)."""
    if isinstance(record, lynx.Armed):
        return ("photofinish", "armed")
    if isinstance(record, lynx.RunningTime):
        return ("photofinish", "started")  # the race's only running time: it started
    if isinstance(record, lynx.Result):
        return ("photofinish", "result", record.id)
    if isinstance(record, lynx.ResultsComplete):
        return ("photofinish", "complete")
    return None  # the results header: no event of its own


class Race:
    """The venue's devices, the daemon, the scoring service and the desk, for one race."""

    def __init__(self, directory: Path, broker: LocalBroker, clock: VenueClock) -> None:
        self.broker = broker
        self.clock = clock
        directory.mkdir(parents=True)
        self.meet = scenario.write_meet(directory)
        self.decoders = {
            line: P3DecoderSimulator(decoder_id=decoder_id)
            for _, line, decoder_id, _ in scenario.DECODERS
        }
        self.camera_port = free_port()
        self.camera = LynxCameraSimulator("127.0.0.1", self.camera_port, connect_timeout_s=30.0)
        self.directory = directory
        self.observer = Observer()
        self.desk: list[tuple[Command, int]] = []  # what the desk typed, and ctl's exit status
        self.commands: list[Command] = []  # what the daemon published on timing/command
        self._last_line = ""

    def config(self) -> Path:
        sources = [
            source_toml(f"p3-{line}", "p3", f"tcp://127.0.0.1:{decoder.port}", line=line,
                        clock="decoder")
            for line, decoder in self.decoders.items()
        ]  # fmt: skip
        sources.append(source_toml("lynx", "lynx", f"tcp-listen://127.0.0.1:{self.camera_port}"))
        return write_venue_config(
            self.directory, VENUE, self.broker.url, LINES, *sources, meet=self.meet,
            timezone=TIMEZONE,
        )  # fmt: skip

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Path]:
        """Decoders, daemon, scoring service and camera up, the daemon's timing/ watched; the
        daemon's capture file."""
        for decoder in self.decoders.values():
            await decoder.start("127.0.0.1", 0)
        config = load_config(self.config(), env={})
        daemon = Daemon(config)
        service = ScoringService.open(config, self.meet)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(daemon.run(stop)),
            asyncio.create_task(service.run(stop)),
            asyncio.create_task(self._watch_timing()),
        ]
        try:
            async with Watch(self.broker.port, f"{ROOT}/status/#") as watch:
                await watch.wait_for(lambda: self._online(watch), "the daemon and scoring online")
                await self.camera.connect()
                await watch.wait_for(
                    lambda: all(decoder.client_count for decoder in self.decoders.values()),
                    "the daemon connected to the decoders",
                )
            yield daemon.capture.path
        finally:
            stop.set()
            await asyncio.gather(tasks[0], tasks[1])
            tasks[2].cancel()
            await asyncio.gather(tasks[2], return_exceptions=True)
            service.close()
            await self.camera.disconnect()
            for decoder in self.decoders.values():
                await decoder.stop()

    @staticmethod
    def _online(watch: Watch) -> bool:
        statuses = [watch.json(f"{ROOT}/status/{name}") for name in ("daemon", "scoring")]
        return all(status is not None and status["online"] for status in statuses)

    async def _watch_timing(self) -> None:
        async with aiomqtt.Client("127.0.0.1", self.broker.port) as client:
            await client.subscribe(f"{ROOT}/timing/#", qos=1)
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                data = decode_event(message.payload).data
                # Commands are not awaited here (ctl awaits their answer), and the Observer's
                # key for one cannot hold a sprint's placings (a list: unhashable).
                if isinstance(data, CommandData):
                    self.commands.append(msgspec.structs.replace(data.command, id=UNSET))
                else:
                    self.observer.saw(data)

    async def read(self, t_us: int, line: str, bib: int) -> None:
        """A loop reads the rider. The daemon takes each decoder's passings in the order sent
        (one TCP stream); across decoders only if the earlier ones are in before the next is
        sent, as 150 ms apart on the track they are."""
        if line != self._last_line:
            await self.observer.caught_up()
            self._last_line = line
        self.clock.advance_to(t_us + P3_DELAY_US)
        transponder = scenario.TRANSPONDER[bib]
        self.observer.expect(("passing", transponder, t_us))
        self.decoders[line].detect(transponder, t_us)

    async def type(self, t_us: int, command: Command) -> None:
        """The desk types the command once the daemon has published what came before it."""
        await self.observer.caught_up()
        self.clock.advance_to(t_us)
        base = ("ctl", "--broker", self.broker.url, "--venue", VENUE, "--timeout", "30")
        result = await asyncio.to_thread(velotime_main, *base, *ctl_args(command))
        assert result.returncode in (0, 1), result.stderr  # accepted, or refused with a reason
        self.desk.append((command, result.returncode))

    async def shoot(self, t_us: int, records: list[lynx.LynxRecord]) -> None:
        await self.observer.caught_up()
        self.clock.advance_to(t_us)
        for record in records:
            key = camera_key(record)
            if key is not None:
                self.observer.expect(key)
            await self.camera.send(record)
        await self.observer.caught_up()  # its stamps are t_us: nothing later is sent before


def timeline() -> list[tuple[int, int, Any]]:
    """The points race as sent, in order: (instant, order among equal instants, what)."""
    actions: list[tuple[int, int, Any]] = [
        (t_us + P3_DELAY_US, 0, ("read", t_us, line, bib))
        for t_us, line, bib in scenario.reads()
        if t_us < LAST_US
    ]
    actions += [(t_us, 1, ("camera", records)) for t_us, records in scenario.camera_messages()]
    actions += [
        (t_us, 2, ("command", command))
        for t_us, command in scenario.COMMANDS
        if command.event == scenario.POINTS
    ]
    return sorted(actions, key=lambda action: action[:2])


async def test_the_points_race_through_the_daemon_leaves_the_offline_replay_retained(
    tmp_path: Path, broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = VenueClock(scenario.S - 300 * scenario.SECOND)
    for module in ("velotime.daemon.service", "velotime.drivers.driver"):
        monkeypatch.setattr(f"{module}.now_us", clock.now_us)
    race = Race(tmp_path / "live", broker, clock)
    async with race.running() as capture:
        for t_us, _, (kind, *what) in timeline():
            if kind == "read":
                await race.read(*what)
            elif kind == "camera":
                await race.shoot(t_us, *what)
            else:
                await race.type(t_us, *what)
        await race.observer.caught_up()
        live = await retained(broker.port, ROOT)

    # The desk's words made the scenario's commands; only the 9th sprint of an 8-sprint race
    # was refused (exit status 1).
    typed = [command for command, _ in race.desk]
    assert race.commands == typed
    assert [command for command, status in race.desk if status == 1] == [
        SprintDecision(event=scenario.POINTS, number=9)
    ]

    result = msgspec.json.decode(live[f"results/{scenario.POINTS}"])
    assert result["status"] == "final"
    assert [scenario.line_of(line) for line in result["lines"]] == scenario.EXPECTED
    assert result["sprints"] == scenario.EXPECTED_SPRINTS

    offline = offline_files(capture, race.meet, tmp_path / "offline")
    assert f"results/{scenario.POINTS}" in offline
    kept = {key for key in live if key.startswith(("results/", "standings/"))}
    assert {key: live[key] + b"\n" for key in kept} == offline
