"""A P3 transponder decoder as a source: its settings and its capture header entry."""

import math
import re
from typing import Any, Self

import msgspec

from velotime.drivers.p3.session import (
    GAP_BOUND,
    HORIZON_S,
    PLAUSIBLE_WINDOW_S,
    RESEND_TRIES,
    ClockMode,
    P3Session,
    P3SessionState,
    P3Settings,
)
from velotime.drivers.session import Session
from velotime.families.base import (
    Report,
    SourceConfig,
    SourceDescription,
    Wiring,
    check_line,
    check_positive,
    check_whole,
)
from velotime.protocols.p3.constants import U32_MAX

SILENCE_TIMEOUT_S = 15.0  # a decoder sends a STATUS every few seconds
_DIGITS = re.compile(r"[0-9]+")


class P3Description(SourceDescription, frozen=True, kw_only=True, tag="p3"):
    line: str | None = (
        None  # the timing line of the source's loop, if not every decoder's is mapped
    )
    # decoder id -> line, where one source has several
    decoder_lines: dict[str, str] = msgspec.field(default_factory=dict)
    clock: ClockMode = "get_time"
    # What the session decides with (P3Settings): in the header, so a replay decides alike.
    # A dump has no receive times: no horizon and no plausibility window.
    horizon_s: float | None = HORIZON_S
    gap_bound: int = GAP_BOUND
    resend_tries: int = RESEND_TRIES
    plausible_window_s: float | None = PLAUSIBLE_WINDOW_S

    def line_for(self, decoder_id: int | None) -> str | None:
        """The timing line of a record from `decoder_id`: its own mapping, else the source's;
        None for a decoder in neither (the session publishes its passings flagged)."""
        if decoder_id is not None:
            return self.decoder_lines.get(str(decoder_id), self.line)
        return self.line

    def new_session(self, name: str) -> Session:
        resume = msgspec.convert(self.resume, P3SessionState) if self.resume else None
        settings = P3Settings(
            horizon_s=self.horizon_s,
            gap_bound=self.gap_bound,
            resend_tries=self.resend_tries,
            plausible_window_s=self.plausible_window_s,
            started_us=self.started_us,
        )
        return P3Session(name, self.line_for, self.clock, resume, settings)

    def lines_text(self) -> str:
        decoders = [f"{decoder} {line}" for decoder, line in self.decoder_lines.items()]
        return ", ".join(([self.line] if self.line else []) + decoders)


class P3SourceConfig(SourceConfig, frozen=True, kw_only=True, tag="p3"):
    default_silence_timeout_s = SILENCE_TIMEOUT_S

    # The timing line of the decoder's loop; optional when decoder_lines maps the decoders.
    line: str | None = None
    # decoder id (decimal digits) -> line name
    decoder_lines: dict[str, str] = msgspec.field(default_factory=dict)
    get_time_interval_s: float = 60.0
    clock: ClockMode = "get_time"
    horizon_s: float = HORIZON_S  # passings made this long before the start are published
    gap_bound: int = GAP_BOUND  # passing numbers; a larger gap is given up at once
    resend_tries: int = RESEND_TRIES  # RESENDs before a gap is given up
    plausible_window_s: float = PLAUSIBLE_WINDOW_S  # further from the read time: flagged

    @property
    def poll_interval_s(self) -> float:
        return self.get_time_interval_s

    def check(self, report: Report, line_names: set[str] | None) -> Self:
        if self.line is None:
            if not self.decoder_lines:
                report(
                    ["line"],
                    "a p3 source needs the timing line of its loop, or decoder_lines mapping "
                    "its decoders to lines",
                )
        else:
            check_line(report, ["line"], self.line, line_names)
        decoder_lines: dict[str, str] = {}
        for decoder, line in self.decoder_lines.items():
            if not _DIGITS.fullmatch(decoder):
                report(
                    ["decoder_lines", decoder], f"a decoder id is decimal digits, got {decoder!r}"
                )
                continue
            if int(decoder) > U32_MAX:
                report(
                    ["decoder_lines", decoder],
                    f"a decoder id is 0 to {U32_MAX} (32 bits), got {decoder}",
                )
                continue
            canonical = str(int(decoder))  # "007" and "7" are one decoder
            if canonical in decoder_lines:
                report(["decoder_lines", decoder], f"decoder {canonical} is mapped twice")
            decoder_lines[canonical] = line
            check_line(report, ["decoder_lines", decoder], line, line_names)
        check_positive(report, ["get_time_interval_s"], self.get_time_interval_s)
        check_positive(report, ["plausible_window_s"], self.plausible_window_s)
        if not (math.isfinite(self.horizon_s) and 0 <= self.horizon_s <= self.plausible_window_s):
            report(
                ["horizon_s"],
                "must be a number from 0 to plausible_window_s "
                f"({self.plausible_window_s!r}), got {self.horizon_s!r}",
            )
        check_whole(report, ["gap_bound"], self.gap_bound, 1, U32_MAX)
        check_whole(report, ["resend_tries"], self.resend_tries, 1)
        return msgspec.structs.replace(self, decoder_lines=decoder_lines)

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> P3Description:
        return P3Description(
            line=self.line,
            decoder_lines=dict(self.decoder_lines),
            clock=self.clock,
            horizon_s=self.horizon_s,
            gap_bound=self.gap_bound,
            resend_tries=self.resend_tries,
            plausible_window_s=self.plausible_window_s,
            timezone=timezone,
            endpoint=str(self.endpoint),
            seq=seq,
            resume=resume,
        )

    def wiring(self) -> Wiring:
        return Wiring(line=self.line, decoder_lines=dict(self.decoder_lines))

    def summary(self) -> str:
        decoders = [f"decoder {decoder} on {line}" for decoder, line in self.decoder_lines.items()]
        # Without a line of its own, another decoder's passings are published flagged.
        line = [f"line {self.line}"] if self.line is not None else []
        other = [] if self.line is not None else ["other decoders flagged unknown_decoder"]
        return ", ".join([*line, *decoders, *other, f"clock {self.clock}"])


def dump_description(line: str, timezone: str) -> P3Description:
    """A foreign dump: the decoder's clock is taken as the venue clock (there are no receive
    times to map it with)."""
    return P3Description(
        line=line, clock="decoder", timezone=timezone, horizon_s=None, plausible_window_s=None
    )
