"""Publishing to the MQTT broker: a reconnect supervisor that drains the durable outbox.

An event leaves the outbox only after the broker's PUBACK (QoS 1), so delivery is at least once:
after a reconnect some events may arrive twice, and consumers drop repeats by envelope `id`.
Retained state (status, self-description, results) is kept here and published again on every
connect; between connects only the topics whose payload changed are published.

A subscriber with a persistent session (`BrokerSettings.clean_session=False`: the scoring
service) acknowledges each message only after its handler has returned, so that a message the
process never handled (killed with it in the queue) is sent again by the broker.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import aiomqtt

from velotime.backoff import Backoff
from velotime.mqtt.client import BrokerSettings, mqtt_client
from velotime.mqtt.outbox import Outbox
from velotime.wire.status import OFFLINE

log = logging.getLogger("velotime.mqtt")

BATCH = 256  # publishes in flight at once while draining
FLUSH_TIMEOUT_S = 5.0  # how long shutdown waits for the outbox to drain
OFFLINE_TIMEOUT_S = 2.0  # how long a failing program tries to say it is offline


class Publisher:
    def __init__(
        self,
        broker: BrokerSettings,
        outbox: Outbox,
        status_topic: str,
        online_payload: Callable[[], bytes],
        subscriptions: dict[str, Callable[[str, bytes], None]] | None = None,
    ) -> None:
        self.broker = broker
        self._outbox = outbox
        self._status_topic = status_topic
        self._online_payload = online_payload
        # Topic filter -> what to do with a message: subscribed again on every connection.
        self._subscriptions = subscriptions or {}
        self._retained: dict[str, bytes] = {}
        self._dirty: dict[str, None] = {}  # retained topics to publish, in order of change
        self._retained_changed = asyncio.Event()
        self.connected = asyncio.Event()

    def set_retained(self, topic: str, payload: bytes) -> None:
        """Publish retained state now if connected, and again after every reconnect."""
        if self._retained.get(topic) != payload:
            self._retained[topic] = payload
            # Last in the queue: whoever sees this payload sees the changes made before it.
            self._dirty.pop(topic, None)
            self._dirty[topic] = None
            self._retained_changed.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, drain and reconnect until `stop` is set; then flush and say goodbye."""
        backoff = Backoff(0.5, 30.0)
        client = self._client()
        while not stop.is_set():
            try:
                async with client:
                    self.connected.set()
                    backoff.reset()
                    log.info("connected to mqtt://%s:%d", self.broker.host, self.broker.port)
                    await self._connected(client, stop)
                    return
            except* aiomqtt.MqttError as group:
                log.warning("broker connection lost: %s", group.exceptions[0])
            finally:
                self.connected.clear()
            if not self.broker.clean_session:
                # Messages left in the old client's queue were never acknowledged: the broker
                # sends them again, and their packet ids mean nothing on a new connection.
                client = self._client()
            delay = backoff.next_delay()
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue

    async def _connected(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        # Subscribed before saying "online", so that a command sent on seeing it is not lost.
        for topic_filter in self._subscriptions:
            await client.subscribe(topic_filter, qos=1)
        try:
            await client.publish(self._status_topic, self._online_payload(), qos=1, retain=True)
            self._dirty = dict.fromkeys(self._retained)  # all retained state, on this connection
            self._retained_changed.set()
            async with asyncio.TaskGroup() as group:
                drain = group.create_task(self._drain(client, stop))
                retained = group.create_task(self._publish_retained(client))
                incoming = group.create_task(self._receive(client))
                await drain
                retained.cancel()
                incoming.cancel()
            await self._publish_dirty(client)  # the last changes of retained state
        except BaseException as exc:
            if not _connection_lost(exc):
                # Stopping on a failure, or cancelled because the program fails elsewhere: the
                # clean DISCONNECT on the way out suppresses the will, so say it ourselves.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._say_offline(client), OFFLINE_TIMEOUT_S)
            raise
        # A clean DISCONNECT suppresses the will, so say it ourselves.
        await self._say_offline(client)

    async def _say_offline(self, client: aiomqtt.Client) -> None:
        await client.publish(self._status_topic, OFFLINE, qos=1, retain=True)

    async def _drain(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        stopping_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            rows = self._outbox.pending(BATCH)
            if rows:
                await asyncio.gather(*(client.publish(r.topic, r.payload, qos=1) for r in rows))
                self._outbox.ack([r.id for r in rows])
            if stop.is_set():
                stopping_since = stopping_since or loop.time()
                if not rows or loop.time() - stopping_since > FLUSH_TIMEOUT_S:
                    return
                continue
            if not rows:
                waiter = asyncio.ensure_future(self._outbox.wait_for_events())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()

    async def _receive(self, client: aiomqtt.Client) -> None:
        manual_ack = not self.broker.clean_session
        async for message in client.messages:
            for topic_filter, handle in self._subscriptions.items():
                if message.topic.matches(topic_filter):
                    handle(str(message.topic), message.payload)
            if manual_ack:  # handled: now the broker may forget it
                client._client.ack(message.mid, message.qos)

    async def _publish_retained(self, client: aiomqtt.Client) -> None:
        while True:
            await self._retained_changed.wait()
            self._retained_changed.clear()
            await self._publish_dirty(client)

    async def _publish_dirty(self, client: aiomqtt.Client) -> None:
        """Each retained topic whose payload changed since it was last published: the latest
        payload only, in the order of their last change."""
        while self._dirty:
            topic = next(iter(self._dirty))
            payload = self._retained[topic]
            await client.publish(topic, payload, qos=1, retain=True)
            if self._retained[topic] == payload:  # else it changed meanwhile: publish again
                del self._dirty[topic]

    def _client(self) -> aiomqtt.Client:
        client = mqtt_client(
            self.broker,
            identifier=self.broker.client_id,
            will=aiomqtt.Will(self._status_topic, OFFLINE, qos=1, retain=True),
            max_inflight_messages=BATCH,
            clean_session=self.broker.clean_session,
        )
        if not self.broker.clean_session:
            client._client.manual_ack_set(True)  # acknowledged in _receive, once handled
        client.pending_calls_threshold = 10 * BATCH  # aiomqtt warns per call above this
        return client


def _connection_lost(exc: BaseException) -> bool:
    """The broker went away (the will speaks for us), as opposed to a failure of our own."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_connection_lost(inner) for inner in exc.exceptions)
    return isinstance(exc, aiomqtt.MqttError)
