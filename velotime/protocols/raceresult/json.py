"""Race Result records as JSON-ready builtins."""

from typing import Any

import msgspec

from velotime.protocols.raceresult.records import RaceResultRecord


def record_to_builtins(record: RaceResultRecord) -> dict[str, Any]:
    """Every field with the `type` tag, `text` (the line as sent) included."""
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data
