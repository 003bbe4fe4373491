"""What to make of a Tag Heuer / Chronelec Protime decoder's bytes, without doing any I/O.

The decoder sends one passing telegram at a time and sends it again until the host
acknowledges it (ESC 0x11); a telegram that arrives corrupt (its decimal sum does not match) is
asked for again (ESC 0x12, a repeat request) and never acknowledged. So:
- a good telegram is acknowledged only after it is handed on: the session puts the ACK in the
  same `SessionOutput` as the event, and the driver queues the events (outbox, on disk) before
  it writes the commands (velotime.drivers.driver, `_handle`). If the daemon dies between the
  two, the decoder sends the telegram again;
- a telegram seen before (same channel, transponder, time and passing index: the decoder
  resending one whose ACK was lost, or resending after a reconnect or a daemon restart) is
  acknowledged again but dropped and counted, never published twice. The keys of the last
  telegrams published are saved with every event, so a restarted daemon still knows them;
- after `repeat_tries` corrupt telegrams in a row the decoder is taken to be sending one that
  will never arrive whole: it is acknowledged to let the next ones through, and counted and
  logged as given up.

The decoder stamps passings with the time of day of its own clock, which the session sets on
connecting (`clock_set`: the driver asks it for the command and the moment of the venue clock
to send it at, the next whole second). The time of day becomes an instant on the venue clock as
a Timy's does: the date that puts it nearest the moment it was received (velotime.times).
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import tzinfo

import msgspec

from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.protocols.protime import (
    ACK,
    BATTERY_FAILURE,
    BATTERY_LOW,
    TELEGRAM_LENGTH,
    ErrorKind,
    LineError,
    Passing,
    ProtimeStream,
    RepeatRequest,
    SetTime,
    Start,
    encode_command,
    record_to_builtins,
)
from velotime.times import US_PER_SECOND, local_time_of_day, local_time_of_day_to_unix_us
from velotime.wire.events import Event, PassingData

REPEAT_TRIES = 3  # corrupt telegrams in a row before the one the decoder keeps sending is given up
RECENT = 256  # telegram keys remembered against resends (a resend is the last one or so)
START = encode_command(Start())
REPEAT = encode_command(RepeatRequest())

TelegramKey = tuple[str, int, int, int]  # channel, transponder, time of day (us), index


@dataclass(frozen=True)
class ProtimeSettings:
    """The source's settings the session decides with (docs/configuration.md)."""

    line: str | None = None  # the timing line of the STA loop
    channel_lines: dict[str, str] = field(default_factory=dict)  # channel -> line (BOX, B01...)
    repeat_tries: int = REPEAT_TRIES
    start: bool = True  # send Start on connecting
    set_clock: bool = True  # set the decoder's clock on connecting, on the second boundary

    def line_for(self, channel: str) -> str | None:
        if channel in self.channel_lines:
            return self.channel_lines[channel]
        return self.line if channel == "STA" else None


class ProtimeSessionState(msgspec.Struct, kw_only=True):
    """The keys of the last telegrams published, oldest first: a resend after a restart is
    still known."""

    recent: list[TelegramKey] = []


class ProtimeSession:
    def __init__(
        self,
        source: str,
        settings: ProtimeSettings,
        zone: tzinfo,
        state: ProtimeSessionState | None = None,
    ) -> None:
        self.source = source
        self.settings = settings
        self.zone = zone
        self.duplicates = 0
        self.skipped = 0  # unmapped channels, unreadable telegrams
        self.repeat_requests = 0
        self.given_up = 0
        self._stream = ProtimeStream()
        self._recent: deque[TelegramKey] = deque()  # oldest first, at most RECENT
        self._recent_keys: set[TelegramKey] = set()
        for key in (state or ProtimeSessionState()).recent:
            self._remember(tuple(key))  # type: ignore[arg-type]  # JSON gives lists
        self._corrupt_in_a_row = 0

    def state(self) -> ProtimeSessionState:
        return ProtimeSessionState(recent=list(self._recent))

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        return SessionCounters(
            duplicates=self.duplicates,
            skipped=self.skipped,
            resend_requests=self.repeat_requests,
            unrecoverable_gaps=self.given_up,
        )

    def connected(self, t_us: int) -> SessionOutput:
        """A (re)connected decoder: lines start afresh and it is started (its clock is set
        next: `clock_set`)."""
        out = SessionOutput()
        out.errors += [item for item in self._stream.close() if isinstance(item, LineError)]
        self._corrupt_in_a_row = 0
        if self.settings.start:
            out.commands.append(START)
        return out

    def clock_set(self, t_us: int) -> tuple[int, bytes] | None:
        """The clock-set command and when to send it: the next whole second of the venue clock
        after `t_us`, with that second's local time of day. None with `set_clock` off. The
        driver asks after each connection (and again for the next second if it woke late)."""
        if not self.settings.set_clock:
            return None
        at_us = (t_us // US_PER_SECOND + 1) * US_PER_SECOND
        return at_us, encode_command(SetTime.at(local_time_of_day(at_us, self.zone)))

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, Passing):
                self._corrupt_in_a_row = 0
                self._passing(t_us, item, out)
            elif isinstance(item, LineError):
                out.errors.append(item)
                if item.raw.startswith(b"<"):
                    self._unreadable(item, out)
            # Status lines and configuration dumps: in the capture, for people.
        return out

    def _remember(self, key: TelegramKey) -> None:
        if key in self._recent_keys:
            return
        self._recent.append(key)
        self._recent_keys.add(key)
        if len(self._recent) > RECENT:
            self._recent_keys.discard(self._recent.popleft())

    def _unreadable(self, error: LineError, out: SessionOutput) -> None:
        whole = len(error.raw) == TELEGRAM_LENGTH and error.raw.endswith(b">")
        if error.kind == ErrorKind.MALFORMED and whole:
            # Its checksum matched: the decoder sent it so, and would send it so again.
            self.skipped += 1
            out.notices.append("an unreadable telegram with a good checksum acknowledged, skipped")
            out.commands.append(ACK)
            return
        self._corrupt_in_a_row += 1
        if self._corrupt_in_a_row > self.settings.repeat_tries:
            self._corrupt_in_a_row = 0
            self.given_up += 1
            out.notices.append(
                f"a telegram still corrupt after {self.settings.repeat_tries} repeat requests: "
                "acknowledged and given up, so that the next ones come"
            )
            out.commands.append(ACK)
            return
        self.repeat_requests += 1
        out.commands.append(REPEAT)

    def _passing(self, received_us: int, passing: Passing, out: SessionOutput) -> None:
        key = passing.key
        t_us = local_time_of_day_to_unix_us(passing.time_of_day_us, received_us, self.zone)
        out.clock_offsets.append(t_us - received_us)
        if key in self._recent_keys:
            self.duplicates += 1
            out.notices.append(
                f"{passing.channel} transponder {passing.transponder} index {passing.index} "
                "sent again: acknowledged, not published twice"
            )
            out.commands.append(ACK)
            return
        line = self.settings.line_for(passing.channel)
        if line is None:
            self.skipped += 1
            out.notices.append(f"passing on unmapped channel {passing.channel} skipped")
            out.commands.append(ACK)
            return
        if passing.battery in (BATTERY_LOW, BATTERY_FAILURE):
            state = "low" if passing.battery == BATTERY_LOW else "failing"
            out.notices.append(f"transponder {passing.transponder}: battery {state}")
        self._remember(key)
        out.events.append(
            Event(
                id=f"protime:{self.source}:{passing.channel}:{passing.transponder}:{t_us}"
                f":{passing.index}",
                src=self.source,
                kind="passing",
                data=PassingData(
                    t_us=t_us,
                    line=line,
                    transponder=passing.transponder,
                    rtc_time_us=passing.time_of_day_us,
                    clock_offset_us=t_us - passing.time_of_day_us,
                    received_us=received_us,
                    passing_number=passing.index,
                    strength=passing.level,
                    record=record_to_builtins(passing),
                ),
            )
        )
        out.commands.append(ACK)  # after the event: the driver queues events first
