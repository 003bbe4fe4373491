"""Replaying recorded bytes through the same sessions the live daemon uses.

Sources come from capture headers (their line mapping, clock mode and the state the daemon
resumed from), so a capture replays identically with no configuration. Foreign dumps (what
`velotime decode` reads) replay as one source with no receive times.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from velotime.capture import CaptureProblem, read_capture
from velotime.cli.dumps import BadHexLine, DumpFormat, read_dump, sniff_format
from velotime.daemon.outbox import Outbox
from velotime.daemon.sources import SourceDescription
from velotime.daemon.topics import Topics
from velotime.drivers.session import Session

_json = msgspec.json.Encoder()


@dataclass(frozen=True)
class Chunk:
    t_us: int
    src: str
    data: bytes  # empty: the source (re)connected


@dataclass
class ReplayStats:
    files: int = 0
    chunks: int = 0
    bytes: int = 0
    events: int = 0
    frame_errors: int = 0
    capture_problems: list[CaptureProblem] = field(default_factory=list)
    bad_hex_lines: int = 0


class Replayer:
    """Feeds chunks to per-source sessions and queues their events in `outbox`."""

    def __init__(self, outbox: Outbox, topics: Topics) -> None:
        self.outbox = outbox
        self.topics = topics
        self.sessions: dict[str, Session] = {}
        self.stats = ReplayStats()
        self.venue = "dump"  # until a capture header names it

    def add_source(self, name: str, description: SourceDescription) -> None:
        """The first description of a source wins: later captures continue its session."""
        if name not in self.sessions:
            self.sessions[name] = description.new_session(name)
            self.outbox.resume(name, description.seq)

    def feed(self, chunk: Chunk) -> None:
        session = self.sessions[chunk.src]
        self.stats.chunks += 1
        self.stats.bytes += len(chunk.data)
        # Empty data marks a new connection of the source.
        out = session.feed(chunk.t_us, chunk.data) if chunk.data else session.connected(chunk.t_us)
        self.stats.frame_errors += len(out.errors)
        if out.events:
            state = _json.encode(session.state())
            routed = [(self.topics.timing(event.kind), event) for event in out.events]
            self.outbox.append(chunk.src, routed, state)
            self.stats.events += len(out.events)

    def capture_chunks(self, path: Path) -> Iterator[Chunk]:
        """Chunks of a capture file; its sources are added first. Raises OSError and
        CaptureFormatError before the first chunk; bad lines are counted, not raised."""
        reader = read_capture(path)
        if not self.stats.files:
            self.venue = reader.header.venue
        self.stats.files += 1
        for name, description in reader.header.sources.items():
            self.add_source(name, SourceDescription.from_builtins(description))
        for chunk in reader.chunks():
            yield Chunk(chunk.t_us, chunk.src, chunk.data)
        self.stats.capture_problems += reader.problems

    def dump_chunks(
        self, path: Path, dump_format: DumpFormat | None, source: str, line: str
    ) -> Iterator[Chunk]:
        """Chunks of a foreign dump: one P3 source whose clock is taken as the venue clock
        (there are no receive times to map it with)."""
        self.add_source(source, SourceDescription(protocol="p3", line=line, clock="decoder"))
        self.stats.files += 1
        with path.open("rb") as handle:
            for item in read_dump(handle, dump_format or sniff_format(path)):
                if isinstance(item, BadHexLine):
                    self.stats.bad_hex_lines += 1
                    continue
                yield Chunk(0, source, item)
