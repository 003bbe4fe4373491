"""`velotime decode --protocol lynx`: a recording of velotime.lss's stream, message by message."""

import sys
from collections import Counter
from typing import Any

import msgspec

from velotime.families.decoding import error_line, feed_chunks, json_line, type_tag
from velotime.families.family import Chunks
from velotime.protocols.lynx import LynxError, LynxRecord, LynxStream


def decode(chunks: Chunks, print_records: bool) -> dict[str, Any]:
    stream = LynxStream()
    by_type: Counter[str] = Counter()

    def handle(items: list[LynxRecord | LynxError]) -> None:
        for item in items:
            if isinstance(item, LynxError):
                sys.stderr.write(error_line(item, item.raw.decode("cp1252", errors="replace")))
                continue
            by_type[type_tag(type(item))] += 1
            if print_records:
                sys.stdout.write(json_line(msgspec.to_builtins(item)))

    bad_hex_lines = feed_chunks(chunks, stream, handle)
    stats = stream.stats
    return {
        "messages": stats.messages,
        "by_type": dict(sorted(by_type.items())),
        "bad_fields": stats.bad_fields,
        "bad_messages": stats.bad_messages,
        "garbage_bytes": stats.garbage_bytes,
        "bad_hex_lines": bad_hex_lines,
    }
