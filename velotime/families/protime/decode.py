"""`velotime decode --protocol protime`: Protime lines counted by type and channel."""

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
from velotime.protocols import protime

_TYPES = ("passing", "status", "config", "unknown")
_RAW_SHOWN = 64  # characters of a rejected line shown


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = protime.ProtimeStream()
    by_type: Counter[str] = Counter(dict.fromkeys(_TYPES, 0))
    by_channel: Counter[str] = Counter()
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[protime.ProtimeItem]) -> None:
        for item in items:
            if isinstance(item, protime.LineError):
                write_err(error_line(item, item.raw.decode(protime.ENCODING), _RAW_SHOWN))
                continue
            if print_records:
                write_out(json_line(protime.record_to_builtins(item)))
            by_type[type_tag(type(item))] += 1
            if isinstance(item, protime.Passing):
                by_channel[item.channel] += 1

    bad_hex_lines = feed_chunks(chunks, stream, handle)
    stats = stream.stats
    return {
        "lines": stats.lines,
        "records": stats.records,
        "by_type": dict(by_type),
        "by_channel": dict(sorted(by_channel.items())),
        "checksum_errors": stats.bad_checksum,
        **error_summary(stats, bad_hex_lines),
    }
