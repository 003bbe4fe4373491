"""`velotime decode`: print the records in a recorded device dump, or a summary of them."""

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from velotime.cli.dumps import BadHexLine, DumpFormat, read_dump, sniff_format
from velotime.protocols.p3 import FrameError, P3Record, P3Stream, Passing
from velotime.protocols.p3.gaps import GapTracker
from velotime.protocols.p3.json import record_to_builtins

PROTOCOLS = ("p3",)
_RAW_SHOWN = 64  # bytes of a skipped piece shown in an error line


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "decode",
        help="decode a recorded device dump to JSON lines",
        description="Decode a recorded device dump. Prints one JSON object per record on stdout "
        "and one per skipped piece of input on stderr; --summary prints one JSON object instead.",
    )
    parser.add_argument("path", type=Path, help="the dump file")
    parser.add_argument("--protocol", required=True, help=f"one of: {', '.join(PROTOCOLS)}")
    parser.add_argument(
        "--format",
        choices=("auto", "raw", "hex"),
        default="auto",
        help="raw bytes or one hex line per chunk (default: detect)",
    )
    parser.add_argument("--summary", action="store_true", help="print only the counts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.protocol not in PROTOCOLS:
        return _fail(f"unknown protocol {args.protocol!r} (known: {', '.join(PROTOCOLS)})")
    path: Path = args.path
    try:
        dump_format: DumpFormat = sniff_format(path) if args.format == "auto" else args.format
        with path.open("rb") as handle:
            summary = _decode_p3(read_dump(handle, dump_format), print_records=not args.summary)
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    if args.summary:
        sys.stdout.write(msgspec.json.encode(summary).decode() + "\n")
    return 0


def _decode_p3(chunks: Any, *, print_records: bool) -> dict[str, Any]:
    stream = P3Stream()
    by_type: Counter[str] = Counter()
    trackers: dict[int | None, GapTracker] = {}
    bad_hex_lines = 0
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[P3Record | FrameError]) -> None:
        for item in items:
            if isinstance(item, FrameError):
                write_err(_error_line(item))
                continue
            by_type[type(item).__struct_config__.tag] += 1  # type: ignore[index]
            if isinstance(item, Passing) and item.passing_number is not None:
                trackers.setdefault(item.decoder_id, GapTracker()).observe(item.passing_number)
            if print_records:
                write_out(msgspec.json.encode(record_to_builtins(item)).decode() + "\n")

    for chunk in chunks:
        if isinstance(chunk, BadHexLine):
            bad_hex_lines += 1
            write_err(msgspec.json.encode({"error": "bad_hex_line", "detail": str(chunk)}).decode())
            write_err("\n")
            continue
        handle(stream.feed(chunk))
    handle(stream.close())
    stats = stream.stats
    return {
        "records": sum(by_type.values()),
        "by_type": dict(by_type),
        "crc_errors": stats.bad_crc,
        "bad_frames": stats.bad_frames,
        "garbage_bytes": stats.garbage_bytes,
        "passing_gaps": sorted(gap for t in trackers.values() for gap in t.gaps()),
        "bad_hex_lines": bad_hex_lines,
    }


def _error_line(error: FrameError) -> str:
    raw = error.raw[:_RAW_SHOWN].hex() + ("..." if len(error.raw) > _RAW_SHOWN else "")
    line = {"error": error.kind.value, "bytes": len(error.raw), "detail": error.detail, "raw": raw}
    return msgspec.json.encode(line).decode() + "\n"


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime decode: {message}\n")
    return 2
