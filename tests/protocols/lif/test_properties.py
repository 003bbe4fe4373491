"""Property tests: parse_lif never raises, and gives back what a generated LIF file holds.

The files are written here from generated values by code of their own (quoting included), not
by velotime, so the parser is checked against an independent writer.
"""

from dataclasses import dataclass

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from velotime.protocols.lif import (
    STATUS_CODES,
    LifHeat,
    LifParse,
    LifResult,
    LifSplit,
    LifStatus,
    parse_lif,
)

# Any character a Windows-1252 file can hold, except line ends (LIF has no multi-line field).
TEXT = st.text(st.characters(codec="cp1252", exclude_characters="\r\n"), max_size=10)
NON_BLANK = TEXT.filter(str.strip)


@dataclass(frozen=True)
class Written:
    """A time as a FinishLynx file holds it: exact microseconds and its decimals."""

    us: int
    digits: int

    def duration(self) -> str:
        seconds, micros = divmod(self.us, 1_000_000)
        fraction = f".{micros:06d}"[: self.digits + 1] if self.digits else ""
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours}:{minutes:02d}:{seconds:02d}{fraction}"
        if minutes:
            return f"{minutes}:{seconds:02d}{fraction}"
        return f"{seconds}{fraction}"

    def time_of_day(self, pad_hours: bool) -> str:
        seconds, micros = divmod(self.us, 1_000_000)
        fraction = f".{micros:06d}"[: self.digits + 1] if self.digits else ""
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        hours_text = f"{hours:02d}" if pad_hours else str(hours)
        return f"{hours_text}:{minutes:02d}:{seconds:02d}{fraction}"


@st.composite
def written(draw: st.DrawFn, max_seconds: int) -> Written:
    """A time with 0 to 4 decimals, so a multiple of 10**(6 - digits) microseconds."""
    digits = draw(st.integers(0, 4))
    units = draw(st.integers(0, max_seconds * 10**digits))
    return Written(units * 10 ** (6 - digits), digits)


durations = written(max_seconds=10 * 3600)
times_of_day = written(max_seconds=24 * 3600 - 1)


def cell(value: str, quote_all: bool) -> str:
    if quote_all or "," in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def text_of(time: Written | None) -> str:
    return "" if time is None else time.duration()


@st.composite
def result_rows(draw: st.DrawFn) -> tuple[list[str], LifResult]:
    """The 19 columns of one row and the result they mean (line 0: set by the file)."""
    kind = draw(st.sampled_from(["place", "status", "none"]))
    place: int | None = None
    status: LifStatus | None = None
    if kind == "place":
        place = draw(st.integers(1, 999))
        place_text = str(place)
    elif kind == "status":
        word = draw(st.sampled_from(sorted(STATUS_CODES)))
        status = STATUS_CODES[word]
        place_text = draw(st.sampled_from([word, word.lower(), f" {word} "]))
    else:
        place_text = ""
    lane = draw(st.none() | st.integers(0, 99))
    time, delta, reaction = draw(st.tuples(*[st.none() | durations] * 3))
    splits = draw(st.lists(st.tuples(durations, durations), max_size=4))
    start = draw(st.none() | times_of_day)
    pad = draw(st.booleans())
    speed = draw(st.sampled_from(["", "7,86", "12", "7.5"]))
    texts = draw(st.tuples(*[TEXT] * 8))
    last_name = draw(NON_BLANK)  # a row without one non-blank value is an empty row
    bib, first_name, affiliation, license_, user1, user2, user3, _ = texts
    columns = [
        place_text,
        bib,
        "" if lane is None else str(lane),
        last_name,
        first_name,
        affiliation,
        text_of(time),
        license_,
        text_of(delta),
        text_of(reaction),
        ",".join(f"{c.duration()} ({lap.duration()})" for c, lap in splits),
        "" if start is None else start.time_of_day(pad),
        user1,
        user2,
        user3,
        text_of(delta),
        text_of(delta),
        speed,
        "",
    ]
    result = LifResult(
        line=0,
        place=place,
        status=status,
        place_text=place_text,
        id=bib,
        lane=lane,
        last_name=last_name,
        first_name=first_name,
        affiliation=affiliation,
        time_us=None if time is None else time.us,
        time_digits=None if time is None else time.digits,
        license=license_,
        delta_us=None if delta is None else delta.us,
        reaction_us=None if reaction is None else reaction.us,
        splits=tuple(LifSplit(c.us, lap.us) for c, lap in splits),
        start_time_of_day_us=None if start is None else start.us,
        start_digits=None if start is None else start.digits,
        user=(user1, user2, user3),
        extra=tuple(columns[15:]),
    )
    return columns, result


def truncated(result: LifResult, width: int) -> LifResult:
    """What a row means when FinishLynx writes only its first `width` columns."""
    changes: dict[str, object] = {"user": result.user[: max(0, width - 12)]}
    changes["extra"] = result.extra[: max(0, width - 15)]
    if width <= 7:
        changes["license"] = ""
    if width <= 8:
        changes["delta_us"] = None
    if width <= 9:
        changes["reaction_us"] = None
    if width <= 10:
        changes["splits"] = ()
    if width <= 11:
        changes["start_time_of_day_us"] = None
        changes["start_digits"] = None
    return msgspec.structs.replace(result, **changes)


@st.composite
def lif_files(draw: st.DrawFn) -> tuple[bytes, LifHeat]:
    event = draw(st.text("0123456789ABCZ", min_size=1, max_size=8))
    round_, heat_number = draw(st.tuples(*[st.integers(1, 99).map(str)] * 2))
    event_name = draw(TEXT)
    wind = draw(st.none() | NON_BLANK)
    wind_unit = draw(st.none() | NON_BLANK)
    distance = draw(st.none() | st.integers(0, 10**9 - 1))
    start = draw(st.none() | times_of_day)
    header = [
        event,
        round_,
        heat_number,
        event_name,
        wind or "",
        wind_unit or "",
        "",
        "",
        "",
        "" if distance is None else str(distance),
        "" if start is None else start.time_of_day(draw(st.booleans())),
    ]
    # Every row of a file has the same columns: FinishLynx's "last included field" setting.
    width = draw(st.sampled_from([7, 8, 9, 10, 11, 12, 15, 17, 18, 19]))
    rows = draw(st.lists(result_rows(), max_size=8))
    quote_all = draw(st.booleans())
    end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    lines = [header] + [columns[:width] for columns, _ in rows]
    text = end.join(",".join(cell(value, quote_all) for value in line) for line in lines)
    text += draw(st.sampled_from(["", end]))
    results = tuple(
        msgspec.structs.replace(truncated(result, width), line=number)
        for number, (_, result) in enumerate(rows, start=2)
    )
    heat = LifHeat(
        event=event,
        round=round_,
        heat=heat_number,
        event_name=event_name,
        wind=wind,
        wind_unit=wind_unit,
        distance_m=distance,
        start_time_of_day_us=None if start is None else start.us,
        start_digits=None if start is None else start.digits,
        reserved=("", "", ""),
        extra=(),
        results=results,
    )
    return text.encode("cp1252"), heat


@given(lif_files())
def test_a_generated_file_parses_back_to_its_values(file: tuple[bytes, LifHeat]) -> None:
    data, heat = file
    assert parse_lif(data) == LifParse(name="<lif>", heat=heat, warnings=())


@given(lif_files(), st.data())
def test_a_damaged_row_never_changes_the_others(
    file: tuple[bytes, LifHeat], data: st.DataObject
) -> None:
    raw, heat = file
    if not heat.results:
        return
    end = b"\r\n" if b"\r\n" in raw else (b"\n" if b"\n" in raw else b"\r")
    lines = raw.split(end)
    line = data.draw(st.integers(2, len(heat.results) + 1))
    garbage = data.draw(st.binary(max_size=40)).replace(b"\r", b"").replace(b"\n", b"")
    lines[line - 1] = garbage
    parsed = parse_lif(end.join(lines))
    assert parsed.heat is not None
    assert [r for r in parsed.heat.results if r.line != line] == [
        r for r in heat.results if r.line != line
    ]


# Pieces of LIF text (as Latin-1 code points, so "\x9a" is that byte): more likely than random
# bytes to reach the parser's branches.
LIF_PIECES = st.sampled_from(
    [",", '"', "\r", "\n", "\r\n", " ", ".", ":", "(", ")", "0", "1", "5", "9", "59", "60"]
)
MORE_PIECES = st.sampled_from(
    ["DNF", "aufg.", "\x00", "\x9a", "\xef\xbb\xbf", "x", "1:45.611", "13:41:52.2875", ",,,,"]
)
LIF_LIKE = st.lists(LIF_PIECES | MORE_PIECES, max_size=120).map(
    lambda pieces: "".join(pieces).encode("latin-1")
)


@given(st.binary(max_size=400) | LIF_LIKE)
def test_parse_never_raises_and_reports_sane_positions(data: bytes) -> None:
    parsed = parse_lif(data)
    lines = len(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))
    for warning in parsed.warnings:
        assert 1 <= warning.line <= lines
        assert warning.column is None or warning.column >= 1
    assert list(parsed.warnings) == sorted(
        parsed.warnings, key=lambda w: (w.line, 0 if w.column is None else w.column)
    )
    if parsed.heat is not None:
        numbers = [result.line for result in parsed.heat.results]
        assert numbers == sorted(set(numbers))
        assert all(2 <= number <= lines for number in numbers)
    msgspec.json.encode(parsed)  # every parse is a plain, encodable record
