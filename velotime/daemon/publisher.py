"""Publishing to the MQTT broker: a reconnect supervisor that drains the durable outbox.

An event leaves the outbox only after the broker's PUBACK (QoS 1), so delivery is at least once:
after a reconnect some events may arrive twice, and consumers drop repeats by envelope `id`.
Retained state (status, self-description) is kept here and published again on every connect.
"""

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import aiomqtt

from velotime.backoff import Backoff
from velotime.daemon.outbox import Outbox

log = logging.getLogger("velotime.mqtt")

OFFLINE = b'{"online":false}'
BATCH = 256  # publishes in flight at once while draining
FLUSH_TIMEOUT_S = 5.0  # how long shutdown waits for the outbox to drain


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    keepalive_s: int = 15
    tls: bool = False
    tls_ca_file: str | None = None
    tls_cert_file: str | None = None
    tls_key_file: str | None = None


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
        self._retained_changed = asyncio.Event()
        self.connected = asyncio.Event()

    def set_retained(self, topic: str, payload: bytes) -> None:
        """Publish retained state now if connected, and again after every reconnect."""
        if self._retained.get(topic) != payload:
            self._retained[topic] = payload
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
            delay = backoff.next_delay()
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue

    async def _connected(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        # Subscribed before saying "online", so that a command sent on seeing it is not lost.
        for topic_filter in self._subscriptions:
            await client.subscribe(topic_filter, qos=1)
        await client.publish(self._status_topic, self._online_payload(), qos=1, retain=True)
        self._retained_changed.set()  # publish all retained state on this connection
        async with asyncio.TaskGroup() as group:
            drain = group.create_task(self._drain(client, stop))
            retained = group.create_task(self._publish_retained(client))
            incoming = group.create_task(self._receive(client))
            await drain
            retained.cancel()
            incoming.cancel()
        # A clean DISCONNECT suppresses the will, so say it ourselves.
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
        async for message in client.messages:
            for topic_filter, handle in self._subscriptions.items():
                if message.topic.matches(topic_filter):
                    handle(str(message.topic), message.payload)

    async def _publish_retained(self, client: aiomqtt.Client) -> None:
        while True:
            await self._retained_changed.wait()
            self._retained_changed.clear()
            for topic, payload in list(self._retained.items()):
                await client.publish(topic, payload, qos=1, retain=True)

    def _client(self) -> aiomqtt.Client:
        broker = self.broker
        tls_params = None
        if broker.tls:
            tls_params = aiomqtt.TLSParameters(
                ca_certs=broker.tls_ca_file,
                certfile=broker.tls_cert_file,
                keyfile=broker.tls_key_file,
                cert_reqs=ssl.CERT_REQUIRED,
            )
        client = aiomqtt.Client(
            broker.host,
            broker.port,
            username=broker.username,
            password=broker.password,
            identifier=broker.client_id,
            keepalive=broker.keepalive_s,
            will=aiomqtt.Will(self._status_topic, OFFLINE, qos=1, retain=True),
            tls_params=tls_params,
            # paho never sets TCP_NODELAY; without it a QoS 1 round trip can stall ~40 ms.
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            max_inflight_messages=BATCH,
            timeout=10,
        )
        client.pending_calls_threshold = 10 * BATCH  # aiomqtt warns per call above this
        return client
