"""`velotime decode --protocol p3`: AMB/MYLAPS P3 records, CRC errors and passing gaps."""

import sys
from collections import Counter
from typing import Any

import msgspec

from velotime.families.base import Chunks
from velotime.families.decoding import feed_chunks, type_tag
from velotime.protocols.p3 import FrameError, P3Record, P3Stream, Passing
from velotime.protocols.p3.gaps import GapTracker
from velotime.protocols.p3.json import record_to_builtins

_RAW_SHOWN = 64  # bytes of a skipped piece shown in an error line


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = P3Stream()
    by_type: Counter[str] = Counter()
    trackers: dict[int | None, GapTracker] = {}
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[P3Record | FrameError]) -> None:
        for item in items:
            if isinstance(item, FrameError):
                write_err(_error_line(item))
                continue
            by_type[type_tag(item)] += 1
            if isinstance(item, Passing) and item.passing_number is not None:
                trackers.setdefault(item.decoder_id, GapTracker()).observe(item.passing_number)
            if print_records:
                write_out(msgspec.json.encode(record_to_builtins(item)).decode() + "\n")

    bad_hex_lines = feed_chunks(chunks, stream, handle)
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
