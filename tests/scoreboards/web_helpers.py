"""The web scoreboard in the test's event loop on a free port, fed by a real broker, and a
publisher that plays the scoring service's part (retained JSON below the venue)."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiomqtt

from velotime.localvenue import LocalBroker
from velotime.mqtt.client import BrokerSettings
from velotime.scoreboards.state import ScoreboardState
from velotime.scoreboards.web import Board, Meta, WebScoreboard
from velotime.wire.retained import decode_retained
from velotime.wire.topics import Topics

TIMEOUT_S = 10.0


@dataclass
class Running:
    scoreboard: WebScoreboard
    client: aiomqtt.Client
    root: str

    @property
    def port(self) -> int:
        return self.scoreboard.port

    @property
    def url(self) -> str:
        return self.scoreboard.url

    @property
    def state(self) -> ScoreboardState:
        return self.scoreboard.state

    async def publish(self, key: str, payload: dict[str, Any] | None) -> None:
        """Retained, as the scoring service publishes; None clears the topic."""
        body = b"" if payload is None else json.dumps(payload).encode()
        await self.client.publish(f"{self.root}/{key}", body, qos=1, retain=True)

    async def settled(self, key: str, payload: dict[str, Any] | None) -> None:
        """Until the scoreboard's mirror has `payload` on `key`."""
        expected = None if payload is None else decode_retained(key, json.dumps(payload).encode())
        await until(lambda: self.state.payloads.get(key) == expected, f"{key} mirrored")

    async def put(self, key: str, payload: dict[str, Any] | None) -> None:
        await self.publish(key, payload)
        await self.settled(key, payload)


async def until(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def running_scoreboard(
    broker: LocalBroker, meta: Meta | None = None, **board_options: float
) -> AsyncIterator[Running]:
    """A scoreboard for a venue of its own, and a client publishing to that venue."""
    venue = f"web-{uuid.uuid4().hex[:8]}"
    topics = Topics("velotime", venue)
    meta = meta or Meta(venue="Test velodrome", meet="Test meet")
    board = Board(ScoreboardState(), meta, **board_options)
    scoreboard = WebScoreboard(
        BrokerSettings("127.0.0.1", broker.port), topics, meta, "127.0.0.1", 0, board=board
    )
    stop = asyncio.Event()
    task = asyncio.create_task(scoreboard.run(stop))
    try:
        async with asyncio.timeout(TIMEOUT_S):
            await scoreboard.listening.wait()
            await until(lambda: scoreboard.state.connected, "the mirror to connect")
        async with aiomqtt.Client("127.0.0.1", broker.port) as client:
            yield Running(scoreboard, client, topics.root)
    finally:
        stop.set()
        async with asyncio.timeout(TIMEOUT_S):
            await task
