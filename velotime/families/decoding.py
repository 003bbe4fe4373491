"""What every family's `velotime decode` hook shares: feeding a dump to a codec, JSON lines."""

import sys
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import msgspec

from velotime.capture.dumps import BadHexLine
from velotime.families.family import Chunks
from velotime.protocols.errors import ErrorCounts, StreamError

Item = TypeVar("Item")


class Stream(Protocol[Item]):
    def feed(self, data: bytes) -> list[Item]: ...

    def close(self) -> list[Item]: ...


BAD_HEX_LINES_SHOWN = 10  # reported one by one; the rest in one line at the end


def feed_chunks(chunks: Chunks, stream: Stream[Item], handle: Callable[[list[Item]], None]) -> int:
    """Feed a dump's chunks to a codec stream, then close it; a hex line that is not hex is
    skipped and reported on stderr (the first BAD_HEX_LINES_SHOWN each with its line number,
    then one line for the rest: how many, from which line to which). Returns how many such
    lines there were."""
    bad_hex_lines = 0
    first_unshown = last_unshown = 0  # line numbers of the bad lines not reported one by one
    for chunk in chunks:
        if isinstance(chunk, BadHexLine):
            bad_hex_lines += 1
            if bad_hex_lines <= BAD_HEX_LINES_SHOWN:
                sys.stderr.write(bad_hex_line(chunk))
            else:
                first_unshown = first_unshown or chunk.line_number
                last_unshown = chunk.line_number
            continue
        handle(stream.feed(chunk))
    handle(stream.close())
    if first_unshown:
        more = bad_hex_lines - BAD_HEX_LINES_SHOWN
        detail = f"{more} more lines that are not hex, lines {first_unshown} to {last_unshown}"
        sys.stderr.write(json_line({"error": "bad_hex_line", "count": more, "detail": detail}))
    return bad_hex_lines


def type_tag(cls: type[msgspec.Struct]) -> str:
    """The JSON `type` of a record class ("passing", "impulse"...), as it declares it."""
    return str(cls.__struct_config__.tag)


def json_line(value: object) -> str:
    return msgspec.json.encode(value).decode() + "\n"


def bad_hex_line(chunk: BadHexLine) -> str:
    return json_line({"error": "bad_hex_line", "line": chunk.line_number, "detail": str(chunk)})


def error_line(error: StreamError[Any], raw: str, shown: int | None = None) -> str:
    """A skipped piece of the stream as a JSON line for stderr: its kind, its length in bytes,
    why, and `raw`, its bytes as the family shows them (text in the device's encoding, or hex),
    cut to `shown` characters with "..." after."""
    if shown is not None and len(raw) > shown:
        raw = raw[:shown] + "..."
    return json_line(
        {"error": error.kind.value, "bytes": len(error.raw), "detail": error.detail, "raw": raw}
    )


def error_summary(stats: ErrorCounts, bad_hex_lines: int) -> dict[str, Any]:
    """A decode summary's `errors` and `errors_by_kind`: the codec's counts, with the dump's
    lines that were not hex (`bad_hex_line`) counted among them."""
    errors_by_kind = stats.errors_by_kind()
    if bad_hex_lines:
        errors_by_kind["bad_hex_line"] = bad_hex_lines
    return {"errors": stats.errors + bad_hex_lines, "errors_by_kind": errors_by_kind}
