"""What the log says when the broker is not there: a broker never reached is "cannot reach the
broker at URL", naming the address to check; only a connection that was up and dropped is
"broker connection lost". For the publisher (daemon, scoring service) and the scoreboards'
mirror alike, against a real Mosquitto that is stopped."""

import asyncio
import logging
from collections.abc import Callable

import pytest

from velotime.localvenue import LocalBroker, free_port
from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.scoreboards.state import ScoreboardState, mirror
from velotime.wire.topics import Topics


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(15):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


def refused(url: str) -> Callable[[str], bool]:
    return lambda line: line.startswith(f"cannot reach the broker at {url}: ")


async def test_the_publisher_says_it_cannot_reach_a_broker_it_never_reached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "velotime.mqtt")
    port = free_port()  # nothing listens there
    publisher = Publisher(BrokerSettings("127.0.0.1", port), Outbox(":memory:"), "s", lambda: b"{}")
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    await until(lambda: len(warnings(caplog)) >= 1, "a warning")
    stop.set()
    await asyncio.wait_for(task, 5)
    said = warnings(caplog)
    assert all(map(refused(f"mqtt://127.0.0.1:{port}"), said)), said
    assert not any("connection lost" in line for line in said)


async def test_the_publisher_says_lost_only_for_a_connection_that_was_up(
    caplog: pytest.LogCaptureFixture, broker: LocalBroker
) -> None:
    caplog.set_level(logging.WARNING, "velotime.mqtt")
    publisher = Publisher(
        BrokerSettings("127.0.0.1", broker.port), Outbox(":memory:"), "s", lambda: b"{}"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    try:
        await asyncio.wait_for(publisher.connected.wait(), 10)
        broker.stop()
        # The drop, then at least one attempt to reconnect to the stopped broker.
        await until(lambda: len(warnings(caplog)) >= 2, "the drop and a failed reconnect")
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    said = warnings(caplog)
    assert said[0].startswith("broker connection lost: "), said
    assert all(map(refused(broker.url), said[1:])), said


async def test_the_scoreboard_mirror_tells_never_reached_from_lost(
    caplog: pytest.LogCaptureFixture, broker: LocalBroker
) -> None:
    caplog.set_level(logging.WARNING, "velotime.scoreboards")
    topics = Topics("velotime", "v")
    never = BrokerSettings("127.0.0.1", free_port())
    up = ScoreboardState()
    tasks = [
        asyncio.create_task(mirror(never, topics, ScoreboardState())),
        asyncio.create_task(mirror(BrokerSettings("127.0.0.1", broker.port), topics, up)),
    ]
    try:
        await until(lambda: up.connected, "connected")
        broker.stop()
        await until(
            lambda: any(broker.url in line for line in warnings(caplog)),
            "a failed reconnect to the stopped broker",
        )
    finally:
        for task in tasks:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    said = [line.removeprefix("scoreboard: ") for line in warnings(caplog)]
    assert any(map(refused(never.url), said)), said
    # Only the mirror that was connected lost a connection, once; every other line is a
    # failed attempt, naming its broker.
    lost = [line for line in said if line.startswith("broker connection lost: ")]
    assert len(lost) == 1, said
    others = [line for line in said if line not in lost]
    assert all(refused(never.url)(line) or refused(broker.url)(line) for line in others), said
