"""`velotime decode`: print the records in a recorded device dump, or a summary of them.

Each protocol is one `DumpDecoder` entry in `PROTOCOLS`: a function that decodes the dump's
chunks (printing records and errors as it goes) and returns the summary, and the dump format to
assume.
"""

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from velotime.cli.dumps import BadHexLine, DumpFormat, read_dump, sniff_format
from velotime.protocols import timy
from velotime.protocols.p3 import FrameError, P3Record, P3Stream, Passing
from velotime.protocols.p3.gaps import GapTracker
from velotime.protocols.p3.json import record_to_builtins

_RAW_SHOWN = 64  # bytes of a skipped piece shown in an error line

Chunks = Iterable[bytes | BadHexLine]
_FORMATS: dict[str, DumpFormat] = {"raw": "raw", "hex": "hex"}


class DumpDecoder(NamedTuple):
    decode: Callable[[Chunks, bool], dict[str, Any]]  # (chunks, print_records) -> summary
    default_format: str  # what --format means when not given: "auto", "raw" or "hex"


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
        default=None,
        help="raw bytes or one hex line per chunk, or detect (default: detect for p3, raw for "
        "timy, whose text lines are never hex)",
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
            summary = protocol.decode(read_dump(handle, dump_format), not args.summary)
    except BrokenPipeError:
        raise  # stdout went away (`| head`): not a file problem; main() handles it
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    if args.summary:
        sys.stdout.write(msgspec.json.encode(summary).decode() + "\n")
    return 0


# -- P3 ----------------------------------------------------------------------------------------


def _decode_p3(chunks: Chunks, print_records: bool) -> dict[str, Any]:
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
            write_err(_bad_hex_line(chunk))
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


# -- ALGE Timy ---------------------------------------------------------------------------------

_TIMY_TYPES = ("impulse", "run_time", "total_time", "next_number")


def _decode_timy(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = timy.TimyStream()
    by_type: Counter[str] = Counter(dict.fromkeys(_TIMY_TYPES, 0))
    by_flag: Counter[str] = Counter()
    by_token: dict[str, Counter[str]] = {}
    bad_hex_lines = 0
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[timy.TimyItem]) -> None:
        for item in items:
            if isinstance(item, timy.LineError):
                write_err(_timy_error_line(item))
                continue
            if print_records:
                write_out(msgspec.json.encode(timy.record_to_builtins(item)).decode() + "\n")
            if isinstance(item, timy.UnknownLine):
                continue
            by_type[type(item).__struct_config__.tag] += 1  # type: ignore[index]
            if isinstance(item, timy.NextNumber):
                by_flag["n"] += 1  # the first character of its line, as for the others
            elif isinstance(item, timy.Impulse | timy.RunTime | timy.TotalTime):
                by_flag[item.flag] += 1
                by_token.setdefault(_timy_token(item), Counter())[item.flag] += 1

    for chunk in chunks:
        if isinstance(chunk, BadHexLine):
            bad_hex_lines += 1
            write_err(_bad_hex_line(chunk))
            continue
        handle(stream.feed(chunk))
    handle(stream.close())
    stats = stream.stats
    errors_by_kind = stats.errors_by_kind()
    if bad_hex_lines:
        errors_by_kind["bad_hex_line"] = bad_hex_lines
    return {
        "lines": stats.lines,
        "records": stats.records,
        "by_type": dict(by_type),
        "by_flag": dict(sorted(by_flag.items())),
        "by_token": {token: dict(sorted(by_token[token].items())) for token in sorted(by_token)},
        "errors": stats.errors + bad_hex_lines,
        "errors_by_kind": errors_by_kind,
        "unparsed_lines": stats.unknown_lines,
    }


def _timy_token(record: timy.Impulse | timy.RunTime | timy.TotalTime) -> str:
    """The token as the line shows it, without padding: C0, C0M, C1, ..., RT, TT."""
    if isinstance(record, timy.Impulse):
        return f"C{record.channel}{'M' if record.manual else ''}"
    return "RT" if isinstance(record, timy.RunTime) else "TT"


def _timy_error_line(error: timy.LineError) -> str:
    # The raw line as text (code page 437, as the device writes it): people read these.
    line = {
        "error": error.kind.value,
        "bytes": len(error.raw),
        "detail": error.detail,
        "raw": error.raw.decode("cp437"),
    }
    return msgspec.json.encode(line).decode() + "\n"


# -- shared ------------------------------------------------------------------------------------


def _bad_hex_line(chunk: BadHexLine) -> str:
    return msgspec.json.encode({"error": "bad_hex_line", "detail": str(chunk)}).decode() + "\n"


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime decode: {message}\n")
    return 2


PROTOCOLS: dict[str, DumpDecoder] = {
    "p3": DumpDecoder(_decode_p3, "auto"),
    "timy": DumpDecoder(_decode_timy, "raw"),
}
