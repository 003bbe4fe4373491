"""Plays the timeline: each message to its simulated device (or the desk's command to the
broker) when the wall clock says so, `speedup` times faster than the session's own clock.

The wall clock only paces the session. Every time a device reports comes from the timeline,
never from when the message happens to leave, so a slow machine plays the same session more
slowly and the results stay the same. Where order decides a result, the director waits for the
daemon instead of trusting the pace: a desk command goes out only once the daemon has published
everything sent before it, and nothing is sent after it until the daemon has published the
command too. So a time trial rider's crossings are always between their `next_rider` and the
next one, and an event's timing never arrives before its `arm`, however loaded the machine is.
`Observer` keeps that account from the daemon's events on `timing/#`.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence

import msgspec

from velotime.demo.timeline import Action, Camera, Desk, Impulse, Read
from velotime.protocols.lynx import Armed, LynxRecord, Result, ResultsComplete, RunningTime
from velotime.simulators.clock import sleep_until
from velotime.simulators.lynx import LynxCameraSimulator
from velotime.simulators.p3_decoder import P3DecoderSimulator
from velotime.simulators.timy import TimySimulator
from velotime.wire.commands import Command
from velotime.wire.events import EventData, GapData, ImpulseData, PassingData, PhotoFinishData

CATCH_UP_TIMEOUT_S = 30.0


class DirectorError(Exception):
    """The daemon did not publish what the devices sent."""


def command_key(command: Command) -> Hashable:
    """A command as sent and as the daemon publishes it (`data.command`) give the same key
    (its JSON: a command may hold lists, the judges' placings)."""
    return ("command", msgspec.json.encode(command))


def event_key(data: EventData) -> Hashable:
    """What a daemon event says was sent, in the director's terms."""
    if isinstance(data, PassingData):
        return ("passing", data.transponder, data.rtc_time_us)
    if isinstance(data, ImpulseData):
        # The time the Timy printed: `time_of_day_us` is the first's of impulses on two
        # channels under 0.3 ms apart (one release of both pursuit gates).
        printed = data.record.get("time_of_day_us", data.time_of_day_us)
        return ("impulse", data.channel, printed)
    if isinstance(data, PhotoFinishData):
        if data.phase == "result":
            return ("photofinish", data.phase, data.bib)
        return ("photofinish", data.phase)
    if isinstance(data, GapData):  # passings given up: nothing the director sent
        return ("gap", data.decoder_id, data.epoch, data.first, data.last)
    return command_key(data.command)


class Observer:
    """What the director sent that the daemon has not published yet."""

    def __init__(self) -> None:
        self._outstanding: Counter[Hashable] = Counter()
        self._count = 0
        self._settled = asyncio.Event()
        self._settled.set()

    def expect(self, key: Hashable) -> None:
        self._outstanding[key] += 1
        self._count += 1
        self._settled.clear()

    def saw(self, data: EventData) -> None:
        """An event the daemon published (`timing/<kind>`)."""
        key = event_key(data)
        if self._outstanding[key] <= 0:
            return  # not ours, or seen again (a resend)
        self._outstanding[key] -= 1
        self._count -= 1
        if not self._count:
            self._settled.set()

    @property
    def outstanding(self) -> int:
        return self._count

    async def caught_up(self, timeout_s: float = CATCH_UP_TIMEOUT_S) -> None:
        """Until the daemon has published everything expected; DirectorError after timeout_s."""
        try:
            await asyncio.wait_for(self._settled.wait(), timeout_s)
        except TimeoutError:
            raise DirectorError(
                f"the daemon has not published {self._count} of the messages sent to it "
                f"within {timeout_s:g} s"
            ) from None


class Director:
    """`await play()` sends every action of `timeline` (venue clock from `t0_us`) in order."""

    def __init__(
        self,
        timeline: Sequence[Action],
        *,
        t0_us: int,
        speedup: float,
        decoders: Mapping[str, P3DecoderSimulator],  # by timing line
        timy: TimySimulator,
        camera: LynxCameraSimulator,
        publish: Callable[[bytes], Awaitable[None]],  # a desk command's JSON to control/scoring
        observer: Observer,
    ) -> None:
        if not speedup > 0:
            raise ValueError("the speedup must be above 0")
        self.timeline = timeline
        self.t0_us = t0_us
        self.speedup = speedup
        self.decoders = decoders
        self.timy = timy
        self.camera = camera
        self.publish = publish
        self.observer = observer
        self._camera_started = False
        self.sent = 0

    async def play(self) -> None:
        origin_ns = time.monotonic_ns()
        for action in self.timeline:
            due_ns = origin_ns + round((action.at_us - self.t0_us) * 1_000 / self.speedup)
            await sleep_until(due_ns)
            await self._send(action)
            self.sent += 1
            # Late (a wait for the daemon, a busy machine): carry on at the same pace from
            # here, rather than send what is due in a burst.
            late_ns = time.monotonic_ns() - due_ns
            if late_ns > 0:
                origin_ns += late_ns
        await self.observer.caught_up()

    async def _send(self, action: Action) -> None:
        if isinstance(action, Desk):
            await self._command(action.command)
        elif isinstance(action, Read):
            self.observer.expect(("passing", action.transponder, action.t_us))
            self.decoders[action.line].detect(action.transponder, action.t_us)
        elif isinstance(action, Impulse):
            self.observer.expect(("impulse", f"C{action.channel}", action.time_of_day_us))
            self.timy.impulse(action.channel, action.number, action.time_of_day_us)
        elif isinstance(action, Camera):
            key = self._camera_key(action.record)
            if key is not None:
                self.observer.expect(key)
            await self.camera.send(action.record)

    async def _command(self, command: Command) -> None:
        await self.observer.caught_up()
        payload = msgspec.json.encode(command)
        self.observer.expect(command_key(command))
        await self.publish(payload)
        await self.observer.caught_up()

    def _camera_key(self, record: LynxRecord) -> Hashable | None:
        """The event the daemon makes of a camera message, if any."""
        if isinstance(record, Armed):
            self._camera_started = False
            return ("photofinish", "armed")
        if isinstance(record, RunningTime):
            if self._camera_started:
                return None  # only the first running time of a race says it started
            self._camera_started = True
            return ("photofinish", "started")
        if isinstance(record, Result):
            return ("photofinish", "result", record.id)
        if isinstance(record, ResultsComplete):
            return ("photofinish", "complete")
        return None  # the stopped time, the results header: no event of their own
