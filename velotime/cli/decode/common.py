"""What every protocol's part of `velotime decode` shares."""

from collections.abc import Iterable

import msgspec

from velotime.cli.dumps import BadHexLine

Chunks = Iterable[bytes | BadHexLine]


def json_line(value: object) -> str:
    return msgspec.json.encode(value).decode() + "\n"


def bad_hex_line(chunk: BadHexLine) -> str:
    return json_line({"error": "bad_hex_line", "detail": str(chunk)})
