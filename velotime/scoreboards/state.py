"""What every scoreboard shows, kept from the venue's retained MQTT topics.

The scoring service publishes results, standings and what is on the track as retained
messages, so a scoreboard that (re)connects gets the whole state at once and then each change.
`ScoreboardState` keeps the latest payload per topic (by key below the venue: "current",
"results/f200", "standings/keirin-m", "status/scoring") and wakes whoever waits for a change;
`mirror` fills it from the broker and reconnects by itself. A scoreboard renders
`state.snapshot()`; it never talks to the broker itself.

**Live or stale.** `live` is true only while the broker connection is up and the scoring
service says it is online. Otherwise the boards show their last state marked as stale: a time
frozen on a screen must never pass for a live one.
"""

import asyncio
import logging

import aiomqtt
import msgspec

from velotime.backoff import Backoff
from velotime.mqtt.client import (
    BrokerConnectionError,
    BrokerSettings,
    connection_failure,
    mqtt_client,
)
from velotime.wire.errors import WireError
from velotime.wire.results import Current, EventResult, OmniumStandings, Standings, StartList
from velotime.wire.retained import ProgramStatus, Retained, decode_retained
from velotime.wire.status import ScoringOnline
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.scoreboards")

# What scoreboards read: retained state only (never the timing stream).
# Status first: a board that reconnects knows at once whether the data is live.
KEYS = ("status/#", "current", "results/#", "standings/#", "startlists/#", "config/description")


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a board needs, as `/api/state` serves it (docs/scoreboards.md)."""

    v: int = 1
    version: int  # counts the changes of the state
    live: bool  # connected, and the scoring service says it is online
    connected: bool  # to the broker
    current: Current | None  # None: nothing retained on `current` yet
    results: dict[str, EventResult]  # by event, in the order of their ids
    standings: dict[str, Standings | OmniumStandings]  # by competition: keirin, omnium
    startlists: dict[str, StartList]  # by event, in the order of their ids
    status: dict[str, ProgramStatus]  # below status/: "scoring", "daemon", "sources/p3"...
    latest: str | None  # the event whose result changed last


class ScoreboardState:
    def __init__(self) -> None:
        self.payloads: dict[str, Retained] = {}  # key below the venue -> its payload, decoded
        self.connected = False
        self.version = 0  # counts changes, so that a waiter misses none
        self.skipped = 0  # messages that were none of their topic's types
        self.changed_at: dict[str, int] = {}  # key -> the version that last changed it
        self._changed = asyncio.Condition()

    @property
    def live(self) -> bool:
        return self.connected and isinstance(self.payloads.get("status/scoring"), ScoringOnline)

    def snapshot(self) -> Snapshot:
        current = self.payloads.get("current")
        return Snapshot(
            version=self.version,
            live=self.live,
            connected=self.connected,
            current=current if isinstance(current, Current) else None,
            results={
                k: v for k, v in self._below("results/").items() if isinstance(v, EventResult)
            },
            standings={
                k: v
                for k, v in self._below("standings/").items()
                if isinstance(v, Standings | OmniumStandings)
            },
            startlists={
                k: v for k, v in self._below("startlists/").items() if isinstance(v, StartList)
            },
            status={
                k: v for k, v in self._below("status/").items() if isinstance(v, ProgramStatus)
            },
            latest=self.latest_result(),
        )

    def latest_result(self) -> str | None:
        """The event whose result changed last: what boards show when nothing is on track."""
        changed = [
            (v, k)
            for k, v in self.changed_at.items()
            if k.startswith("results/") and k in self.payloads
        ]
        return max(changed)[1].removeprefix("results/") if changed else None

    async def update(self, key: str, payload: bytes) -> None:
        """A retained message: an empty payload clears the key (MQTT's way to delete one). A
        payload of none of the key's types is skipped, counted and logged: the boards keep
        what they had."""
        if not payload:
            self.payloads.pop(key, None)
        else:
            try:
                self.payloads[key] = decode_retained(key, payload)
            except WireError as exc:
                self.skipped += 1
                log.warning("skipped a retained message: %s: %r", exc, payload[:80])
                return
        await self._bump()
        self.changed_at[key] = self.version

    async def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            await self._bump()

    async def wait_for_change(self, seen: int) -> int:
        """Wait until `version` passes `seen`; returns the new version."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.version > seen)
            return self.version

    async def _bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    def _below(self, prefix: str) -> dict[str, Retained]:
        return {key.removeprefix(prefix): value for key, value in sorted(self.payloads.items())
                if key.startswith(prefix)}  # fmt: skip


async def mirror(broker: BrokerSettings, topics: Topics, state: ScoreboardState) -> None:
    """Keep `state` equal to the venue's retained topics, reconnecting until cancelled."""
    backoff = Backoff(0.5, 10.0)
    root = topics.root + "/"
    while True:
        client = mqtt_client(broker)
        reached = False
        try:
            async with client:
                reached = True
                # Retained messages come again at once on every connection; the boards keep
                # showing the last state (marked stale) until they do.
                await _subscribe(client, root, state)
                backoff.reset()
                async for message in client.messages:
                    await _take(message, root, state)
        except (aiomqtt.MqttError, UnicodeError) as exc:  # UnicodeError: a host name too long
            log.warning("scoreboard: %s", connection_failure(broker, exc, reached=reached))
        finally:
            await state.set_connected(False)
        await asyncio.sleep(backoff.next_delay())


async def read_retained(
    broker: BrokerSettings,
    topics: Topics,
    state: ScoreboardState,
    *,
    quiet_s: float,
    timeout_s: float,
) -> bool:
    """Fill `state` once with the venue's retained topics, as `mirror` does, and return: the
    broker sends them all at once on a subscription, so when none has come for `quiet_s` that
    is the state (True). False: messages still came `timeout_s` after the start, so the state
    may lack some. Raises BrokerConnectionError, with `connection_failure`'s message, on a
    failure."""
    root = topics.root + "/"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    reached = False
    try:
        async with mqtt_client(broker, timeout=timeout_s) as client:
            reached = True
            await _subscribe(client, root, state)
            messages = aiter(client.messages)
            while (wait := min(quiet_s, deadline - loop.time())) > 0:
                try:
                    message = await asyncio.wait_for(anext(messages), wait)
                except TimeoutError:
                    return wait >= quiet_s  # quiet for quiet_s, not cut short by the deadline
                await _take(message, root, state)
            return False
    except (aiomqtt.MqttError, UnicodeError) as exc:  # UnicodeError: a host name too long
        raise BrokerConnectionError(connection_failure(broker, exc, reached=reached)) from None


async def _subscribe(client: aiomqtt.Client, root: str, state: ScoreboardState) -> None:
    """Subscribe to the venue's retained topics (the broker sends them at once)."""
    for key in KEYS:
        await client.subscribe(root + key, qos=1)
    await state.set_connected(True)


async def _take(message: aiomqtt.Message, root: str, state: ScoreboardState) -> None:
    if isinstance(message.payload, bytes):
        await state.update(str(message.topic).removeprefix(root), message.payload)
