"""What to make of a P3 decoder's bytes, without doing any I/O.

A `P3Session` is fed `(receive time, bytes)` and returns the passing events to publish, the
commands to send back (RESEND, GET_TIME) and notices worth logging. Its decisions depend only on
what it was fed and on the state it started from, so the live driver and replay, fed the same
capture, make the same events. Its state is saved with every event, so a restarted daemon
carries on where it stopped: it still notices the passings it missed while it was down.

A passing is (decoder, epoch, number): an epoch is one run of the decoder's passing counter.
A new one starts when the counter restarts (a reboot, a cleared memory), recognised from an old
number whose time does not fit the passings seen (a real resend has the same number and the same
time), helped by a GET_TIME answer showing that the decoder clock stepped back. One absurd record
(a time far from the venue clock, a number far beyond the highest) never decides anything: it is
published flagged and changes nothing of the session's state.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

import msgspec

from velotime.drivers.session import GapReason, SessionCounters, SessionOutput, gap_given_up
from velotime.protocols.p3 import (
    FrameError,
    GetTime,
    P3Stream,
    Passing,
    Resend,
    encode,
)
from velotime.protocols.p3.constants import U32_MAX
from velotime.protocols.p3.gaps import GapTracker, count_missing
from velotime.protocols.p3.json import record_to_builtins
from velotime.wire.events import Event, PassingData

ClockMode = Literal["get_time", "decoder"]
# The flag of a passing from a decoder the source has no line for (no `line`, and not in
# `decoder_lines`): published on line "", for the record, and not scored.
UNKNOWN_DECODER = "unknown_decoder"

# The offset between the decoder clock and the venue clock is held once known: re-estimating it
# for drift would put a step of the drift inside a lap. Only a jump this large (a decoder whose
# clock was reset) replaces it.
CLOCK_JUMP_US = 1_000_000
# Passings wait this long (by receive time) for the decoder to answer GET_TIME; after that the
# offset is estimated from the passings themselves (or the one held is kept).
CLOCK_WAIT_US = 2_000_000
# Missing passings are asked for again this often while they stay missing.
RESEND_RETRY_US = 5_000_000
# A decoder numbers passings as it reads them; the time it gives a passing may come a little
# out of that order (two riders on the loop at once). Larger disorder is a different count.
ORDER_TOLERANCE_US = 1_000_000

# The defaults of the source's settings (docs/configuration.md).
HORIZON_S = 0.0
GAP_BOUND = 10_000
RESEND_TRIES = 5
PLAUSIBLE_WINDOW_S = 86_400.0

_NO_DECODER = "-"
_US_PER_S = 1_000_000


@cache
def _get_time() -> bytes:
    """The GET_TIME request, encoded when first sent: the encoder imports construct, which
    `velotime decode`, importing every family's session, does not need."""
    return encode(GetTime.request())


@dataclass(frozen=True)
class P3Settings:
    """The source's settings the session decides with (docs/configuration.md)."""

    # Passings made more than this before the session began (venue clock) are not published;
    # None: no limit (a dump, where "before" means nothing).
    horizon_s: float | None = HORIZON_S
    gap_bound: int = GAP_BOUND  # a larger gap is given up at once; a larger jump is flagged
    resend_tries: int = RESEND_TRIES  # a gap still missing after this many RESENDs is given up
    # A passing whose venue time is further than this from when it was read is flagged;
    # None: no check (a dump, which has no receive times).
    plausible_window_s: float | None = PLAUSIBLE_WINDOW_S
    # When the session began (the daemon started), the horizon's origin. None: the first
    # receive time fed; the daemon may reach a decoder only later.
    started_us: int | None = None


class DecoderState(msgspec.Struct, kw_only=True):
    """What the daemon knows of one decoder, saved with every event it publishes. Every field
    has a default, so a state saved by an older daemon still loads."""

    highest: int | None = None  # highest passing number seen (this epoch)
    gaps: list[tuple[int, int]] = []  # passing numbers still missing (this epoch)
    gap_tries: list[int] = []  # how many times each gap was asked for
    latest_rtc_us: int | None = None  # the time of the highest passing
    clock_offset_us: int | None = None  # venue clock - decoder clock
    epoch: int = 0  # runs of the passing counter seen before this one
    first_number: int | None = None  # the lowest passing number seen (this epoch)...
    first_rtc_us: int | None = None  # ...and its time
    # Passings numbered below `horizon_number` were made before the daemon first saw the
    # decoder: those made before `horizon_us` (venue clock) are not published.
    horizon_us: int | None = None
    horizon_number: int | None = None
    stepped_back: bool = False  # GET_TIME showed the clock went back: a restart is expected


class P3SessionState(msgspec.Struct, kw_only=True):
    decoders: dict[str, DecoderState] = {}  # by decoder id ("-" when the records carry none)


@dataclass
class SessionStats:
    passings: int = 0
    duplicates: int = 0
    unusable: int = 0  # passings without a transponder or a time
    gaps_opened: int = 0
    resend_requests: int = 0
    counter_resets: int = 0
    clock_drift_us: int | None = None  # latest GET_TIME estimate minus the offset in use
    unrecoverable_gaps: int = 0  # gaps given up (published as `gap` events)
    flagged: int = 0  # absurd passings or an unknown decoder's, published flagged
    epochs: int = 0  # new epochs started (counter restarts)
    before_horizon: int = 0  # passings made before the horizon, not published


class _Timed(NamedTuple):
    """A passing that can become an event: it has a transponder and a time."""

    received_us: int
    rtc_time_us: int
    transponder: int
    passing: Passing
    counted: bool = False  # taken as new already, waiting for the clock to be published


class _Decoder:
    """Live tracking state of one decoder."""

    def __init__(self, key: str, saved: DecoderState) -> None:
        self.key = key
        self.tracker = GapTracker(saved.highest, saved.gaps, saved.gap_tries)
        self.latest_rtc_us = saved.latest_rtc_us
        self.clock_offset_us = saved.clock_offset_us
        self.epoch = saved.epoch
        self.first_number = saved.first_number
        self.first_rtc_us = saved.first_rtc_us
        self.horizon_us = saved.horizon_us
        self.horizon_number = saved.horizon_number
        self.stepped_back = saved.stepped_back
        self.waiting: deque[_Timed] = deque()  # passings waiting for the clock offset
        self.clock_asked_us: int | None = None  # waiting for a GET_TIME answer since
        self.clock_checked_us: int | None = None  # last GET_TIME answer (or giving up on one)
        self.times: dict[int, int] = {}  # number -> time of the recent passings of this epoch
        self.jump: tuple[int, int] | None = None  # a number far beyond the highest, and its time
        self.restarted = False  # a new epoch began since the clock was last checked

    def state(self) -> DecoderState:
        # Counted but waiting for the clock: saved as missing.
        gaps, tries = self.tracker.saved(
            number
            for t in self.waiting
            if t.counted and (number := t.passing.passing_number) is not None
        )
        return DecoderState(
            highest=self.tracker.highest,
            gaps=gaps,
            gap_tries=tries,
            latest_rtc_us=self.latest_rtc_us,
            clock_offset_us=self.clock_offset_us,
            epoch=self.epoch,
            first_number=self.first_number,
            first_rtc_us=self.first_rtc_us,
            horizon_us=self.horizon_us,
            horizon_number=self.horizon_number,
            stepped_back=self.stepped_back,
        )

    def decoder_id(self) -> int | None:
        return None if self.key == _NO_DECODER else int(self.key)


class P3Session:
    def __init__(
        self,
        source: str,
        line_for: Callable[[int | None], str | None],
        clock: ClockMode = "get_time",
        state: P3SessionState | None = None,
        settings: P3Settings | None = None,
    ) -> None:
        self.source = source
        self.stats = SessionStats()
        self._line_for = line_for
        self._clock = clock
        settings = settings or P3Settings()
        self._horizon_us = (
            None if settings.horizon_s is None else round(settings.horizon_s * _US_PER_S)
        )
        self._bound = settings.gap_bound
        self._tries = settings.resend_tries
        self._window_us = (
            None
            if settings.plausible_window_s is None
            else round(settings.plausible_window_s * _US_PER_S)
        )
        self._stream = P3Stream()
        self._decoders = {
            key: _Decoder(key, saved) for key, saved in (state or P3SessionState()).decoders.items()
        }
        self._started_us = settings.started_us  # else the first receive time fed
        self._last_resend_us: int | None = None

    def poll_command(self) -> bytes | None:
        """GET_TIME, asked periodically so that a clock jump is noticed."""
        return _get_time() if self._clock == "get_time" else None

    def state(self) -> P3SessionState:
        return P3SessionState(decoders={k: d.state() for k, d in self._decoders.items()})

    def open_gaps(self) -> dict[str, list[tuple[int, int]]]:
        """The passing numbers still missing (and asked for), by decoder id."""
        return {key: d.tracker.gaps() for key, d in self._decoders.items()}

    def counters(self) -> SessionCounters:
        gaps = [gap for decoder_gaps in self.open_gaps().values() for gap in decoder_gaps]
        return SessionCounters(
            duplicates=self.stats.duplicates,
            # of no use: without transponder or time, or made before the horizon
            skipped=self.stats.unusable + self.stats.before_horizon,
            open_gaps=len(gaps),
            missing=count_missing(gaps),
            resend_requests=self.stats.resend_requests,
            unrecoverable_gaps=self.stats.unrecoverable_gaps,
            flagged=self.stats.flagged,
        )

    def connected(self, t_us: int) -> SessionOutput:
        """A new connection: start framing afresh, ask for the clock (passings wait for its
        answer: a decoder that rebooted may have a new clock), for what is missing, and for
        what the decoders made while the link was down."""
        self._begin(t_us)
        out = SessionOutput()
        out.errors += [e for e in self._stream.close() if isinstance(e, FrameError)]
        if self._clock == "get_time":
            out.commands.append(_get_time())
            for decoder in self._decoders.values():
                decoder.clock_asked_us = t_us
        self._request_missing(t_us, out)
        for decoder in self._decoders.values():
            highest = decoder.tracker.highest
            if highest is not None and highest < U32_MAX:
                # The decoder sends what it holds of these and nothing for the rest.
                until = min(highest + self._bound, U32_MAX)
                self._resend(highest + 1, until, out)
                out.notices.append(
                    f"decoder {decoder.key} passings from {highest + 1} (made while the link "
                    "was down, if any): asking the decoder to resend"
                )
        return out

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        self._begin(t_us)
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, FrameError):
                out.errors.append(item)
            elif isinstance(item, Passing):
                self._passing(t_us, item, out)
            elif isinstance(item, GetTime) and item.rtc_time_us is not None:
                self._clock_answer(t_us, item.decoder_id, item.rtc_time_us, out)
        for decoder in list(self._decoders.values()):
            # Passings wait that long for an answer; a clock known already, no longer than that
            # after it was asked.
            asked = decoder.clock_asked_us
            overdue = asked is not None and t_us - asked >= CLOCK_WAIT_US
            waited = decoder.waiting and t_us - decoder.waiting[0].received_us >= CLOCK_WAIT_US
            if waited or (overdue and decoder.clock_offset_us is not None):
                self._no_clock_answer(t_us, decoder, out)
        if self._last_resend_us is not None and t_us - self._last_resend_us >= RESEND_RETRY_US:
            self._give_up_tried(t_us, out)
            self._request_missing(t_us, out)
        return out

    def _begin(self, t_us: int) -> None:
        if self._started_us is None:
            self._started_us = t_us

    # -- passings --------------------------------------------------------------------------------

    def _passing(self, t_us: int, passing: Passing, out: SessionOutput) -> None:
        if passing.transponder is None or passing.rtc_time_us is None:
            self.stats.unusable += 1
            out.notices.append(f"passing without transponder or time skipped: {passing}")
            return
        decoder = self._decoder(passing.decoder_id)
        decoder.waiting.append(_Timed(t_us, passing.rtc_time_us, passing.transponder, passing))
        self._drain(t_us, decoder, out)

    def _drain(self, t_us: int, decoder: _Decoder, out: SessionOutput) -> None:
        """The passings waiting, in order, as long as the decoder's clock is known."""
        if self._clock == "decoder":
            decoder.clock_offset_us = 0
        elif decoder.clock_offset_us is None or decoder.clock_asked_us is not None:
            return
        while decoder.waiting:
            if not self._take(t_us, decoder, decoder.waiting[0], out):
                return  # it waits for the clock to be checked
            decoder.waiting.popleft()

    def _take(self, t_us: int, decoder: _Decoder, timed: _Timed, out: SessionOutput) -> bool:
        """Decide on one passing; False: it must wait for a GET_TIME answer first."""
        offset = decoder.clock_offset_us
        assert offset is not None
        number = timed.passing.passing_number
        if timed.counted and number is not None:
            return self._counted(decoder, number, timed, offset, out)
        if self._implausible(timed, offset):
            if self._check_clock(t_us, decoder, timed, out):
                return False  # the offset may be stale (a decoder whose clock was reset)
            self._flagged(decoder, timed, offset, "implausible_time", out)
            return True
        if number is None:
            self.stats.passings += 1
            self._publish(decoder, timed, offset, out)
            return True
        epoch = decoder.epoch
        verdict = self._classify(t_us, decoder, number, timed, out)
        if verdict == "duplicate":
            self.stats.duplicates += 1
            return True
        if verdict == "jump":
            self._flagged(decoder, timed, offset, "number_jump", out)
            return True
        self.stats.passings += 1
        self._seen(decoder, number, timed.rtc_time_us)
        if decoder.epoch != epoch and self._check_clock(t_us, decoder, timed, out):
            # A restarted decoder may have a new clock: publish on the clock it has now.
            decoder.waiting[0] = timed._replace(counted=True)
            return False
        return self._counted(decoder, number, timed, offset, out)

    def _check_clock(self, t_us: int, decoder: _Decoder, timed: _Timed, out: SessionOutput) -> bool:
        """Ask GET_TIME if the clock was not checked since `timed` was read: True if asked."""
        checked = decoder.clock_checked_us
        if self._clock != "get_time" or (checked is not None and checked >= timed.received_us):
            return False
        out.commands.append(_get_time())
        decoder.clock_asked_us = t_us
        return True

    def _counted(
        self, decoder: _Decoder, number: int, timed: _Timed, offset: int, out: SessionOutput
    ) -> bool:
        """Publish a passing taken as new, unless it is older than the horizon."""
        if self._before_horizon(decoder, number, timed.rtc_time_us + offset):
            # Older than wanted, and so is every lower number of this count.
            self.stats.before_horizon += 1
            out.notices.append(
                f"decoder {decoder.key} passing {number} was made before the horizon "
                f"({_horizon_text(self._horizon_us)} before velotime started): counted, "
                "not published"
            )
            decoder.tracker.forget_through(number)
            return True
        self._publish(decoder, timed, offset, out)
        return True

    def _before_horizon(self, decoder: _Decoder, number: int, t_us: int) -> bool:
        below, horizon = decoder.horizon_number, decoder.horizon_us
        return below is not None and horizon is not None and number < below and t_us < horizon

    def _implausible(self, timed: _Timed, offset: int) -> bool:
        if self._window_us is None:
            return False
        return abs(timed.rtc_time_us + offset - timed.received_us) > self._window_us

    def _classify(
        self, t_us: int, decoder: _Decoder, number: int, timed: _Timed, out: SessionOutput
    ) -> Literal["new", "duplicate", "jump"]:
        tracker, rtc = decoder.tracker, timed.rtc_time_us
        highest = tracker.highest
        if highest is None:  # the first passing of this decoder
            self._first_passing(t_us, decoder, number, out)
            tracker.observe(number)
            return "new"
        if number > highest:
            if number - highest > self._bound:
                return self._jump(t_us, decoder, number, rtc, out)
            decoder.jump = None
            decoder.stepped_back = False  # the count went on: only the clock was changed
            self._observe(t_us, decoder, number, out)
            return "new"
        gap = tracker.holding(number)
        late = tracker.given_up(number) if gap is None else None
        if gap is not None or late is not None:
            # A resend filling a gap, unless its time does not fit between the passings around
            # it: then it is a restarted count's. Checked below the first number seen, where
            # all came earlier, and once the clock went back; not in between, where numbers
            # alone do not tell (two riders on a loop can be numbered out of time order).
            below_first = decoder.first_number is not None and number < decoder.first_number
            checked = below_first or decoder.stepped_back
            if not checked or self._fits(decoder, gap or late or (number, number), rtc):
                if late is not None:
                    tracker.came_late(number)
                    out.notices.append(
                        f"decoder {decoder.key} passing {number} came after it was given up"
                    )
                tracker.observe(number)
                return "new"
        else:
            known = decoder.times.get(number)
            if known == rtc:
                return "duplicate"  # a resend: the same number and the same time
            if known is None and not self._restarted(decoder, number, rtc):
                return "duplicate"
            # An old number with another time than when first seen, or one that cannot be old
        self._new_epoch(t_us, decoder, number, rtc, out)
        return "new"

    def _restarted(self, decoder: _Decoder, number: int, rtc: int) -> bool:
        """Whether an old number whose time is not remembered is a new count's."""
        if decoder.stepped_back:
            return True
        if decoder.latest_rtc_us is not None and rtc > decoder.latest_rtc_us + ORDER_TOLERANCE_US:
            return True  # later than the highest number: a lower number cannot be
        first, first_rtc = decoder.first_number, decoder.first_rtc_us
        return (
            first is not None
            and first_rtc is not None
            and number >= first
            and rtc < first_rtc - ORDER_TOLERANCE_US
        )

    def _fits(self, decoder: _Decoder, gap: tuple[int, int], rtc: int) -> bool:
        """Whether a number in a gap has a time between those of the passings around it."""
        below = decoder.times.get(gap[0] - 1)
        above = decoder.times.get(gap[1] + 1)
        if above is None and decoder.latest_rtc_us is not None:
            above = decoder.latest_rtc_us
        if below is not None and rtc < below - ORDER_TOLERANCE_US:
            return False
        return above is None or rtc <= above + ORDER_TOLERANCE_US

    def _jump(
        self, t_us: int, decoder: _Decoder, number: int, rtc: int, out: SessionOutput
    ) -> Literal["new", "jump"]:
        """A number far beyond the highest: flagged, unless it follows one such before, which
        means the counter itself was moved on."""
        highest = decoder.tracker.highest
        assert highest is not None
        candidate = decoder.jump
        if candidate is None or not (
            candidate[0] < number <= candidate[0] + self._bound
            and rtc >= candidate[1] - ORDER_TOLERANCE_US
        ):
            decoder.jump = (number, rtc)
            out.notices.append(
                f"decoder {decoder.key} passing {number} is {number - highest} beyond the "
                f"highest ({highest}): flagged, not tracked"
            )
            return "jump"
        decoder.jump = None
        out.notices.append(
            f"decoder {decoder.key} passing numbers went on from {candidate[0]}: "
            "its counter was moved on"
        )
        self._given_up(t_us, decoder, [(highest + 1, candidate[0] - 1)], "too_large", out)
        decoder.tracker.observe(candidate[0])
        self._seen(decoder, candidate[0], candidate[1])
        self._observe(t_us, decoder, number, out)
        return "new"

    def _observe(self, t_us: int, decoder: _Decoder, number: int, out: SessionOutput) -> None:
        observation = decoder.tracker.observe(number)
        if observation.gap is not None:
            self.stats.gaps_opened += 1
            first, last = observation.gap
            out.notices.append(f"passings {first}..{last} missing: asking the decoder to resend")
            self._ask(t_us, decoder, first, last, out)

    def _first_passing(self, t_us: int, decoder: _Decoder, number: int, out: SessionOutput) -> None:
        """The decoder's first passing ever: ask for those it made before, back to the horizon
        (those older are dropped as they come)."""
        if self._horizon_us is not None and self._started_us is not None:
            decoder.horizon_us = self._started_us - self._horizon_us
            decoder.horizon_number = number
        self._before(t_us, decoder, number, out)

    def _before(self, t_us: int, decoder: _Decoder, number: int, out: SessionOutput) -> None:
        """Ask for the numbers of this count below `number`, at most the gap bound of them."""
        if number <= 1:
            return
        first = max(1, number - self._bound)
        out.notices.append(
            f"decoder {decoder.key} first seen at passing {number}: asking the decoder to resend "
            f"{first}..{number - 1}, made before velotime reached it"
        )
        decoder.tracker.open(first, number - 1)
        self._ask(t_us, decoder, first, number - 1, out)

    def _new_epoch(
        self, t_us: int, decoder: _Decoder, number: int, rtc: int, out: SessionOutput
    ) -> None:
        old = decoder.tracker
        out.notices.append(
            f"decoder {decoder.key} passing numbers restarted at {number} (had reached "
            f"{old.highest}): epoch {decoder.epoch + 1} begins"
        )
        # RESEND numbers refer to the new count now: the old count's gaps cannot be asked for.
        self._given_up(t_us, decoder, old.give_up_all(), "epoch_ended", out)
        decoder.epoch += 1
        self.stats.epochs += 1
        self.stats.counter_resets += 1
        decoder.tracker = GapTracker()
        decoder.tracker.observe(number)
        decoder.times = {}
        decoder.first_number = decoder.first_rtc_us = None
        decoder.horizon_number = decoder.horizon_us = None  # the new count began after it
        decoder.stepped_back = False
        decoder.restarted = True  # a clock jump seen next is this restart's, not another
        decoder.jump = None
        if number - 1 > self._bound:
            self._given_up(t_us, decoder, [(1, number - 1)], "too_large", out)
        elif number > 1:
            decoder.tracker.open(1, number - 1)
            self._ask(t_us, decoder, 1, number - 1, out)

    def _seen(self, decoder: _Decoder, number: int, rtc: int) -> None:
        decoder.times[number] = rtc
        if number == decoder.tracker.highest:
            decoder.latest_rtc_us = rtc
        if decoder.first_number is None or number < decoder.first_number:
            decoder.first_number, decoder.first_rtc_us = number, rtc
        if len(decoder.times) > 2 * self._bound:  # remember the recent ones only
            low = (decoder.tracker.highest or 0) - self._bound
            decoder.times = {n: t for n, t in decoder.times.items() if n >= low}

    def _decoder(self, decoder_id: int | None) -> _Decoder:
        key = _NO_DECODER if decoder_id is None else str(decoder_id)
        if key not in self._decoders:
            self._decoders[key] = _Decoder(key, DecoderState())
        return self._decoders[key]

    # -- the clock -------------------------------------------------------------------------------

    def _clock_answer(
        self, t_us: int, decoder_id: int | None, rtc_time_us: int, out: SessionOutput
    ) -> None:
        if self._clock != "get_time":
            return
        decoder = self._decoder(decoder_id)
        name = self._name(decoder)
        estimate = t_us - rtc_time_us
        held = decoder.clock_offset_us
        decoder.clock_asked_us = None
        decoder.clock_checked_us = t_us
        if held is None:
            out.notices.append(f"decoder {name} clock offset {estimate} us")
            decoder.clock_offset_us = estimate
        elif abs(estimate - held) > CLOCK_JUMP_US:
            out.notices.append(
                f"decoder {name} clock jumped by {estimate - held} us: offset now {estimate} us"
            )
            if estimate > held and decoder.tracker.highest is not None and not decoder.restarted:
                # The decoder clock went back: a rebooted decoder, whose count restarts too.
                decoder.stepped_back = True
            decoder.clock_offset_us = estimate
        else:
            self.stats.clock_drift_us = estimate - held
        decoder.restarted = False
        self._drain(t_us, decoder, out)

    def _no_clock_answer(self, t_us: int, decoder: _Decoder, out: SessionOutput) -> None:
        name = self._name(decoder)
        decoder.clock_asked_us = None
        decoder.clock_checked_us = t_us
        if decoder.clock_offset_us is None:
            # A live passing is read moments after it happened, a resent one much later: the
            # smallest difference is the best estimate, once absurd times are left out.
            offset = _freshest_offset(decoder.waiting, self._window_us)
            out.notices.append(
                f"decoder {name} did not answer GET_TIME: clock offset {offset} us "
                "estimated from its passings"
            )
            decoder.clock_offset_us = offset
        else:
            out.notices.append(
                f"decoder {name} did not answer GET_TIME: clock offset "
                f"{decoder.clock_offset_us} us kept"
            )
        self._drain(t_us, decoder, out)

    # -- gaps ------------------------------------------------------------------------------------

    def _ask(self, t_us: int, decoder: _Decoder, first: int, last: int, out: SessionOutput) -> None:
        """Ask for a gap just opened."""
        self._resend(first, last, out)
        decoder.tracker.asked_for(first, last)
        self._last_resend_us = t_us

    def _request_missing(self, t_us: int, out: SessionOutput) -> None:
        requests = 0
        for decoder in self._decoders.values():
            for first, last in decoder.tracker.asked():
                self._resend(first, last, out)
                requests += 1
        self._last_resend_us = t_us if requests else None

    def _resend(self, first: int, last: int, out: SessionOutput) -> None:
        """Send one RESEND, counted."""
        out.commands.append(encode(Resend(from_passing=first, until_passing=last)))
        self.stats.resend_requests += 1

    def _give_up_tried(self, t_us: int, out: SessionOutput) -> None:
        for decoder in self._decoders.values():
            self._given_up(t_us, decoder, decoder.tracker.give_up(self._tries), "not_answered", out)

    def _given_up(
        self,
        t_us: int,
        decoder: _Decoder,
        gaps: list[tuple[int, int]],
        reason: GapReason,
        out: SessionOutput,
    ) -> None:
        for first, last in gaps:
            if first > last:
                continue
            self.stats.unrecoverable_gaps += 1
            gap_given_up(
                out,
                source=self.source,
                id_part=self._decoder_part(decoder),
                epoch=decoder.epoch,
                first=first,
                last=last,
                reason=reason,
                received_us=t_us,
                decoder=decoder.key,
                decoder_id=decoder.decoder_id(),
            )

    # -- events ----------------------------------------------------------------------------------

    def _flagged(
        self, decoder: _Decoder, timed: _Timed, offset: int, flag: str, out: SessionOutput
    ) -> None:
        self.stats.flagged += 1
        out.notices.append(
            f"decoder {decoder.key} passing {timed.passing.passing_number} at decoder time "
            f"{timed.rtc_time_us} us published flagged {flag}: it changes nothing"
        )
        self._publish(decoder, timed, offset, out, flag)

    def _publish(
        self,
        decoder: _Decoder,
        timed: _Timed,
        offset: int,
        out: SessionOutput,
        flag: str | None = None,
    ) -> None:
        passing = timed.passing
        line = self._line_for(passing.decoder_id)
        if line is None and flag is None:
            # A decoder the source maps to no line: kept, on no line, for scoring to pass over.
            flag = UNKNOWN_DECODER
            self.stats.flagged += 1
            out.notices.append(
                f"decoder {self._name(decoder)} passing {passing.passing_number} at decoder time "
                f"{timed.rtc_time_us} us published flagged {flag}: the decoder is in neither "
                "line nor decoder_lines"
            )
        part = self._decoder_part(decoder)
        out.events.append(
            Event(
                id=f"{part}:{passing.passing_number}:{timed.rtc_time_us}",
                src=self.source,
                kind="passing",
                data=PassingData(
                    t_us=timed.rtc_time_us + offset,
                    line=line or "",
                    transponder=timed.transponder,
                    rtc_time_us=timed.rtc_time_us,
                    clock_offset_us=offset,
                    received_us=timed.received_us,
                    decoder_id=passing.decoder_id,
                    epoch=decoder.epoch,
                    passing_number=passing.passing_number,
                    strength=passing.strength,
                    hits=passing.hits,
                    flag=flag,
                    record=record_to_builtins(passing),
                ),
            )
        )

    def _name(self, decoder: _Decoder) -> str:
        """The decoder's id, or the source's name for passings without one."""
        return decoder.key if decoder.key != _NO_DECODER else self.source

    def _decoder_part(self, decoder: _Decoder) -> str:
        """`p3:<decoder>` for the first epoch (the ids made before epochs were counted),
        `p3:<decoder>:e<epoch>` after."""
        name, epoch = self._name(decoder), decoder.epoch
        return f"p3:{name}" if epoch == 0 else f"p3:{name}:e{epoch}"


def _horizon_text(horizon_us: int | None) -> str:
    """The horizon for people: "0 s", "600 s"."""
    return f"{(horizon_us or 0) / _US_PER_S:g} s"


def _freshest_offset(waiting: Iterable[_Timed], window_us: int | None) -> int:
    """The smallest (receive - decoder time) among the passings, leaving out those further
    than the window from the median (a time years off would otherwise win)."""
    differences = sorted(p.received_us - p.rtc_time_us for p in waiting)
    median = differences[len(differences) // 2]
    if window_us is not None:
        differences = [d for d in differences if abs(d - median) <= window_us]
    return differences[0]
