"""What to make of an ALGE Timy's lines, without doing any I/O.

The Timy stamps each impulse with the time of day of its own clock, which the timing crew sets to
the venue's local time. The session turns that into an instant on the venue clock: the channel's
fixed delay comes off, and the date is the one that puts the impulse nearest the moment its
line was received (so an impulse at 23:59:59.9 read just after midnight is yesterday's).

Two corrections that metarace makes and the UCI notes confirm:
- impulses on different channels less than `simultaneous_us` apart (0.3 ms: the Timy's own
  spread) are one instant: the later one takes the earlier one's time and names it;
- a second impulse on one channel within the channel's dead time is a double trigger of one
  sensor: it is dropped (and logged), never published.
Cleared, invalid and keypad lines are published with their flag and need neither correction.

An impulse's stamp against the moment its line was received also measures the Timy's clock
(`SessionOutput.clock_offsets`): one set an hour wrong is reported (velotime.drivers.clock).
"""

from collections import deque
from datetime import tzinfo
from typing import NamedTuple

import msgspec

from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.protocols.timy import Impulse, LineError, TimyStream, record_to_builtins
from velotime.times import local_time_of_day_to_unix_us
from velotime.wire.events import Event, ImpulseData

SIMULTANEOUS_US = 300  # UCI notes / metarace: the Timy's channels differ by up to 0.0003 s
_RECENT = 16  # impulses remembered for the simultaneity check


class Channel(msgspec.Struct, frozen=True, kw_only=True):
    line: str  # a timing line, or "start" for the start gate
    delay_us: int = 0  # fixed latency of this channel (a wireless link), taken off its impulses
    dead_time_us: int = 0  # a second impulse sooner than this is a double trigger


class TimySessionState(msgspec.Struct, kw_only=True):
    """Nothing needs carrying across a restart: every impulse stands on its own."""


class _Accepted(NamedTuple):
    t_us: int
    channel: int
    id: str


class TimySession:
    def __init__(
        self,
        source: str,
        channels: dict[int, Channel],
        zone: tzinfo,
        *,
        simultaneous_us: int = SIMULTANEOUS_US,
        init_commands: tuple[str, ...] = (),
    ) -> None:
        self.source = source
        self.channels = channels
        self.zone = zone
        self.simultaneous_us = simultaneous_us
        self.init_commands = init_commands
        self.double_triggers = 0
        self.unmapped = 0
        self._stream = TimyStream()
        self._recent: deque[_Accepted] = deque(maxlen=_RECENT)
        self._last_on_channel: dict[int, int] = {}

    def state(self) -> TimySessionState:
        return TimySessionState()

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        # A double trigger is one sensor's impulse twice: dropped as a repeat.
        return SessionCounters(duplicates=self.double_triggers, skipped=self.unmapped)

    def connected(self, t_us: int) -> SessionOutput:
        """A (re)plugged timer: start reading lines afresh and send it our settings."""
        out = SessionOutput()
        out.errors += [item for item in self._stream.close() if isinstance(item, LineError)]
        out.commands += [f"{command}\r".encode("ascii") for command in self.init_commands]
        return out

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, Impulse):
                self._impulse(t_us, item, out)
            elif isinstance(item, LineError):
                out.errors.append(item)
            # Run and total times, next-number lines: the Timy's own bookkeeping, in the capture.
        return out

    def _impulse(self, received_us: int, impulse: Impulse, out: SessionOutput) -> None:
        channel = self.channels.get(impulse.channel)
        if channel is None:
            self.unmapped += 1
            out.notices.append(f"impulse on unmapped channel C{impulse.channel} skipped")
            return
        time_of_day_us = impulse.time_of_day_us - channel.delay_us
        t_us = local_time_of_day_to_unix_us(time_of_day_us, received_us, self.zone)
        flag = impulse.flag.strip()
        if flag in ("", "?"):  # stamped as it happened (a cleared one may be printed later)
            # The Timy stamps an impulse when it arrives, the channel's delay after the crossing.
            out.clock_offsets.append(t_us + channel.delay_us - received_us)
        sensor = not impulse.manual and flag in ("", "?")
        id = f"timy:{self.source}:C{impulse.channel}{'M' if impulse.manual else ''}:{t_us}"
        id += f":{flag}" if flag else ""
        simultaneous_with = None
        if sensor:
            last = self._last_on_channel.get(impulse.channel)
            if last is not None and 0 <= t_us - last < channel.dead_time_us:
                self.double_triggers += 1
                out.notices.append(
                    f"C{impulse.channel}: impulse {t_us - last} us after the last one, inside the "
                    f"{channel.dead_time_us} us dead time: a double trigger, dropped"
                )
                return
            self._last_on_channel[impulse.channel] = t_us
            for earlier in self._recent:
                if earlier.channel != impulse.channel and abs(t_us - earlier.t_us) < (
                    self.simultaneous_us
                ):
                    time_of_day_us += earlier.t_us - t_us
                    t_us, simultaneous_with = earlier.t_us, earlier.id
                    break
            self._recent.append(_Accepted(t_us, impulse.channel, id))
        out.events.append(
            Event(
                id=id,
                src=self.source,
                kind="impulse",
                data=ImpulseData(
                    t_us=t_us,
                    line=channel.line,
                    channel=f"C{impulse.channel}",
                    time_of_day_us=time_of_day_us,
                    received_us=received_us,
                    delay_us=channel.delay_us,
                    digits=impulse.digits,
                    number=impulse.number,
                    flag=flag,
                    manual=impulse.manual,
                    simultaneous_with=simultaneous_with,
                    record=record_to_builtins(impulse),
                ),
            )
        )
