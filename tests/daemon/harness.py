"""Running the daemon as a user would: a real process, with a config file, against real parts."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiomqtt

from velotime.localvenue import p3_source, write_local_config


def write_config(
    directory: Path, venue: str, broker_url: str, decoder_port: int, **source: object
) -> Path:
    """The local venue's configuration, with a decoder link that gives up and comes back fast."""
    settings: dict[str, object] = {
        "silence_timeout_s": 2.0,
        "get_time_interval_s": 5.0,
        "reconnect_min_s": 0.1,
        "reconnect_max_s": 0.5,
        **source,
    }
    return write_local_config(directory, venue, broker_url, p3_source(decoder_port, **settings))


class VelotimeProcess:
    """A velotime command as a user runs it: a real process, its output in a log file."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.args = args
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "velotime", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def kill(self) -> None:
        """SIGKILL: no goodbye, no flush."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class DaemonProcess(VelotimeProcess):
    """`velotime run --config CONFIG`."""

    def __init__(self, config: Path, log: Path) -> None:
        super().__init__(["run", "--config", str(config)], log)
        self.config = config


class Subscriber:
    """Collects every message on a topic filter, reconnecting with a persistent session so that
    the broker keeps what arrives while it is away."""

    def __init__(self, port: int, topic: str, name: str) -> None:
        self.port = port
        self.topic = topic
        self.name = name
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.arrival_ns: list[int] = []
        self.subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Subscriber":
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.subscribed.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        client = aiomqtt.Client(
            "127.0.0.1", self.port, identifier=self.name, clean_session=False, keepalive=5
        )
        while True:
            try:
                async with client:
                    await client.subscribe(self.topic, qos=1)
                    self.subscribed.set()
                    async for message in client.messages:
                        self.arrival_ns.append(time.time_ns())
                        payload = message.payload
                        assert isinstance(payload, bytes)
                        self.messages.append((str(message.topic), json.loads(payload)))
            except aiomqtt.MqttError:
                await asyncio.sleep(0.2)

    def payloads(self, topic_suffix: str = "") -> list[dict[str, Any]]:
        return [p for t, p in self.messages if t.endswith(topic_suffix)]

    async def wait_for(
        self, condition: Callable[[], bool], timeout_s: float, what: str = "condition"
    ) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
            await asyncio.sleep(0.05)


def unique_by_id(payloads: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What a consumer keeps: the first copy of each event id."""
    seen: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        seen.setdefault(payload["id"], payload)
    return seen


def replays_the_same(tmp_path: Path, live: dict[str, dict[str, Any]], runs: int) -> bool:
    """Replay the daemon's capture files offline: the same events, field for field."""
    captures = sorted((tmp_path / "state" / "captures").glob("*.capture.jsonl"))
    assert len(captures) == runs  # one per daemon run
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "replay", "--offline", *map(str, captures)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    replayed = unique_by_id([json.loads(line) for line in result.stdout.splitlines()])
    assert replayed.keys() == live.keys()
    return all(replayed[i]["data"] == live[i]["data"] for i in live)
