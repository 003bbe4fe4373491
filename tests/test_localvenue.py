"""The local venue's brokers: each one a user could fall back on must carry a QoS 1 message."""

import asyncio
import importlib.util
from pathlib import Path

import aiomqtt
import pytest

from tests.brokers import require_mosquitto
from velotime.localvenue import LocalAmqtt, LocalBroker, LocalMosquitto


async def round_trip(broker: LocalBroker) -> bytes:
    broker.start()
    try:
        async with aiomqtt.Client("127.0.0.1", broker.port) as client:
            await client.subscribe("velotime/t/#", qos=1)
            await client.publish("velotime/t/x", b"passing", qos=1)
            async with asyncio.timeout(5):
                async for message in client.messages:
                    assert isinstance(message.payload, bytes)
                    return message.payload
    finally:
        broker.stop()
    raise AssertionError("no message")


async def test_mosquitto_carries_a_message(tmp_path: Path) -> None:
    require_mosquitto()
    assert await round_trip(LocalMosquitto(tmp_path)) == b"passing"


@pytest.mark.skipif(
    importlib.util.find_spec("amqtt") is None,
    reason="amqtt not installed (the embedded-broker extra); Mosquitto serves the tests here",
)
async def test_the_amqtt_fallback_carries_a_message(tmp_path: Path) -> None:
    assert await round_trip(LocalAmqtt(tmp_path)) == b"passing"
