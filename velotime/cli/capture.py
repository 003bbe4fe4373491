"""`velotime capture info`: what a capture file holds, for an official or a tool.

The capture records the commands as the desk sent them. With `--meet` the captures are scored
as `velotime replay --meet` scores them (all of them in order, as one session), and the
commands the scoring refused are shown as refused, with the reason, and left out of the
events' spans: without it, the spans are what the desk sent.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from velotime.capture.info import (
    CaptureInfo,
    CommandEntry,
    Refusal,
    capture_info,
    info_json,
    load_zone,
    mark_refused,
    span_text,
)
from velotime.capture.reader import CaptureFormatError
from velotime.daemon.sources import open_capture
from velotime.families import lines_text
from velotime.replay import run_offline
from velotime.scoring.meet import MeetError, load_meet

_DETAILS = ("status", "place", "time")  # shown after the bib, before the reason


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "capture",
        description="Look inside capture files (docs/capture-format.md).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    info = actions.add_parser(
        "info",
        help="the sources, the operator's commands and the events of a capture",
        description="For each capture file: the venue and when it began, its sources with "
        "their chunks and first and last times, the operator's commands in order, and the "
        "events armed with when they were made provisional and final. Times of day are the "
        "venue's (the capture header's time zone, else UTC). Unreadable lines are counted and "
        "listed, never fatal.",
    )
    info.add_argument("paths", type=Path, nargs="+", metavar="FILE")
    info.add_argument("--json", action="store_true", help="one JSON object, for tools")
    info.add_argument("--timezone", help="the venue's time zone (default: the capture's, else UTC)")
    info.add_argument(
        "--meet",
        type=Path,
        help="score the captures with this meet file, as `velotime replay --meet` does, and "
        "show the commands the scoring refused as refused (takes as long as that replay)",
    )
    info.set_defaults(run=run_info)


def run_info(args: argparse.Namespace) -> int:
    try:
        if args.timezone:
            load_zone(args.timezone)  # before reading anything
        for path in args.paths:
            open_capture(path)  # a header of the wrong shape: one line naming the key
        infos = [capture_info(path, lines_text, args.timezone) for path in args.paths]
        if args.meet:
            refusals = _refusals(args.paths, args.meet)
            for info in infos:
                mark_refused(info, refusals, str(args.meet))
    except (OSError, CaptureFormatError, ValueError, MeetError) as exc:
        sys.stderr.write(f"velotime capture info: {exc}\n")
        return 2
    if args.json:
        document = {"files": [info_json(info) for info in infos]}
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(line for info in infos for line in info_text(info)) + "\n")
    return 0


def _refusals(paths: list[Path], meet_path: Path) -> list[Refusal]:
    """The commands a scoring of the captures with this meet refuses, as a replay scores
    them. Raises MeetError, OSError, CaptureFormatError."""
    report = run_offline(paths, None, meet=load_meet(meet_path, "--meet"))
    return [
        (refusal.at_us, msgspec.to_builtins(refusal.command), refusal.reason)
        for refusal in report.refused
        if isinstance(refusal.at_us, int)  # a replay knows when each came
    ]


def info_text(info: CaptureInfo) -> list[str]:
    clock = info.clock
    header = info.header
    started = (
        f"started {clock.date_time(header.started_us)}"
        if header.started_us is not None
        else "start not recorded"
    )
    out = [f"{info.path}", f"  venue {header.venue}, {started} ({info.zone_name})"]
    if info.first_us is None:
        out.append("  no chunks")
    else:
        out.append(
            f"  {info.chunks} chunks, {info.bytes} bytes, from {clock.date_time(info.first_us)} "
            f"to {clock.time(info.last_us)}"
        )
    if header.lines:
        lines = ", ".join(f"{name} {distance:g} m" for name, distance in header.lines.items())
        track = f"; track {header.track_length_m:g} m" if header.track_length_m else ""
        out.append(f"  lines {lines}{track}")
    rows = [["source", "protocol", "lines", "chunks", "bytes", "first", "last", "endpoint"]]
    rows += [
        [
            source.name,
            source.protocol or "?",
            source.lines or "-",
            str(source.chunks),
            str(source.bytes),
            clock.time(source.first_us),
            clock.time(source.last_us),
            source.endpoint or "-",
        ]
        for source in info.sources.values()
    ]
    out += table(rows, numeric={3, 4}, indent="  ")
    counted = f"{info.unreadable_commands} unreadable"
    if info.checked_with is not None:
        refused = sum(1 for entry in info.commands if entry.refused is not None)
        counted += f", {refused} refused by the scoring service with {info.checked_with}"
    out.append(f"  commands: {len(info.commands)} ({counted})")
    out += table([command_row(clock.time(e.t_us), e) for e in info.commands], indent="    ")
    if info.events:
        if info.checked_with is None:
            out.append("  events, as the desk sent them (--meet: as the scoring took them):")
        else:
            out.append("  events, by the commands the scoring applied:")
        spans = []
        for span in info.events:
            armed = clock.time(span.armed_us[0]) if span.armed_us else "never"
            if len(span.armed_us) > 1:
                armed += f" (armed {len(span.armed_us)} times)"
            end = span.final_us if span.final_us is not None else span.last_us
            spans.append(
                [
                    span.event,
                    f"armed {armed}",
                    f"provisional {clock.time(span.provisional_us)}",
                    f"final {clock.time(span.final_us)}"
                    if span.final_us is not None
                    else "not final",
                    f"for {span_text(end - span.armed_us[0])}" if span.armed_us else "",
                    f"{span.commands} commands"
                    + (f", {span.refused} refused" if span.refused else ""),
                ]
            )
        out += table(spans, indent="    ")
    out.append(f"  unreadable lines: {len(info.problems)}")
    out += [f"    line {p.line_number}: {p.reason}" for p in info.problems]
    return out


def command_row(time_text: str, entry: CommandEntry) -> list[str]:
    """A command as a timeline row: time, type, event, bib, details, reason."""
    command = entry.command or {}
    if entry.error is not None:
        shown = json.dumps(entry.raw.decode("utf-8", "replace")[:60], ensure_ascii=False)
        return [time_text, "unreadable", "", "", "", f"{shown}: {entry.error}"]
    details = [
        f"{key} {command[key]}" if key != "status" else str(command[key])
        for key in _DETAILS
        if command.get(key) not in (None, "")
    ]
    reason = command.get("reason")
    row = [
        time_text,
        str(command.get("type", "?")),
        str(command.get("event", "")),
        f"bib {command['bib']}" if command.get("bib") is not None else "",
        " ".join(details),
        json.dumps(reason, ensure_ascii=False) if reason else "",
    ]
    return row + ([f"REFUSED: {entry.refused}"] if entry.refused is not None else [])


def table(
    rows: Sequence[Sequence[str]], numeric: set[int] | None = None, indent: str = ""
) -> list[str]:
    """Rows as aligned columns, two spaces apart; columns in `numeric` right-aligned."""
    if not rows:
        return []
    numeric = numeric or set()
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        out.append((indent + "  ".join(cells)).rstrip())
    return out
