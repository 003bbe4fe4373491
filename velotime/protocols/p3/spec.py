"""The P3 record format declared with construct: the reference specification.

This declaration is what the encoder builds with and what the fast decoder (decoder.py) is
checked against. It is far too slow for live or replayed traffic (about 25k records/s), so
decoding never goes through it outside tests. Records here are unescaped (see escaping.py).
"""

from typing import Any

from construct import (
    Const,
    Construct,
    ConstructError,
    FixedSized,
    GreedyBytes,
    GreedyRange,
    GreedyString,
    Int8ul,
    Int16ul,
    Int32ul,
    Int64ul,
    Struct,
    Switch,
    Terminated,
    this,
)

from velotime.protocols.p3.constants import EOR, SOR
from velotime.protocols.p3.decoder import MalformedRecordError
from velotime.protocols.p3.records import (
    CLASS_OF_TOR,
    Kind,
    P3Record,
    RawField,
    Unknown,
    all_fields,
)

_INTEGERS = {Kind.U8: Int8ul, Kind.U16: Int16ul, Kind.U32: Int32ul, Kind.U64: Int64ul}
STRING_ENCODING = "latin-1"  # every byte maps to one character and back


def _tlv(cls: type[P3Record]) -> Construct:
    """A field: tag, width, value. A known tag at its declared width gets its type; any other
    field (unknown tag, other width) is raw bytes, as is a raw field being built."""
    cases: dict[Any, Construct] = {}
    string_tags = set()
    for field in all_fields(cls):
        if field.kind is Kind.STR:
            string_tags.add(field.tag)
            cases[field.tag] = GreedyString(STRING_ENCODING)
        else:
            cases[(field.tag, field.kind.value)] = _INTEGERS[field.kind]

    def case(ctx: Any) -> Any:
        if ctx._building and isinstance(ctx.value, bytes):
            return None  # a RawField: build its bytes as they are
        return ctx.tag if ctx.tag in string_tags else (ctx.tag, ctx.length)

    return Struct(
        "tag" / Int8ul,
        "length" / Int8ul,
        "value" / FixedSized(this.length, Switch(case, cases, default=GreedyBytes)),
    )


P3_RECORD = Struct(
    "sor" / Const(bytes([SOR])),
    "version" / Int8ul,
    "length" / Int16ul,  # the whole unescaped record, SOR to EOR
    "crc" / Int16ul,  # AMB CRC-16 over the record with these two bytes zero (crc.py)
    "flags" / Int16ul,
    "tor" / Int16ul,
    "fields"
    / Switch(
        this.tor,
        {tor: GreedyRange(_tlv(cls)) for tor, cls in CLASS_OF_TOR.items()},
        default=GreedyRange(_tlv(Unknown)),
    ),
    "eor" / Const(bytes([EOR])),
    Terminated,
)


def parse_record(record: bytes) -> P3Record:
    """Decode an unescaped record through the specification (slow; the reference for tests)."""
    try:
        parsed = P3_RECORD.parse(record)
    except ConstructError as exc:
        raise MalformedRecordError(str(exc)) from exc
    cls = CLASS_OF_TOR.get(parsed.tor, Unknown)
    known = {field.tag: field for field in all_fields(cls)}
    fields: dict[str, Any] = {}
    extra: list[RawField] = []
    for item in parsed.fields:
        field = known.get(item.tag)
        if isinstance(item.value, bytes):
            extra.append(RawField(item.tag, item.value))
        elif field is None or field.name in fields:  # a repeat of a known field stays raw
            extra.append(RawField(item.tag, _value_bytes(item.value, item.length)))
        else:
            fields[field.name] = item.value
    if extra:
        fields["extra"] = tuple(extra)
    if cls is Unknown:
        fields["unknown_tor"] = parsed.tor
    return cls(record_version=parsed.version, header_flags=parsed.flags, **fields)


def build_fields(record: P3Record) -> list[dict[str, Any]]:
    """The TLVs of a record in the order they are sent: declared fields, then raw ones."""
    items: list[dict[str, Any]] = []
    for field in all_fields(type(record)):
        value = getattr(record, field.name)
        if value is not None:
            width = field.kind.width
            length = len(value.encode(STRING_ENCODING)) if width is None else width
            items.append({"tag": field.tag, "length": length, "value": value})
    items.extend(
        {"tag": raw.tag, "length": len(raw.value), "value": raw.value} for raw in record.extra
    )
    return items


def _value_bytes(value: int | str, length: int) -> bytes:
    if isinstance(value, str):
        return value.encode(STRING_ENCODING)
    return value.to_bytes(length, "little")
