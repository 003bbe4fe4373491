"""`velotime decode`: print the records in a recorded device dump, or a summary of them.

Each protocol is one `DumpDecoder` entry in `PROTOCOLS`: the module whose `decode` decodes the
dump's chunks (printing records and errors as it goes) and returns the summary, and the dump
format to assume. Only the protocol asked for is imported.
"""

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from velotime.capture.dumps import DumpFormat, read_dump, sniff_format
from velotime.cli.decode.common import Chunks

_FORMATS: dict[str, DumpFormat] = {"raw": "raw", "hex": "hex"}


class DumpDecoder(NamedTuple):
    module: str  # under velotime.cli.decode
    default_format: str  # what --format means when not given: "auto", "raw" or "hex"

    @property
    def decode(self) -> Callable[[Chunks, bool], dict[str, Any]]:
        """(chunks, print_records) -> summary"""
        decode: Callable[[Chunks, bool], dict[str, Any]] = importlib.import_module(
            f"velotime.cli.decode.{self.module}"
        ).decode
        return decode


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "decode",
        description="Decode a recorded device dump. Prints one JSON object per record on stdout "
        "and one per skipped piece of input on stderr; --summary prints one JSON object instead.",
    )
    parser.add_argument("path", type=Path, help="the dump file")
    parser.add_argument("--protocol", required=True, help=f"one of: {', '.join(PROTOCOLS)}")
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
    protocol = PROTOCOLS.get(args.protocol)
    if protocol is None:
        return _fail(f"unknown protocol {args.protocol!r} (known: {', '.join(PROTOCOLS)})")
    path: Path = args.path
    requested: str = args.format or protocol.default_format
    try:
        dump_format: DumpFormat = sniff_format(path) if requested == "auto" else _FORMATS[requested]
        with path.open("rb") as handle:
            chunks = read_dump(handle, dump_format, join_lines=True)
            summary = protocol.decode(chunks, not args.summary)
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


PROTOCOLS: dict[str, DumpDecoder] = {
    "p3": DumpDecoder("p3", "auto"),
    "timy": DumpDecoder("timy", "raw"),
    "lynx": DumpDecoder("lynx", "raw"),
    "lif": DumpDecoder("lif", "raw"),
}
