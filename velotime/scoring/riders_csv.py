"""The riders of a meet as CSV, the form federations and entry systems give them in.

Columns (docs/meet-format.md#riders-from-a-csv-file), named by a header row in any order:
`bib` and `last_name` required, `first_name`, `nation` (or team) and `transponders` (ids
separated by spaces) optional. UTF-8, with or without the byte-order mark spreadsheets write.
Every problem is reported at once, one line each, by the line of the file it is on ("riders.csv
line 7: bib 'x12' is not a number"): nothing is imported from a file with a problem.
"""

import csv
import io
import re
from collections.abc import Sequence

import msgspec

from velotime.config.problems import ProblemsError, did_you_mean
from velotime.protocols.p3.constants import U32_MAX
from velotime.scoring.meet import Rider

COLUMNS = ("bib", "last_name", "first_name", "nation", "transponders")
REQUIRED = ("bib", "last_name")
_NUMBER = re.compile(r"[0-9]+")  # not int(): it takes "+5", "1_000" and Arabic-Indic digits


class RidersCsvError(ProblemsError):
    """Every problem of a riders CSV file, one line each."""


def riders_csv(riders: Sequence[Rider]) -> str:
    """The riders as CSV, every column, in the meet's order: RFC 4180 (comma, CRLF, quotes only
    where a field needs them), as velotime's result CSV (velotime.scoring.export)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rider in riders:
        last, first = rider.last_and_first()
        transponders = " ".join(str(t) for t in rider.transponders)
        writer.writerow([rider.bib, last, first, rider.nation, transponders])
    return out.getvalue()


def rider_of(
    bib: int, last_name: str, first_name: str, nation: str, transponders: Sequence[int]
) -> Rider:
    """A rider from its name split: `name`, as printed, is "First LAST" as the file spells it;
    the split is kept only where `name` would not split back to it (Rider.last_and_first)."""
    name = f"{first_name} {last_name}" if first_name else last_name
    rider = Rider(bib=bib, name=name, nation=nation, transponders=tuple(transponders))
    if rider.last_and_first() == (last_name, first_name):
        return rider
    return msgspec.structs.replace(rider, last_name=last_name, first_name=first_name)


def parse_riders_csv(data: bytes, source: str) -> list[Rider]:
    """The riders in CSV `data`, in file order; RidersCsvError naming `source` and the line of
    every problem."""
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's "CSV UTF-8" has a byte-order mark
    except UnicodeDecodeError as exc:
        raise RidersCsvError(
            f"{source}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []  # (the line the row starts on, its fields)
    start = 1
    try:
        for row in reader:
            if any(field.strip() for field in row):  # blank lines, and rows of empty fields
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RidersCsvError(f"{source} line {start}: not CSV: {exc}") from None
    if not rows:
        raise RidersCsvError(
            f"{source}: empty; the first line names the columns: {','.join(COLUMNS)}"
        )
    (header_line, header), *riders = rows
    columns = _columns(header, f"{source} line {header_line}")
    if not riders:
        raise RidersCsvError(f"{source}: no riders after the header (line {header_line})")
    problems: list[str] = []
    out: list[Rider] = []
    line_of_bib: dict[int, int] = {}
    owner_of_transponder: dict[int, tuple[int, str]] = {}  # -> (line, "bib 12's (line 4)")
    for line, row in riders:
        at = f"{source} line {line}"
        extra = row[len(columns) :]
        if len(row) < len(columns) or any(field.strip() for field in extra):
            problems.append(f"{at}: {len(row)} fields, the header names {len(columns)} columns")
            continue
        fields = dict(zip(columns, (field.strip() for field in row), strict=False))
        before = len(problems)
        bib = _bib(fields["bib"], at, problems)
        if not fields["last_name"]:
            problems.append(f"{at}: last_name is empty")
        if bib is not None:
            if bib in line_of_bib:
                problems.append(f"{at}: bib {bib} is also on line {line_of_bib[bib]}")
            line_of_bib.setdefault(bib, line)
        transponders = _transponders(fields.get("transponders", ""), at, problems)
        owner = f"bib {bib}'s (line {line})" if bib is not None else f"line {line}'s"
        for t in transponders:
            first_line, first_owner = owner_of_transponder.setdefault(t, (line, owner))
            if first_line != line:
                problems.append(f"{at}: transponder {t} is also {first_owner}")
        if len(problems) > before or bib is None:
            continue
        first, nation = fields.get("first_name", ""), fields.get("nation", "")
        out.append(rider_of(bib, fields["last_name"], first, nation, transponders))
    if problems:
        raise RidersCsvError(*problems)
    return out


def _columns(header: list[str], at: str) -> list[str]:
    """The header's column names; RidersCsvError for unknown, repeated or missing ones."""
    problems: list[str] = []
    columns = [name.strip().lower() for name in header]
    meant: set[str] = set()  # what the unknown columns probably are: not said missing too
    for name in columns:
        if name not in COLUMNS:
            guess = did_you_mean(name, COLUMNS)
            meant.update(c for c in COLUMNS if f"{c!r}" in guess)
            problems.append(
                f"{at}: unknown column {name!r}{guess}; the columns are {', '.join(COLUMNS)}"
            )
        elif columns.count(name) > 1:
            problems.append(f"{at}: column {name!r} twice")
    problems += [
        f"{at}: no column {name!r} (the header names {', '.join(repr(c) for c in columns)})"
        for name in REQUIRED
        if name not in columns and name not in meant
    ]
    if problems:
        raise RidersCsvError(*dict.fromkeys(problems))
    return columns


def _bib(text: str, at: str, problems: list[str]) -> int | None:
    if not _NUMBER.fullmatch(text):
        problems.append(f"{at}: bib {text!r} is not a number" if text else f"{at}: bib is empty")
        return None
    if int(text) == 0:
        problems.append(f"{at}: bib 0: a bib is a positive number")
        return None
    return int(text)


def _transponders(text: str, at: str, problems: list[str]) -> list[int]:
    out: list[int] = []
    for word in text.split():
        if not _NUMBER.fullmatch(word):
            problems.append(
                f"{at}: transponder {word!r} is not a number (separate transponders by spaces)"
            )
        elif int(word) > U32_MAX:
            problems.append(
                f"{at}: transponder {word} is over {U32_MAX} (a P3 transponder id is 32 bits)"
            )
        elif int(word) in out:
            problems.append(f"{at}: transponder {word} twice")
        else:
            out.append(int(word))
    return out
