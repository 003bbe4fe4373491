"""The shipped Mosquitto keeps what it acknowledged: events the daemon's publisher delivered
(and so deleted from its outbox) while the scoring service was away survive a broker crash in
the scoring service's persistent session."""

import asyncio
import json
from pathlib import Path

import pytest

from tests.brokers import MosquittoProcess, saving_once_a_minute_config, shipped_config
from tests.mqtt.events import event
from velotime.config import load_config
from velotime.localvenue import free_port, p3_source, write_local_config
from velotime.mqtt.client import BrokerSettings, mqtt_client
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.scoring.service import scoring_broker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

TIMING = "velotime/t/timing/passing"
EVENTS = 300  # several times the publisher's window


def scoring_session(port: int, directory: Path) -> BrokerSettings:
    """As the scoring service of venue "t" connects: its client id, a persistent session."""
    config = write_local_config(
        directory / "venue", "t", f"mqtt://127.0.0.1:{port}", p3_source(free_port())
    )
    return scoring_broker(load_config(config), "t")


async def deliver_while_scoring_is_away(port: int, tmp_path: Path) -> None:
    """The scoring service subscribes and goes away; the daemon's publisher delivers EVENTS
    events, each acknowledged by the broker (the outbox ends empty)."""
    scoring = scoring_session(port, tmp_path)
    async with mqtt_client(scoring, identifier=scoring.client_id) as client:
        await client.subscribe("velotime/t/timing/#", qos=1)
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("p3-finish", [(TIMING, event(n)) for n in range(EVENTS)], None)
    publisher = Publisher(
        BrokerSettings("127.0.0.1", port, client_id="velotime-t"),
        outbox,
        "velotime/t/status/daemon",
        lambda: b'{"online":true}',
    )
    stop = asyncio.Event()
    run = asyncio.create_task(publisher.run(stop))
    async with asyncio.timeout(30):
        while len(outbox):
            await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(run, 10)


async def scoring_receives(port: int, tmp_path: Path) -> list[str]:
    """What the scoring service's session gets when it comes back: the event ids, in order,
    until 2 s of silence."""
    scoring = scoring_session(port, tmp_path)
    ids: list[str] = []
    async with mqtt_client(scoring, identifier=scoring.client_id) as client:
        await client.subscribe("velotime/t/timing/#", qos=1)
        messages = aiter(client.messages)
        while True:
            try:
                message = await asyncio.wait_for(anext(messages), 2.0)
            except TimeoutError:
                return ids
            assert isinstance(message.payload, bytes)
            ids.append(json.loads(message.payload)["id"])


async def received_after_a_broker_kill(
    tmp_path: Path, conf: str | None = None
) -> tuple[list[str], str]:
    """Deliver while scoring is away, kill -9 the broker, restart it, and return what scoring
    then receives, with the broker's log."""
    port = free_port()
    broker = MosquittoProcess(shipped_config(port, tmp_path, conf), port, tmp_path)
    broker.start()
    try:
        await deliver_while_scoring_is_away(port, tmp_path)
        broker.kill()
        broker.start()
        return await scoring_receives(port, tmp_path), broker.log()
    finally:
        broker.stop()


async def test_acknowledged_events_survive_a_broker_kill_while_scoring_is_away(
    tmp_path: Path,
) -> None:
    received, log = await received_after_a_broker_kill(tmp_path)
    assert received == [f"e{n}" for n in range(EVENTS)], log


async def test_saving_once_a_minute_as_before_loses_them(tmp_path: Path) -> None:
    """The configuration this replaced (autosave_interval 60, by time): the same crash loses
    what the broker had acknowledged. This is what the test above would catch."""
    received, _ = await received_after_a_broker_kill(tmp_path, saving_once_a_minute_config())
    assert len(received) < EVENTS
