"""What to make of a P3 decoder's bytes, without doing any I/O.

A `P3Session` is fed `(receive time, bytes)` and returns the passing events to publish, the
commands to send back (RESEND, GET_TIME) and notices worth logging. Its decisions depend only on
what it was fed and on the state it started from, so the live driver and replay, fed the same
capture, make the same events. Its state is saved with every event, so a restarted daemon
carries on where it stopped: it still notices the passings it missed while it was down.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

import msgspec

from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.protocols.p3 import (
    FrameError,
    GetTime,
    P3Stream,
    Passing,
    Resend,
    encode,
)
from velotime.protocols.p3.gaps import GapTracker
from velotime.protocols.p3.json import record_to_builtins
from velotime.wire.events import Event, PassingData

ClockMode = Literal["get_time", "decoder"]

# The offset between the decoder clock and the venue clock is held once known: re-estimating it
# for drift would put a step of the drift inside a lap. Only a jump this large (a decoder whose
# clock was reset) replaces it.
CLOCK_JUMP_US = 1_000_000
# Passings wait this long (by receive time) for the decoder to answer GET_TIME; after that the
# offset is estimated from the passings themselves.
CLOCK_WAIT_US = 2_000_000
# Missing passings are asked for again this often while they stay missing.
RESEND_RETRY_US = 5_000_000

_NO_DECODER = "-"


@cache
def _get_time() -> bytes:
    """The GET_TIME request, encoded when first sent: the encoder imports construct, which
    `velotime decode`, importing every family's session, does not need."""
    return encode(GetTime.request())


class DecoderState(msgspec.Struct, kw_only=True):
    """What the daemon knows of one decoder, saved with every event it publishes."""

    highest: int | None = None  # highest passing number seen
    gaps: list[tuple[int, int]] = []  # passing numbers still missing
    latest_rtc_us: int | None = None  # the latest passing time seen
    clock_offset_us: int | None = None  # venue clock - decoder clock


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
    flagged: int = 0  # absurd passings, published flagged


class _Timed(NamedTuple):
    """A passing that can become an event: it has a transponder and a time."""

    received_us: int
    rtc_time_us: int
    transponder: int
    passing: Passing


class _Decoder:
    """Live tracking state of one decoder."""

    def __init__(self, saved: DecoderState) -> None:
        self.tracker = GapTracker(saved.highest, saved.gaps)
        self.latest_rtc_us = saved.latest_rtc_us
        self.clock_offset_us = saved.clock_offset_us
        self.waiting: list[_Timed] = []  # passings waiting for the clock offset

    def state(self) -> DecoderState:
        return DecoderState(
            highest=self.tracker.highest,
            gaps=self.tracker.gaps(),
            latest_rtc_us=self.latest_rtc_us,
            clock_offset_us=self.clock_offset_us,
        )


class P3Session:
    def __init__(
        self,
        source: str,
        line_for: Callable[[int | None], str],
        clock: ClockMode = "get_time",
        state: P3SessionState | None = None,
    ) -> None:
        self.source = source
        self.stats = SessionStats()
        self._line_for = line_for
        self._clock = clock
        self._stream = P3Stream()
        self._decoders = {
            key: _Decoder(saved) for key, saved in (state or P3SessionState()).decoders.items()
        }
        self._last_resend_us: int | None = None

    def poll_command(self) -> bytes | None:
        """GET_TIME, asked periodically so that a clock jump is noticed."""
        return _get_time() if self._clock == "get_time" else None

    def state(self) -> P3SessionState:
        return P3SessionState(decoders={k: d.state() for k, d in self._decoders.items()})

    def counters(self) -> SessionCounters:
        gaps = [gap for decoder in self._decoders.values() for gap in decoder.tracker.gaps()]
        return SessionCounters(
            duplicates=self.stats.duplicates,
            skipped=self.stats.unusable,
            open_gaps=len(gaps),
            missing=sum(last - first + 1 for first, last in gaps),
            resend_requests=self.stats.resend_requests,
            unrecoverable_gaps=self.stats.unrecoverable_gaps,
            flagged=self.stats.flagged,
        )

    def connected(self, t_us: int) -> SessionOutput:
        """A new connection: start framing afresh, ask for the clock and for what is missing."""
        out = SessionOutput()
        out.errors += [e for e in self._stream.close() if isinstance(e, FrameError)]
        if self._clock == "get_time":
            out.commands.append(_get_time())
        self._request_missing(t_us, out)
        return out

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, FrameError):
                out.errors.append(item)
            elif isinstance(item, Passing):
                self._passing(t_us, item, out)
            elif isinstance(item, GetTime) and item.rtc_time_us is not None:
                self._clock_answer(t_us, item.decoder_id, item.rtc_time_us, out)
        for key, decoder in self._decoders.items():
            if decoder.waiting and t_us - decoder.waiting[0].received_us >= CLOCK_WAIT_US:
                # A live passing is read moments after it happened, a resent one much later:
                # the smallest difference is the best estimate.
                offset = min(p.received_us - p.rtc_time_us for p in decoder.waiting)
                out.notices.append(
                    f"decoder {key} did not answer GET_TIME: clock offset {offset} us "
                    "estimated from its passings"
                )
                self._set_offset(decoder, offset, out)
        if self._last_resend_us is not None and t_us - self._last_resend_us >= RESEND_RETRY_US:
            self._request_missing(t_us, out)
        return out

    def _passing(self, t_us: int, passing: Passing, out: SessionOutput) -> None:
        if passing.transponder is None or passing.rtc_time_us is None:
            self.stats.unusable += 1
            out.notices.append(f"passing without transponder or time skipped: {passing}")
            return
        timed = _Timed(t_us, passing.rtc_time_us, passing.transponder, passing)
        decoder = self._decoder(passing.decoder_id)
        number = passing.passing_number
        if number is not None and not self._is_new(t_us, decoder, number, timed, out):
            self.stats.duplicates += 1
            return
        if decoder.latest_rtc_us is None or timed.rtc_time_us > decoder.latest_rtc_us:
            decoder.latest_rtc_us = timed.rtc_time_us
        if self._clock == "decoder":
            decoder.clock_offset_us = 0
        if decoder.clock_offset_us is None:
            decoder.waiting.append(timed)
            return
        out.events.append(self._event(timed, decoder.clock_offset_us))

    def _decoder(self, decoder_id: int | None) -> _Decoder:
        key = _NO_DECODER if decoder_id is None else str(decoder_id)
        if key not in self._decoders:
            self._decoders[key] = _Decoder(DecoderState())
        return self._decoders[key]

    def _is_new(
        self, t_us: int, decoder: _Decoder, number: int, timed: _Timed, out: SessionOutput
    ) -> bool:
        observation = decoder.tracker.observe(number)
        if not observation.new and (
            decoder.latest_rtc_us is not None and timed.rtc_time_us > decoder.latest_rtc_us
        ):
            # An old number with a time later than any seen: the decoder's counter restarted
            # (cleared or replaced), so this is a new passing, not a repeat.
            self.stats.counter_resets += 1
            out.notices.append(
                f"decoder {timed.passing.decoder_id} passing numbers restarted at {number} "
                f"(had reached {decoder.tracker.highest})"
            )
            decoder.tracker = GapTracker()
            decoder.tracker.observe(number)
            return True
        if observation.gap is not None:
            self.stats.gaps_opened += 1
            first, last = observation.gap
            out.notices.append(f"passings {first}..{last} missing: asking the decoder to resend")
            out.commands.append(encode(Resend(from_passing=first, until_passing=last)))
            self.stats.resend_requests += 1
            self._last_resend_us = t_us
        if observation.new:
            self.stats.passings += 1
        return observation.new

    def _clock_answer(
        self, t_us: int, decoder_id: int | None, rtc_time_us: int, out: SessionOutput
    ) -> None:
        if self._clock != "get_time":
            return
        decoder = self._decoder(decoder_id)
        name = decoder_id if decoder_id is not None else self.source
        estimate = t_us - rtc_time_us
        held = decoder.clock_offset_us
        if held is None:
            out.notices.append(f"decoder {name} clock offset {estimate} us")
            self._set_offset(decoder, estimate, out)
        elif abs(estimate - held) > CLOCK_JUMP_US:
            out.notices.append(
                f"decoder {name} clock jumped by {estimate - held} us: offset now {estimate} us"
            )
            self._set_offset(decoder, estimate, out)
        else:
            self.stats.clock_drift_us = estimate - held

    def _set_offset(self, decoder: _Decoder, offset: int, out: SessionOutput) -> None:
        decoder.clock_offset_us = offset
        waiting, decoder.waiting = decoder.waiting, []
        out.events += [self._event(timed, offset) for timed in waiting]

    def _request_missing(self, t_us: int, out: SessionOutput) -> None:
        requests = [
            encode(Resend(from_passing=first, until_passing=last))
            for decoder in self._decoders.values()
            for first, last in decoder.tracker.gaps()
        ]
        out.commands += requests
        self.stats.resend_requests += len(requests)
        self._last_resend_us = t_us if requests else None

    def _event(self, timed: _Timed, offset: int) -> Event:
        passing = timed.passing
        decoder = self.source if passing.decoder_id is None else passing.decoder_id
        return Event(
            id=f"p3:{decoder}:{passing.passing_number}:{timed.rtc_time_us}",
            src=self.source,
            kind="passing",
            data=PassingData(
                t_us=timed.rtc_time_us + offset,
                line=self._line_for(passing.decoder_id),
                transponder=timed.transponder,
                rtc_time_us=timed.rtc_time_us,
                clock_offset_us=offset,
                received_us=timed.received_us,
                decoder_id=passing.decoder_id,
                passing_number=passing.passing_number,
                strength=passing.strength,
                hits=passing.hits,
                record=record_to_builtins(passing),
            ),
        )
