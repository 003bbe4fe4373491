"""What a capture holds, for the people who read it: the venue's times of day, and a summary of
a file (its sources, the operator's commands as a timeline, the events armed).

`velotime capture info` prints `capture_info`; `velotime replay` resolves its `--from`/`--to`
times of day with `session_instant`. Nothing here decodes device bytes: a summary of a whole
day's capture takes the time to read the file, no more. The capture holds the commands as the
desk sent them, not whether the scoring applied them: `mark_refused` marks those a scoring of
the capture (`velotime capture info --meet`, which replays it) refused.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from velotime.capture.format import CONTROL_SOURCE, CaptureHeader
from velotime.capture.reader import CaptureProblem, read_capture
from velotime.capture.tally import ChunkTally
from velotime.times import US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, local_time_of_day_to_unix_us
from velotime.wire.commands import decode_command
from velotime.wire.errors import WireError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
# A time of day names the instant in the 24 hours from 6 hours before the session's first chunk:
# a session that runs past midnight takes "00:30" as the next day's.
_BEFORE_SESSION_US = 6 * US_PER_HOUR
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")


def venue_timezone(header: CaptureHeader) -> str | None:
    """The venue's time zone as the header gives it: a Timy's or a camera's `timezone` (the
    daemon writes `venue.timezone` there). None when no source says (P3 only, or UTC)."""
    for description in header.sources.values():
        zone = description.get("timezone")
        if isinstance(zone, str) and zone:
            return zone
    return None


def load_zone(name: str) -> ZoneInfo:
    """A time zone by its IANA name; ValueError naming it if there is no such zone."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_time_of_day(text: str) -> int:
    """Parse "14:30", "14:30:15" or "14:30:15.250" to microseconds after midnight; ValueError."""
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a time of day like 14:30 or 14:30:15: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
        raise ValueError(f"not a time of day like 14:30 or 14:30:15: {text!r}")
    return (
        int(hours) * US_PER_HOUR
        + int(minutes) * US_PER_MINUTE
        + int(seconds or 0) * US_PER_SECOND
        + int((fraction or "").ljust(6, "0"))
    )


def session_instant(time_of_day_us: int, session_start_us: int, zone: tzinfo) -> int:
    """The instant (unix microseconds) when the venue's clocks show `time_of_day_us`, on the day
    that puts it from 6 hours before `session_start_us` to 18 hours after."""
    near = session_start_us - _BEFORE_SESSION_US + 12 * US_PER_HOUR
    return local_time_of_day_to_unix_us(time_of_day_us, near, zone)


class LocalClock:
    """Instants as the venue's clocks show them. A time on another day than `reference_us` (the
    session's first chunk) is marked "+1d" (or "-1d"), so a session past midnight reads right."""

    def __init__(self, zone: tzinfo, zone_name: str, reference_us: int) -> None:
        self.zone = zone
        self.zone_name = zone_name
        self.reference = self.local(reference_us).date()

    def local(self, t_us: int) -> datetime:
        return (_EPOCH + t_us * _ONE_US).astimezone(self.zone)

    def time(self, t_us: int | None) -> str:
        """HH:MM:SS (truncated), with the day's offset from the reference day if any."""
        if t_us is None:
            return "-"
        local = self.local(t_us)
        days = (local.date() - self.reference).days
        return local.strftime("%H:%M:%S") + (f"{days:+d}d" if days else "")

    def date_time(self, t_us: int | None) -> str:
        if t_us is None:
            return "-"
        return self.local(t_us).strftime("%Y-%m-%d %H:%M:%S")

    def iso(self, t_us: int | None) -> str | None:
        """ISO 8601 with the offset: unambiguous across midnight and DST, for tools."""
        return None if t_us is None else self.local(t_us).isoformat()


def span_text(duration_us: int) -> str:
    """A duration as H:MM:SS or M:SS, truncated to the second."""
    seconds = max(0, duration_us) // US_PER_SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(kw_only=True)
class SourceInfo(ChunkTally):
    """One source: as the header describes it, and what the file holds of it."""

    name: str
    protocol: str | None  # None: chunks of a source the header does not describe
    lines: str = ""  # its timing lines, as the header maps them
    endpoint: str | None = None


@dataclass(frozen=True)
class CommandEntry:
    """An operator command where the capture recorded it; `error` says why replay cannot apply
    it (then `command` is whatever JSON object could be read, or None)."""

    t_us: int
    command: dict[str, Any] | None
    error: str | None = None
    raw: bytes = b""
    refused: str | None = None  # why the scoring refused it (`mark_refused`)


@dataclass
class EventSpan:
    """An event of the meet as the desk drove it: when armed, made provisional and final (by
    the commands the scoring applied, where `mark_refused` says which it refused)."""

    event: str
    armed_us: list[int] = field(default_factory=list)
    provisional_us: int | None = None
    final_us: int | None = None
    first_us: int = 0  # its first and last command
    last_us: int = 0
    commands: int = 0
    refused: int = 0  # of which the scoring refused


@dataclass(kw_only=True)
class CaptureInfo(ChunkTally):
    """A capture file: its header, its sources and the operator's commands; the tally is of
    every chunk in it."""

    path: Path
    header: CaptureHeader
    zone_name: str
    clock: LocalClock
    sources: dict[str, SourceInfo]
    commands: list[CommandEntry]
    events: list[EventSpan]
    problems: list[CaptureProblem]
    checked_with: str | None = None  # the meet the commands were checked with (mark_refused)

    @property
    def unreadable_commands(self) -> int:
        return sum(1 for entry in self.commands if entry.error is not None)


def capture_info(
    path: Path, lines_of: Callable[[dict[str, Any]], str], timezone: str | None = None
) -> CaptureInfo:
    """Read a capture file through; `lines_of` tells a source's timing lines from its header
    entry (each protocol family's hook: `velotime.families.lines_text`). Raises OSError or
    CaptureFormatError for a file that is no capture, ValueError for an unknown `timezone`;
    unreadable lines are counted, not raised."""
    reader = read_capture(path)
    header = reader.header
    zone_name = timezone or venue_timezone(header) or "UTC"
    zone = load_zone(zone_name)
    sources = {
        name: SourceInfo(
            name=name,
            protocol=str(description.get("protocol")),
            lines=lines_of(description),
            endpoint=description.get("endpoint"),
        )
        for name, description in header.sources.items()
    }
    info = CaptureInfo(
        path=path,
        header=header,
        zone_name=zone_name,
        clock=LocalClock(zone, zone_name, header.started_us or 0),
        sources=sources,
        commands=[],
        events=[],
        problems=reader.problems,
    )
    for chunk in reader.chunks():
        source = sources.get(chunk.src)
        if source is None:
            protocol = "control" if chunk.src == CONTROL_SOURCE else None
            source = sources[chunk.src] = SourceInfo(name=chunk.src, protocol=protocol)
        info.add(chunk.t_us, chunk.data)
        source.add(chunk.t_us, chunk.data)
        if chunk.src == CONTROL_SOURCE and chunk.data:
            info.commands.append(_command(chunk.t_us, chunk.data))
    if info.first_us is not None:
        info.clock = LocalClock(zone, zone_name, info.first_us)
    info.events = event_spans(info.commands)
    return info


def _command(t_us: int, data: bytes) -> CommandEntry:
    try:
        command = msgspec.to_builtins(decode_command(data))
    except WireError as exc:
        try:
            loose = msgspec.json.decode(data)
        except msgspec.DecodeError:
            loose = None
        readable = loose if isinstance(loose, dict) else None
        return CommandEntry(t_us, readable, error=str(exc), raw=data)
    return CommandEntry(t_us, command, raw=data)


def event_spans(commands: Iterable[CommandEntry]) -> list[EventSpan]:
    """The events the commands name, in the order the desk first named them."""
    spans: dict[str, EventSpan] = {}
    for entry in commands:
        if entry.error is not None or entry.command is None:
            continue
        name = str(entry.command.get("event"))
        span = spans.get(name)
        if span is None:
            span = spans[name] = EventSpan(event=name, first_us=entry.t_us)
        span.commands += 1
        span.last_us = entry.t_us
        if entry.refused is not None:
            span.refused += 1
            continue
        kind = entry.command.get("type")
        if kind == "arm":
            span.armed_us.append(entry.t_us)
        elif kind == "provisional" and span.provisional_us is None:
            span.provisional_us = entry.t_us
        elif kind == "final":
            span.final_us = entry.t_us
        elif kind == "reopen":  # provisional again, until the next final
            span.final_us = None
            span.provisional_us = span.provisional_us or entry.t_us
    return list(spans.values())


# A command the scoring refused: when the daemon received it (the capture's time of its chunk),
# the command as the scoring read it (JSON types), and why.
Refusal = tuple[int, dict[str, Any], str]


def mark_refused(info: CaptureInfo, refusals: Sequence[Refusal], meet: str) -> None:
    """Mark the commands a scoring of the capture with `meet` refused, and work the events'
    spans out again from the commands it applied. A refusal is matched to the command of the
    same time and content (two alike in one microsecond: the later one, as it was refused)."""
    left = Counter((t_us, _key(command)) for t_us, command, _ in refusals)
    reasons: dict[tuple[int, str], list[str]] = {}
    for t_us, command, reason in refusals:
        reasons.setdefault((t_us, _key(command)), []).append(reason)
    marked: list[CommandEntry] = []
    for entry in reversed(info.commands):
        key = (entry.t_us, _key(entry.command)) if entry.error is None else None
        if key is not None and left[key] > 0:
            left[key] -= 1
            entry = replace(entry, refused=reasons[key][left[key]])
        marked.append(entry)
    info.commands = marked[::-1]
    info.events = event_spans(info.commands)
    info.checked_with = meet


def _key(command: dict[str, Any] | None) -> str:
    return msgspec.json.encode(command, order="sorted").decode()


def info_json(info: CaptureInfo) -> dict[str, Any]:
    """The summary as JSON for tools. Every instant is given twice: `<name>_us` in unix
    microseconds, and `<name>` as the venue's local time, ISO 8601 with its offset."""
    clock = info.clock
    header = info.header
    return {
        "path": str(info.path),
        "venue": header.venue,
        "timezone": info.zone_name,
        "started_us": header.started_us,
        "started": clock.iso(header.started_us),
        "first_us": info.first_us,
        "first": clock.iso(info.first_us),
        "last_us": info.last_us,
        "last": clock.iso(info.last_us),
        "chunks": info.chunks,
        "bytes": info.bytes,
        "lines": dict(header.lines),
        "track_length_m": header.track_length_m,
        "sources": {
            name: {
                "protocol": source.protocol,
                "lines": source.lines,
                "endpoint": source.endpoint,
                "chunks": source.chunks,
                "bytes": source.bytes,
                "connections": source.connections,
                "first_us": source.first_us,
                "first": clock.iso(source.first_us),
                "last_us": source.last_us,
                "last": clock.iso(source.last_us),
            }
            for name, source in info.sources.items()
        },
        "commands": [
            {
                "t_us": entry.t_us,
                "time": clock.iso(entry.t_us),
                "type": (entry.command or {}).get("type"),
                "event": (entry.command or {}).get("event"),
                "bib": (entry.command or {}).get("bib"),
                "command": entry.command,
                "error": entry.error,
                "refused": entry.refused,
            }
            for entry in info.commands
        ],
        "unreadable_commands": info.unreadable_commands,
        "events": [
            {
                "event": span.event,
                "armed_us": span.armed_us,
                "armed": [clock.iso(t_us) for t_us in span.armed_us],
                "provisional_us": span.provisional_us,
                "provisional": clock.iso(span.provisional_us),
                "final_us": span.final_us,
                "final": clock.iso(span.final_us),
                "first_us": span.first_us,
                "first": clock.iso(span.first_us),
                "last_us": span.last_us,
                "last": clock.iso(span.last_us),
                "commands": span.commands,
                "refused": span.refused,
            }
            for span in info.events
        ],
        "unreadable_lines": [
            {"line": problem.line_number, "reason": problem.reason} for problem in info.problems
        ],
        "checked_with_meet": info.checked_with,  # None: `refused` is unknown, not "none"
    }
