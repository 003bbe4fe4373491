"""Scoring through the live path, for any scenario capture: the capture's events are published
to a real broker by `velotime replay` (online), a real `velotime score` process scores them from
MQTT, and what it left retained on the broker is read back.

    live = await live_results([capture], meet, broker, tmp_path)       # {"f200": b'{...}'}
    offline = offline_results([capture], meet, tmp_path / "offline")   # {"f200": b'{...}\\n'}
    assert {name: payload + b"\\n" for name, payload in live.items()} == offline

`live_publications` gives every retained key (`results/...`, `standings/...`, `current`).
"""

import asyncio
import itertools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiomqtt

from tests.cli.helpers import velotime, velotime_main
from tests.daemon.harness import VelotimeProcess
from velotime.capture import read_capture
from velotime.localvenue import LocalBroker, free_port, source_toml

STARTUP_TIMEOUT_S = 15.0
SCORING_TIMEOUT_S = 30.0
_names = itertools.count()


def write_venue_config(
    directory: Path,
    venue: str,
    broker_url: str,
    lines: Mapping[str, float],
    *sources: str,
    track_length_m: float = 250,
    meet: Path | None = None,
    timezone: str = "UTC",
    roles: Mapping[str, str] = {},
) -> Path:
    """A venue configuration with these timing lines (and the `roles` of those that have one)
    and sources (a P3 decoder nobody runs if none is given: `velotime score` reads no device),
    state under `directory`/state, and with `meet`, a [scoring] section."""
    directory.mkdir(parents=True, exist_ok=True)
    if not sources:
        finish = min(lines, key=lambda name: lines[name])
        sources = (source_toml("idle", "p3", f"tcp://127.0.0.1:{free_port()}", line=finish),)
    text = f'[venue]\nid = "{venue}"\ntrack_length_m = {track_length_m}\n'
    text += f"timezone = {json.dumps(timezone)}\n\n"
    for name, distance in lines.items():
        text += f'[[lines]]\nname = "{name}"\ndistance_m = {distance}\n'
        text += f'role = "{roles[name]}"\n\n' if name in roles else "\n"
    text += "\n".join(sources)
    text += f'\n[mqtt]\nurl = "{broker_url}"\n'
    text += f"\n[storage]\ndirectory = {json.dumps(str(directory / 'state'))}\n"
    if meet is not None:
        text += f"\n[scoring]\nmeet = {json.dumps(str(meet))}\n"
    path = directory / "velotime.toml"
    path.write_text(text)
    return path


class ScoreProcess(VelotimeProcess):
    """`velotime score` as a user runs it: a real process, its log in a file."""

    def __init__(self, config: Path, meet: Path, log: Path, *, venue: str | None = None) -> None:
        args = ["score", "--config", str(config), "--meet", str(meet)]
        super().__init__(args + (["--venue", venue] if venue is not None else []), log)


class Watch:
    """The latest payload of every topic under a filter, as it arrives."""

    def __init__(self, port: int, topic_filter: str) -> None:
        self.port = port
        self.topic_filter = topic_filter
        self.latest: dict[str, bytes] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def __aenter__(self) -> "Watch":
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._subscribed.wait(), STARTUP_TIMEOUT_S)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        async with aiomqtt.Client("127.0.0.1", self.port) as client:
            await client.subscribe(self.topic_filter, qos=1)
            self._subscribed.set()
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                self.latest[str(message.topic)] = message.payload

    def json(self, topic: str) -> dict[str, Any] | None:
        payload = self.latest.get(topic)
        return None if payload is None else dict(json.loads(payload))

    async def wait_for(
        self, condition: Callable[[], bool], what: str, timeout_s: float = SCORING_TIMEOUT_S
    ) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
            await asyncio.sleep(0.02)


async def retained(port: int, root: str) -> dict[str, bytes]:
    """Every retained message below `root`, by topic relative to it, as a new subscriber gets
    them. The broker sends a subscription's retained messages before it handles our next
    packets, so once a probe we publish afterwards comes back, all of them have arrived."""
    probe = f"{root}-probe/{uuid.uuid4().hex}"
    found: dict[str, bytes] = {}
    async with asyncio.timeout(STARTUP_TIMEOUT_S), aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe(f"{root}/#", qos=1)
        await client.subscribe(probe, qos=1)
        await client.publish(probe, b"probe", qos=1)
        async for message in client.messages:
            topic = str(message.topic)
            if topic == probe:
                break
            if message.retain:
                assert isinstance(message.payload, bytes)
                found[topic.removeprefix(f"{root}/")] = message.payload
    return found


def capture_event_ids(captures: Sequence[Path]) -> set[str]:
    """The ids of the events the captures replay to (what a scoring service must have seen)."""
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "replay", *map(str, captures), "--offline"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return {json.loads(line)["id"] for line in result.stdout.splitlines()}


async def run_velotime(*args: str | Path) -> str:
    """A velotime command to its end; its stderr. Fails the test on a non-zero exit."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", *map(str, args),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    text = stderr.decode(errors="replace")
    assert process.returncode == 0, f"velotime {' '.join(map(str, args))}: {text}"
    return text


async def wait_for_events(watch: Watch, status_topic: str, pid: int, events: int) -> None:
    """Until the scoring process `pid` says in its status that it is online and has applied
    `events` events (its retained results were published before that status)."""

    def counted() -> bool:
        status = watch.json(status_topic)
        if status is None or status.get("pid") != pid or not status["online"]:
            return False
        return int(status["events"]) >= events

    await watch.wait_for(counted, f"velotime score (pid {pid}) to count {events} events")


async def live_publications(
    captures: Sequence[Path], meet: Path, broker: LocalBroker, tmp: Path
) -> dict[str, bytes]:
    """Every retained state `velotime score` publishes for the captures' session, by key below
    the venue (`results/<event>`, `current`, ...; not `status/...`).

    The captures are replayed online (`velotime replay --config`) under a venue id of their own,
    to a `velotime score` that listens there with the captures' timing lines; once its status
    counts every event of the captures, the broker's retained messages are read.
    """
    header = read_capture(captures[0]).header
    venue = f"{header.venue}-live-{next(_names)}-{uuid.uuid4().hex[:6]}"
    directory = tmp / venue
    lines = header.lines or {"finish": 0.0}
    config = write_venue_config(
        directory,
        venue,
        broker.url,
        lines,
        track_length_m=header.track_length_m or 250,
        roles=header.roles,
    )
    expected = len(capture_event_ids(captures))
    root = f"velotime/{venue}"
    status_topic = f"{root}/status/scoring"
    score = ScoreProcess(config, meet, directory / "score.log", venue=venue)
    async with Watch(broker.port, status_topic) as watch:
        score.start()
        try:
            await wait_for_events(watch, status_topic, score.pid, 0)  # subscribed: online
            await run_velotime("replay", *captures, "--config", config, "--venue", venue)
            await wait_for_events(watch, status_topic, score.pid, expected)
            found = await retained(broker.port, root)
        finally:
            code = score.stop()
        assert code == 0, score.log_text()
    return {key: payload for key, payload in found.items() if not key.startswith("status/")}


async def live_results(
    captures: Sequence[Path], meet: Path, broker: LocalBroker, tmp: Path
) -> dict[str, bytes]:
    """The retained `results/<event>` payloads of the captures' session, by event id."""
    publications = await live_publications(captures, meet, broker, tmp)
    return {
        key.removeprefix("results/"): payload
        for key, payload in publications.items()
        if key.startswith("results/")
    }


def offline_results(captures: Sequence[Path], meet: Path, directory: Path) -> dict[str, bytes]:
    """`velotime replay --offline --meet --results`: each result file's bytes, by event id."""
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "replay", *map(str, captures), "--offline",
         "--meet", str(meet), "--results", str(directory), "--output", os.devnull],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {path.stem: path.read_bytes() for path in sorted(directory.glob("*.json"))}


def offline_files(capture: Path, meet: Path, directory: Path) -> dict[str, bytes]:
    """What `replay --offline --results` writes, by the retained key it mirrors."""
    result = velotime(
        "replay", capture, "--offline", "--meet", meet, "--results", directory,
        "--output", directory.parent / "events.jsonl",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    files = {}
    for path in sorted(directory.rglob("*.json")):
        relative = path.relative_to(directory).with_suffix("").as_posix()
        key = relative if relative.startswith("standings/") else f"results/{relative}"
        files[key] = path.read_bytes()
    return files


def replayed_files(capture: Path, meet: Path, out: Path) -> tuple[dict[str, bytes], Path]:
    """`velotime replay CAPTURE --offline --meet MEET --results OUT`, in-process: every file it
    wrote, by its path under OUT, and the events it printed (OUT.events.jsonl beside OUT). Not a
    line of the capture unreadable."""
    events = out.with_name(f"{out.name}.events.jsonl")
    result = velotime_main(
        "replay", capture, "--offline", "--meet", meet, "--results", out, "--output", events,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(0 unreadable)" in result.stderr
    files = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*.*")}
    return files, events
