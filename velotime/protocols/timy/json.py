"""Timy records as JSON-ready builtins."""

from typing import Any

import msgspec

from velotime.protocols.timy.records import TimyRecord


def record_to_builtins(record: TimyRecord) -> dict[str, Any]:
    """All fields with the `type` tag, `text` (the line as sent) included."""
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data
