"""One framed message (SOH..EOT) into a typed record."""

from typing import Any

from velotime.protocols.lynx.charset import decode_text
from velotime.protocols.lynx.constants import MIN_MESSAGE_SIZE, STX, US
from velotime.protocols.lynx.fields import read
from velotime.protocols.lynx.records import CLASS_OF_CODE, InvalidField, LynxRecord, Unknown

_US = chr(US)


class MalformedMessageError(ValueError):
    """Framed, but not `SOH code STX fields EOT` with the field count its code has."""


def is_code(code: bytes) -> bool:
    return len(code) == 2 and code.isascii() and code.isalnum() and code.upper() == code


def decode_message(message: bytes) -> LynxRecord:
    """Decode one message, SOH to EOT. Raises `MalformedMessageError`; a field that cannot be
    read as its kind does not: it is kept in the record's `invalid`."""
    if len(message) < MIN_MESSAGE_SIZE or message[3] != STX or not is_code(message[1:3]):
        raise MalformedMessageError("not SOH, a two-letter code, STX")
    body = message[4:-1]
    if STX in body:
        raise MalformedMessageError("STX inside the fields")
    code = message[1:3].decode("ascii")
    texts = decode_text(body).split(_US)
    cls = CLASS_OF_CODE.get(code)
    # An empty body is no field for a code without fields (or unknown), one blank field else.
    if not body and (cls is None or not cls.FIELDS):
        texts = []
    if cls is None:
        return Unknown(code=code, fields=tuple(texts))
    if len(texts) != len(cls.FIELDS):
        raise MalformedMessageError(f"{code}: {len(texts)} fields, expected {len(cls.FIELDS)}")
    values: dict[str, Any] = {}
    invalid: list[InvalidField] = []
    for field, text in zip(cls.FIELDS, texts, strict=True):
        try:
            values.update(read(field, text))
        except ValueError:
            invalid.append(InvalidField(field.name, text))
    if invalid:
        values["invalid"] = tuple(invalid)
    return cls(**values)
