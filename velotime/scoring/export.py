"""A result as CSV, for spreadsheets and federation systems: one row per result line.

Columns: rank, bib, name, nation, time (the official string), speed_kmh, gap, status, flags
(separated by "; "), then per split distance its cumulative time and lap time ("250 m",
"250 m lap", ...), in distance order. UTF-8, RFC 4180 (comma, CRLF). Figures are the strings
the result carries, so the CSV says exactly what the result sheet and MQTT say.
"""

import csv
import io
from collections.abc import Sequence

from velotime.wire.results import ResultLine

COLUMNS = ("rank", "bib", "name", "nation", "time", "speed_kmh", "gap", "status", "flags")


def result_csv(lines: Sequence[ResultLine]) -> str:
    """The CSV of a result's lines (`EventResult.lines`)."""
    distances = sorted({split.distance_m for line in lines for split in line.splits})
    split_columns = [name for d in distances for name in (f"{d} m", f"{d} m lap")]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *split_columns])
    for line in lines:
        splits = {split.distance_m: split for split in line.splits}
        row: list[str | int] = [
            "" if line.rank is None else line.rank,
            line.bib,
            line.name,
            line.nation,
            line.time or "",
            line.speed_kmh or "",
            line.gap or "",
            line.status.value,
            "; ".join(flag.value for flag in line.flags),
        ]
        for d in distances:
            split = splits.get(d)
            row += [split.cumulative, split.lap] if split else ["", ""]
        writer.writerow(row)
    return out.getvalue()
