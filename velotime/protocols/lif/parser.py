"""`parse_lif`: the bytes of one LIF result file to a typed heat and counted warnings.

Pure: the caller reads the file (and decides when it is complete); nothing here raises on bad
input, logs or touches the file system. Each line is read as CSV on its own, so a stray quote
can only damage its own row, never swallow the rows after it (LIF has no multi-line fields).
"""

import csv
import re
from collections import Counter
from collections.abc import Callable, Mapping

from velotime.protocols.lif.layout import (
    EXTRA_COLUMNS,
    HEADER_COLUMNS,
    MIN_HEADER_COLUMNS,
    MIN_RESULT_COLUMNS,
    RESULT_COLUMNS,
    STATUS_CODES,
    header_column_name,
    result_column_name,
)
from velotime.protocols.lif.records import (
    LifHeat,
    LifParse,
    LifResult,
    LifSplit,
    LifStatus,
    LifWarning,
    LifWarningKind,
)
from velotime.protocols.lif.text import UTF8_BOM, decode_text, split_lines
from velotime.protocols.lif.times import ExactTime, parse_duration, parse_time_of_day

_UINT = re.compile(r"[0-9]{1,9}")  # bounded: int() refuses strings of more than 4300 digits
_SPEED = re.compile(r"[0-9]{1,9}(?:[.,][0-9]{1,9})?")  # "7,86" as FinishLynx writes it
_SPLIT = re.compile(r"\s*(\S+?)\s*\(\s*(\S+?)\s*\)\s*")  # "1:09.119 (1:06.013)"

# 0-based indices, from the one declaration of the layout.
_PLACE, _ID, _LANE = (RESULT_COLUMNS.index(name) for name in ("Place", "ID", "Lane"))
_LAST, _FIRST, _AFFILIATION = (
    RESULT_COLUMNS.index(name) for name in ("LastName", "FirstName", "Affiliation")
)
_TIME, _LICENSE, _DELTA, _REACTION, _SPLITS, _START, _USER = (
    RESULT_COLUMNS.index(name)
    for name in ("Time", "License", "DeltaTime", "ReactionTime", "Splits", "StartTime", "User1")
)
_FIRST_EXTRA = len(RESULT_COLUMNS)
_DELTA_COPIES = (
    _FIRST_EXTRA + EXTRA_COLUMNS.index("Delta2"),
    _FIRST_EXTRA + EXTRA_COLUMNS.index("Delta3"),
)
_SPEED_COLUMN = _FIRST_EXTRA + EXTRA_COLUMNS.index("Speed")
_WIND, _WIND_UNIT, _DISTANCE, _START_OF_DAY = (
    HEADER_COLUMNS.index(name) for name in ("Wind", "WindUnit", "Distance", "StartTimeOfDay")
)
_RESERVED = slice(HEADER_COLUMNS.index("Reserved7"), HEADER_COLUMNS.index("Reserved9") + 1)


class _Line:
    """One CSV line of the file and the warnings it causes."""

    def __init__(
        self, number: int, text: str, fields: list[str], warnings: list[LifWarning]
    ) -> None:
        self.number = number
        self.text = text  # as decoded, for warnings about the whole line
        self.fields = fields
        self.warnings = warnings

    def get(self, index: int) -> str:
        return self.fields[index] if index < len(self.fields) else ""

    def warn(
        self, kind: LifWarningKind, index: int | None, name: str, message: str, text: str
    ) -> None:
        column = None if index is None else index + 1
        self.warnings.append(
            LifWarning(
                kind=kind, line=self.number, column=column, field=name, message=message, text=text
            )
        )

    def uint(self, index: int, name: str, kind: LifWarningKind) -> int | None:
        text = self.get(index)
        if not text.strip():
            return None
        if _UINT.fullmatch(text.strip()) is None:
            self.warn(kind, index, name, f"{name} {text!r} is not a whole number", text)
            return None
        return int(text.strip())

    def duration(self, index: int, name: str) -> ExactTime | None:
        return self._time(index, name, parse_duration, "a time")

    def time_of_day(self, index: int, name: str) -> ExactTime | None:
        return self._time(index, name, parse_time_of_day, "a time of day")

    def _time(
        self, index: int, name: str, parse: Callable[[str], ExactTime | None], what: str
    ) -> ExactTime | None:
        text = self.get(index)
        if not text.strip():
            return None
        time = parse(text)
        if time is None:
            self.warn(LifWarningKind.BAD_TIME, index, name, f"{name} {text!r} is not {what}", text)
        return time


def _whole_line(kind: LifWarningKind, number: int, message: str, text: str) -> LifWarning:
    return LifWarning(kind=kind, line=number, column=None, field="", message=message, text=text)


def _read_csv(number: int, line: str, warnings: list[LifWarning]) -> _Line | None:
    """The fields of one line; quotes out of place are read leniently and reported."""
    try:
        return _Line(number, line, next(csv.reader([line], strict=True), []), warnings)
    except csv.Error:
        pass
    try:
        fields = next(csv.reader([line]), [])
    except csv.Error as error:  # a field over csv.field_size_limit(): nothing to keep but text
        message = f"unreadable line ({error}), dropped"
        warnings.append(_whole_line(LifWarningKind.BAD_CSV, number, message, line))
        return None
    message = "quotes out of place, read leniently"
    warnings.append(_whole_line(LifWarningKind.BAD_CSV, number, message, line))
    return _Line(number, line, fields, warnings)


def _value(text: str) -> str | None:
    return text if text.strip() else None


def _digits(time: ExactTime | None) -> int | None:
    return None if time is None else time.digits


def _us(time: ExactTime | None) -> int | None:
    return None if time is None else time.us


def _parse_splits(line: _Line) -> tuple[LifSplit, ...]:
    """All pairs or none: one unreadable pair would shift every later lap to the wrong index."""
    text = line.get(_SPLITS)
    if not text.strip():
        return ()
    splits: list[LifSplit] = []
    for item in text.split(","):
        match = _SPLIT.fullmatch(item)
        cumulative = parse_duration(match[1]) if match else None
        lap = parse_duration(match[2]) if match else None
        if cumulative is None or lap is None:
            message = f"split {item.strip()!r} is not 'cumulative (lap)'; all splits dropped"
            line.warn(LifWarningKind.BAD_SPLITS, _SPLITS, "Splits", message, text)
            return ()
        splits.append(LifSplit(cumulative.us, lap.us))
    return tuple(splits)


def _check_extra(line: _Line) -> None:
    """Columns past User3 are kept raw; content unlike the real files' is reported."""
    for index in range(_FIRST_EXTRA, len(line.fields)):
        text = line.fields[index]
        if not text.strip():
            continue
        if index in _DELTA_COPIES and parse_duration(text) is not None:
            continue
        if index == _SPEED_COLUMN and _SPEED.fullmatch(text.strip()) is not None:
            continue
        name = result_column_name(index)
        message = f"unrecognised content {text!r} in column {index + 1} ({name}), kept raw"
        line.warn(LifWarningKind.UNKNOWN_EXTRA, index, name, message, text)


def _parse_result(line: _Line, status_codes: Mapping[str, LifStatus]) -> LifResult:
    place_text = line.get(_PLACE)
    place: int | None = None
    status: LifStatus | None = None
    word = place_text.strip()
    if _UINT.fullmatch(word):
        place = int(word)
    elif word:
        status = status_codes.get(word.upper())
        if status is None:
            message = f"Place {place_text!r} is neither a number nor a known status"
            line.warn(LifWarningKind.BAD_PLACE, _PLACE, "Place", message, place_text)
    time = line.duration(_TIME, "Time")
    start = line.time_of_day(_START, "StartTime")
    result = LifResult(
        line=line.number,
        place=place,
        status=status,
        place_text=place_text,
        id=line.get(_ID),
        lane=line.uint(_LANE, "Lane", LifWarningKind.BAD_LANE),
        last_name=line.get(_LAST),
        first_name=line.get(_FIRST),
        affiliation=line.get(_AFFILIATION),
        time_us=_us(time),
        time_digits=_digits(time),
        license=line.get(_LICENSE),
        delta_us=_us(line.duration(_DELTA, "DeltaTime")),
        reaction_us=_us(line.duration(_REACTION, "ReactionTime")),
        splits=_parse_splits(line),
        start_time_of_day_us=_us(start),
        start_digits=_digits(start),
        user=tuple(line.fields[_USER:_FIRST_EXTRA]),
        extra=tuple(line.fields[_FIRST_EXTRA:]),
    )
    _check_extra(line)
    return result


def _parse_header(line: _Line, results: tuple[LifResult, ...]) -> LifHeat:
    count = len(line.fields)
    if count < len(HEADER_COLUMNS):
        message = f"header has {count} columns, FinishLynx writes {len(HEADER_COLUMNS)}"
        line.warn(LifWarningKind.SHORT_HEADER, None, "", message, line.text)
    for index in range(len(HEADER_COLUMNS), count):
        text = line.fields[index]
        if text.strip():
            name = header_column_name(index)
            message = f"unrecognised header content {text!r} in column {index + 1}, kept raw"
            line.warn(LifWarningKind.UNKNOWN_EXTRA, index, name, message, text)
    start = line.time_of_day(_START_OF_DAY, "StartTimeOfDay")
    return LifHeat(
        event=line.get(0),
        round=line.get(1),
        heat=line.get(2),
        event_name=line.get(3),
        wind=_value(line.get(_WIND)),
        wind_unit=_value(line.get(_WIND_UNIT)),
        distance_m=line.uint(_DISTANCE, "Distance", LifWarningKind.BAD_DISTANCE),
        start_time_of_day_us=_us(start),
        start_digits=_digits(start),
        reserved=tuple(line.fields[_RESERVED]),
        extra=tuple(line.fields[len(HEADER_COLUMNS) :]),
        results=results,
    )


def parse_lif(
    data: bytes,
    name: str = "<lif>",
    *,
    status_codes: Mapping[str, LifStatus] = STATUS_CODES,
) -> LifParse:
    """Parse one LIF file. Never raises: problems are warnings, and the good rows are kept.

    `name` only labels the result (a file name for logs). `status_codes` maps the Place words
    of the FinishLynx language in use to statuses; they are matched without case.
    """
    warnings: list[LifWarning] = []
    if data.startswith(UTF8_BOM):
        message = "UTF-8 byte-order mark: the file is read as Windows-1252 all the same"
        warnings.append(_whole_line(LifWarningKind.ENCODING, 1, message, ""))
    codes = {word.strip().upper(): status for word, status in status_codes.items()}

    # Blank lines (an editor's trailing newline, a copy's padding) carry nothing: skipped.
    lines = [
        (number, text)
        for number, text in enumerate(split_lines(decode_text(data)), start=1)
        if text.strip()
    ]
    header: _Line | None = None
    while lines and header is None:
        number, text = lines.pop(0)
        header = _read_csv(number, text, warnings)
    if header is None:
        message = "no readable header line" + ("" if data.strip() else " (empty file)")
        warnings.append(_whole_line(LifWarningKind.BAD_HEADER, 1, message, ""))
        return LifParse(name=name, heat=None, warnings=_sorted(warnings))
    if len(header.fields) < MIN_HEADER_COLUMNS or not any(f.strip() for f in header.fields):
        # Event, round and heat name the heat: without them the rows belong to nothing.
        message = f"header {header.text!r} names no heat (event, round, heat): no results"
        warnings.append(_whole_line(LifWarningKind.BAD_HEADER, header.number, message, header.text))
        return LifParse(name=name, heat=None, warnings=_sorted(warnings))

    rows: list[_Line] = []
    for number, text in lines:
        row = _read_csv(number, text, warnings)
        if row is None:
            continue
        if not any(field.strip() for field in row.fields):
            message = "row without a single value, dropped"
            warnings.append(_whole_line(LifWarningKind.EMPTY_ROW, number, message, text))
        elif len(row.fields) < MIN_RESULT_COLUMNS:
            message = (
                f"row has {len(row.fields)} columns, too few for a result (Place..Time): dropped"
            )
            warnings.append(_whole_line(LifWarningKind.SHORT_ROW, number, message, text))
        else:
            rows.append(row)

    # FinishLynx writes every row of a file with the same columns, so a row shorter than most
    # was cut. Ties go to the wider layout: with two rows, the shorter one is the cut one.
    widths = Counter(len(row.fields) for row in rows)
    usual = max(widths, key=lambda width: (widths[width], width), default=0)
    results: list[LifResult] = []
    for row in rows:
        if len(row.fields) < usual:
            message = f"row has {len(row.fields)} columns where the file's rows have {usual}"
            warnings.append(_whole_line(LifWarningKind.SHORT_ROW, row.number, message, row.text))
        results.append(_parse_result(row, codes))
    heat = _parse_header(header, tuple(results))
    return LifParse(name=name, heat=heat, warnings=_sorted(warnings))


def _sorted(warnings: list[LifWarning]) -> tuple[LifWarning, ...]:
    """File order: by line, the whole-line warning first, then by column (a stable sort)."""
    return tuple(sorted(warnings, key=lambda w: (w.line, 0 if w.column is None else w.column)))
