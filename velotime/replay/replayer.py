"""Recorded bytes through the same sessions the live daemon uses, and their events to a sink.

Sources come from capture headers (their line mapping, clock mode and the state the daemon
resumed from), so a capture replays identically with no configuration. Foreign dumps (what
`velotime decode` reads) replay as one source with no receive times.
"""

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from velotime.capture import (
    CONTROL_SOURCE,
    CaptureHeader,
    CaptureProblem,
    CaptureReader,
    ChunkTally,
)
from velotime.capture.dumps import BadHexLine, DumpFormat, read_dump, sniff_format
from velotime.capture.reader import CaptureFormatError
from velotime.daemon.sources import ControlDescription, open_capture, photocell_lines
from velotime.drivers.lynx.session import race_key
from velotime.drivers.session import Session
from velotime.families import family
from velotime.families.base import SourceDescription
from velotime.families.family import ReadFile
from velotime.replay.sinks import EventSink
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.lynx_export import lynx_files
from velotime.scoring.meet import Meet
from velotime.wire.commands import Arm
from velotime.wire.events import CommandData, Event, PhotoFinishData

# A result file scored without a capture: the lines the engine is told of (the camera films the
# finish; a file has no other line) and the lap.
_FILE_LINES = {"finish": 0.0}


@dataclass(frozen=True)
class Chunk:
    t_us: int
    src: str
    data: bytes  # empty: the source (re)connected


@dataclass(frozen=True)
class DumpSource:
    """How to read a foreign dump (what `velotime decode` reads): its protocol, and what a
    capture header would otherwise say."""

    protocol: str  # a protocol family's name (velotime/families/)
    format: DumpFormat | None = None  # None: the family's (detect, for p3)
    line: str = "finish"  # p3: the decoder's timing line
    timezone: str = "UTC"  # timy, lynx, lif: the venue's
    received_us: int = 0  # when the dump is taken as received (dates times of day)

    def description(self) -> SourceDescription | None:
        """The dump as one source, as its family describes it; None for a family whose files
        are no stream (a FinishLynx result file: its family reads them whole)."""
        describe = family(self.protocol).dump_description
        return describe.load()(self.line, self.timezone) if describe is not None else None


@dataclass(frozen=True)
class ReplayedFile:
    """A file as replay read it: a capture (with its header) or a foreign dump."""

    path: Path
    header: CaptureHeader | None = None  # None: a dump
    protocol: str | None = None  # a dump's


@dataclass(kw_only=True)
class SourceStats(ChunkTally):
    """One source's chunks as fed, and what its session made of them."""

    protocol: str
    events: int = 0  # output (written or published)
    errors: int = 0  # frame errors; for the control source, unreadable commands


@dataclass(kw_only=True)
class ReplayStats(ChunkTally):
    """What a replay read and made. `events` counts the events output; `held_back` those made
    before the start of the range (`Replayer.feed(output=False)`): sessions and scoring had
    them, nobody else."""

    files: list[ReplayedFile] = field(default_factory=list)
    events: int = 0
    held_back: int = 0
    frame_errors: int = 0
    capture_problems: list[tuple[Path, CaptureProblem]] = field(default_factory=list)
    bad_hex_lines: int = 0
    file_warnings: int = 0  # of the files read whole (FinishLynx result files)
    # What became of each file read whole with a meet: the event it was scored as, or why not.
    file_scoring: list[str] = field(default_factory=list)
    commands: int = 0
    bad_commands: int = 0
    command_types: Counter[str] = field(default_factory=Counter)  # of every command read
    kinds: Counter[str] = field(default_factory=Counter)  # of the events output
    sources: dict[str, SourceStats] = field(default_factory=dict)


class Replayer:
    """Feeds chunks to per-source sessions and their events, numbered, to `sink`; with a meet,
    also scores them: timing events and the operator commands recorded in the capture go to a
    scoring engine in capture order, as they reached the live one."""

    def __init__(self, sink: EventSink, meet: Meet | None = None) -> None:
        self.sink = sink
        self.meet = meet
        self.engine: ScoringEngine | None = None
        self.sessions: dict[str, Session] = {}
        self.stats = ReplayStats()
        self.venue = "dump"  # until a capture header names it
        self._bytes_done = 0  # of the capture files read through
        self._reader: CaptureReader | None = None  # the capture being read
        self._file_events: dict[str, str] | None = None  # the meet's heats, once a file needs them

    @property
    def bytes_read(self) -> int:
        """Bytes of the capture files read so far (headers and unreadable lines included)."""
        return self._bytes_done + (self._reader.bytes_read if self._reader else 0)

    def add_source(self, name: str, description: SourceDescription) -> None:
        """A source as a capture header describes it. A later capture of the same source starts
        where the live daemon restarted: from the state and `seq` that header gives."""
        self.sessions[name] = description.new_session(name)
        self.sink.resume(name, description.seq)
        if name not in self.stats.sources:
            self.stats.sources[name] = SourceStats(protocol=description.protocol)

    def feed(self, chunk: Chunk, output: bool = True) -> None:
        """Feed one chunk to its source's session (and its events to the scoring engine). With
        `output` false the events are numbered but not queued: a replay from a time of day
        still gives the sessions and the scoring everything before it."""
        if chunk.src == CONTROL_SOURCE and CONTROL_SOURCE not in self.sessions:
            # Captures from before commands were sequenced do not describe this source.
            self.add_source(CONTROL_SOURCE, ControlDescription())
        session = self.sessions[chunk.src]
        stats, source = self.stats, self.stats.sources[chunk.src]
        stats.add(chunk.t_us, chunk.data)
        source.add(chunk.t_us, chunk.data)
        # Empty data marks a new connection of the source.
        out = session.feed(chunk.t_us, chunk.data) if chunk.data else session.connected(chunk.t_us)
        source.errors += len(out.errors)
        if chunk.src == CONTROL_SOURCE:
            stats.commands += 1
            stats.bad_commands += len(out.errors)
            for event in out.events:
                if isinstance(event.data, CommandData):
                    stats.command_types[str(event.data.command.__struct_config__.tag)] += 1
        else:
            stats.frame_errors += len(out.errors)
        if not out.events:
            return
        if output:
            self.sink.append(chunk.src, out.events)
            stats.events += len(out.events)
            source.events += len(out.events)
            stats.kinds.update(event.kind for event in out.events)
        else:  # numbered as live, so that the events output later keep their seq
            self.sink.resume(chunk.src, self.sink.last_seq(chunk.src) + len(out.events))
            stats.held_back += len(out.events)
        if self.engine is not None:  # only the final results are wanted: built once, at the end
            for event in out.events:
                self.engine.take(event)

    def file_chunks(self, path: Path, dump: "DumpSource | None") -> Generator[Chunk, None, None]:
        """Chunks of a capture file, or of a foreign dump read as `dump` says."""
        return self.dump_chunks(path, dump) if dump else self.capture_chunks(path)

    def capture_chunks(self, path: Path) -> Generator[Chunk, None, None]:
        """Chunks of a capture file; its sources are added first. Raises OSError and
        CaptureFormatError before the first chunk; bad lines are counted, not raised (also when
        the caller stops early and closes the iterator)."""
        reader, descriptions = open_capture(path)
        if not self.stats.files:
            self.venue = reader.header.venue
        if self.meet is not None and self.engine is None:
            if not reader.header.lines:
                raise CaptureFormatError(f"{path}: the capture does not name the venue's lines")
            length = reader.header.track_length_m or 250
            photocells = photocell_lines(descriptions.values())
            self.engine = ScoringEngine(
                self.meet, reader.header.lines, length, photocells, reader.header.roles
            )
        self.stats.files.append(ReplayedFile(path, reader.header))
        for name, description in descriptions.items():
            self.add_source(name, description)
        self._reader = reader
        try:
            for chunk in reader.chunks():
                yield Chunk(chunk.t_us, chunk.src, chunk.data)
        finally:
            self._reader = None
            self._bytes_done += reader.bytes_read
            self.stats.capture_problems += [(path, problem) for problem in reader.problems]

    def dump_chunks(self, path: Path, dump: DumpSource) -> Generator[Chunk, None, None]:
        """Chunks of a foreign dump, as one source. A dump has no receive times: every chunk is
        taken as received at `dump.received_us`, which dates a timer's times of day; a P3
        decoder's clock is taken as the venue clock."""
        protocol = dump.protocol
        description = dump.description()
        if description is None:
            read_file = family(protocol).read_file
            if read_file is None:
                raise ValueError(f"the {protocol} family has no dumps to replay")
            self._read_whole(path, dump, read_file.load())
            return
        self.add_source(protocol, description)
        self.stats.files.append(ReplayedFile(path, protocol=protocol))
        default = family(protocol).dump_format
        fmt = dump.format or (sniff_format(path) if default == "auto" else default)
        with path.open("rb") as handle:
            for item in read_dump(handle, fmt):
                if isinstance(item, BadHexLine):
                    self.stats.bad_hex_lines += 1
                    continue
                yield Chunk(dump.received_us, dump.protocol, item)

    def _read_whole(self, path: Path, dump: DumpSource, read_file: ReadFile) -> None:
        """A file that is no stream (a result file): its events come at once, from its family."""
        protocol = dump.protocol
        # Without --date, the file is dated by when it was written, as `import-lif` dates it.
        written_us = dump.received_us or path.stat().st_mtime_ns // 1000
        read = read_file(
            path.read_bytes(), str(path), protocol, ZoneInfo(dump.timezone), written_us
        )
        self.stats.files.append(ReplayedFile(path, protocol=protocol))
        self.stats.file_warnings += len(read.warnings)
        if not read.events:
            if self.meet is not None:
                self.stats.file_scoring.append(f"{path}: no heat in it, nothing to score")
            return
        if self.meet is not None:
            self._score_file(path, read.events, written_us)
        self.sink.append(protocol, read.events)
        self.stats.events += len(read.events)
        self.stats.kinds.update(event.kind for event in read.events)
        source = self.stats.sources.setdefault(protocol, SourceStats(protocol=protocol))
        source.events += len(read.events)
        source.errors += len(read.warnings)

    def _score_file(self, path: Path, events: list[Event], received_us: int) -> None:
        """A result file without a capture has no desk commands: the meet event its heat is
        (`file_events`) is armed for it, and its events scored."""
        assert self.meet is not None
        if self.engine is None:
            self.engine = ScoringEngine(self.meet, _FILE_LINES)
        race = events[0].data
        assert isinstance(race, PhotoFinishData)  # a result file gives photo-finish events
        key = race_key(race.event, race.round, race.heat)
        heat = f"heat {key} {race.event_name or ''!r}"
        if self._file_events is None:
            self._file_events = file_events(self.meet)
        event_id = self._file_events.get(key)
        if event_id is None:
            self.stats.file_scoring.append(f"{path}: {heat} is no heat of the meet")
            return
        skipped = len(self.engine.skipped_commands)
        self.engine.take_command(Arm(event=event_id), received_us)
        if len(self.engine.skipped_commands) > skipped:  # a later round's heat, never drawn
            why = self.engine.skipped_commands[-1]
            self.stats.file_scoring.append(f"{path}: {heat} is {event_id}, not scored: {why}")
            return
        self.stats.file_scoring.append(f"{path}: {heat} scored as {event_id}")
        for timing in events:
            self.engine.take(timing)


def file_events(meet: Meet) -> dict[str, str]:
    """The meet's heats by FinishLynx's numbering of them (race key "event-round-heat"), as
    `velotime meet lynx-export` gave them to the camera: the meet event each result file is."""
    return {
        race_key(heat.event, heat.round, heat.heat): event_id
        for heat, event_id in lynx_files(meet, {}).heats
    }


def resumed_seqs(path: Path) -> dict[str, int]:
    """The `seq` each source of a capture resumed from, as its header says: the events a
    previous file numbered beyond it never reached the live outbox (the daemon died between
    reading their bytes and queueing them), and came again later, resent by the device.
    Raises OSError and CaptureFormatError."""
    _, descriptions = open_capture(path)
    return {name: description.seq for name, description in descriptions.items()}
