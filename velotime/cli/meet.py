"""`velotime meet`: the meet file's riders from and to CSV, and the FinishLynx camera's input
files from the meet (docs/meet-format.md, docs/operations.md)."""

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from velotime.scoring.lynx_export import lynx_files
from velotime.scoring.meet import MeetError, read_meet
from velotime.scoring.meet_riders import with_riders, write_atomically
from velotime.scoring.riders_csv import COLUMNS, RidersCsvError, parse_riders_csv, riders_csv
from velotime.wire.results import Standings

LYNX_FILES = ("lynx.ppl", "lynx.evt", "lynx.sch")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "meet", description="The meet file's riders from and to CSV; the photo-finish camera's "
        "input files from the meet.",
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    imports = actions.add_parser(
        "import",
        help="replace the meet's riders with those of a CSV file",
        description="Replace the [[riders]] of the meet file with the riders of a CSV file "
        f"(a header row naming the columns: {', '.join(COLUMNS)}; docs/meet-format.md). The "
        "rest of the meet file is left as it is. Every problem is reported, one line each by "
        "the line of the file, and then nothing is written.",
    )
    imports.add_argument("csv", type=Path, metavar="CSV", help="the riders")
    imports.add_argument("--meet", type=Path, required=True, help="the meet file to write into")
    imports.set_defaults(run=run_import)
    exports = actions.add_parser(
        "export",
        help="the meet's riders as CSV",
        description="The meet's riders as CSV, in the columns `velotime meet import` reads.",
    )
    exports.add_argument("--meet", type=Path, required=True, help="the meet file")
    exports.add_argument(
        "--output", type=Path, metavar="FILE", help="write here (default: standard output)"
    )
    exports.set_defaults(run=run_export)
    lynx = actions.add_parser(
        "lynx-export",
        help="write the FinishLynx camera's lynx.ppl, lynx.evt and lynx.sch",
        description="Write the meet's riders (lynx.ppl), its events and heats with their "
        "entrants (lynx.evt) and their order (lynx.sch) into the folder FinishLynx reads its "
        "input from (docs/operations.md#the-photo-finish-cameras-start-lists).",
    )
    lynx.add_argument("directory", type=Path, metavar="DIR", help="FinishLynx's input folder")
    lynx.add_argument("--meet", type=Path, required=True, help="the meet file")
    lynx.add_argument(
        "--results",
        type=Path,
        metavar="DIR",
        help="a results folder (velotime replay --results): the keirin rounds drawn up so far, "
        "from its standings/<competition>.json",
    )
    lynx.set_defaults(run=run_lynx_export)


def run_import(args: argparse.Namespace) -> int:
    try:
        data = args.csv.read_bytes()
    except OSError as exc:
        return _fail(f"{args.csv}: cannot read: {exc.strerror or exc}")
    try:
        riders = parse_riders_csv(data, str(args.csv))
        text = _meet_text(args.meet)
        new_text, meet = with_riders(text, riders, str(args.meet))
    except (RidersCsvError, MeetError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    try:
        write_atomically(args.meet, new_text.encode("utf-8"))
    except OSError as exc:
        return _fail(f"{args.meet}: cannot write: {exc.strerror or exc}; left as it was")
    transponders = sum(len(rider.transponders) for rider in meet.riders)
    sys.stdout.write(
        f"{args.meet}: {len(meet.riders)} riders with {transponders} transponders from {args.csv}\n"
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    try:
        meet, _ = read_meet(args.meet, "--meet")
    except MeetError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    data = riders_csv(meet.riders).encode("utf-8")
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        write_atomically(args.output, data)
    except OSError as exc:
        return _fail(f"{args.output}: cannot write: {exc.strerror or exc}")
    sys.stdout.write(f"{args.output}: {len(meet.riders)} riders\n")
    return 0


def run_lynx_export(args: argparse.Namespace) -> int:
    try:
        meet, _ = read_meet(args.meet, "--meet")
    except MeetError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.results is not None and not args.results.is_dir():
        return _fail(f"--results: {args.results}: no such folder")
    draws: dict[str, Standings] = {}
    for competition in meet.competitions if args.results else ():
        path = args.results / "standings" / f"{competition.id}.json"
        try:
            draws[competition.id] = msgspec.json.decode(path.read_bytes(), type=Standings)
        except FileNotFoundError:
            continue  # not started: round 1 comes from the seeding
        except OSError as exc:
            return _fail(f"--results: {path}: cannot read: {exc.strerror or exc}")
        except msgspec.DecodeError as exc:
            return _fail(f"--results: {path}: not the standings of a competition: {exc}")
    try:
        files = lynx_files(meet, draws)
    except ValueError as exc:
        return _fail(f"--results: {exc}")
    if not args.directory.is_dir():
        return _fail(f"{args.directory}: no such folder")
    for name, data in zip(LYNX_FILES, (files.ppl, files.evt, files.sch), strict=True):
        try:
            write_atomically(args.directory / name, data)
        except OSError as exc:
            return _fail(f"{args.directory / name}: cannot write: {exc.strerror or exc}")
    for change in files.changed:
        sys.stderr.write(f"velotime meet lynx-export: {change} (not in Windows-1252)\n")
    events = len({heat.event for heat, _ in files.heats})
    out = [
        f"{args.directory / 'lynx.ppl'}: {len(meet.riders)} riders",
        f"{args.directory / 'lynx.evt'}: {events} events, {len(files.heats)} heats",
        f"{args.directory / 'lynx.sch'}: {len(files.heats)} heats in order",
    ]
    out += [
        f"  event {heat.event} round {heat.round} heat {heat.heat}: {event_id}, "
        f"{len(heat.entrants)} riders"
        for heat, event_id in files.heats
    ]
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _meet_text(path: Path) -> str:
    """The meet file's text, which need not be a valid meet yet (it may have no riders)."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise MeetError(f"--meet: {path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise MeetError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime meet: {message}\n")
    return 2
