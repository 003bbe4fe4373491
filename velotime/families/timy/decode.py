"""`velotime decode --protocol timy`: ALGE Timy lines counted by type, flag and channel."""

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
from velotime.protocols import timy

_TIMY_TYPES = ("impulse", "run_time", "total_time", "next_number")


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = timy.TimyStream()
    by_type: Counter[str] = Counter(dict.fromkeys(_TIMY_TYPES, 0))
    by_flag: Counter[str] = Counter()
    by_token: dict[str, Counter[str]] = {}
    write_out = sys.stdout.write
    write_err = sys.stderr.write

    def handle(items: list[timy.TimyItem]) -> None:
        for item in items:
            if isinstance(item, timy.LineError):
                # The raw line as text (code page 437, as the device writes it): people read these.
                write_err(error_line(item, item.raw.decode("cp437")))
                continue
            if print_records:
                write_out(json_line(timy.record_to_builtins(item)))
            if isinstance(item, timy.UnknownLine):
                continue
            by_type[type_tag(type(item))] += 1
            if isinstance(item, timy.NextNumber):
                by_flag["n"] += 1  # the first character of its line, as for the others
            elif isinstance(item, timy.Impulse | timy.RunTime | timy.TotalTime):
                by_flag[item.flag] += 1
                by_token.setdefault(_timy_token(item), Counter())[item.flag] += 1

    bad_hex_lines = feed_chunks(chunks, stream, handle)
    stats = stream.stats
    return {
        "lines": stats.lines,
        "records": stats.records,
        "by_type": dict(by_type),
        "by_flag": dict(sorted(by_flag.items())),
        "by_token": {token: dict(sorted(by_token[token].items())) for token in sorted(by_token)},
        **error_summary(stats, bad_hex_lines),
        "unparsed_lines": stats.unknown_lines,
    }


def _timy_token(record: timy.Impulse | timy.RunTime | timy.TotalTime) -> str:
    """The token as the line shows it, without padding: C0, C0M, C1, ..., RT, TT."""
    if isinstance(record, timy.Impulse):
        return f"C{record.channel}{'M' if record.manual else ''}"
    return "RT" if isinstance(record, timy.RunTime) else "TT"
