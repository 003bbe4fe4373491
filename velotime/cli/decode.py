"""`velotime decode`: print the records in a recorded device dump, or a summary of them.

Each protocol family (velotime/families/) contributes its `decode` hook, which decodes the
dump's chunks (printing records and errors as it goes) and returns the summary, and the dump
format to assume.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from velotime.capture.dumps import DumpFormat, read_dump, sniff_format
from velotime.families import families, family

_FORMATS: dict[str, DumpFormat] = {"raw": "raw", "hex": "hex"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "decode",
        description="Decode a recorded device dump. Prints one JSON object per record on stdout "
        "and one per skipped piece of input on stderr; --summary prints one JSON object instead.",
    )
    parser.add_argument("path", type=Path, help="the dump file")
    parser.add_argument("--protocol", required=True, help=f"one of: {_names()}")
    parser.add_argument(
        "--format",
        choices=("auto", "raw", "hex"),
        default=None,
        help="raw bytes or one hex line per chunk, or detect (default: detect for p3, raw for "
        "the others)",
    )
    parser.add_argument("--summary", action="store_true", help="print only the counts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        protocol = family(args.protocol)
    except KeyError:
        return _fail(f"unknown protocol {args.protocol!r} (known: {_names()})")
    path: Path = args.path
    requested: str = args.format or protocol.dump_format
    try:
        dump_format: DumpFormat = sniff_format(path) if requested == "auto" else _FORMATS[requested]
        with path.open("rb") as handle:
            chunks = read_dump(handle, dump_format, join_lines=True)
            summary = protocol.decode.load()(chunks, not args.summary)
    except BrokenPipeError:
        raise  # stdout went away (`| head`): not a file problem; main() handles it
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    if args.summary:
        sys.stdout.write(msgspec.json.encode(summary).decode() + "\n")
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime decode: {message}\n")
    return 2


def _names() -> str:
    return ", ".join(f.name for f in families())
