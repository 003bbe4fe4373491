"""Publishing to the MQTT broker: a reconnect supervisor that drains the durable outbox.

An event leaves the outbox only after the broker's PUBACK (QoS 1), so delivery is at least once:
after a reconnect some events may arrive twice, and consumers drop repeats by envelope `id`.
The outbox is drained through a sliding window of WINDOW events in flight, published straight
through paho and deleted in batches as their PUBACKs come: aiomqtt's publish (a task, a timeout
and a walk over every pending call per message) and paho's own in-flight limit (a walk over every
message in flight per PUBACK) cost more than the rest of the daemon together at a few thousand
passings/s (benchmarks/daemon_pipeline.py).
Retained state (status, self-description, results) is kept here and published again on every
connect; between connects only the topics whose payload changed are published. A message `send`
gives (the answer to a command) is published once, not retained, after the retained state that
changed before it, so that whoever reads the answer finds the results it changed published.

A publish the broker refuses (MQTT 5 PUBACK reason code >= 0x80, e.g. 0x87 Not authorized by
its ACL) is never taken as delivered: the event stays in the outbox, is offered again every
REFUSED_RETRY_S and on every connection (so it flows once the ACL is fixed and reloaded), and
each refusal is counted (`Publisher.refused`), logged as an error (once a minute per topic, with
the count) and handed to the `on_refused` hook (for the daemon's status). Under MQTT 3.1.1 the
broker acknowledges a refused publish like any other: nothing can tell.

A subscriber with a persistent session (`BrokerSettings.clean_session=False`: the scoring
service) acknowledges each message only after its handler has returned, so that a message the
process never handled (killed with it in the queue) is sent again by the broker.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import aiomqtt
import paho.mqtt.client as paho
from paho.mqtt.reasoncodes import ReasonCode

from velotime.backoff import Backoff
from velotime.mqtt.client import (
    BrokerSettings,
    PublishRefusedError,
    connection_failure,
    mqtt_client,
    publish_checked,
)
from velotime.mqtt.outbox import Outbox, OutboxRow
from velotime.ratelimit import RateLimitedLog
from velotime.wire.status import OFFLINE

log = logging.getLogger("velotime.mqtt")

# Outbox events published and not yet acknowledged. Measured (daemon CPU per passing at
# saturation): 16 in flight 49 us, 64 42 us, 256 41 us; 64 keeps less in flight for the same.
WINDOW = 64
ACK_TIMEOUT_S = 10.0  # no PUBACK for this long: the connection is taken as lost
FLUSH_TIMEOUT_S = 5.0  # how long shutdown waits for the outbox to drain
OFFLINE_TIMEOUT_S = 2.0  # how long a failing program tries to say it is offline
REFUSED_RETRY_S = 30.0  # how often an event the broker refused is offered again
REFUSED_LOG_S = 60.0  # refusals of one topic are logged at most this often (with their count)


class Publisher:
    def __init__(
        self,
        broker: BrokerSettings,
        outbox: Outbox,
        status_topic: str,
        online_payload: Callable[[], bytes],
        subscriptions: dict[str, Callable[[str, bytes], None]] | None = None,
        on_refused: Callable[[PublishRefusedError], None] | None = None,
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
        self._messages: deque[tuple[str, bytes]] = deque()  # to publish once, not retained
        self.connected = asyncio.Event()
        # Hook for the program's status (the daemon: degraded while events are refused).
        self._on_refused = on_refused
        self.refused = 0  # publishes the broker refused since start (events and retained state)
        self._refused_ids: dict[int, None] = {}  # outbox events refused, to offer again
        self._undelivered: set[int] = set()  # outbox events refused and not delivered since
        self._refused_log = RateLimitedLog(log, REFUSED_LOG_S)  # one line a topic a minute
        self._last_refusal = ""

    def problems(self) -> list[str]:
        """What fails now, one line each, as `Outbox.problems()`: for the daemon's status."""
        if not self._undelivered:
            return []
        return [f"{len(self._undelivered)} events refused by the broker: {self._last_refusal}"]

    @property
    def refused_events(self) -> int:
        """Outbox events the broker refused and has not taken since (kept, offered again)."""
        return len(self._undelivered)

    def set_retained(self, topic: str, payload: bytes) -> None:
        """Publish retained state now if connected, and again after every reconnect."""
        if self._retained.get(topic) != payload:
            self._retained[topic] = payload
            # Last in the queue: whoever sees this payload sees the changes made before it.
            self._dirty.pop(topic, None)
            self._dirty[topic] = None
            self._retained_changed.set()

    def send(self, topic: str, payload: bytes) -> None:
        """Publish once at QoS 1, not retained, after the retained state changed before it;
        held while disconnected. A refusal by the broker is counted and logged, not retried."""
        self._messages.append((topic, payload))
        self._retained_changed.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, drain and reconnect until `stop` is set; then flush and say goodbye."""
        backoff = Backoff(0.5, 30.0)
        client = self._client()
        while not stop.is_set():
            reached = False
            try:
                async with client:
                    reached = True
                    self.connected.set()
                    backoff.reset()
                    log.info("connected to %s", self.broker.url)
                    await self._connected(client, stop)
                    return
            except* (aiomqtt.MqttError, UnicodeError) as group:  # UnicodeError: a name too long
                log.warning(
                    "%s", connection_failure(self.broker, group.exceptions[0], reached=reached)
                )
                if group.subgroup(UnicodeError):  # aiomqtt let it through holding its lock
                    client = self._client()
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
            await self._publish_state(client, self._status_topic, self._online_payload())
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
        await self._publish_state(client, self._status_topic, OFFLINE)

    async def _publish_state(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        """A retained message at QoS 1; a refusal is reported, not raised."""
        try:
            await publish_checked(client, topic, payload, retain=True)
        except PublishRefusedError as refused:
            self._report_refused(refused)

    def _report_refused(self, refused: PublishRefusedError) -> None:
        self.refused += 1
        self._last_refusal = str(refused)
        self._refused_log.log(
            logging.ERROR, refused.topic, f"{refused}; kept and offered again", summary=_refusals
        )
        if self._on_refused is not None:
            self._on_refused(refused)

    async def _drain(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        """Publish the outbox in order, WINDOW events in flight, forgetting each event once
        acknowledged; once `stop` is set, until it is empty or FLUSH_TIMEOUT_S have passed."""
        loop = asyncio.get_running_loop()
        stopping_since: float | None = None
        in_flight = _InFlight(client)
        last_sent = 0  # the outbox id of the last event published on this connection
        self._refused_ids.clear()  # read again from the start of the outbox below
        retry_at = loop.time() + REFUSED_RETRY_S
        try:
            while True:
                if in_flight.acked:
                    self._outbox.ack(in_flight.acked)
                    self._undelivered.difference_update(in_flight.acked)
                    in_flight.acked.clear()
                for refused_id, refused in in_flight.refused:
                    self._refused_ids[refused_id] = None  # not acknowledged: kept
                    self._undelivered.add(refused_id)
                    self._report_refused(refused)
                in_flight.refused.clear()
                if self._refused_ids and loop.time() >= retry_at and not stop.is_set():
                    self._refused_log.flush()
                    # Read again from the first refused event, through the window as any other.
                    last_sent = min(self._refused_ids) - 1
                    self._refused_ids.clear()
                    retry_at = loop.time() + REFUSED_RETRY_S
                room = WINDOW - len(in_flight)
                # Refilled by a quarter of the window at least: fewer, larger outbox reads.
                rows = self._outbox.pending(room, last_sent) if room >= WINDOW // 4 else []
                for row in rows:
                    if row.id not in in_flight:  # read again after a refusal: not twice
                        in_flight.publish(row)
                last_sent = rows[-1].id if rows else last_sent
                if stop.is_set():
                    stopping_since = stopping_since or loop.time()
                    left_s = FLUSH_TIMEOUT_S - (loop.time() - stopping_since)
                    if not in_flight or left_s <= 0:  # rows just read are in flight
                        return
                if in_flight:
                    # The events appended meanwhile are read once acknowledgements make room.
                    timeout = ACK_TIMEOUT_S if stopping_since is None else max(0.0, left_s)
                    try:
                        await in_flight.acknowledged(timeout)
                    except TimeoutError:
                        if stopping_since is None:
                            raise aiomqtt.MqttError(
                                f"no PUBACK from the broker for {ACK_TIMEOUT_S:.0f} s"
                            ) from None
                elif not stop.is_set():
                    waiter = asyncio.ensure_future(self._outbox.wait_for_events())
                    stopper = asyncio.ensure_future(stop.wait())
                    retry_in = max(0.0, retry_at - loop.time()) if self._refused_ids else None
                    await asyncio.wait(
                        {waiter, stopper}, timeout=retry_in, return_when=asyncio.FIRST_COMPLETED
                    )
                    waiter.cancel()
                    stopper.cancel()
        finally:
            in_flight.close()
            if self._undelivered and stop.is_set():
                log.error("%d events the broker refused stay in the outbox", len(self._undelivered))

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
        payload only, in the order of their last change; then the messages `send` gave."""
        while self._dirty or self._messages:
            if not self._dirty:
                await self._publish_message(client, *self._messages[0])
                self._messages.popleft()
                continue
            topic = next(iter(self._dirty))
            payload = self._retained[topic]
            await self._publish_state(client, topic, payload)
            if self._retained[topic] == payload:  # else it changed meanwhile: publish again
                del self._dirty[topic]

    async def _publish_message(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        try:
            await publish_checked(client, topic, payload)
        except PublishRefusedError as refused:
            self.refused += 1
            self._refused_log.log(logging.ERROR, topic, f"{refused}; not sent")

    def _client(self) -> aiomqtt.Client:
        client = mqtt_client(
            self.broker,
            identifier=self.broker.client_id,
            will=aiomqtt.Will(self._status_topic, OFFLINE, qos=1, retain=True),
            # No limit in paho (0): the drain keeps its own window, and paho's limit would walk
            # every message in flight on each PUBACK.
            max_inflight_messages=0,
        )
        if not self.broker.clean_session:
            client._client.manual_ack_set(True)  # acknowledged in _receive, once handled
        return client


class _InFlight:
    """Outbox events published straight through the connection's paho client, each until its
    PUBACK. Other PUBACKs (retained state, status, published through aiomqtt) go on to
    aiomqtt's own handler, which this one stands in front of until `close()`."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self._paho = client._client
        self._rows: dict[int, OutboxRow] = {}  # message id -> the event published under it
        self.acked: list[int] = []  # outbox ids acknowledged, to be deleted
        self.refused: list[tuple[int, PublishRefusedError]] = []  # outbox ids the broker refused
        self._in_flight: set[int] = set()  # the outbox ids of `_rows`, to look up
        self._changed = asyncio.Event()
        # aiomqtt's handler (it sets one on every client it makes), with paho's union of
        # callback signatures narrowed to the one aiomqtt uses.
        self._aiomqtt_on_publish = cast(Callable[..., None], self._paho.on_publish)
        self._paho.on_publish = self._on_publish

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, outbox_id: int) -> bool:
        return outbox_id in self._in_flight

    def publish(self, row: OutboxRow) -> None:
        info = self._paho.publish(row.topic, row.payload, qos=1)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            raise aiomqtt.MqttCodeError(info.rc, "Could not publish message")
        self._rows[info.mid] = row
        self._in_flight.add(row.id)

    async def acknowledged(self, timeout_s: float) -> None:
        """Until a PUBACK of ours came since the last call; TimeoutError after `timeout_s`."""
        if not self._changed.is_set():
            async with asyncio.timeout(timeout_s):
                await self._changed.wait()
        self._changed.clear()

    def close(self) -> None:
        self._paho.on_publish = self._aiomqtt_on_publish

    def _on_publish(
        self,
        client: paho.Client,
        userdata: Any,
        mid: int,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        row = self._rows.pop(mid, None)
        if row is None:
            self._aiomqtt_on_publish(client, userdata, mid, reason_code, properties)
            return
        self._in_flight.discard(row.id)
        if reason_code.is_failure:  # MQTT 5 only; a refused event is not delivered
            self.refused.append((row.id, PublishRefusedError(row.topic, reason_code)))
        else:
            self.acked.append(row.id)
        self._changed.set()


def _refusals(count: int, amount: int, seconds: str) -> str:
    return f"{count} more publishes of this topic refused in the last {seconds} s"


def _connection_lost(exc: BaseException) -> bool:
    """The broker went away (the will speaks for us), as opposed to a failure of our own."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_connection_lost(inner) for inner in exc.exceptions)
    return isinstance(exc, aiomqtt.MqttError)
