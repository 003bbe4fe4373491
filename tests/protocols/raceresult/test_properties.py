"""Properties of the Race Result codec: records round-trip, any split of the stream reads the
same, and garbage between lines is counted while the good lines around it are kept."""

from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols import raceresult as rr
from velotime.times import US_PER_DAY, US_PER_MS

_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters=";\x7f"),
    max_size=12,
)
_OPTIONAL = st.none() | st.integers(0, 99_999)

passings = st.builds(
    rr.Passing,
    pushed=st.booleans(),
    passing_number=st.integers(0, 10**9),
    code=_TEXT,
    date=st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)
    | st.integers(0, 99).map(lambda n: f"0000-00-{n:02d}"),
    time_of_day_us=st.integers(0, US_PER_DAY // US_PER_MS - 1).map(lambda ms: ms * US_PER_MS),
    event_id=st.integers(0, 10**6),
    hits=st.integers(0, 0xFFFF),
    max_rssi=st.integers(0, 0xFF),
    internal_data=_TEXT,
    is_active=st.booleans(),
    channel=st.integers(0, 99),
    loop_id=_OPTIONAL,
    loop_only=st.booleans(),
    wakeup_counter=_OPTIONAL,
    battery_v=st.none() | st.integers(0, 999).map(lambda cv: cv / 100),
    temperature_c=st.none() | st.integers(-40, 99),
    internal_active_data=st.none() | st.integers(0, 255),
    box_name=_TEXT,
    file_number=st.integers(0, 999),
    max_rssi_antenna=_OPTIONAL,
    box_id=_TEXT,
)
replies = st.builds(
    rr.Reply,
    command=st.sampled_from(["GETTIME", "PASSINGS", "SETPROTOCOL", "GETSTATUS", "SETTIME"]),
    fields=st.lists(_TEXT, max_size=5).map(tuple),
)
records = st.lists(passings | replies | st.just(rr.FetchEnd()), max_size=12)


@given(passings)
def test_a_passing_round_trips(passing: rr.Passing) -> None:
    line = rr.encode(passing)
    assert rr.parse_line(line[:-2]) == passing


@given(records, st.lists(st.integers(0, 4000), max_size=8))
def test_any_split_reads_the_same(items: list[rr.RaceResultRecord], cuts: list[int]) -> None:
    data = b"".join(rr.encode(item) for item in items)
    stream = rr.RaceResultStream()
    got: list[rr.RaceResultItem] = []
    start = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts):
        got += stream.feed(data[start:cut])
        start = cut
    got += stream.feed(data[start:])
    assert got + stream.close() == items
    assert stream.stats.errors == 0


_GARBAGE = st.binary(max_size=40).map(lambda b: b"\x00" + b.replace(b"\n", b""))


@given(st.lists(st.tuples(passings, _GARBAGE), min_size=1, max_size=8))
def test_garbage_between_lines_is_counted_and_the_good_lines_kept(
    pairs: list[tuple[rr.Passing, bytes]],
) -> None:
    data = b"".join(rr.encode(p) + garbage + b"\r\n" for p, garbage in pairs)
    stream = rr.RaceResultStream()
    got = stream.feed(data) + stream.close()
    assert [item for item in got if isinstance(item, rr.Passing)] == [p for p, _ in pairs]
    assert stream.stats.garbage == len(pairs)
    assert stream.stats.passings == len(pairs)
