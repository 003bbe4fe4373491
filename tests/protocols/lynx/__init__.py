"""Hypothesis strategies for FinishLynx records (shared by the property and script tests)."""

from typing import Any

from hypothesis import strategies as st

from velotime.protocols.lynx import (
    CLASS_OF_CODE,
    RECORD_CLASSES,
    Kind,
    LynxRecord,
    Unknown,
    WireField,
)
from velotime.protocols.lynx.charset import DECODING_TABLE
from velotime.protocols.lynx.constants import FRAMING_CHARACTERS

# Every character a FinishLynx text can carry: one per byte, less the four that frame messages.
FIELD_ALPHABET = "".join(c for c in DECODING_TABLE if c not in FRAMING_CHARACTERS)
field_texts = st.text(FIELD_ALPHABET, max_size=40)
# What a text field reads back as itself: not empty, no spaces around (the reader drops them).
texts = field_texts.filter(lambda t: t != "" and t == t.strip(" "))
statuses = texts.filter(lambda t: not any(c in "0123456789" for c in t))
counts = st.integers(0, 10**9 - 1)


@st.composite
def times(draw: st.DrawFn, *, signed: bool = False) -> tuple[int, int]:
    """(microseconds, decimals) of a time that is exact at that many decimals."""
    digits = draw(st.integers(0, 6))
    units = draw(st.integers(-(10**12) if signed else 0, 10**12))  # up to ~11 days at 1 us
    return units * 10 ** (6 - digits), digits


def _field_values(field: WireField) -> st.SearchStrategy[dict[str, Any]]:
    name, companion = field.name, field.companion
    if field.kind is Kind.TEXT:
        return st.fixed_dictionaries({name: st.none() | texts})
    if field.kind is Kind.INT:
        return st.fixed_dictionaries({name: st.none() | counts})
    if field.kind is Kind.OFFICIAL:
        return st.fixed_dictionaries({name: st.none() | st.booleans()})
    if field.kind is Kind.PLACE:
        assert companion is not None
        return st.one_of(
            st.just({name: None, companion: None}),
            counts.map(lambda place: {name: place, companion: None}),
            statuses.map(lambda status: {name: None, companion: status}),
        )
    # Kind.TIME: deltas may be negative
    if companion is None:
        return st.fixed_dictionaries({name: st.none() | times(signed=True).map(lambda t: t[0])})
    return st.one_of(
        st.just({name: None, companion: None}),
        times(signed=True).map(lambda t: {name: t[0], companion: t[1]}),
    )


@st.composite
def records_of(draw: st.DrawFn, cls: type[LynxRecord]) -> LynxRecord:
    values: dict[str, Any] = {}
    for field in cls.FIELDS:
        values.update(draw(_field_values(field)))
    return cls(**values)


unknown_records = st.builds(
    Unknown,
    code=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=2).filter(
        lambda code: code not in CLASS_OF_CODE
    ),
    fields=st.lists(field_texts, max_size=6).map(tuple).filter(lambda f: f != ("",)),
)
records: st.SearchStrategy[LynxRecord] = st.one_of(
    *(records_of(cls) for cls in RECORD_CLASSES), unknown_records
)
