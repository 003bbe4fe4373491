"""Hypothesis strategies for P3 records."""

from typing import Any

from hypothesis import strategies as st

from velotime.protocols.p3.records import (
    CLASS_OF_TOR,
    RECORD_CLASSES,
    Field,
    Kind,
    P3Record,
    RawField,
    Unknown,
    all_fields,
)

LATIN1_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=60)


def _value(kind: Kind) -> st.SearchStrategy[Any]:
    if kind is Kind.STR:
        return LATIN1_TEXT
    return st.integers(0, 2 ** (8 * kind.value) - 1)


def _extra(cls: type[P3Record]) -> st.SearchStrategy[RawField]:
    """Fields the record keeps raw: unknown tags, or known integer tags at another width.
    (A raw field with a known tag at its right width can only follow the typed one, so it is
    left out here and covered by the decoder tests.)"""
    fields = {f.tag: f for f in all_fields(cls)}
    unknown = st.builds(
        RawField, st.integers(0, 255).filter(lambda t: t not in fields), st.binary(max_size=40)
    )
    integer_tags = [f for f in fields.values() if f.kind is not Kind.STR]
    if not integer_tags:
        return unknown
    return st.one_of(unknown, st.sampled_from(integer_tags).flatmap(_at_wrong_width))


def _at_wrong_width(field: Field) -> st.SearchStrategy[RawField]:
    width = field.kind.value
    values = st.binary(max_size=12).filter(lambda value: len(value) != width)
    return st.builds(RawField, st.just(field.tag), values)


def records_of(cls: type[P3Record]) -> st.SearchStrategy[P3Record]:
    kwargs: dict[str, st.SearchStrategy[Any]] = {
        f.name: st.none() | _value(f.kind) for f in all_fields(cls)
    }
    kwargs["record_version"] = st.integers(0, 255)
    kwargs["header_flags"] = st.integers(0, 0xFFFF)
    kwargs["extra"] = st.lists(_extra(cls), max_size=4).map(tuple)
    if cls is Unknown:
        kwargs["unknown_tor"] = st.integers(0, 0xFFFF).filter(lambda t: t not in CLASS_OF_TOR)
    return st.builds(cls, **kwargs)


records = st.one_of([records_of(cls) for cls in RECORD_CLASSES])
