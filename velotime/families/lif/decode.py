"""`velotime decode --protocol lif`: one FinishLynx result file, its heat and its rows."""

import sys
from collections import Counter
from typing import Any

import msgspec

from velotime.families.decoding import json_line
from velotime.families.family import Chunks
from velotime.protocols.lif import parse_lif


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    parsed = parse_lif(b"".join(c for c in chunks if isinstance(c, bytes)))
    for warning in parsed.warnings:
        sys.stderr.write(json_line({"warning": warning.kind.value, **_fields(warning)}))
    heat = parsed.heat
    if heat is None:
        return {"heat": None, "results": 0, "warnings": len(parsed.warnings),
                "warnings_by_kind": parsed.counts()}  # fmt: skip
    if print_records:
        sys.stdout.write(json_line({"type": "heat", **_fields(heat, exclude="results")}))
        for row in heat.results:
            sys.stdout.write(json_line({"type": "result", **_fields(row)}))
    statuses = Counter(
        row.status.value if row.status else "placed" if row.place is not None else "unplaced"
        for row in heat.results
    )
    return {
        "heat": {
            "event": heat.event,
            "round": heat.round,
            "heat": heat.heat,
            "event_name": heat.event_name,
            "start_time_of_day_us": heat.start_time_of_day_us,
        },
        "results": len(heat.results),
        "by_status": dict(sorted(statuses.items())),
        "warnings": len(parsed.warnings),
        "warnings_by_kind": parsed.counts(),
    }


def _fields(value: msgspec.Struct, exclude: str = "") -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(value)
    data.pop(exclude, None)
    return data
