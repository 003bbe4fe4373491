"""Records to wire bytes (for the simulator and tests): the inverse of the decoder."""

from velotime.protocols.lynx.charset import encode_text
from velotime.protocols.lynx.constants import EOT, SOH, STX, US
from velotime.protocols.lynx.decoder import is_code
from velotime.protocols.lynx.fields import check_framing, read, write
from velotime.protocols.lynx.records import CLASS_OF_CODE, LynxRecord, Unknown, WireField

_US = chr(US)


class EncodeError(ValueError):
    """The record cannot be sent so that it decodes to itself."""


def encode(record: LynxRecord) -> bytes:
    """`SOH code STX field US field ... EOT`, text in Windows-1252."""
    try:
        if isinstance(record, Unknown):
            code, texts = _unknown(record)
        else:
            code, texts = record.CODE, _fields(record)
        body = encode_text(_US.join(texts))
    except (ValueError, UnicodeEncodeError) as exc:
        raise EncodeError(f"cannot encode {type(record).__name__}: {exc}") from exc
    return bytes([SOH]) + code.encode("ascii") + bytes([STX]) + body + bytes([EOT])


def _unknown(record: Unknown) -> tuple[str, list[str]]:
    if not is_code(record.code.encode("ascii", "replace")):
        raise ValueError(f"a code is two capital letters or digits, got {record.code!r}")
    if record.code in CLASS_OF_CODE:
        raise ValueError(f"code {record.code} has its own record class")
    if record.fields == ("",):
        raise ValueError("a single empty field reads back as no field")
    for text in record.fields:
        check_framing(text)
    return record.code, list(record.fields)


def _fields(record: LynxRecord) -> list[str]:
    invalid = {item.name: item.text for item in record.invalid}
    known = {field.name for field in record.FIELDS}
    if len(invalid) != len(record.invalid) or not invalid.keys() <= known:
        raise ValueError("invalid names unknown or repeated fields")
    return [_field(record, field, invalid.get(field.name)) for field in record.FIELDS]


def _field(record: LynxRecord, field: WireField, invalid: str | None) -> str:
    value = getattr(record, field.name)
    companion = getattr(record, field.companion) if field.companion else None
    if invalid is None:
        return write(field, value, companion)
    if value is not None or companion is not None:
        raise ValueError(f"{field.name} has a value and an invalid text")
    check_framing(invalid)
    try:
        read(field, invalid)
    except ValueError:
        return invalid
    raise ValueError(f"the invalid text of {field.name} is valid: {invalid!r}")
