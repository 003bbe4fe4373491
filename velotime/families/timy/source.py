"""An ALGE Timy impulse timer as a source: its channels, its settings and its capture header
entry."""

import re
from typing import Any, ClassVar, Self
from zoneinfo import ZoneInfo

import msgspec

from velotime.drivers.session import Session
from velotime.drivers.timy.session import SIMULTANEOUS_US, Channel, TimySession
from velotime.families.base import (
    GATES,
    START,
    Report,
    SourceConfig,
    SourceDescription,
    Wiring,
    check_line,
)

_CHANNEL = re.compile(r"C[0-9]")
_LINES_PER_CHANNEL = "a timy source maps lines per channel, in channels"


class ChannelConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An impulse timer channel: what it is wired to, and its corrections."""

    # a [[lines]] name, or a start gate: "start", "gate-home" or "gate-back" (the pursuit gates)
    line: str
    delay_us: int = 0  # fixed latency of the channel (e.g. a wireless link), taken off
    dead_time_ms: int = 0  # a second impulse sooner than this is a double trigger, dropped


class TimyDescription(SourceDescription, frozen=True, kw_only=True, tag="timy"):
    channels: dict[str, Channel] = msgspec.field(default_factory=dict)  # "C0".."C9"
    simultaneous_us: int = SIMULTANEOUS_US
    init_commands: tuple[str, ...] = ()

    def new_session(self, name: str) -> Session:
        return TimySession(
            name,
            {int(key[1:]): channel for key, channel in self.channels.items()},
            ZoneInfo(self.timezone),
            simultaneous_us=self.simultaneous_us,
            init_commands=self.init_commands,
        )

    def photocell_lines(self) -> set[str]:
        return {channel.line for channel in self.channels.values() if channel.line not in GATES}

    def lines_text(self) -> str:
        return ", ".join(f"{key} {channel.line}" for key, channel in self.channels.items())


class TimySourceConfig(SourceConfig, frozen=True, kw_only=True, tag="timy"):
    foreign_key_hints: ClassVar[dict[str, str]] = {
        "line": _LINES_PER_CHANNEL,
        "decoder_lines": _LINES_PER_CHANNEL,
    }

    # "C0".."C9" -> channel (required)
    channels: dict[str, ChannelConfig] = msgspec.field(default_factory=dict)
    simultaneous_us: int = 300  # impulses on two channels closer than this are one
    init_commands: tuple[str, ...] = ("CHK1",)  # sent on connecting (CHK1: checksums on)

    def check(self, report: Report, line_names: set[str] | None) -> Self:
        if not self.channels:
            report(["channels"], 'map at least one channel, e.g. C1 = {line = "finish"}')
        for key, channel in self.channels.items():
            at = ["channels", key]
            if not _CHANNEL.fullmatch(key):
                report(at, f"a channel is C0..C9, got {key!r}")
            # A pursuit gate needs pursuit lines: the configuration's checks see to that.
            if channel.line not in GATES:
                check_line(report, [*at, "line"], channel.line, line_names)
            if channel.delay_us < 0:
                report([*at, "delay_us"], f"must be 0 or more, got {channel.delay_us}")
            if channel.dead_time_ms < 0:
                report([*at, "dead_time_ms"], f"must be 0 or more, got {channel.dead_time_ms}")
        if self.simultaneous_us < 0:
            report(["simultaneous_us"], "must be 0 or more")
        for index, command in enumerate(self.init_commands):
            if not command.isprintable() or not command.isascii():
                report(["init_commands", index], f"not a Timy command: {command!r}")
        return self

    def describe(
        self, timezone: str, seq: int = 0, resume: dict[str, Any] | None = None
    ) -> TimyDescription:
        return TimyDescription(
            channels={
                key: Channel(
                    line=channel.line,
                    delay_us=channel.delay_us,
                    dead_time_us=channel.dead_time_ms * 1000,
                )
                for key, channel in self.channels.items()
            },
            simultaneous_us=self.simultaneous_us,
            init_commands=tuple(self.init_commands),
            timezone=timezone,
            endpoint=str(self.endpoint),
            seq=seq,
            resume=resume,
        )

    def wiring(self) -> Wiring:
        return Wiring(channels={key: channel.line for key, channel in self.channels.items()})

    def summary(self) -> str:
        channels = ", ".join(f"{key} {c.line}" for key, c in sorted(self.channels.items()))
        return f"channels {channels}"


def dump_description(line: str, timezone: str) -> TimyDescription:
    """A foreign dump has no wiring plan: C0 the start gate, C1 the finish, the others by name."""
    channels = {f"C{n}": Channel(line=f"C{n}") for n in range(10)}
    channels["C0"] = Channel(line=START)
    channels["C1"] = Channel(line="finish")
    return TimyDescription(channels=channels, timezone=timezone)
