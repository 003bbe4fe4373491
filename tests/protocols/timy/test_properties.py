"""Property tests: round trips at every precision, any chunking, random bytes, damaged lines."""

from itertools import pairwise

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols.timy import (
    Impulse,
    LineError,
    NextNumber,
    RunTime,
    TimyItem,
    TimyRecord,
    TimyStream,
    TotalTime,
    UnknownLine,
    encode,
)

US_PER_DAY = 86_400_000_000
DURATION_LIMIT_US = 100 * 3_600_000_000  # two digits of hours
UNIT_US = {1: 100_000, 2: 10_000, 3: 1_000, 4: 100}
LINE_ENDS = st.sampled_from([b"\r", b"\n", b"\r\n"])
TIMING = (Impulse, RunTime, TotalTime)


def reference_checksum(line: bytes) -> bytes:
    """The CHK1 checksum as the Timy documentation states it, written out independently."""
    total = sum(line[:26]) % 256
    return bytes([0x30 + total // 16, 0x30 + total % 16])


# Any character the Timy could put in the flag column: code page 437 without control characters.
flags = (
    st.integers(0x20, 0xFF).filter(lambda b: b != 0x7F).map(lambda b: bytes([b]).decode("cp437"))
)
checksums = st.sampled_from([True, None])
precisions = st.integers(1, 4)


def times(limit_us: int, digits: int) -> st.SearchStrategy[int]:
    unit = UNIT_US[digits]
    return st.integers(0, limit_us // unit - 1).map(lambda n: n * unit)


def impulses(
    digits: st.SearchStrategy[int] = precisions,
    checksum: st.SearchStrategy[bool | None] = checksums,
) -> st.SearchStrategy[Impulse]:
    return digits.flatmap(
        lambda d: st.builds(
            Impulse,
            flag=flags,
            number=st.integers(0, 9999),
            channel=st.integers(0, 9),
            manual=st.booleans(),
            time_of_day_us=times(US_PER_DAY, d),
            digits=st.just(d),
            group=st.integers(0, 99),
            checksum_ok=checksum,
        )
    )


def derived_times(
    cls: type[RunTime | TotalTime],
    digits: st.SearchStrategy[int] = precisions,
    checksum: st.SearchStrategy[bool | None] = checksums,
) -> st.SearchStrategy[RunTime | TotalTime]:
    return digits.flatmap(
        lambda d: st.builds(
            cls,
            flag=flags,
            number=st.integers(0, 9999),
            duration_us=times(DURATION_LIMIT_US, d),
            digits=st.just(d),
            group=st.integers(0, 99),
            checksum_ok=checksum,
        )
    )


next_numbers = st.builds(NextNumber, number=st.integers(0, 9999))


def _timing_text(flag: str, lane: str, token: str, time: str, with_checksum: bool) -> str:
    line = f"{flag}0042{lane}{token} {time} 07".encode("cp437")
    assert len(line) == 26
    return (line + reference_checksum(line) if with_checksum else line).decode("cp437")


# Lines of the unknown kinds, written from the format description, not from the codec:
_FREE_TEXT = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz :;.,-?!=\u00fc\u00e9"),
    min_size=1,
    max_size=60,
).filter(  # a line of this shape is a timing line (then a malformed one), not free text
    lambda t: not (len(t) in (26, 28) and t[9] == " " and t[23] == " ")
)
_OTHER_TOKENS = st.sampled_from(["DT ", "ST ", "C  ", "CXM", "RTM", "c1 "])
_ANY_TIME = st.sampled_from(["00:00:00.12  ", "21:46:36.3910", "junk  time   "])
unknown_lines = st.one_of(
    _FREE_TEXT,
    st.builds(_timing_text, flags, st.just(" "), _OTHER_TOKENS, _ANY_TIME, st.booleans()),
    st.builds(
        _timing_text, flags, st.sampled_from("br"), st.just("C3 "), _ANY_TIME, st.booleans()
    ),  # parallel slalom lanes
    st.sampled_from(["s0012", "n0012b", "n0012r", "s0001r"]),
).map(lambda text: UnknownLine(text=text))

records: st.SearchStrategy[TimyRecord] = st.one_of(
    impulses(), derived_times(RunTime), derived_times(TotalTime), next_numbers, unknown_lines
)
checked_timing_records: st.SearchStrategy[TimyRecord] = st.one_of(
    impulses(checksum=st.just(True)),
    derived_times(RunTime, checksum=st.just(True)),
    derived_times(TotalTime, checksum=st.just(True)),
)


def decode(data: bytes, *, require_checksum: bool = False) -> list[TimyItem]:
    stream = TimyStream(require_checksum=require_checksum)
    out = stream.feed(data) + stream.close()
    assert stream.stats.lines == len(out)
    return out


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [1, 2, 3, 4])
@pytest.mark.parametrize("checksum", [True, None])
@given(data=st.data(), line_end=LINE_ENDS)
def test_timing_records_round_trip_at_every_precision(
    digits: int, checksum: bool | None, data: st.DataObject, line_end: bytes
) -> None:
    precision, checked = st.just(digits), st.just(checksum)
    record: TimyRecord = data.draw(
        st.one_of(
            impulses(precision, checked),
            derived_times(RunTime, precision, checked),
            derived_times(TotalTime, precision, checked),
        )
    )
    wire = encode(record, line_end=line_end)
    assert decode(wire) == [record]
    assert wire == record.text.encode("cp437") + line_end
    assert len(record.text) == (28 if checksum else 26)
    if checksum:
        assert wire[26:28] == reference_checksum(wire)


@given(records, LINE_ENDS)
def test_decode_of_encode_is_identity(record: TimyRecord, line_end: bytes) -> None:
    assert decode(encode(record, line_end=line_end)) == [record]


@given(st.lists(records, min_size=1, max_size=12), st.lists(st.integers(0, 400), max_size=12))
def test_records_survive_any_split_of_the_stream(batch: list[TimyRecord], cuts: list[int]) -> None:
    wire = b"".join(encode(r) for r in batch)
    edges = [0, *sorted(c for c in cuts if c < len(wire)), len(wire)]
    stream = TimyStream()
    out = [item for a, b in pairwise(edges) for item in stream.feed(wire[a:b])]
    assert out + stream.close() == batch


# -- bad input -------------------------------------------------------------------------------


def _with_any_checksum(record: TimyRecord, checksum: bytes) -> bytes:
    return encode(record)[:26] + checksum + b"\r"


_noisy = st.lists(
    st.one_of(
        st.binary(max_size=40),
        records.map(encode),
        # Timing lines with two arbitrary checksum characters: almost always wrong ones.
        st.builds(_with_any_checksum, checked_timing_records, st.binary(min_size=2, max_size=2)),
        st.sampled_from([b"\r", b"\n"]),
    ),
    max_size=20,
).map(b"".join)


@given(st.one_of(st.binary(max_size=2000), _noisy), st.booleans())
def test_random_bytes_never_raise_and_never_pass_a_wrong_checksum(
    data: bytes, require_checksum: bool
) -> None:
    out = decode(data, require_checksum=require_checksum)
    for item in out:
        if isinstance(item, LineError):
            continue
        wire = item.text.encode("cp437")
        assert encode(item) == wire + b"\r"  # every record is exactly its line
        if isinstance(item, TIMING):
            assert item.checksum_ok in (True, None)
            if item.checksum_ok:
                assert wire[26:] == reference_checksum(wire)
            else:
                assert not require_checksum


def _damaged(data: st.DataObject, line: bytes) -> bytes:
    """One byte of the line changed, removed or added (any value, line ends included)."""
    where = data.draw(st.integers(0, len(line) - 1))
    how = data.draw(st.sampled_from(["substitute", "delete", "insert"]))
    if how == "delete":
        return line[:where] + line[where + 1 :]
    byte = data.draw(st.integers(0, 255).filter(lambda b: how == "insert" or b != line[where]))
    return line[:where] + bytes([byte]) + line[where + (how == "substitute") :]


@given(checked_timing_records, st.data())
def test_a_damaged_checked_line_never_passes_when_checksums_are_required(
    record: TimyRecord, data: st.DataObject
) -> None:
    """With CHK1 on, one changed, lost or extra byte anywhere makes at least one error and no
    timing record at all (a line end inside the line may leave other, valid pieces)."""
    out = decode(_damaged(data, encode(record)[:-1]) + b"\r", require_checksum=True)
    assert any(isinstance(item, LineError) for item in out)
    assert not any(isinstance(item, TIMING) for item in out)


@given(checked_timing_records, st.data())
def test_a_damaged_checked_line_never_gives_wrong_times(
    record: TimyRecord, data: st.DataObject
) -> None:
    """Without requiring checksums, the one thing that can get through is the record itself,
    unchecked: a line end put in place of (or before) the checksum cuts it off, and the first
    26 characters are a good line. Any other damage is an error."""
    assert isinstance(record, TIMING)
    damaged = _damaged(data, encode(record)[:-1])
    out = decode(damaged + b"\r")
    timing = [item for item in out if isinstance(item, TIMING)]
    unchecked = msgspec.structs.replace(record, checksum_ok=None, text="")  # text made anew
    assert all(item == unchecked for item in timing)
    if not any(isinstance(item, LineError) for item in out):
        assert timing == [unchecked]
        assert damaged[26:27] in (b"\r", b"\n")
