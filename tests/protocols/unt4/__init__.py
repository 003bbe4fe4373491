"""Hypothesis strategies for UNT4 records."""

from hypothesis import strategies as st

from velotime.protocols.unt4 import ClearAll, Packet, Prefix, Text, Unt4Record
from velotime.protocols.unt4.spec import HEADER_BYTES, TEXT_BYTES

# Mostly printable text, with the control bytes text may hold (BS, US, CR, LF, NUL...).
text_chars = st.sampled_from(sorted(map(chr, HEADER_BYTES))) | st.sampled_from(
    sorted(map(chr, TEXT_BYTES - HEADER_BYTES))
)
texts = st.text(text_chars, max_size=40)
headers = st.text(st.sampled_from(sorted(map(chr, HEADER_BYTES))), max_size=8)
positions = st.integers(0, 99)

text_records = st.builds(Text, positions, positions, texts, st.booleans())


@st.composite
def packets(draw: st.DrawFn) -> Packet:
    """Packets in the one form they decode to: never that of a `Text` or `ClearAll`."""
    prefix = draw(st.none() | st.sampled_from(Prefix))
    header = draw(headers)
    headed = prefix is not None or bool(header)
    if headed and draw(st.booleans()) and draw(st.booleans()):
        return Packet(prefix=prefix, header=header, clear=True)
    column = row = None
    if headed and draw(st.booleans()):
        column, row = draw(positions), draw(positions)
    return Packet(
        prefix=prefix,
        header=header,
        column=column,
        row=row,
        text=draw(texts),
        erase_line=draw(st.booleans()),
    )


records: st.SearchStrategy[Unt4Record] = st.one_of(text_records, st.just(ClearAll()), packets())
