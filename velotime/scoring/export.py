"""A result as CSV, for spreadsheets and federation systems: one row per result line.

Columns: rank, bib, name, nation, time (the official string), speed_kmh, gap, status, flags
(separated by "; "), then per split distance its cumulative time and lap time ("250 m",
"250 m lap", ...), in distance order. UTF-8, RFC 4180 (comma, CRLF). Figures are the strings
the result carries, so the CSV says exactly what the result sheet and MQTT say.
"""

import csv
import io
from collections.abc import Mapping
from typing import Any

COLUMNS = ("rank", "bib", "name", "nation", "time", "speed_kmh", "gap", "status", "flags")


def result_csv(result: Mapping[str, Any]) -> str:
    lines: list[Mapping[str, Any]] = result.get("lines", [])
    distances = sorted({split["distance_m"] for line in lines for split in line.get("splits", [])})
    split_columns = [name for d in distances for name in (f"{d} m", f"{d} m lap")]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *split_columns])
    for line in lines:
        splits = {split["distance_m"]: split for split in line.get("splits", [])}
        row = [
            "" if line.get("rank") is None else line["rank"],
            line["bib"],
            line.get("name", ""),
            line.get("nation", ""),
            line.get("time") or "",
            line.get("speed_kmh") or "",
            line.get("gap") or "",
            line.get("status", ""),
            "; ".join(line.get("flags", [])),
        ]
        for d in distances:
            split = splits.get(d)
            row += [split["cumulative"], split["lap"]] if split else ["", ""]
        writer.writerow(row)
    return out.getvalue()
