"""`velotime demo` from start to end: the venue up, the session played, the results checked.

1. Start the broker, the simulated devices and `velotime run` (`venue`), and wait until the
   daemon, the scoring service and every source say they are online.
2. Put the session on the clock: its virtual timeline starts at the next whole second of the
   real clock and runs `speedup` times faster. Devices give times of day (the Timy, the camera)
   that the daemon dates by when it reads them; keeping the session near the real time keeps
   them on the right day. The web scoreboard's race clock runs on the real clock, though, so it
   cannot follow a compressed race: it shows 0.0 while the race's start lies ahead of the real
   time (with `--speedup 1` the session runs in real time, about 30 minutes, and the clock with
   it). The results, rankings and the latest times are live on it all the same.
3. Play the timeline (`director`), printing the progress (`report`), until every result is
   final; print the standings.
4. With `keep_running`, leave it all up until Ctrl-C. Then stop the daemon, write the results
   as files (each retained `results/<event>` payload plus a newline, and its CSV: the files
   `velotime replay --results` writes), replay the capture offline (velotime.replay, as
   `velotime replay` does) and check that it gives the same files, byte for byte.
"""

import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import aiomqtt

from velotime.capture.reader import CaptureFormatError
from velotime.demo.director import Director, DirectorError, Observer
from velotime.demo.report import Progress, standings
from velotime.demo.script import (
    FLYING200,
    KEIRIN,
    KILOMETRE,
    POINTS,
    POINTS_LAPS,
    SPRINT,
    SPRINT_RACES,
    TEAM_SPRINT,
    VENUE_ID,
    DemoSession,
    build_session,
)
from velotime.demo.timeline import build_timeline
from velotime.demo.venue import DemoVenue, VenueError, scoreboard_port
from velotime.mqtt.client import BrokerSettings, mqtt_client
from velotime.replay import RangeError, run_offline
from velotime.scoring.export import result_csv
from velotime.scoring.meet import MeetError, load_meet
from velotime.stopping import STOP_SIGNALS
from velotime.times import US_PER_SECOND
from velotime.wire.errors import WireError
from velotime.wire.events import CommandData, decode_event
from velotime.wire.results import EventResult, Standings
from velotime.wire.retained import ProgramStatus, decode_retained
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.demo")

EVENTS = (FLYING200, KILOMETRE, KEIRIN, *SPRINT_RACES, TEAM_SPRINT, POINTS)  # as ridden
COMPETITIONS = (SPRINT,)
STARTUP_TIMEOUT_S = 30.0
RESULTS_TIMEOUT_S = 30.0
ZONE = ZoneInfo("UTC")  # the demo venue's time zone (write_local_config sets none)


@dataclass(frozen=True)
class DemoOptions:
    seed: int
    speedup: float = 50.0
    directory: Path | None = None
    port: int | None = None  # the web scoreboard's; None: 8080 if free, else any
    keep_running: bool = False


class _Stop:
    """Ctrl-C or SIGTERM: ends the keep-running wait, or else cancels the demo."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        self.waiting = False  # in the keep-running wait: a stop is the normal end
        self.demo: asyncio.Task[int] | None = None

    def __call__(self) -> None:
        self.requested.set()
        if not self.waiting and self.demo is not None:
            self.demo.cancel()


class _Mirror:
    """What the demo follows on MQTT: the daemon's events (for the director's account and the
    progress lines), the retained results and who is online."""

    def __init__(self, topics: Topics, observer: Observer, progress: Progress) -> None:
        self.topics = topics
        self.observer = observer
        self.progress = progress
        self.results: dict[str, bytes] = {}  # by event: the payload as retained
        self.parsed: dict[str, EventResult] = {}
        self.standings: dict[str, bytes] = {}  # by competition: the payload as retained
        self.parsed_standings: dict[str, Standings] = {}
        self.online: dict[str, bool] = {}
        self.changed = asyncio.Event()

    def handle(self, topic: str, payload: bytes) -> None:
        root = self.topics.root + "/"
        if not topic.startswith(root) or not payload:
            return
        path = topic[len(root) :]
        try:
            if path.startswith("timing/"):
                data = decode_event(payload).data
                self.observer.saw(data)
                if isinstance(data, CommandData):
                    self.progress.command(data.command)
            elif path.startswith(("results/", "status/", "standings/")):
                value = decode_retained(path, payload)
                if isinstance(value, EventResult):
                    event = path.removeprefix("results/")
                    self.results[event] = payload
                    self.parsed[event] = value
                    self.progress.result(value)
                elif isinstance(value, Standings):
                    competition = path.removeprefix("standings/")
                    self.standings[competition] = payload
                    self.parsed_standings[competition] = value
                    self.progress.standings(value)
                elif isinstance(value, ProgramStatus):
                    self.online[path.removeprefix("status/")] = value.online
        except WireError as exc:
            log.warning("skipped a message on %s: %s", topic, exc)
        self.changed.set()

    def result(self, event: str) -> EventResult | None:
        return self.parsed.get(event)

    def all_final(self) -> bool:
        """Every event's result and every competition's standings final."""
        events = all((r := self.result(e)) is not None and r.status == "final" for e in EVENTS)
        return events and all(
            (s := self.parsed_standings.get(c)) is not None and s.status == "final"
            for c in COMPETITIONS
        )

    async def until(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DirectorError(f"{what}: nothing after {timeout_s:g} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))


def run_demo(options: DemoOptions) -> int:
    return asyncio.run(_main(options))


async def _main(options: DemoOptions) -> int:
    """Runs the demo as a task that Ctrl-C (or SIGTERM) cancels, cleanly."""
    loop = asyncio.get_running_loop()
    stop = _Stop()
    stop.demo = asyncio.create_task(_demo(options, stop))
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop)
    try:
        return await stop.demo
    except asyncio.CancelledError:
        if not stop.requested.is_set():
            raise
        print("velotime demo: interrupted", file=sys.stderr)
        return 130
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _demo(options: DemoOptions, stop: _Stop) -> int:
    began = time.monotonic()
    session = build_session(options.seed)
    directory = options.directory or Path(tempfile.mkdtemp(prefix="velotime-demo-"))
    if directory.exists() and any(directory.iterdir()):
        # The daemon and the scoring service would resume from what is there.
        print(f"velotime demo: {directory} is not empty: give a new directory", file=sys.stderr)
        return 2
    directory.mkdir(parents=True, exist_ok=True)
    try:
        venue = DemoVenue(directory, session.meet_text(), scoreboard_port(options.port))
    except VenueError as exc:
        print(f"velotime demo: {exc}", file=sys.stderr)
        return 2
    _introduce(session, options, venue, directory)
    topics = Topics("velotime", VENUE_ID)
    progress = Progress(session)
    observer = Observer()
    mirror = _Mirror(topics, observer, progress)
    completed = False
    try:
        await venue.start()
        async with _desk(venue, topics, mirror) as client:
            await _wait_online(venue, mirror, began)
            await _play(session, options, venue, client, topics, observer, progress)
            await mirror.until(mirror.all_final, RESULTS_TIMEOUT_S, "the final results")
            completed = True
            print()
            print(
                standings(
                    {e: r for e in EVENTS if (r := mirror.result(e))},
                    {c: s for c in COMPETITIONS if (s := mirror.parsed_standings.get(c))},
                )
            )
            if options.keep_running:
                print(
                    f"Everything stays up until Ctrl-C: the scoreboard at {venue.scoreboard_url}, "
                    f"`velotime watch --config {venue.config_path}` in a terminal, and "
                    f"`velotime ctl --config {venue.config_path} ...` for the desk's commands."
                )
                stop.waiting = True
                await stop.requested.wait()
    except (DirectorError, OSError) as exc:
        print(f"velotime demo: {exc} (the daemon's log: {venue.daemon_log})", file=sys.stderr)
        return 1
    finally:
        # Shielded: after Ctrl-C the venue still stops in order, and the files are written.
        await asyncio.shield(_finish(venue, mirror, directory, completed))
    replayed = _replay_check(venue, directory)
    print(f"Took {time.monotonic() - began:.1f} s.")
    return 0 if replayed else 1


@contextlib.asynccontextmanager
async def _desk(venue: DemoVenue, topics: Topics, mirror: _Mirror) -> AsyncIterator[aiomqtt.Client]:
    """The demo's own MQTT client: it follows the venue (`mirror`) and sends the commands."""
    broker = BrokerSettings(
        host="127.0.0.1", port=venue.broker.port, protocol=venue.broker.protocol
    )
    # Not "velotime-demo": that is the daemon's client id (velotime-<venue>).
    async with mqtt_client(broker, identifier="velotime-demo-desk") as client:
        for topic in ("timing/#", "results/#", "status/#", "standings/#"):
            await client.subscribe(f"{topics.root}/{topic}", qos=1)
        listener = asyncio.create_task(_listen(client, mirror))
        try:
            yield client
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await listener


async def _listen(client: aiomqtt.Client, mirror: _Mirror) -> None:
    async for message in client.messages:
        payload = message.payload
        if isinstance(payload, bytes):
            mirror.handle(str(message.topic), payload)


async def _wait_online(venue: DemoVenue, mirror: _Mirror, began: float) -> None:
    wanted = ["daemon", "scoring", *(f"sources/{name}" for name in venue.source_names)]

    def ready() -> bool:
        if not venue.daemon_running:
            raise DirectorError("the daemon stopped")
        online = all(mirror.online.get(name) for name in wanted)
        return online and venue.camera_connected and "CHK1" in venue.timy.commands

    await mirror.until(ready, STARTUP_TIMEOUT_S, "the daemon and its sources online")
    names = ", ".join(venue.source_names)
    print(f"The daemon is up, its sources online ({names}): {time.monotonic() - began:.1f} s.")


async def _play(
    session: DemoSession,
    options: DemoOptions,
    venue: DemoVenue,
    client: aiomqtt.Client,
    topics: Topics,
    observer: Observer,
    progress: Progress,
) -> None:
    # The session's clock starts at the next whole second: the photocells' four decimals.
    t0_us = (time.time_ns() // 1_000 // US_PER_SECOND + 1) * US_PER_SECOND
    timeline = build_timeline(session, t0_us, ZONE)

    async def publish(payload: bytes) -> None:
        await client.publish(topics.control("scoring"), payload, qos=1)

    director = Director(
        timeline, t0_us=t0_us, speedup=options.speedup, decoders=venue.decoders,
        timy=venue.timy, camera=venue.camera, publish=publish, observer=observer,
    )  # fmt: skip
    progress.started = time.monotonic()
    await director.play()


async def _finish(venue: DemoVenue, mirror: _Mirror, directory: Path, completed: bool) -> None:
    await venue.stop()
    results = directory / "results"
    results.mkdir(exist_ok=True)
    for event, payload in mirror.results.items():
        (results / f"{event}.json").write_bytes(payload + b"\n")
        csv_text = result_csv(mirror.parsed[event].lines)
        (results / f"{event}.csv").write_bytes(csv_text.encode("utf-8"))
    if mirror.standings:  # as `velotime replay --results` writes them
        (results / "standings").mkdir(exist_ok=True)
    for competition, payload in mirror.standings.items():
        (results / "standings" / f"{competition}.json").write_bytes(payload + b"\n")
    captures = venue.captures()
    print(f"Files, in {directory}:")
    for what, path in (
        ("capture", captures[-1] if captures else "(none)"),
        ("results", f"{results}/ (<event>.json and .csv, standings/<competition>.json)"),
        ("meet", venue.meet_path),
        ("config", venue.config_path),
        ("log", venue.daemon_log),
    ):
        print(f"  {what:<9} {path}")
    if not completed:
        print("The session did not finish: the results are as they stood.")


def _replay_check(venue: DemoVenue, directory: Path) -> bool:
    """The offline replay of the capture (`velotime replay --offline --results`) writes the
    same result files as the live session."""
    captures = venue.captures()
    if len(captures) != 1:
        print(f"velotime demo: expected one capture, found {len(captures)}", file=sys.stderr)
        return False
    live, replayed = directory / "results", directory / "replay"
    try:
        run_offline(captures, None, meet=load_meet(venue.meet_path), results=replayed)
    except (OSError, CaptureFormatError, MeetError, RangeError) as exc:
        print(f"velotime demo: the replay of the capture failed: {exc}", file=sys.stderr)
        return False
    names = sorted(str(path.relative_to(live)) for path in live.rglob("*") if path.is_file())
    different = [
        name
        for name in names
        if not (replayed / name).exists()
        or (replayed / name).read_bytes() != (live / name).read_bytes()
    ]
    command = f"velotime replay {captures[0]} --meet {venue.meet_path} --offline --results DIR"
    if different:
        print(f"Replay check FAILED: `{command}` differs in {', '.join(different)}")
        return False
    print(f"Replay check: `{command}` gives the same {len(names)} result files, byte for byte.")
    return True


def _introduce(
    session: DemoSession, options: DemoOptions, venue: DemoVenue, directory: Path
) -> None:
    print(
        f"velotime demo, seed {session.seed} (the same session again: --seed {session.seed}): "
        f"a flying 200 m qualifying of {len(session.flying200)} riders, a 1 km time trial of "
        f"{len(session.kilometre)}, a keirin final of {len(session.keirin.riders)}, the sprint "
        "final between the two fastest of the qualifying (best of three: one race each, then "
        "the decider), a team sprint heat from the pursuit gates and a points race of "
        f"{len(session.points.riders)} over {POINTS_LAPS} laps (a photo-finish sprint, a lap "
        f"gained, a lap neutralised after a crash), {options.speedup:g} times faster than real "
        "time."
    )
    print(f"  scoreboard  {venue.scoreboard_url}  (overlay: /overlay, result sheets: /sheets/)")
    print(f"  broker      {venue.broker_name}, {venue.broker.url}")
    print(f"  files       {directory}")
