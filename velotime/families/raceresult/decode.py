"""`velotime decode --protocol raceresult`: Race Result lines counted by kind, passing gaps."""

import sys
from collections import Counter
from typing import Any

from velotime.families.decoding import (
    error_line,
    error_summary,
    feed_chunks,
    json_line,
    type_tag,
)
from velotime.families.family import Chunks
from velotime.protocols import raceresult as rr
from velotime.protocols.p3.gaps import GapTracker


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = rr.RaceResultStream()
    by_type: Counter[str] = Counter()
    trackers: dict[int, GapTracker] = {}  # by file number: each file numbers from 1
    stored = 0
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[rr.RaceResultItem]) -> None:
        nonlocal stored
        for item in items:
            if isinstance(item, rr.LineError):
                write_err(error_line(item, item.raw.decode(rr.ENCODING)))
                continue
            by_type[type_tag(type(item))] += 1
            if isinstance(item, rr.Passing):
                trackers.setdefault(item.file_number, GapTracker()).observe(item.passing_number)
                stored += item.stored
            if print_records:
                write_out(json_line(rr.record_to_builtins(item)))

    bad_hex_lines = feed_chunks(chunks, stream, handle)
    stats = stream.stats
    return {
        "lines": stats.lines,
        "records": stats.records + stats.unknown_lines,
        "by_type": dict(sorted(by_type.items())),
        "stored_passings": stored,
        "passing_gaps": {
            str(file): tracker.gaps()
            for file, tracker in sorted(trackers.items())
            if tracker.gaps()
        },
        **error_summary(stats, bad_hex_lines),
    }
