"""What the daemon knows of a source, as written into each capture header.

Replay rebuilds its sessions from these descriptions, so it needs no configuration file and
starts exactly where the live daemon resumed.
"""

from typing import Any, Literal

import msgspec

from velotime.config import SourceConfig
from velotime.drivers.p3.session import ClockMode, P3Session, P3SessionState


class SourceDescription(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    protocol: Literal["p3"]
    line: str  # the timing line of the source's loop
    decoder_lines: dict[str, str] = {}  # decoder id -> line, where one source has several
    clock: ClockMode = "get_time"
    endpoint: str | None = None
    seq: int = 0  # seq of the last event published before this capture began
    resume: P3SessionState | None = None  # the session state the daemon resumed from

    @classmethod
    def of(
        cls, source: SourceConfig, seq: int = 0, resume: P3SessionState | None = None
    ) -> "SourceDescription":
        """A configured source, resuming from saved state."""
        return cls(
            protocol=source.protocol,
            line=source.line,
            decoder_lines=dict(source.decoder_lines),
            clock=source.clock,
            endpoint=str(source.endpoint),
            seq=seq,
            resume=resume,
        )

    def line_for(self, decoder_id: int | None) -> str:
        """The timing line of a record from `decoder_id`: its own mapping, else the source's."""
        if decoder_id is not None:
            return self.decoder_lines.get(str(decoder_id), self.line)
        return self.line

    def new_session(self, name: str) -> P3Session:
        return P3Session(name, self.line_for, self.clock, self.resume)

    def to_builtins(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> "SourceDescription":
        return msgspec.convert(data, cls)
