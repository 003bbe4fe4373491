"""A UNT4 text board's page, from the scoreboard state, and the messages that bring a board to it.

No I/O and no clock of its own: `Unt4Page.update(snapshot, now_us)` returns the UNT4 records to
send (velotime.protocols.unt4), and the output driver (unt4_output.py) writes them. A page of
`rows` x `columns` characters, rows counted from 0:

    1 km time trial     PROV     the event's name, its result's status on the right
    105                 12.3     while it is on the track: the rider riding, the running clock
    1  104 ROSSI    1:00.981     then the result lines in order: rank, bib, name, time (a
    2  101 MARTIN   1:01.240     keirin's gap to the winner); nation and gap on wider boards
                                 (a keirin winner's last 200 m on the last row)

A bunch race on the track has its lap board on row 1, with the clock: "12 LAPS TO GO", on the
last lap "BELL - LAST LAP", then "FINISH"; its lines give the laps gained or lost ("+1") and
the points where the race has them.

A pursuit heat has its two sides on the rows after the title, home first: the entrant, the
gap on the row of the side behind, and the side's latest cumulative time (its time once
finished; CAUGHT once caught, without a gap, unless it rides on to a time); on the row after
them, while it is on the track, the laps to go of the side ahead and the clock. A board of two
rows shows only the two sides.

    Individual pursuit
      3 C. RED             1:18.500
      4 D. GREEN  +7.400   1:10.900
    11 LAPS TO GO             1:19.2

A sprint race has its match on the row after the title, before the clock: the riders in
slot order, the race's number in the match, the races won so far on the right:

    Sprint, 1/4, heat 2, race 3
    201 v 207 RACE 3              1-1
                                 12.3

A board given an omnium (`standings = "omnium-w"` in its config) shows that omnium's standings
instead, whatever is on the track: its name and status, then a line per rider, ranked riders
first: rank, bib, name, [nation], total points (DNF or DSQ for a rider out of the omnium).

    Omnium Women Elite         LIVE
    1    5 A. MARTIN   GER       86
    2    7 B. ROSSI    ITA       80

Names take the fullest form that fits every line shown: "Ana MARTIN", "A. MARTIN", "MARTIN".

What changed since the last page is sent, one row per message (the row written from column 0,
the rest of the line erased); a new event, or a board that has just (re)connected, is cleared
and drawn whole. The clock changes once a tenth of a second, so its row is sent at most ten
times a second. When the state is not live (the broker or the scoring service is away), the
title says OFFLINE and no clock runs: a frozen time must never pass for a live one.
"""

from velotime.protocols.unt4 import (
    MAX_COLUMNS,
    MAX_ROWS,
    MIN_COLUMNS,
    MIN_ROWS,
    ClearAll,
    Text,
    Unt4Record,
    board_text,
)
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.view import (
    EventView,
    LineView,
    PursuitView,
    board_view,
    running_time,
)
from velotime.wire.results import OmniumStandings

CLOCK_TICK_US = 100_000  # the clock shows tenths

STATUS_TAGS = {"provisional": "PROV", "final": "FINAL"}
STANDINGS_TAGS = {"live": "LIVE", "final": "FINAL"}  # an omnium's; "running": none
OFFLINE_TAG = "OFFLINE"
_NAME_MIN = 10  # the name column keeps at least this many characters before nation or gap show


class Unt4Page:
    """What one board shows, and the records that bring it up to date."""

    def __init__(self, rows: int, columns: int, *, standings: str | None = None) -> None:
        """`standings`: the omnium whose standings the board shows, rather than the track."""
        if not MIN_ROWS <= rows <= MAX_ROWS:
            raise ValueError(f"rows must be {MIN_ROWS} to {MAX_ROWS}, got {rows}")
        if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
            raise ValueError(f"columns must be {MIN_COLUMNS} to {MAX_COLUMNS}, got {columns}")
        self.rows = rows
        self.columns = columns
        self.standings = standings
        self.bad_states = 0  # pages that failed (a bug): shown as a blank page, counted
        self._shown: list[str] | None = None  # None: the board's content is unknown
        self._event: str | None = None
        self._clock_from: int | None = None  # start_us of the clock on the page, if one runs

    def forget(self) -> None:
        """The board may show anything (it has just been (re)connected): repaint it whole."""
        self._shown = None

    def update(self, snapshot: Snapshot, now_us: int) -> list[Unt4Record]:
        """The records that turn what the board shows into the page for `snapshot` at `now_us`:
        none when nothing changed."""
        if self.standings is not None:
            return self._update_standings(snapshot, self.standings)
        view = self.view(snapshot)
        live = snapshot.live
        try:
            page = render(view, now_us, self.rows, self.columns, live=live)
        except Exception:  # a bug must not stop the board: a blank page, counted
            self.bad_states += 1
            view, page = None, [""] * self.rows
        event = view.event if view is not None else None
        running = view is not None and view.on_track and live and view.start_us is not None
        self._clock_from = view.start_us if running and view is not None else None
        return self._changes(event, page)

    def _update_standings(self, snapshot: Snapshot, omnium: str) -> list[Unt4Record]:
        standings = snapshot.standings.get(omnium)
        shown = standings if isinstance(standings, OmniumStandings) else None
        try:
            page = render_standings(shown, self.rows, self.columns, live=snapshot.live)
        except Exception:  # a bug must not stop the board: a blank page, counted
            self.bad_states += 1
            page = [""] * self.rows
        self._clock_from = None
        return self._changes(f"standings/{omnium}", page)

    def _changes(self, event: str | None, page: list[str]) -> list[Unt4Record]:
        """The records from what the board shows to `page`; all of it for a new event."""
        out: list[Unt4Record] = []
        shown = self._shown
        if shown is None or event != self._event:
            out.append(ClearAll())
            shown = [""] * self.rows
        out += [
            Text(0, row, new, erase_line=True)
            for row, (old, new) in enumerate(zip(shown, page, strict=True))
            if new != old
        ]
        self._shown = page
        self._event = event
        return out

    def next_tick_us(self, now_us: int) -> int | None:
        """When the clock on the page shows its next tenth; None when no clock runs."""
        start = self._clock_from
        if start is None:
            return None
        if now_us < start:
            return start
        return start + ((now_us - start) // CLOCK_TICK_US + 1) * CLOCK_TICK_US

    def view(self, snapshot: Snapshot) -> EventView | None:
        """The event to show. The payloads were checked where they came in (ScoreboardState), so
        only a bug can fail here: it costs the page, never the board."""
        try:
            return board_view(snapshot)
        except Exception:  # a blank page, counted
            self.bad_states += 1
            return None


# --- The page -----------------------------------------------------------------------------------


def render(
    view: EventView | None, now_us: int, rows: int, columns: int, *, live: bool
) -> list[str]:
    """The page: `rows` strings of printable ASCII, none longer than `columns`, no trailing
    spaces. Blank when there is nothing to show."""
    page = [""] * rows
    if view is None:
        return page
    if view.pursuit is not None:
        return _pursuit_page(view, view.pursuit, now_us, rows, columns, live=live)
    tag = OFFLINE_TAG if not live else STATUS_TAGS.get(view.status, "")
    page[0] = _spread(board_text(view.title), tag, columns)
    first = 1
    if view.match is not None:  # before the clock: a board of two rows keeps the match
        page[first] = _match_row(view, columns)
        first += 1
    if view.on_track and first < rows:
        page[first] = _clock_row(view, now_us, columns, live=live)
        if view.lap_board is not None:
            clock = running_time(view.start_us, now_us) if live else ""
            page[first] = _spread(view.lap_board.label, clock, columns)
        first += 1
    last = rows  # rows for result lines: [first, last)
    note = board_text(view.note)
    if note and rows - first >= 2:
        last = rows - 1
        page[last] = _fit_note(note, columns)
    lines = view.lines[: max(0, last - first)]
    for row, text in enumerate(_line_rows(lines, columns), start=first):
        page[row] = text
    return [text[:columns].rstrip() for text in page]


def render_standings(
    standings: OmniumStandings | None, rows: int, columns: int, *, live: bool
) -> list[str]:
    """An omnium's standings page, as `render` draws a result: the title row, then as many
    riders as the board has rows, each with the total (or DNF, DSQ) where a time goes. Blank
    before the omnium has standings."""
    page = [""] * rows
    if standings is None:
        return page
    tag = OFFLINE_TAG if not live else STANDINGS_TAGS.get(standings.status, "")
    page[0] = _spread(board_text(standings.name or standings.competition), tag, columns)
    lines = [
        LineView(
            rank="" if line.rank is None else str(line.rank),
            bib=line.bib,
            name=line.name,
            nation=line.nation,
            time=line.status or str(line.total),
            gap="",
            speed="",
            flags=[],
        )
        for line in standings.lines[: rows - 1]
    ]
    for row, text in enumerate(_line_rows(lines, columns), start=1):
        page[row] = text
    return [text[:columns].rstrip() for text in page]


def _spread(left: str, right: str, columns: int) -> str:
    """`left` cut to leave room for `right`, which ends at the last column."""
    if not right:
        return left[:columns]
    room = max(0, columns - len(right) - 1)
    return f"{left[:room].rstrip():<{room}} {right}"[-columns:]


def _clock_row(view: EventView, now_us: int, columns: int, *, live: bool) -> str:
    clock = running_time(view.start_us, now_us) if live else ""
    rider = ""
    if view.rider_on_track is not None:
        names = {line.bib: line.name for line in view.lines}
        name = names.get(view.rider_on_track, "")
        width = columns - len(clock) - 1 - len(str(view.rider_on_track)) - 1
        rider = f"{view.rider_on_track} {short_name(name, width)}".rstrip()
    return _spread(rider, clock, columns)


def _pursuit_page(
    view: EventView, pursuit: PursuitView, now_us: int, rows: int, columns: int, *, live: bool
) -> list[str]:
    page = [""] * rows
    first = 0
    if rows > 2:
        tag = OFFLINE_TAG if not live else STATUS_TAGS.get(view.status, "")
        page[0] = _spread(board_text(view.title), tag, columns)
        first = 1
    sides = pursuit.sides[: rows - first]
    entrant_w = max((len(str(side.entrant)) for side in sides), default=1)
    for row, side in enumerate(sides, start=first):
        # A caught rider riding on for a time (qualifying) shows it once finished.
        stopped = side.state if side.state in ("CAUGHT", "DNF", "DNS", "DSQ") else ""
        right = board_text(side.time or stopped or side.latest)
        if pursuit.leader is not None and not side.ahead and pursuit.gap and right != "CAUGHT":
            with_gap = f"{pursuit.gap} {right}"
            if len(with_gap) + 1 + entrant_w < columns:  # room for the entrant still
                right = with_gap
        room = columns - len(right) - 1 - entrant_w - 1
        page[row] = _spread(f"{side.entrant:>{entrant_w}} {short_name(side.name, room)}", right,
                            columns)  # fmt: skip
    below = first + len(sides)
    if view.on_track and below < rows and not pursuit.finished:
        ahead = [side for side in pursuit.sides if side.ahead] or pursuit.sides[:1]
        to_go = ahead[0].laps_to_go if ahead else ""
        label = f"{to_go} LAP{'' if to_go == '1' else 'S'} TO GO" if to_go else ""
        page[below] = _spread(label, running_time(view.start_us, now_us) if live else "", columns)
    return [text[:columns].rstrip() for text in page]


def _match_row(view: EventView, columns: int) -> str:
    """A sprint race's match: "201 v 207 RACE 3", the races won ("1-1") at the right."""
    match = view.match
    assert match is not None
    left = " v ".join(map(str, match.riders))
    if match.best_of > 1:
        left += f" RACE {match.race}"
    return _spread(left, match.score, columns)


def _fit_note(note: str, columns: int) -> str:
    """The note, without its parenthesis if that makes it fit ("Last 200 m 9.397")."""
    if len(note) > columns and "(" in note:
        note = note[: note.index("(")].rstrip()
    return note[:columns]


def _line_rows(lines: list[LineView], columns: int) -> list[str]:
    """Result lines in fixed-width columns: rank, bib, name, [nation], [gap], result. The
    widths suit every line shown, so the columns line up."""
    if not lines:
        return []
    if any(line.laps for line in lines):  # a bunch race: its points, its laps gained or lost
        results = [board_text(line.points or line.time) for line in lines]
        gaps = [board_text(line.laps_gained) for line in lines]
    else:
        results = [board_text(line.time or line.gap) for line in lines]
        gaps = [board_text(line.gap) if line.time else "" for line in lines]
    rank_w = max(2, *(len(board_text(line.rank)) for line in lines))
    bib_w = max(3, *(len(str(line.bib)) for line in lines))
    result_w = max(len(result) for result in results)
    name_w = columns - rank_w - 1 - bib_w - 1 - (result_w + 1 if result_w else 0)
    nations = [board_text(line.nation)[:3] for line in lines]
    nation_w = max(len(nation) for nation in nations)
    show_nation = nation_w > 0 and name_w - nation_w - 1 >= _NAME_MIN
    if show_nation:
        name_w -= nation_w + 1
    gap_w = max(len(gap) for gap in gaps)
    show_gap = gap_w > 0 and name_w - gap_w - 1 >= _NAME_MIN
    if show_gap:
        name_w -= gap_w + 1
    name_w = max(1, name_w)  # a board too narrow for these lines: rows are cut at the right
    names = short_names([line.name for line in lines], name_w)
    rows = []
    for line, name, nation, gap, result in zip(lines, names, nations, gaps, results, strict=True):
        row = f"{board_text(line.rank):<{rank_w}} {line.bib:>{bib_w}} {name:<{name_w}}"
        if show_nation:
            row += f" {nation:<{nation_w}}"
        if show_gap:
            row += f" {gap:>{gap_w}}"
        if result_w:
            row += f" {result:>{result_w}}"
        rows.append(row)
    return rows


# --- Names --------------------------------------------------------------------------------------


def _forms(name: str) -> list[str]:
    """A name's forms from the fullest: "Ana MARTIN", "A. MARTIN", "MARTIN". The family name is
    the words written in capitals, as start lists write it; else the last word."""
    words = board_text(name).split()
    if not words:
        return [""]
    capitals = [i for i, w in enumerate(words) if w.isupper() and any(c.isalpha() for c in w)]
    if not capitals or len(capitals) == len(words):
        capitals = [len(words) - 1]
    family = [words[i] for i in capitals]
    given = [w for i, w in enumerate(words) if i not in capitals]
    surname = " ".join(family)
    forms = [" ".join(words)]
    if given and given[0][:1].isalpha():
        forms.append(f"{given[0][0]}. {surname}")
    forms.append(surname)
    return forms


def short_names(names: list[str], width: int) -> list[str]:
    """The names in one form for all of them, the fullest that fits every one; where even the
    family name does not fit, it is cut."""
    all_forms = [_forms(name) for name in names]
    for depth in range(3):
        chosen = [forms[min(depth, len(forms) - 1)] for forms in all_forms]
        if all(len(name) <= width for name in chosen):
            return chosen
    return [forms[-1][:width].rstrip() for forms in all_forms]


def short_name(name: str, width: int) -> str:
    return short_names([name], max(0, width))[0]
