"""FinishLynx's input files: who competes (lynx.ppl), the heats and their entrants (lynx.evt),
and the order they are run in (lynx.sch). protocols.md §5.1; the real Lynx.evt in
../shared/data/finishlynx shows the layout.

CSV text in Windows-1252 with CRLF line ends, as FinishLynx reads and writes on Windows:

- lynx.ppl: a `;` comment line, then `ID,LastName,FirstName,Affiliation` per competitor.
- lynx.evt: per heat a header row `Event,Round,Heat,EventName,,,,,,Distance` (the 10th field
  is the distance in metres; the 5th to 9th, wind and the like, are the camera's to fill), then
  one row per entrant, starting with an empty field: `,ID,Lane,LastName,FirstName,Affiliation`,
  then a blank line.
- lynx.sch: a `;` comment line, then `Event,Round,Heat` per heat, in running order.

Fields are quoted only where they hold a comma or a quote (RFC 4180). Text the code page has
no byte for is the caller's to replace first (`windows_1252_text`); the encoders refuse it.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

import msgspec

from velotime.protocols.lif.text import split_lines
from velotime.protocols.lynx.charset import decode_text, encode_text

CRLF = "\r\n"
HEADER_FIELDS = 10  # Event, Round, Heat, EventName, five the camera fills, Distance
# Letters without a Windows-1252 byte and without an accent to strip (NFKD leaves them whole).
_PLAIN = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i"})


class LynxPerson(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    last_name: str
    first_name: str = ""
    affiliation: str = ""


class LynxEntrant(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    lane: int | None = None
    last_name: str = ""
    first_name: str = ""
    affiliation: str = ""


class LynxHeat(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    round: int
    heat: int
    name: str = ""
    distance_m: int | None = None
    entrants: tuple[LynxEntrant, ...] = ()

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.event, self.round, self.heat)


def windows_1252_text(text: str) -> str:
    """`text` as the camera can hold it: each character without a Windows-1252 byte as the
    letter without its accent ("ń" -> "n", "Ł" -> "L"), else "?"; line breaks and other
    control characters as spaces. Unchanged when the code page holds it all."""
    out = []
    for char in text:
        if unicodedata.category(char) == "Cc":
            out.append(" ")
            continue
        try:
            encode_text(char)
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            ).translate(_PLAIN)
            try:
                encode_text(base)
            except UnicodeEncodeError:
                base = "?"
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def encode_ppl(people: Iterable[LynxPerson], comment: str) -> bytes:
    rows = [[p.id, p.last_name, p.first_name, p.affiliation] for p in people]
    return _encode(rows, comment)


def encode_evt(heats: Iterable[LynxHeat]) -> bytes:
    rows: list[list[str] | None] = []
    for heat in heats:
        distance = "" if heat.distance_m is None else str(heat.distance_m)
        rows.append([heat.event, str(heat.round), str(heat.heat), heat.name, *[""] * 5, distance])
        rows += [
            [
                "",
                e.id,
                "" if e.lane is None else str(e.lane),
                e.last_name,
                e.first_name,
                e.affiliation,
            ]
            for e in heat.entrants
        ]
        rows.append(None)  # a blank line ends the heat
    return _encode(rows)


def encode_sch(heats: Iterable[tuple[str, int, int]], comment: str) -> bytes:
    return _encode([[event, str(round_), str(heat)] for event, round_, heat in heats], comment)


def parse_ppl(data: bytes) -> list[LynxPerson]:
    """The competitors of a lynx.ppl; ValueError naming the line of a row that is not one."""
    people = []
    for number, fields in _rows(data):
        if len(fields) < 2 or not fields[0]:
            raise ValueError(f"line {number}: not ID,LastName,FirstName,Affiliation")
        fields += [""] * (4 - len(fields))
        people.append(LynxPerson(id=fields[0], last_name=fields[1], first_name=fields[2],
                                 affiliation=fields[3]))  # fmt: skip
    return people


def parse_evt(data: bytes) -> list[LynxHeat]:
    """The heats of a lynx.evt with their entrants; ValueError naming the line of a row that is
    neither a heat's header nor an entrant, or an entrant before any header."""
    heats: list[LynxHeat] = []
    entrants: list[LynxEntrant] = []
    for number, fields in _rows(data):
        if not fields[0].strip():
            if not heats:
                raise ValueError(f"line {number}: an entrant before any event")
            fields = fields[1:] + [""] * (6 - len(fields))
            lane = fields[1].strip()
            if lane and not lane.isdigit():
                raise ValueError(f"line {number}: lane {lane!r} is not a number")
            entrants.append(LynxEntrant(id=fields[0], lane=int(lane) if lane else None,
                                        last_name=fields[2], first_name=fields[3],
                                        affiliation=fields[4]))  # fmt: skip
            heats[-1] = msgspec.structs.replace(heats[-1], entrants=tuple(entrants))
            continue
        fields += [""] * (HEADER_FIELDS - len(fields))
        round_, heat, distance = fields[1].strip(), fields[2].strip(), fields[9].strip()
        if not round_.isdigit() or not heat.isdigit() or not (distance.isdigit() or not distance):
            raise ValueError(f"line {number}: not Event,Round,Heat,EventName,...,Distance")
        entrants = []
        heats.append(LynxHeat(event=fields[0], round=int(round_), heat=int(heat), name=fields[3],
                              distance_m=int(distance) if distance else None))  # fmt: skip
    return heats


def parse_sch(data: bytes) -> list[tuple[str, int, int]]:
    out = []
    for number, fields in _rows(data):
        if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
            raise ValueError(f"line {number}: not Event,Round,Heat")
        out.append((fields[0], int(fields[1]), int(fields[2])))
    return out


def _encode(rows: Sequence[Sequence[str] | None], comment: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CRLF)
    if comment is not None:
        out.write(f";{comment}{CRLF}")
    for row in rows:
        if row is None:
            out.write(CRLF)
            continue
        if any(char in field for field in row for char in "\r\n"):
            raise ValueError(f"a line break in {row!r}")
        writer.writerow(row)
    return encode_text(out.getvalue())


def _rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each line that is not blank or a `;` comment."""
    out = []
    for number, line in enumerate(split_lines(decode_text(data)), start=1):
        if not line.strip() or line.startswith(";"):
            continue
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error as exc:
            raise ValueError(f"line {number}: {exc}") from None
        out.append((number, fields))
    return out
