"""The lines of a capture file (format v1): JSON Lines, a header then one line per chunk."""

from typing import Any

import msgspec

CAPTURE_FORMAT = "velotime-capture"
CAPTURE_VERSION = 1
CONTROL_SOURCE = "control"  # chunks of this source are operator commands (JSON), not device bytes
LIF_SOURCE = (
    "lif"  # chunks of this source are FinishLynx result files (velotime.protocols.lif.upload)
)


class CaptureHeader(msgspec.Struct, frozen=True, kw_only=True):
    """The first line. `sources` maps each source name to what replay needs to parse it: its
    protocol, and where the daemon resumed from saved state, that state (`resume`)."""

    format: str = CAPTURE_FORMAT
    version: int = CAPTURE_VERSION
    venue: str
    sources: dict[str, dict[str, Any]]
    started_us: int | None = None  # wall clock when the file was opened, unix microseconds
    lines: dict[str, float] = {}  # the venue's timing lines: name -> distance before the finish
    track_length_m: float | None = None
    # The roles of the lines that have one (name -> "pursuit-home", "pursuit-back"); none in
    # captures made before lines had roles.
    roles: dict[str, str] = {}


class CaptureChunk(msgspec.Struct, frozen=True):
    """Bytes as one read returned them from a source; `data` travels as base64."""

    t_us: int  # receive time, unix microseconds
    src: str
    data: bytes
