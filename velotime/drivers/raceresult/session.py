"""What to make of a Race Result decoder's lines, without doing any I/O.

On every connection the session asks the decoder which protocol it speaks and sets the newest
both speak (3.2, or the decoder's highest from 1.6 on: older ones lack the 20-field passing),
starts operation (a decoder boots in test mode and stores nothing until started), has it push
each passing as it reads it (`SETPUSHPASSINGS;1;0`) and asks its clock (GETTIME).

Passings are numbered per file of the decoder. A number beyond the highest seen shows the ones
in between missing: they are fetched (`<first>:<count>`) and asked for again every 5 s, given
up (a `gap` event) after `resend_tries` fetches, or at once when more than `gap_bound`. After a
reconnect (or a restart of the daemon, from its saved state) the passings from the highest seen
on are fetched: those made while the link was down. A new file number (the decoder's files were
cleared or it was restarted) begins a new epoch, as a P3 counter restart does.

The clock: a passing gives the decoder's date (or its day counter) and time of day to the ms.
With `clock = "get_time"`, the decoder's clock is mapped to the venue clock by its answer to
GETTIME (the offset is held once known; only a jump of more than 1 s replaces it). The rule for
setting it: at the first GETTIME answer of a decoder that no passing has been seen from yet,
if the decoder's clock read as the venue's local time is more than `set_time_tolerance_s` off
the venue clock, the session sends SETTIME (the venue's local date and time at that moment)
and asks again. A decoder already timing is never set: stepping its clock would move the
passings it still holds against those published. With `clock = "local"`, the decoder's date
and time are taken as the venue's local time (a decoder set by GPS, or a dump).
"""

from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from velotime.drivers.session import GapReason, SessionCounters, SessionOutput, gap_given_up
from velotime.protocols import raceresult as rr
from velotime.protocols.p3.gaps import GapTracker, count_missing
from velotime.times import (
    US_PER_DAY,
    US_PER_MS,
    US_PER_SECOND,
    local_time_of_day,
    local_time_of_day_to_unix_us,
)
from velotime.wire.events import Event, PassingData

ClockMode = Literal["get_time", "local"]

OLDEST_PROTOCOL = (1, 6)  # the first with the 20-field passing record
CLOCK_JUMP_US = 1_000_000  # as P3: only a jump this large replaces the held offset
CLOCK_WAIT_US = 2_000_000  # passings wait this long for a GETTIME answer
FETCH_RETRY_US = 5_000_000  # missing passings are fetched again this often

# The defaults of the source's settings (docs/configuration.md).
GAP_BOUND = 10_000
RESEND_TRIES = 5
SET_TIME_TOLERANCE_S = 1.0
HORIZON_S = 0.0

_EPOCH_DATE = date(1970, 1, 1)
_CODE_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LONGEST_CODE = 12  # base 36, 12 characters fit in 63 bits


@dataclass(frozen=True)
class RaceResultSettings:
    clock: ClockMode = "get_time"
    gap_bound: int = GAP_BOUND
    resend_tries: int = RESEND_TRIES
    set_time_tolerance_s: float | None = SET_TIME_TOLERANCE_S  # None: never set the clock
    timezone: str = "UTC"
    # Passings made more than this before the session began (venue clock) are not published;
    # None: no limit (a dump). The session began at `started_us`, else at the first feed.
    horizon_s: float | None = HORIZON_S
    started_us: int | None = None


class RaceResultSessionState(msgspec.Struct, kw_only=True):
    """Saved with every event: a restarted daemon fetches what it missed."""

    highest: int | None = None  # highest passing number seen (this file)
    gaps: list[tuple[int, int]] = []
    gap_tries: list[int] = []
    file_number: int | None = None
    epoch: int = 0
    clock_offset_us: int | None = None  # venue clock - decoder clock
    # The first passing number seen of the decoder: those below it were made before velotime
    # reached it, and are published only if made after the horizon.
    horizon_number: int | None = None


@dataclass
class SessionStats:
    passings: int = 0
    duplicates: int = 0
    unusable: int = 0
    gaps_opened: int = 0
    fetches: int = 0
    unrecoverable_gaps: int = 0
    epochs: int = 0
    clock_sets: int = 0
    before_horizon: int = 0  # passings made before the horizon, not published


class _Waiting(NamedTuple):
    received_us: int
    rtc_us: int
    transponder: int
    passing: rr.Passing


def transponder_number(code: str) -> int | None:
    """The transponder of a Bib/TranspCode as a number: decimal digits as they are; a
    Race Result code of letters and digits ("NXKC37T") read in base 36, so the meet file can
    name it. None for anything else."""
    if code.isdigit():
        return int(code)
    upper = code.upper()
    if 0 < len(upper) <= _LONGEST_CODE and set(upper) <= _CODE_ALPHABET:
        return int(upper, 36)
    return None


def decoder_time_us(date_text: str, time_of_day_us: int) -> int:
    """The decoder's clock as one number: its date and time read as if in UTC (a day counter
    0000-00-0n as n days after 1970-01-01). What it means on the venue clock is the offset."""
    counter = rr.records.DAY_COUNTER.fullmatch(date_text)
    if counter is not None:
        days = int(counter[1])
    else:
        days = (date.fromisoformat(date_text) - _EPOCH_DATE).days
    return days * US_PER_DAY + time_of_day_us


def local_to_venue_us(date_text: str, time_of_day_us: int, zone: tzinfo, near_us: int) -> int:
    """A decoder date and time taken as the venue's local time, on the venue clock; a day
    counter is dated by when it was read."""
    if rr.records.DAY_COUNTER.fullmatch(date_text) is not None:
        return local_time_of_day_to_unix_us(time_of_day_us, near_us, zone)
    day = date.fromisoformat(date_text)
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    midnight_us = round(local.timestamp()) * US_PER_SECOND
    # A day with a summer-time change is 23 or 25 h long: re-date through the zone.
    return local_time_of_day_to_unix_us(time_of_day_us, midnight_us + time_of_day_us, zone)


def _version(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return None


class RaceResultSession:
    def __init__(
        self,
        source: str,
        line: str,
        state: RaceResultSessionState | None = None,
        settings: RaceResultSettings | None = None,
    ) -> None:
        self.source = source
        self.stats = SessionStats()
        self._line = line
        self._settings = settings or RaceResultSettings()
        self._zone = ZoneInfo(self._settings.timezone)
        saved = state or RaceResultSessionState()
        self._tracker = GapTracker(saved.highest, saved.gaps, saved.gap_tries)
        self._file = saved.file_number
        self._epoch = saved.epoch
        self._offset = saved.clock_offset_us
        self._stream = rr.RaceResultStream()
        self._waiting: deque[_Waiting] = deque()
        self._clock_asked_us: int | None = None
        self._may_set_clock = saved.highest is None
        self._last_fetch_us: int | None = None
        self._horizon_number = saved.horizon_number
        self._started_us = self._settings.started_us  # else the first receive time fed

    # -- what the driver asks --------------------------------------------------------------------

    def poll_command(self) -> bytes | None:
        """GETTIME, asked periodically: its answer shows a clock jump, and that the link lives."""
        return rr.command("GETTIME")

    def state(self) -> RaceResultSessionState:
        # Counted but waiting for the clock: saved as missing.
        gaps, tries = self._tracker.saved(w.passing.passing_number for w in self._waiting)
        return RaceResultSessionState(
            highest=self._tracker.highest,
            gaps=gaps,
            gap_tries=tries,
            file_number=self._file,
            epoch=self._epoch,
            clock_offset_us=self._offset,
            horizon_number=self._horizon_number,
        )

    def counters(self) -> SessionCounters:
        gaps = self._tracker.gaps()
        return SessionCounters(
            duplicates=self.stats.duplicates,
            skipped=self.stats.unusable + self.stats.before_horizon,
            open_gaps=len(gaps),
            missing=count_missing(gaps),
            resend_requests=self.stats.fetches,
            unrecoverable_gaps=self.stats.unrecoverable_gaps,
        )

    def connected(self, t_us: int) -> SessionOutput:
        self._begin(t_us)
        out = SessionOutput()
        out.errors += [e for e in self._stream.close() if isinstance(e, rr.LineError)]
        out.commands += [
            rr.command("GETPROTOCOL"),
            rr.command("SETPROTOCOL", rr.PROTOCOL_VERSION),
            rr.command("STARTOPERATION"),
            rr.command("SETPUSHPASSINGS", 1, 0),
        ]
        if self._settings.clock == "get_time":
            out.commands.append(rr.command("GETTIME"))
            self._clock_asked_us = t_us
        for first, last in self._tracker.asked():
            self._fetch(t_us, first, last, out)
        highest = self._tracker.highest
        if highest is not None:
            out.notices.append(
                f"fetching passings from {highest + 1} (made while the link was down, if any)"
            )
            out.commands.append(rr.fetch(highest + 1, self._settings.gap_bound))
            self.stats.fetches += 1
        return out

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        self._begin(t_us)
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, rr.LineError):
                out.errors.append(item)
            elif isinstance(item, rr.Passing):
                self._passing(t_us, item, out)
            elif isinstance(item, rr.Reply):
                self._reply(t_us, item, out)
        asked = self._clock_asked_us
        if self._waiting and t_us - self._waiting[0].received_us >= CLOCK_WAIT_US:
            self._no_clock_answer(out)
        elif asked is not None and self._offset is not None and t_us - asked >= CLOCK_WAIT_US:
            self._clock_asked_us = None
        if self._last_fetch_us is not None and t_us - self._last_fetch_us >= FETCH_RETRY_US:
            self._given_up(
                t_us, self._tracker.give_up(self._settings.resend_tries), "not_answered", out
            )
            asked_again = self._tracker.asked()
            for first, last in asked_again:
                self._fetch(t_us, first, last, out)
            if not asked_again:
                self._last_fetch_us = None
        return out

    def _begin(self, t_us: int) -> None:
        if self._started_us is None:
            self._started_us = t_us

    # -- replies ---------------------------------------------------------------------------------

    def _reply(self, t_us: int, reply: rr.Reply, out: SessionOutput) -> None:
        if reply.command == "GETTIME" and len(reply.fields) >= 2:
            time_of_day_us = rr.parse_time(reply.fields[1])
            if time_of_day_us is None or not (rr.records.DATE.fullmatch(reply.fields[0])):
                out.notices.append(f"GETTIME answer not understood: {reply.text}")
                return
            self._clock_answer(t_us, reply.fields[0], time_of_day_us, out)
        elif reply.command == "GETPROTOCOL" and reply.fields:
            self._protocol_answer(reply, out)
        elif reply.command in ("SETPROTOCOL", "STARTOPERATION", "SETPUSHPASSINGS", "SETTIME"):
            out.notices.append(f"decoder answered {reply.text}")
        elif "ERROR" in reply.fields:
            out.notices.append(f"decoder refused a command: {reply.text}")

    def _protocol_answer(self, reply: rr.Reply, out: SessionOutput) -> None:
        """`GETPROTOCOL;<current>;<min>;<max>`: a decoder below 3.2 is set to its highest."""
        highest = _version(reply.fields[-1])
        wanted = _version(rr.PROTOCOL_VERSION)
        assert wanted is not None
        if highest is None or highest >= wanted:
            return
        if highest < OLDEST_PROTOCOL:
            out.notices.append(
                f"the decoder speaks protocol {reply.fields[-1]} at most; "
                "passings need 1.6 or later: update its firmware"
            )
            return
        out.notices.append(f"the decoder speaks {reply.fields[-1]} at most: set")
        out.commands.append(rr.command("SETPROTOCOL", reply.fields[-1]))

    def _clock_answer(
        self, t_us: int, date_text: str, time_of_day_us: int, out: SessionOutput
    ) -> None:
        if self._settings.clock != "get_time":
            return
        self._clock_asked_us = None
        tolerance = self._settings.set_time_tolerance_s
        if self._may_set_clock and tolerance is not None:
            self._may_set_clock = False
            local_us = local_to_venue_us(date_text, time_of_day_us, self._zone, t_us)
            if abs(local_us - t_us) > round(tolerance * US_PER_SECOND):
                self._set_clock(t_us, local_us, out)
                return
        estimate = t_us - decoder_time_us(date_text, time_of_day_us)
        if self._offset is None:
            out.notices.append(f"decoder clock offset {estimate} us")
            self._offset = estimate
        elif abs(estimate - self._offset) > CLOCK_JUMP_US:
            out.notices.append(
                f"decoder clock jumped by {estimate - self._offset} us: offset now {estimate} us"
            )
            self._offset = estimate
        self._drain(out)

    def _set_clock(self, t_us: int, decoder_local_us: int, out: SessionOutput) -> None:
        """SETTIME to the venue's local time now (the ms it is in), then GETTIME again."""
        local = datetime.fromtimestamp(t_us // US_PER_SECOND, self._zone)
        time_of_day_us = local_time_of_day(t_us, self._zone)
        time_of_day_us -= time_of_day_us % US_PER_MS
        out.notices.append(
            f"decoder clock {(decoder_local_us - t_us) / US_PER_SECOND:+.3f} s "
            "off the venue clock before timing began: setting it (SETTIME)"
        )
        out.commands.append(
            rr.command("SETTIME", local.date().isoformat(), rr.format_time(time_of_day_us))
        )
        out.commands.append(rr.command("GETTIME"))
        self._clock_asked_us = t_us
        self.stats.clock_sets += 1

    def _no_clock_answer(self, out: SessionOutput) -> None:
        self._clock_asked_us = None
        if self._offset is None:
            # A pushed passing is read moments after it happened: the smallest difference.
            self._offset = min(w.received_us - w.rtc_us for w in self._waiting)
            out.notices.append(
                f"no GETTIME answer: clock offset {self._offset} us estimated from its passings"
            )
        self._drain(out)

    # -- passings --------------------------------------------------------------------------------

    def _passing(self, t_us: int, passing: rr.Passing, out: SessionOutput) -> None:
        transponder = transponder_number(passing.code)
        if transponder is None:
            self.stats.unusable += 1
            out.notices.append(f"passing without a usable code skipped: {passing.text}")
            return
        self._may_set_clock = False
        first_contact = (
            self._tracker.highest is None and self._horizon_number is None and self._epoch == 0
        )
        if self._file is None:
            self._file = passing.file_number
        elif passing.file_number != self._file:
            self._new_epoch(t_us, passing.file_number, out)
        number = passing.passing_number
        observation = self._tracker.observe(number)
        if not observation.new:
            if self._tracker.given_up(number) is None:
                self.stats.duplicates += 1
                return
            # A passing of a gap given up came after all (a fetch answered late): published,
            # once.
            self._tracker.came_late(number)
            out.notices.append(f"passing {number} came after it was given up")
        if observation.gap is not None:
            first, last = observation.gap
            self.stats.gaps_opened += 1
            if last - first + 1 > self._settings.gap_bound:
                self._tracker.give_up_all()  # the only gap is this one: nothing else is open
                self._given_up(t_us, [(first, last)], "too_large", out)
            else:
                out.notices.append(f"passings {first}..{last} missing: fetching")
                self._tracker.asked_for(first, last)
                self._fetch(t_us, first, last, out)
        if first_contact:
            self._first_passing(t_us, number, out)
        rtc_us = decoder_time_us(passing.date, passing.time_of_day_us)
        self._waiting.append(_Waiting(t_us, rtc_us, transponder, passing))
        self._drain(out, t_us)

    def _first_passing(self, t_us: int, number: int, out: SessionOutput) -> None:
        """The decoder's first passing seen: fetch those of its file it made before (at most
        `gap_bound` of them); those made before the horizon are dropped as they come."""
        self._horizon_number = number
        if number <= 1:
            return
        first = max(1, number - self._settings.gap_bound)
        out.notices.append(
            f"first seen at passing {number}: fetching {first}..{number - 1}, made before "
            "velotime reached the decoder"
        )
        self._tracker.open(first, number - 1)
        self._tracker.asked_for(first, number - 1)
        self._fetch(t_us, first, number - 1, out)

    def _before_horizon(self, number: int, t_us: int) -> bool:
        horizon_s, started = self._settings.horizon_s, self._started_us
        if horizon_s is None or started is None or self._horizon_number is None:
            return False
        below = number < self._horizon_number and self._epoch == 0
        return below and t_us < started - round(horizon_s * US_PER_SECOND)

    def _drain(self, out: SessionOutput, t_us: int | None = None) -> None:
        if self._settings.clock == "get_time" and (
            self._offset is None or self._clock_asked_us is not None
        ):
            return
        while self._waiting:
            self._publish(self._waiting.popleft(), out)

    def _new_epoch(self, t_us: int, file_number: int, out: SessionOutput) -> None:
        out.notices.append(
            f"decoder file {file_number} follows file {self._file}: epoch {self._epoch + 1} begins"
        )
        self._given_up(t_us, self._tracker.give_up_all(), "epoch_ended", out)
        self._tracker = GapTracker()
        self._horizon_number = None  # the new file began after velotime reached the decoder
        self._file = file_number
        self._epoch += 1
        self.stats.epochs += 1

    def _fetch(self, t_us: int, first: int, last: int, out: SessionOutput) -> None:
        out.commands.append(rr.fetch(first, last - first + 1))
        self.stats.fetches += 1
        self._last_fetch_us = t_us

    def _given_up(
        self, t_us: int, gaps: list[tuple[int, int]], reason: GapReason, out: SessionOutput
    ) -> None:
        for first, last in gaps:
            self.stats.unrecoverable_gaps += 1
            gap_given_up(
                out,
                source=self.source,
                id_part=self._id_part(),
                epoch=self._epoch,
                first=first,
                last=last,
                reason=reason,
                received_us=t_us,
            )

    def _publish(self, waiting: _Waiting, out: SessionOutput) -> None:
        passing = waiting.passing
        if self._settings.clock == "local":
            venue_us = local_to_venue_us(
                passing.date, passing.time_of_day_us, self._zone, waiting.received_us
            )
            offset = venue_us - waiting.rtc_us
        else:
            assert self._offset is not None
            offset = self._offset
        if self._before_horizon(passing.passing_number, waiting.rtc_us + offset):
            self.stats.before_horizon += 1
            return
        self.stats.passings += 1
        out.events.append(
            Event(
                id=f"{self._id_part()}:{passing.passing_number}:{waiting.rtc_us}",
                src=self.source,
                kind="passing",
                data=PassingData(
                    t_us=waiting.rtc_us + offset,
                    line=self._line,
                    transponder=waiting.transponder,
                    rtc_time_us=waiting.rtc_us,
                    clock_offset_us=offset,
                    received_us=waiting.received_us,
                    decoder_id=int(passing.box_id) if passing.box_id.isdigit() else None,
                    epoch=self._epoch,
                    passing_number=passing.passing_number,
                    strength=passing.max_rssi,
                    hits=passing.hits,
                    record=rr.record_to_builtins(passing),
                ),
            )
        )

    def _id_part(self) -> str:
        """`rr:<source>` for the first epoch, `rr:<source>:e<epoch>` after (as P3's ids)."""
        return f"rr:{self.source}" if self._epoch == 0 else f"rr:{self.source}:e{self._epoch}"
