"""Replaying recorded bytes through the same sessions the live daemon uses.

Sources come from capture headers (their line mapping, clock mode and the state the daemon
resumed from), so a capture replays identically with no configuration. Foreign dumps (what
`velotime decode` reads) replay as one source with no receive times.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from velotime.capture import CONTROL_SOURCE, CaptureProblem, read_capture
from velotime.capture.dumps import BadHexLine, DumpFormat, read_dump, sniff_format
from velotime.capture.reader import CaptureFormatError
from velotime.daemon.lif_import import heat_events
from velotime.daemon.outbox import Outbox
from velotime.daemon.sources import SourceDescription
from velotime.daemon.topics import Topics
from velotime.drivers.session import Session
from velotime.drivers.timy.session import Channel
from velotime.protocols.lif import parse_lif
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import Meet

_json = msgspec.json.Encoder()


@dataclass(frozen=True)
class Chunk:
    t_us: int
    src: str
    data: bytes  # empty: the source (re)connected


@dataclass(frozen=True)
class DumpSource:
    """How to read a foreign dump (what `velotime decode` reads): its protocol, and what a
    capture header would otherwise say."""

    protocol: str  # "p3", "timy", "lynx" or "lif"
    format: DumpFormat | None = None  # None: detect (p3) or raw
    line: str = "finish"  # p3: the decoder's timing line
    timezone: str = "UTC"  # timy, lynx, lif: the venue's
    received_us: int = 0  # when the dump is taken as received (dates times of day)

    def description(self) -> SourceDescription:
        if self.protocol == "timy":
            # Without a wiring plan: C0 the start gate, C1 the finish, the others by name.
            channels = {f"C{n}": Channel(line=f"C{n}") for n in range(10)}
            channels["C0"] = Channel(line="start")
            channels["C1"] = Channel(line="finish")
            return SourceDescription(protocol="timy", channels=channels, timezone=self.timezone)
        if self.protocol == "lynx":
            return SourceDescription(protocol="lynx", timezone=self.timezone)
        return SourceDescription(protocol="p3", line=self.line, clock="decoder")


@dataclass
class ReplayStats:
    files: int = 0
    chunks: int = 0
    bytes: int = 0
    events: int = 0
    frame_errors: int = 0
    capture_problems: list[CaptureProblem] = field(default_factory=list)
    bad_hex_lines: int = 0
    lif_warnings: int = 0
    commands: int = 0
    bad_commands: int = 0


class Replayer:
    """Feeds chunks to per-source sessions and queues their events in `outbox`; with a meet,
    also scores them: timing events and the operator commands recorded in the capture go to a
    scoring engine in capture order, as they reached the live one."""

    def __init__(self, outbox: Outbox, topics: Topics, meet: Meet | None = None) -> None:
        self.outbox = outbox
        self.topics = topics
        self.meet = meet
        self.engine: ScoringEngine | None = None
        self.sessions: dict[str, Session] = {}
        self.stats = ReplayStats()
        self.venue = "dump"  # until a capture header names it

    def add_source(self, name: str, description: SourceDescription) -> None:
        """A source as a capture header describes it. A later capture of the same source starts
        where the live daemon restarted: from the state and `seq` that header gives."""
        self.sessions[name] = description.new_session(name)
        self.outbox.resume(name, description.seq)

    def feed(self, chunk: Chunk) -> None:
        if chunk.src == CONTROL_SOURCE and CONTROL_SOURCE not in self.sessions:
            # Captures from before commands were sequenced do not describe this source.
            self.add_source(CONTROL_SOURCE, SourceDescription(protocol="control"))
        session = self.sessions[chunk.src]
        self.stats.chunks += 1
        self.stats.bytes += len(chunk.data)
        # Empty data marks a new connection of the source.
        out = session.feed(chunk.t_us, chunk.data) if chunk.data else session.connected(chunk.t_us)
        if chunk.src == CONTROL_SOURCE:
            self.stats.commands += 1
            self.stats.bad_commands += len(out.errors)
        else:
            self.stats.frame_errors += len(out.errors)
        if out.events:
            state = _json.encode(session.state())
            routed = [(self.topics.timing(event.kind), event) for event in out.events]
            self.outbox.append(chunk.src, routed, state)
            self.stats.events += len(out.events)
            if self.engine is not None:
                for event in out.events:
                    self.engine.feed(msgspec.to_builtins(event))

    def capture_chunks(self, path: Path) -> Iterator[Chunk]:
        """Chunks of a capture file; its sources are added first. Raises OSError and
        CaptureFormatError before the first chunk; bad lines are counted, not raised."""
        reader = read_capture(path)
        if not self.stats.files:
            self.venue = reader.header.venue
        if self.meet is not None and self.engine is None:
            if not reader.header.lines:
                raise CaptureFormatError(f"{path}: the capture does not name the venue's lines")
            length = reader.header.track_length_m or 250
            self.engine = ScoringEngine(self.meet, reader.header.lines, length)
        self.stats.files += 1
        for name, description in reader.header.sources.items():
            self.add_source(name, SourceDescription.from_builtins(description))
        for chunk in reader.chunks():
            yield Chunk(chunk.t_us, chunk.src, chunk.data)
        self.stats.capture_problems += reader.problems

    def dump_chunks(self, path: Path, dump: DumpSource) -> Iterator[Chunk]:
        """Chunks of a foreign dump, as one source. A dump has no receive times: every chunk is
        taken as received at `dump.received_us`, which dates a timer's times of day; a P3
        decoder's clock is taken as the venue clock."""
        protocol = dump.protocol
        if protocol == "lif":
            self._import_lif(path, dump)
            return
        self.add_source(dump.protocol, dump.description())
        self.stats.files += 1
        fmt = dump.format or (sniff_format(path) if protocol == "p3" else "raw")
        with path.open("rb") as handle:
            for item in read_dump(handle, fmt):
                if isinstance(item, BadHexLine):
                    self.stats.bad_hex_lines += 1
                    continue
                yield Chunk(dump.received_us, dump.protocol, item)

    def _import_lif(self, path: Path, dump: DumpSource) -> None:
        """A result file is no stream: its heat becomes photo-finish events at once."""
        parsed = parse_lif(path.read_bytes(), str(path))
        self.stats.files += 1
        self.stats.lif_warnings += len(parsed.warnings)
        if parsed.heat is None:
            return
        events = heat_events(parsed.heat, "lif", ZoneInfo(dump.timezone), dump.received_us)
        topic = self.topics.timing("photofinish")
        self.outbox.append("lif", [(topic, event) for event in events], None)
        self.stats.events += len(events)
