"""P3 records as JSON-ready builtins (raw field values in hex, as protocol people read them)."""

from typing import Any

import msgspec

from velotime.protocols.p3.records import P3Record


def record_to_builtins(record: P3Record) -> dict[str, Any]:
    """All set fields with their `type` tag; `encode` of the record rebuilds the exact bytes."""
    data: dict[str, Any] = msgspec.to_builtins(record, builtin_types=(bytes,))
    if "extra" in data:
        data["extra"] = [[tag, value.hex()] for tag, value in data["extra"]]
    return data
