"""The publisher: the outbox delivered in order and forgotten only once acknowledged, and its
word on the status topic (a program that fails must not stay "online")."""

import asyncio
import json
from pathlib import Path

import aiomqtt
import pytest

from tests.mqtt.events import event
from velotime.config.schema import MqttProtocol
from velotime.localvenue import LocalBroker
from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import WINDOW, Publisher

pytestmark = pytest.mark.timeout(60)
STATUS = "velotime/v/status/daemon"


async def retained_status(port: int) -> bytes:
    async with aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe(STATUS, qos=1)
        async with asyncio.timeout(5):
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                return message.payload
    raise AssertionError("no retained status")


async def test_a_failure_of_its_own_leaves_offline_retained(broker: LocalBroker) -> None:
    def broken_handler(topic: str, payload: bytes) -> None:
        raise RuntimeError("a handler failed")

    publisher = Publisher(
        BrokerSettings(host="127.0.0.1", port=broker.port),
        Outbox(":memory:"),
        STATUS,
        lambda: b'{"online":true}',
        subscriptions={"velotime/v/control/#": broken_handler},
    )
    run = asyncio.create_task(publisher.run(asyncio.Event()))
    await asyncio.wait_for(publisher.connected.wait(), 10)
    assert await retained_status(broker.port) == b'{"online":true}'
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.publish("velotime/v/control/scoring", b"{}", qos=1)
    with pytest.raises(ExceptionGroup):
        await asyncio.wait_for(run, 10)
    # The clean disconnect on the way out suppressed the will: the publisher said it itself.
    assert await retained_status(broker.port) == b'{"online":false}'


async def test_cancelled_because_the_program_fails_elsewhere(broker: LocalBroker) -> None:
    publisher = Publisher(
        BrokerSettings(host="127.0.0.1", port=broker.port),
        Outbox(":memory:"),
        STATUS,
        lambda: b'{"online":true}',
    )
    run = asyncio.create_task(publisher.run(asyncio.Event()))
    await asyncio.wait_for(publisher.connected.wait(), 10)
    run.cancel()  # as a TaskGroup does when another of its tasks fails
    with pytest.raises(asyncio.CancelledError):
        await run
    assert await retained_status(broker.port) == b'{"online":false}'


# MQTT 5, and 3.1.1 as for a broker without 5 (the embedded amqtt).
@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
async def test_the_outbox_arrives_whole_in_order_and_is_emptied(
    broker: LocalBroker, tmp_path: Path, protocol: MqttProtocol
) -> None:
    """Many times the window of events in flight, appended while it drains, with retained state
    changing meanwhile: every event arrives once, in order, and the outbox ends empty."""
    outbox = Outbox(tmp_path / "outbox.sqlite")
    publisher = Publisher(
        BrokerSettings(host="127.0.0.1", port=broker.port, protocol=protocol),
        outbox,
        STATUS,
        lambda: b'{"online":true}',
    )
    count, batch = 40 * WINDOW, WINDOW + 7
    last_batch = (count - 1) // batch * batch
    received: list[str] = []
    stop = asyncio.Event()
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe("velotime/v/timing/passing", qos=1)
        run = asyncio.create_task(publisher.run(stop))
        for first in range(0, count, batch):
            events = [("velotime/v/timing/passing", event(n)) for n in range(first, first + batch)]
            outbox.append("p3-finish", events[: count - first], None)
            publisher.set_retained("velotime/v/status/sources/p3-finish", b"%d" % first)
            await asyncio.sleep(0.001)
        async with asyncio.timeout(30):
            async for message in client.messages:
                assert isinstance(message.payload, bytes)
                received.append(json.loads(message.payload)["id"])
                if len(received) == count:
                    break
        stop.set()
        await asyncio.wait_for(run, 10)
    assert received == [f"e{n}" for n in range(count)]
    assert len(outbox) == 0
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe("velotime/v/status/sources/p3-finish", qos=1)
        async with asyncio.timeout(5):
            async for message in client.messages:
                assert message.payload == b"%d" % last_batch
                break
