"""What the daemon knows of a source, as written into each capture header.

Replay rebuilds its sessions from these descriptions, so it needs no configuration file and
starts exactly where the live daemon resumed.
"""

from collections.abc import Iterable
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from velotime.config import SourceConfig
from velotime.daemon.control import ControlSession
from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.p3.session import ClockMode, P3Session, P3SessionState
from velotime.drivers.session import Session
from velotime.drivers.timy.session import SIMULTANEOUS_US, Channel, TimySession


class SourceDescription(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    protocol: Literal["p3", "timy", "lynx", "control"]  # control: the operator's commands
    line: str | None = None  # p3: the timing line of the source's loop
    decoder_lines: dict[str, str] = {}  # p3: decoder id -> line, where one source has several
    clock: ClockMode = "get_time"  # p3
    channels: dict[str, Channel] = {}  # timy: "C0".."C9"
    simultaneous_us: int = SIMULTANEOUS_US  # timy
    init_commands: tuple[str, ...] = ()  # timy
    timezone: str = "UTC"  # the venue's: a timy's time of day is local time
    endpoint: str | None = None
    seq: int = 0  # seq of the last event published before this capture began
    resume: dict[str, Any] | None = None  # the session state the daemon resumed from

    @classmethod
    def of(
        cls,
        source: SourceConfig,
        timezone: str = "UTC",
        seq: int = 0,
        resume: dict[str, Any] | None = None,
    ) -> "SourceDescription":
        """A configured source, resuming from saved state."""
        return cls(
            protocol=source.protocol,
            line=source.line,
            decoder_lines=dict(source.decoder_lines),
            clock=source.clock,
            channels={
                key: Channel(
                    line=channel.line,
                    delay_us=channel.delay_us,
                    dead_time_us=channel.dead_time_ms * 1000,
                )
                for key, channel in source.channels.items()
            },
            simultaneous_us=source.simultaneous_us,
            init_commands=tuple(source.init_commands),
            timezone=timezone,
            endpoint=str(source.endpoint),
            seq=seq,
            resume=resume,
        )

    def line_for(self, decoder_id: int | None) -> str:
        """The timing line of a record from `decoder_id`: its own mapping, else the source's."""
        line = self.line or ""
        if decoder_id is not None:
            return self.decoder_lines.get(str(decoder_id), line)
        return line

    def new_session(self, name: str) -> Session:
        if self.protocol == "control":
            return ControlSession(name)
        if self.protocol == "lynx":
            return LynxSession(name, ZoneInfo(self.timezone))
        if self.protocol == "timy":
            return TimySession(
                name,
                {int(key[1:]): channel for key, channel in self.channels.items()},
                ZoneInfo(self.timezone),
                simultaneous_us=self.simultaneous_us,
                init_commands=self.init_commands,
            )
        resume = msgspec.convert(self.resume, P3SessionState) if self.resume else None
        return P3Session(name, self.line_for, self.clock, resume)

    def to_builtins(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> "SourceDescription":
        return msgspec.convert(data, cls)


def photocell_lines(sources: Iterable[SourceDescription]) -> set[str]:
    """The timing lines an impulse timer's photocells are wired to (the start gate is not one):
    the scoring engine knows from these, before any impulse, that photocells time those lines."""
    return {
        channel.line
        for source in sources
        if source.protocol == "timy"
        for channel in source.channels.values()
        if channel.line != "start"
    }
