"""`velotime decode --protocol p3`: AMB/MYLAPS P3 records, CRC errors and passing gaps."""

import sys
from collections import Counter
from typing import Any

from velotime.families.decoding import error_line, feed_chunks, json_line, type_tag
from velotime.families.family import Chunks
from velotime.protocols.p3.errors import FrameError
from velotime.protocols.p3.gaps import GapTracker
from velotime.protocols.p3.json import record_to_builtins
from velotime.protocols.p3.records import P3Record, Passing
from velotime.protocols.p3.stream import P3Stream, P3Tally

_RAW_SHOWN = 64  # bytes of a skipped piece shown in an error line


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    # Without the records to print, only the passings are built (for their gaps): the tally
    # counts the others.
    stream = P3Stream() if print_records else P3Tally()
    by_class: Counter[type[P3Record]] = Counter()
    trackers: dict[int | None, GapTracker] = {}
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[P3Record | FrameError]) -> None:
        for item in items:
            if isinstance(item, FrameError):
                write_err(_error_line(item))
                continue
            if isinstance(item, Passing) and item.passing_number is not None:
                tracker = trackers.get(item.decoder_id)
                if tracker is None:
                    tracker = trackers[item.decoder_id] = GapTracker()
                tracker.observe(item.passing_number)
            if print_records:
                by_class[type(item)] += 1
                write_out(json_line(record_to_builtins(item)))

    bad_hex_lines = feed_chunks(chunks, stream, handle)
    if isinstance(stream, P3Tally):
        by_class.update(stream.counts)
    stats = stream.stats
    return {
        "records": by_class.total(),
        "by_type": {type_tag(cls): count for cls, count in by_class.items()},
        "crc_errors": stats.bad_crc,
        "bad_frames": stats.bad_frames,
        "garbage_bytes": stats.garbage_bytes,
        "passing_gaps": sorted(gap for t in trackers.values() for gap in t.gaps()),
        "bad_hex_lines": bad_hex_lines,
    }


def _error_line(error: FrameError) -> str:
    raw = error.raw[:_RAW_SHOWN].hex() + ("..." if len(error.raw) > _RAW_SHOWN else "")
    return error_line(error, raw)
