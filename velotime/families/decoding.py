"""What every family's `velotime decode` hook shares: feeding a dump to a codec, JSON lines."""

import sys
from collections.abc import Callable
from typing import Protocol, TypeVar

import msgspec

from velotime.capture.dumps import BadHexLine
from velotime.families.family import Chunks

Item = TypeVar("Item")


class Stream(Protocol[Item]):
    def feed(self, data: bytes) -> list[Item]: ...

    def close(self) -> list[Item]: ...


def feed_chunks(chunks: Chunks, stream: Stream[Item], handle: Callable[[list[Item]], None]) -> int:
    """Feed a dump's chunks to a codec stream, then close it; a hex line that is not hex is
    reported on stderr and skipped. Returns how many such lines there were."""
    bad_hex_lines = 0
    for chunk in chunks:
        if isinstance(chunk, BadHexLine):
            bad_hex_lines += 1
            sys.stderr.write(bad_hex_line(chunk))
            continue
        handle(stream.feed(chunk))
    handle(stream.close())
    return bad_hex_lines


def type_tag(cls: type[msgspec.Struct]) -> str:
    """The JSON `type` of a record class ("passing", "impulse"...), as it declares it."""
    return str(cls.__struct_config__.tag)


def json_line(value: object) -> str:
    return msgspec.json.encode(value).decode() + "\n"


def bad_hex_line(chunk: BadHexLine) -> str:
    return json_line({"error": "bad_hex_line", "detail": str(chunk)})
