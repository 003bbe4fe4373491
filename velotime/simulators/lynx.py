"""A simulated FinishLynx photo-finish camera running velotime's scoreboard script.

FinishLynx connects to a scoreboard (TCP), or sends it UDP datagrams, and writes what its script
says. This simulator does the same with config/finishlynx/velotime.lss's messages for one
scripted heat: armed, the running time every 0.1 s from the start, stopped at the winner's
time, then a block of results (header, one line per rider, trailer). Everything it sends is
recorded with its wall-clock send time.

`drop_after_results=k` plays a connection lost in the middle of the results: after k result
lines it sends half of the next message, disconnects, reconnects and sends the whole block
again, as FinishLynx does when it refreshes a scoreboard. Race content depends only on the seed
and the options, never on the speedup or on when it runs (except the start time of day, when
not given, which is read from the clock in `zone`, the venue's time zone: the daemon reads the
camera's times of day in venue.timezone, whatever the time zone of the machine).

Scripted: `connect()`, then `send(record)` whatever a director says when it says so (`velotime
demo`: the armed, running, stopped and results messages of its own heats), then `disconnect()`.
"""

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo
from fractions import Fraction
from typing import NamedTuple

import msgspec

from velotime.protocols.lynx import (
    Armed,
    LynxRecord,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    Stopped,
    encode,
)
from velotime.simulators.clock import sleep_until
from velotime.times import US_PER_DAY, local_time_of_day

RUNNING_INTERVAL_US = 100_000  # FinishLynx sends the running time about ten times a second
ARMED_LEAD_US = 1_000_000  # armed this long before the start
RESULTS_DELAY_US = 2_000_000  # the operator reads the image: results this long after the stop
TIME_DIGITS = 4  # velotime.lss asks for times to 1/10000 s
MAX_RIDERS = 999
_NS_PER_US = 1_000
_UNIT_US = 10 ** (6 - TIME_DIGITS)

# Names in Windows-1252 (what FinishLynx sends with Code Set "Single Byte"), and an affiliation
# holding '|', which velotime's format must carry.
_FIRST_NAMES = ("Anna", "Léa", "Matej", "Søren", "Zoë", "Jürgen", "Ivo", "Ana", "Tomáš", "Elif")
_LAST_NAMES = ("ŠURBEK", "MÜLLER", "O'NEIL", "DUPONT", "ØSTBY", "GARCÍA", "ROSSI", "ŽAGAR")
_AFFILIATIONS = ("RV Zürich", "VC Roubaix", "Team A | B", "CC Åre", "Dukla Praha", "Œuvre CC")


class SentMessage(msgspec.Struct, frozen=True):
    """One message as it left the simulator."""

    record: LynxRecord
    wire: bytes  # the bytes written: a prefix of encode(record) when `complete` is False
    sent_ns: int  # time.time_ns() just before the bytes were handed to the socket
    connection: int  # 1 for the first connection (or UDP socket), 2 after one reconnect...
    complete: bool = True


class ScheduledMessage(NamedTuple):
    at_us: int  # race time of the camera: microseconds after the armed message
    record: LynxRecord


class LynxCameraSimulator:
    """Plays one heat to `host:port`: `await run()`; `sent` then holds every message sent.

    The schedule runs `speedup` times faster than real time. With TCP it connects as FinishLynx
    does ("Network (connect)"), retrying for `connect_timeout_s` (OSError after that).
    `on_connect(n)` is called once connection n (a new UDP socket, with UDP) is open.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        udp: bool = False,
        riders: int = 6,
        bibs: Sequence[int] | None = None,
        speedup: float | Fraction = 1,
        seed: int = 0,
        event: str = "1",
        round: int = 1,
        heat: int = 1,
        event_name: str = "Keirin",
        start_time_of_day_us: int | None = None,
        drop_after_results: int | None = None,
        connect_timeout_s: float = 5.0,
        on_connect: Callable[[int], None] | None = None,
        zone: tzinfo = UTC,
    ) -> None:
        """`bibs`: the riders of the heat (their finishing order drawn from `seed`), instead of
        `riders` riders with bibs drawn from it."""
        if bibs is not None:
            if len(set(bibs)) != len(bibs) or not all(bib >= 1 for bib in bibs):
                raise ValueError("the bibs must be different positive numbers")
            riders = len(bibs)
        if not 1 <= riders <= MAX_RIDERS:
            raise ValueError(f"riders must be 1-{MAX_RIDERS}, got {riders}")
        if isinstance(speedup, float) and not math.isfinite(speedup):
            raise ValueError("the speedup must be finite")
        # repr() of a float is its shortest decimal form: 0.1 becomes exactly 1/10.
        self._speedup = Fraction(repr(speedup)) if isinstance(speedup, float) else Fraction(speedup)
        if self._speedup <= 0:
            raise ValueError("the speedup must be positive")
        if drop_after_results is not None and not 0 <= drop_after_results <= riders:
            raise ValueError(f"drop_after_results must be 0-{riders}, got {drop_after_results}")
        if start_time_of_day_us is not None and not 0 <= start_time_of_day_us < US_PER_DAY:
            raise ValueError("the start time of day must be within a day")
        if not connect_timeout_s > 0:
            raise ValueError("the connect timeout must be positive")
        self.host = host
        self.port = port
        self.udp = udp
        self.drop_after_results = drop_after_results
        self._start_time_of_day_us = start_time_of_day_us
        self._connect_timeout_s = connect_timeout_s
        self._on_connect = on_connect
        self._zone = zone
        self.armed = Armed(event=event, round=round, heat=heat, event_name=event_name)
        self.results = _results(riders, random.Random(f"lynx-{seed}"), bibs)
        encode(self.armed)  # refuse now an event or name the script could not carry
        self.sent: list[SentMessage] = []
        self.connections = 0
        self._writer: asyncio.StreamWriter | None = None
        self._datagrams: asyncio.DatagramTransport | None = None

    # -- the race ------------------------------------------------------------------------------

    @property
    def winner_time_us(self) -> int:
        return min(r.time_us for r in self.results if r.time_us is not None)

    def schedule(self, start_time_of_day_us: int) -> list[ScheduledMessage]:
        """Every message of the heat at its race time, in order (the results block last)."""
        messages = [ScheduledMessage(0, self.armed)]
        winner = self.winner_time_us
        for k in range(math.ceil(winner / RUNNING_INTERVAL_US)):
            running = RunningTime(
                time_us=k * RUNNING_INTERVAL_US,
                time_digits=TIME_DIGITS,
                start_time_of_day_us=start_time_of_day_us,
            )
            messages.append(ScheduledMessage(ARMED_LEAD_US + k * RUNNING_INTERVAL_US, running))
        stop = ARMED_LEAD_US + winner
        messages.append(ScheduledMessage(stop, Stopped(time_us=winner, time_digits=TIME_DIGITS)))
        block = self.results_block(start_time_of_day_us)
        messages += [ScheduledMessage(stop + RESULTS_DELAY_US, record) for record in block]
        return messages

    def results_block(self, start_time_of_day_us: int) -> list[LynxRecord]:
        header = ResultsHeader(
            official=False,
            event_name=self.armed.event_name,
            event=self.armed.event,
            round=self.armed.round,
            heat=self.armed.heat,
            count=len(self.results),
            start_time_of_day_us=start_time_of_day_us,
        )
        return [header, *self.results, ResultsComplete()]

    # -- scripted ------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect as `run` does (retrying for `connect_timeout_s`), and stay connected."""
        await self._connect()

    async def send(self, record: LynxRecord) -> None:
        """Send one message now (recorded in `sent`)."""
        await self._send(record)

    async def disconnect(self) -> None:
        await self._disconnect()

    # -- playing it ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, play the heat at its pace, disconnect.

        Raises OSError when it cannot connect, or when the connection fails (TCP).
        """
        try:
            await self._connect()
            # The race starts once connected: waiting for the scoreboard shifts it, never
            # crowds its messages together.
            t0_ns = time.monotonic_ns()
            start_tod = self._start_time_of_day_us
            if start_tod is None:
                now_us = time.time_ns() // _NS_PER_US
                start_tod = local_time_of_day(now_us + self._wall_us(ARMED_LEAD_US), self._zone)
            schedule = self.schedule(start_tod)
            block_size = len(self.results) + 2
            for at_us, record in schedule[:-block_size]:
                await sleep_until(t0_ns + self._wall_ns(at_us))
                await self._send(record)
            await sleep_until(t0_ns + self._wall_ns(schedule[-1].at_us))
            block = [message.record for message in schedule[-block_size:]]
            if self.drop_after_results is None:
                for record in block:
                    await self._send(record)
            else:
                await self._send_and_drop(block, self.drop_after_results)
        finally:
            await self._disconnect()

    async def _send_and_drop(self, block: Sequence[LynxRecord], results: int) -> None:
        for record in block[: 1 + results]:  # the header, then `results` lines
            await self._send(record)
        cut = block[1 + results]
        wire = encode(cut)
        await self._send(cut, wire[: len(wire) // 2])
        await self._disconnect()
        await self._connect()
        for record in block:
            await self._send(record)

    def _wall_ns(self, race_us: int) -> int:
        """Wall-clock nanoseconds for a race time (rounded up)."""
        speedup = self._speedup
        return -(-race_us * _NS_PER_US * speedup.denominator // speedup.numerator)

    def _wall_us(self, race_us: int) -> int:
        return self._wall_ns(race_us) // _NS_PER_US

    async def _connect(self) -> None:
        self.connections += 1
        if self.udp:
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, remote_addr=(self.host, self.port)
            )
            self._datagrams = transport
        else:
            await self._open_tcp()
        if self._on_connect is not None:
            self._on_connect(self.connections)

    async def _open_tcp(self) -> None:
        deadline = time.monotonic() + self._connect_timeout_s
        while True:
            try:
                _, self._writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                # FinishLynx keeps trying while the scoreboard is "Not Connected".
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.05)
            else:
                return

    async def _disconnect(self) -> None:
        if self._datagrams is not None:
            self._datagrams.close()
            self._datagrams = None
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _send(self, record: LynxRecord, wire: bytes | None = None) -> None:
        data = encode(record) if wire is None else wire
        sent_ns = time.time_ns()
        if self._datagrams is not None:
            self._datagrams.sendto(data)
        elif self._writer is not None:
            self._writer.write(data)
            await self._writer.drain()
        self.sent.append(SentMessage(record, data, sent_ns, self.connections, wire is None))


def _results(riders: int, rng: random.Random, bibs: Sequence[int] | None) -> list[Result]:
    """A sprint-like heat: the winner in 10.5-11.5 s, the others within half a second each,
    times to 1/10000 s; from four riders on, the last one does not finish."""
    # Given bibs: their finishing order.
    bibs = rng.sample(range(1, 1000) if bibs is None else bibs, riders)
    lanes = list(range(1, riders + 1))
    rng.shuffle(lanes)
    finishers = riders - 1 if riders >= 4 else riders
    time_us = 10_500_000 + rng.randrange(10_000) * _UNIT_US
    results: list[Result] = []
    for index in range(riders):
        name = f"{rng.choice(_LAST_NAMES)} {rng.choice(_FIRST_NAMES)}"
        affiliation = rng.choice(_AFFILIATIONS)
        if index >= finishers:
            results.append(
                Result(
                    status="DNF",
                    id=str(bibs[index]),
                    lane=lanes[index],
                    name=name,
                    affiliation=affiliation,
                )
            )
            continue
        delta = None
        if index:
            delta = rng.randrange(1, 5_000) * _UNIT_US
            time_us += delta
        results.append(
            Result(
                place=index + 1,
                id=str(bibs[index]),
                lane=lanes[index],
                name=name,
                affiliation=affiliation,
                time_us=time_us,
                time_digits=TIME_DIGITS,
                delta_us=delta,
                laps_to_go=0,
            )
        )
    return results
