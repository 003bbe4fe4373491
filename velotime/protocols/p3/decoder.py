"""Fast decoding of a checked, unescaped P3 record into a typed record (the hot path).

A decoder sends the same tags in the same order for every record of a type and size. The first
record of each (TOR, size) is walked TLV by TLV and its shape is remembered: one `struct` that
unpacks header and values in a single call, the positions and expected values of its tag and
width bytes, and a generated constructor. Later records of that shape are checked against the
remembered tags and widths and fall back to the walk on any difference. The construct
specification (spec.py) must agree with this decoder; a property test checks that.
"""

import struct
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple

from velotime.protocols.p3.constants import HEADER_SIZE
from velotime.protocols.p3.records import (
    CLASS_OF_TOR,
    RECORD_CLASSES,
    Kind,
    P3Record,
    RawField,
    Unknown,
    all_fields,
)

_HEADER = struct.Struct("<xBHHHH")  # version, length, crc, flags, tor
_CODES = {Kind.U8: "B", Kind.U16: "H", Kind.U32: "I", Kind.U64: "Q"}
_SHAPE_CACHE_LIMIT = 512


class MalformedRecordError(ValueError):
    """The fields of a record do not fit inside it."""


class _FieldSpec(NamedTuple):
    name: str
    kind: Kind
    unpack: Any  # struct.Struct.unpack_from for integers, None for strings


class _Shape(NamedTuple):
    """A remembered record layout: every field a plain integer of its declared width."""

    markers: Callable[[bytes], tuple[int, ...]]  # the tag and width bytes
    expected: tuple[int, ...]
    unpack: Callable[[bytes], tuple[int, ...]]  # version, header flags, values...
    build: Callable[..., P3Record]
    cls: type[P3Record]


def _field_table(cls: type[P3Record]) -> dict[int, _FieldSpec]:
    table = {}
    for field in all_fields(cls):
        code = _CODES.get(field.kind)
        unpack = struct.Struct("<" + code).unpack_from if code else None
        table[field.tag] = _FieldSpec(field.name, field.kind, unpack)
    return table


_TABLES: dict[type[P3Record], dict[int, _FieldSpec]] = {
    cls: _field_table(cls) for cls in RECORD_CLASSES
}
_shapes: dict[int, _Shape] = {}


def decode_record(record: bytes) -> P3Record:
    """Decode one unescaped record (SOR..EOR). Raises `MalformedRecordError` if its TLVs overrun."""
    tor = record[8] | record[9] << 8
    shape = _shapes.get(tor << 16 | len(record))
    if shape is not None and shape.markers(record) == shape.expected:
        return shape.build(*shape.unpack(record))
    version, _length, _crc, header_flags, _tor = _HEADER.unpack_from(record)
    cls = CLASS_OF_TOR.get(tor, Unknown)
    fields = _walk(record, tor, _TABLES[cls])
    if cls is Unknown:
        fields["unknown_tor"] = tor
    return cls(record_version=version, header_flags=header_flags, **fields)


def record_class(record: bytes) -> type[P3Record]:
    """The class of `decode_record(record)`, without building the record when its shape is
    remembered (a summary counts records it never shows). Raises as `decode_record` does."""
    shape = _shapes.get((record[8] | record[9] << 8) << 16 | len(record))
    if shape is not None and shape.markers(record) == shape.expected:
        return shape.cls
    return type(decode_record(record))


def _walk(record: bytes, tor: int, table: dict[int, _FieldSpec]) -> dict[str, Any]:
    """Decode the TLVs one by one; remember the shape when every field is a plain integer."""
    fields: dict[str, Any] = {}
    extra: list[RawField] = []
    positions: list[int] = []
    end = len(record) - 1  # the EOR
    pos = HEADER_SIZE
    while pos < end:
        if pos + 2 > end:
            raise MalformedRecordError(f"a field header at byte {pos} overruns the record")
        tag = record[pos]
        width = record[pos + 1]
        start = pos + 2
        if start + width > end:
            raise MalformedRecordError(f"field 0x{tag:02x} of {width} bytes overruns the record")
        spec = table.get(tag)
        if spec is None or spec.name in fields:
            extra.append(RawField(tag, record[start : start + width]))
        elif spec.unpack is None:
            fields[spec.name] = record[start : start + width].decode("latin-1")
        elif spec.kind.value == width:
            fields[spec.name] = spec.unpack(record, start)[0]
            positions.append(pos)
        else:
            extra.append(RawField(tag, record[start : start + width]))
        pos = start + width
    if extra:
        fields["extra"] = tuple(extra)
    elif len(positions) == len(fields):
        _remember(record, tor, table, positions, tuple(fields))
    return fields


def _remember(
    record: bytes,
    tor: int,
    table: dict[int, _FieldSpec],
    positions: list[int],
    names: tuple[str, ...],
) -> None:
    if len(_shapes) >= _SHAPE_CACHE_LIMIT:
        _shapes.clear()  # real streams have a handful of shapes; hundreds means noise
    cls = CLASS_OF_TOR.get(tor, Unknown)
    # Every field of a remembered shape is a typed integer, so the fields are contiguous. The
    # TOR byte joins the markers so that itemgetter always gets an index, even with no fields.
    markers = itemgetter(*(p + i for p in positions for i in (0, 1)), 8)
    layout = "<xBxxxxHxx" + "".join("xx" + _CODES[table[record[p]].kind] for p in positions)
    _shapes[tor << 16 | len(record)] = _Shape(
        markers=markers,
        expected=markers(record),
        unpack=struct.Struct(layout).unpack_from,
        build=_constructor(cls, names, tor),
        cls=cls,
    )


def _constructor(cls: type[P3Record], names: tuple[str, ...], tor: int) -> Callable[..., P3Record]:
    """A function taking (version, header flags, *values) positionally, as struct returns them.

    Generated like the constructors of dataclasses and namedtuple: keyword construction from a
    dict costs more than the rest of decoding. `names` are our own attribute names, never input.
    """
    params = ", ".join(f"v{i}" for i in range(len(names)))
    keywords = "".join(f", {name}=v{i}" for i, name in enumerate(names))
    if cls is Unknown:
        keywords += f", unknown_tor={tor}"
    source = (
        f"def build(version, header_flags{', ' if params else ''}{params}):\n"
        f"    return cls(record_version=version, header_flags=header_flags{keywords})\n"
    )
    namespace: dict[str, Any] = {"cls": cls}
    exec(source, namespace)
    build: Callable[..., P3Record] = namespace["build"]
    return build
