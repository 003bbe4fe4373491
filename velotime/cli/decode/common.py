"""What every protocol's part of `velotime decode` shares."""

from collections.abc import Iterable

import msgspec

from velotime.cli.dumps import BadHexLine

Chunks = Iterable[bytes | BadHexLine]


def type_tag(record: msgspec.Struct) -> str:
    """A record's JSON `type` ("passing", "impulse"...), as its class declares it."""
    return str(type(record).__struct_config__.tag)


def json_line(value: object) -> str:
    return msgspec.json.encode(value).decode() + "\n"


def bad_hex_line(chunk: BadHexLine) -> str:
    return json_line({"error": "bad_hex_line", "detail": str(chunk)})
