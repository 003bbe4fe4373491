"""A Race Result decoder as a source: its settings and its capture header entry."""

from typing import Any, Self

import msgspec

from velotime.drivers.raceresult.session import (
    GAP_BOUND,
    HORIZON_S,
    RESEND_TRIES,
    SET_TIME_TOLERANCE_S,
    ClockMode,
    RaceResultSession,
    RaceResultSessionState,
    RaceResultSettings,
)
from velotime.drivers.session import Session
from velotime.families.base import (
    Report,
    SourceConfig,
    SourceDescription,
    Wiring,
    check_line,
    check_not_negative,
    check_positive,
    check_whole,
)

# The decoder sends nothing between passings; the GETTIME answer every `get_time_interval_s`
# (10 s) shows the link alive, so three missed answers mean it is dead.
SILENCE_TIMEOUT_S = 30.0
MAX_GAP_BOUND = 1_000_000  # a fetch asks for this many passings at most


class RaceResultDescription(SourceDescription, frozen=True, kw_only=True, tag="raceresult"):
    line: str | None = None
    clock: ClockMode = "get_time"
    gap_bound: int = GAP_BOUND
    resend_tries: int = RESEND_TRIES
    set_time_tolerance_s: float | None = SET_TIME_TOLERANCE_S
    horizon_s: float | None = HORIZON_S  # None: no horizon (a dump)

    def new_session(self, name: str) -> Session:
        resume = msgspec.convert(self.resume, RaceResultSessionState) if self.resume else None
        settings = RaceResultSettings(
            clock=self.clock,
            gap_bound=self.gap_bound,
            resend_tries=self.resend_tries,
            set_time_tolerance_s=self.set_time_tolerance_s,
            timezone=self.timezone,
            horizon_s=self.horizon_s,
            started_us=self.started_us,
        )
        return RaceResultSession(name, self.line or "", resume, settings)

    def lines_text(self) -> str:
        return self.line or ""


class RaceResultSourceConfig(SourceConfig, frozen=True, kw_only=True, tag="raceresult"):
    default_silence_timeout_s = SILENCE_TIMEOUT_S

    line: str | None = None  # the timing line of the decoder's loop (required)
    get_time_interval_s: float = 10.0
    clock: ClockMode = "get_time"
    set_time_tolerance_s: float = SET_TIME_TOLERANCE_S
    gap_bound: int = GAP_BOUND
    resend_tries: int = RESEND_TRIES
    horizon_s: float = HORIZON_S  # passings made this long before the start are published

    @property
    def poll_interval_s(self) -> float:
        return self.get_time_interval_s

    def check(self, report: Report, line_names: set[str] | None) -> Self:
        if self.line is None:
            report(["line"], "a raceresult source needs the timing line of its loop")
        else:
            check_line(report, ["line"], self.line, line_names)
        check_positive(report, ["get_time_interval_s"], self.get_time_interval_s)
        check_not_negative(report, ["set_time_tolerance_s"], self.set_time_tolerance_s)
        check_not_negative(report, ["horizon_s"], self.horizon_s)
        check_whole(report, ["gap_bound"], self.gap_bound, 1, MAX_GAP_BOUND)
        check_whole(report, ["resend_tries"], self.resend_tries, 1)
        return self

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> RaceResultDescription:
        return RaceResultDescription(
            line=self.line,
            clock=self.clock,
            gap_bound=self.gap_bound,
            resend_tries=self.resend_tries,
            set_time_tolerance_s=self.set_time_tolerance_s,
            horizon_s=self.horizon_s,
            timezone=timezone,
            endpoint=str(self.endpoint),
            seq=seq,
            resume=resume,
        )

    def wiring(self) -> Wiring:
        return Wiring(line=self.line)

    def summary(self) -> str:
        return f"line {self.line}, clock {self.clock}"


def dump_description(line: str, timezone: str) -> RaceResultDescription:
    """A foreign dump (lines as the decoder sent them): no GETTIME answers to map the clock
    with, so the decoder's date and time are taken as the venue's local time."""
    return RaceResultDescription(
        line=line, clock="local", timezone=timezone, set_time_tolerance_s=None, horizon_s=None
    )
