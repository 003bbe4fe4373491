"""Typed, immutable records of one FinishLynx LIF result file, and its warnings as values."""

from collections import Counter
from enum import StrEnum
from typing import NamedTuple

import msgspec


class LifStatus(StrEnum):
    """Why a row has no place. FinishLynx writes these words in the Place column."""

    DNF = "DNF"  # did not finish (also the German "aufg.", aufgegeben)
    DNS = "DNS"  # did not start
    DQ = "DQ"  # disqualified ("DSQ" is read as DQ too)


class LifSplit(NamedTuple):
    """One entry of the Splits column, `cumulative (lap)`, both exact microseconds."""

    cumulative_us: int
    lap_us: int


class LifResult(msgspec.Struct, frozen=True, kw_only=True):
    """One result row: a placed finisher, a DNF/DNS/DQ, or an unplaced starter (empty place).

    Durations are exact integer microseconds of the text as written (never rounded, never
    truncated: truncation to the thousandth is the scoring engine's business).
    """

    line: int  # 1-based line of the file, to match rows with warnings
    place: int | None  # None for a status row, an unplaced starter or an unreadable place
    status: LifStatus | None  # None for a placed finisher or an unplaced starter
    place_text: str  # the Place column as written ("3", "DSQ", "aufg.", "")
    id: str  # bib / competitor id as written; empty for relays
    lane: int | None
    last_name: str
    first_name: str
    affiliation: str
    time_us: int | None
    time_digits: int | None  # decimals written: "12.80" -> 2, "1:45.611" -> 3
    license: str
    delta_us: int | None
    reaction_us: int | None
    splits: tuple[LifSplit, ...]
    start_time_of_day_us: int | None  # the row's StartTime, microseconds after midnight
    start_digits: int | None  # decimals written in StartTime (FinishLynx rounds it, see docs)
    user: tuple[str, ...]  # User1..User3 as written (fewer when the row is shorter)
    extra: tuple[str, ...]  # every column after User3, as written (see docs/protocols/lif.md)


class LifHeat(msgspec.Struct, frozen=True, kw_only=True):
    """The header line of a LIF file and its result rows in file order."""

    event: str  # as written: "1", "31500017", "18B"
    round: str
    heat: str
    event_name: str
    wind: str | None  # as written, e.g. "+0.6"; None when empty
    wind_unit: str | None  # "m/s"; None when empty
    distance_m: int | None
    start_time_of_day_us: int | None  # microseconds after midnight, exact
    start_digits: int | None  # decimals written (FinishLynx writes 4)
    reserved: tuple[str, ...]  # header columns 7..9 as written: meaning unknown, empty so far
    extra: tuple[str, ...]  # header columns after the 11th, as written
    results: tuple[LifResult, ...]


class LifWarningKind(StrEnum):
    BAD_HEADER = "bad_header"  # no usable header line: the parse has no heat
    SHORT_HEADER = "short_header"  # a header with fewer than 11 columns (kept)
    ENCODING = "encoding"  # a UTF-8 byte-order mark: the file was not written as Windows-1252
    BAD_CSV = "bad_csv"  # quoting the csv module rejects in strict mode (read leniently, kept)
    SHORT_ROW = "short_row"  # fewer columns than the file's other rows (kept), or than 7 (dropped)
    EMPTY_ROW = "empty_row"  # separators but not one non-blank field (dropped)
    BAD_PLACE = "bad_place"  # neither a number nor a known status word
    BAD_LANE = "bad_lane"
    BAD_TIME = "bad_time"  # Time, DeltaTime, ReactionTime, StartTime or the header start time
    BAD_SPLITS = "bad_splits"
    BAD_DISTANCE = "bad_distance"
    UNKNOWN_EXTRA = "unknown_extra"  # content velotime does not recognise past the known columns


class LifWarning(msgspec.Struct, frozen=True, kw_only=True):
    """One problem in the file. Never fatal: the rows around it are kept."""

    kind: LifWarningKind
    line: int  # 1-based; 1 for an empty file
    column: int | None  # 1-based; None when the whole line is concerned
    field: str  # the column's name ("Time", "Speed", "Extra20"), or "" for a whole line
    message: str
    text: str  # the offending text as written (the whole line for a dropped row)

    def format(self, source: str) -> str:
        """`source:line:column: message`, the way compilers report, for logs."""
        where = (
            f"{source}:{self.line}"
            if self.column is None
            else f"{source}:{self.line}:{self.column}"
        )
        return f"{where}: {self.message}"


class LifParse(msgspec.Struct, frozen=True, kw_only=True):
    """What `parse_lif` returns: the heat (None when the header is unusable) and its warnings."""

    name: str
    heat: LifHeat | None
    warnings: tuple[LifWarning, ...]

    def counts(self) -> Counter[LifWarningKind]:
        """Warnings per kind, for the driver's counters."""
        return Counter(warning.kind for warning in self.warnings)
