"""A Tag Heuer / Chronelec Protime decoder as a source: its settings and capture header entry."""

import re
from typing import Any, Self
from zoneinfo import ZoneInfo

import msgspec

from velotime.drivers.endpoints import SerialEndpoint
from velotime.drivers.protime.session import (
    REPEAT_TRIES,
    ProtimeSession,
    ProtimeSessionState,
    ProtimeSettings,
)
from velotime.drivers.session import Session
from velotime.families.base import (
    Report,
    SourceConfig,
    SourceDescription,
    Wiring,
    check_line,
    check_whole,
)

BAUDRATE = 19200  # the decoder's serial port; it cannot be changed
UDP_PORT = 2008  # a networked box's
_CHANNEL = re.compile(r"[A-Z0-9]{3}")


class ProtimeDescription(SourceDescription, frozen=True, kw_only=True, tag="protime"):
    line: str | None = None  # the timing line of the STA loop
    channel_lines: dict[str, str] = msgspec.field(default_factory=dict)  # BOX, B01... -> line
    repeat_tries: int = REPEAT_TRIES
    start: bool = True
    set_clock: bool = True

    def settings(self) -> ProtimeSettings:
        return ProtimeSettings(
            line=self.line,
            channel_lines=dict(self.channel_lines),
            repeat_tries=self.repeat_tries,
            start=self.start,
            set_clock=self.set_clock,
        )

    def new_session(self, name: str) -> Session:
        resume = msgspec.convert(self.resume, ProtimeSessionState) if self.resume else None
        return ProtimeSession(name, self.settings(), ZoneInfo(self.timezone), resume)

    def lines_text(self) -> str:
        channels = [f"{channel} {line}" for channel, line in self.channel_lines.items()]
        return ", ".join(([f"STA {self.line}"] if self.line else []) + channels)


class ProtimeSourceConfig(SourceConfig, frozen=True, kw_only=True, tag="protime"):
    line: str | None = None  # the timing line of the decoder's STA loop
    # channel (BOX, MAN, B01, B02...) -> line; STA here overrides `line`
    channel_lines: dict[str, str] = msgspec.field(default_factory=dict)
    repeat_tries: int = REPEAT_TRIES  # repeat requests for one corrupt telegram before giving up
    start: bool = True  # send the start command on connecting
    set_clock: bool = True  # set the decoder's clock on connecting, on the second boundary

    def check(self, report: Report, line_names: set[str] | None) -> Self:
        if self.line is None and not self.channel_lines:
            report(["line"], "a protime source needs the timing line of its STA loop")
        if self.line is not None:
            check_line(report, ["line"], self.line, line_names)
        for channel, line in self.channel_lines.items():
            at = ["channel_lines", channel]
            if not _CHANNEL.fullmatch(channel):
                report(at, f"a channel is 3 capitals or digits (STA, BOX, B01...), got {channel!r}")
            check_line(report, at, line, line_names)
        check_whole(report, ["repeat_tries"], self.repeat_tries, 1)
        endpoint = self.endpoint
        if isinstance(endpoint, SerialEndpoint) and endpoint.baudrate != BAUDRATE:
            report(
                ["transport"],
                f"a Protime decoder talks at {BAUDRATE} baud: add ?baudrate={BAUDRATE}, "
                f"got {endpoint.baudrate}",
            )
        return self

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> ProtimeDescription:
        return ProtimeDescription(
            line=self.line,
            channel_lines=dict(self.channel_lines),
            repeat_tries=self.repeat_tries,
            start=self.start,
            set_clock=self.set_clock,
            timezone=timezone,
            endpoint=str(self.endpoint),
            seq=seq,
            resume=resume,
        )

    def wiring(self) -> Wiring:
        # The STA loop is the source's line; the other channels are named as a Timy's are.
        return Wiring(line=self.line, channels=dict(self.channel_lines))

    def summary(self) -> str:
        channels = "".join(f", {channel} on {line}" for channel, line in self.channel_lines.items())
        clock = "set on connecting" if self.set_clock else "not set"
        return f"line {self.line}{channels}, clock {clock}"


def dump_description(line: str, timezone: str) -> ProtimeDescription:
    """A foreign dump: the STA loop on `line`; the decoder's clock on the venue's time."""
    return ProtimeDescription(line=line, timezone=timezone)
