"""Reading and writing one field of a message, by its kind (records.Kind).

`read` returns the attribute values a field's text gives, or raises ValueError when the text
cannot be read as the field's kind. `write` is its inverse; it raises ValueError for a value the
text form cannot carry so that it reads back the same.
"""

from typing import Any

from velotime.protocols.lynx.constants import FRAMING_CHARACTERS
from velotime.protocols.lynx.records import Kind, WireField
from velotime.protocols.lynx.times import format_time, parse_time

MAX_INT_DIGITS = 9  # counts, lanes, laps: far below; bounds what a corrupt field can make
_ASCII_DIGITS = frozenset("0123456789")


def _read_int(text: str) -> int | None:
    value = text.strip(" ")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_INT_DIGITS):
        raise ValueError(f"not a number: {text!r}")
    return int(value)


def read(field: WireField, text: str) -> dict[str, Any]:
    kind = field.kind
    if kind is Kind.TEXT:
        return {field.name: text.strip(" ") or None}
    if kind is Kind.INT:
        return {field.name: _read_int(text)}
    if kind is Kind.TIME:
        parsed = parse_time(text)
        time_us, digits = parsed if parsed is not None else (None, None)
        if field.companion is None:
            return {field.name: time_us}
        return {field.name: time_us, field.companion: digits}
    word = text.strip(" ")
    if kind is Kind.PLACE:
        assert field.companion is not None
        if not word or _ASCII_DIGITS.isdisjoint(word):
            return {field.name: None, field.companion: word or None}
        return {field.name: _read_int(word), field.companion: None}
    # Kind.OFFICIAL
    word = word.upper()
    if word not in ("", "OFFICIAL", "UNOFFICIAL"):
        raise ValueError(f"neither OFFICIAL nor UNOFFICIAL: {text!r}")
    return {field.name: None if not word else word == "OFFICIAL"}


def write(field: WireField, value: Any, companion: Any = None) -> str:
    """The text of a field: `value` is its attribute, `companion` its companion attribute."""
    kind = field.kind
    if kind is Kind.TIME:
        if value is None:
            if companion is not None:
                raise ValueError(f"{field.companion} without {field.name}")
            return ""
        if field.companion is not None and companion is None:
            raise ValueError(f"{field.name} without {field.companion}")
        return format_time(value, companion)
    if kind is Kind.PLACE:
        if value is not None and companion is not None:
            raise ValueError("a place and a status cannot share the place field")
        if value is not None:
            return _write_int(value)
        if companion is None:
            return ""
        status = _write_text(companion)
        if not _ASCII_DIGITS.isdisjoint(status):
            raise ValueError(f"a status with digits would read as a place: {status!r}")
        return status
    if value is None:
        return ""
    if kind is Kind.TEXT:
        return _write_text(value)
    if kind is Kind.INT:
        return _write_int(value)
    # Kind.OFFICIAL
    return "OFFICIAL" if value else "UNOFFICIAL"


def _write_int(value: int) -> str:
    if not 0 <= value < 10**MAX_INT_DIGITS:
        raise ValueError(f"{value} is outside 0-{10**MAX_INT_DIGITS - 1}")
    return str(value)


def _write_text(value: str) -> str:
    # The reader drops spaces around a text and reads an empty one as None.
    if not value or value != value.strip(" "):
        raise ValueError(f"a text must be non-empty, without spaces around: {value!r}")
    check_framing(value)
    return value


def check_framing(text: str) -> None:
    if not FRAMING_CHARACTERS.isdisjoint(text):
        raise ValueError(f"SOH, STX, EOT or US inside a field: {text!r}")
