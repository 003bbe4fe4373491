"""The terminal view (`velotime watch`): the scoreboard state as one rich renderable.

`render(snapshot, now_us, ...)` is a pure function of `ScoreboardState.snapshot()` and the
time, so that tests render it to text without a terminal; `velotime.cli.watch` redraws it on
each change and every tenth of a second for the running clock.

The screen, top to bottom:
- the header: venue, event, status, the running clock and LIVE / STALE / OFFLINE (offline: no
  broker connection; stale: connected, but the scoring service is not online: what is shown
  may be old); while live, the daemon's sources that are offline or miss passings;
- for a keirin heat, its start list (bibs, in seeding order) and the winner's last 200 m;
- for a bunch race, its lap board: laps to go, and on the last lap the bell, in red;
- the ranking: rank, bib, name, nation, (bunch races: laps, laps gained or lost, points when
  the race has them), time, gap, speed and the flags, compact (Q qualified, draw required,
  photo required, corr corrected);
- for a pursuit heat, its two sides, one line each: the side (home or back straight), the
  entrant, the latest split (its cumulative time and distance; the time once finished), the
  laps to go and CAUGHT, WON or FINISHED; then the gap at the latest half lap both have ridden
  and who is ahead;
- for a sprint race, its match: round and heat, the riders, the races won ("1-1") and which
  race this is ("race 3 (decider)");
- for a keirin competition, its standings (rounds, heats, classification), beside the ranking
  on a wide terminal, else below it when the terminal is tall enough; for a race of an omnium,
  the omnium's standings (rank, rider, points race by race, total) the same way; for a sprint
  race, its tournament: each round's matches, the riders and races won ("2-1", the winner in
  bold), and for a round not drawn yet where its riders come from ("Q1", "W 1/4 #1").
"""

from rich import box
from rich.console import Group, JustifyMethod, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.view import (
    EventView,
    LineView,
    PursuitView,
    board_view,
    running_time,
    slot_label,
)
from velotime.wire.results import (
    EventResult,
    OmniumStandings,
    OnTrackNow,
    Standings,
    StandingsEntrant,
    StandingsHeat,
    StandingsRound,
)
from velotime.wire.status import SourceStatus

# How the flags of a result line show, compactly, and in what style.
FLAGS: dict[str, tuple[str, str]] = {
    "qualified": ("Q", "green"),
    "draw required": ("draw", "bold yellow"),
    "photo required": ("photo", "bold yellow"),
    "corrected": ("corr", "cyan"),
    "check": ("check", "bold white on red"),  # a time outside the plausible window: not ranked
    "confirmed": ("conf", "cyan"),
}
INDICATORS: dict[str, str] = {
    "LIVE": "bold white on green",
    "STALE": "bold black on yellow",
    "OFFLINE": "bold white on red",
}
STATUS_STYLES = {"running": "bold", "provisional": "yellow", "final": "bold green",
                 "live": "bold cyan"}  # fmt: skip
SIDE_BY_SIDE_WIDTH = 112  # from this width on, the standings sit beside the ranking
STANDINGS_WIDTH = 40
NARROW_WIDTH = 64  # below this width, the ranking leaves out nation and speed
HEADER_ROWS = 4  # the header panel: two lines and its border


def indicator(snapshot: Snapshot) -> str:
    """LIVE, STALE (connected, the scoring service not online) or OFFLINE (no broker)."""
    if not snapshot.connected:
        return "OFFLINE"
    return "LIVE" if snapshot.live else "STALE"


def clock(snapshot: Snapshot, now_us: int) -> str:
    """The running clock the header shows ("12.3"), "" when none runs: while it does, the view
    changes every tenth of a second."""
    view = board_view(snapshot)
    if view is None:
        return ""
    return _clock(view, _status(snapshot, view), now_us)


def source_health(snapshot: Snapshot) -> str:
    """The daemon's sources that need the timing crew's eye: offline, or missing passings the
    decoder has not resent yet ("" when all is well)."""
    notes = []
    for key, status in snapshot.status.items():
        name = key.removeprefix("sources/")
        if not isinstance(status, SourceStatus) or name == key:
            continue
        if not status.online:
            notes.append(f"{name} offline")
        elif status.missing:
            notes.append(f"{name}: {status.missing} passings missing")
    return " · ".join(notes)


def _clock(view: EventView, status: str, now_us: int) -> str:
    return running_time(view.start_us, now_us) if status == "running" else ""


def render(
    snapshot: Snapshot,
    now_us: int,
    *,
    venue: str = "",
    width: int = 80,
    height: int | None = None,
    message: str = "",
) -> RenderableType:
    """The whole screen for a terminal `width` columns wide and `height` rows tall (None: as
    tall as it takes). `message` says in the header why the view is offline (the broker
    connection's last error)."""
    view = board_view(snapshot)
    state = indicator(snapshot)
    if state == "OFFLINE":
        message = message or "no connection to the broker"
    else:
        message = (
            source_health(snapshot) if state == "LIVE" else "the scoring service is not online"
        )
    header = _header(snapshot, view, now_us, venue, state, message)
    if view is None:
        waiting = Text("waiting for results", style="dim italic", justify="center")
        return Group(header, Padding(waiting, (1, 0)))
    rows = None if height is None else max(height - HEADER_ROWS, 3)
    notes = _notes(snapshot, view)
    standings = _standings_for(snapshot, view.event)
    if standings is not None and width >= SIDE_BY_SIDE_WIDTH:
        ranking = _ranking(view, width - STANDINGS_WIDTH - 1, rows, len(notes))
        layout = Table.grid(expand=True, padding=(0, 0, 0, 1))
        layout.add_column(ratio=1)
        layout.add_column(width=STANDINGS_WIDTH)
        layout.add_row(ranking, _standings_panel(standings, view.event, rows, expand=True))
        return Group(header, *notes, layout)
    body: list[RenderableType] = [*notes, _ranking(view, width, rows, len(notes))]
    if standings is not None:
        panel = _standings_panel(standings, view.event, None)
        used = HEADER_ROWS + len(notes) + _ranking_rows(view)
        if height is None or used + _standings_rows(standings) <= height:
            body.append(panel)
    return Group(header, *body)


def _header(
    snapshot: Snapshot,
    view: EventView | None,
    now_us: int,
    venue: str,
    state: str,
    message: str,
) -> Panel:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    live = state == "LIVE"
    right = Text()
    title = Text.assemble((venue, "bold cyan"))
    detail = Text(style="dim")
    if view is not None:
        title.append("  " + view.title, style="bold")
        source = _event_payload(snapshot, view)
        parts = [source.category, source.round] if source is not None else []
        detail.append(" · ".join(part for part in parts if part))
        if not view.on_track:
            detail.append(" · latest result" if detail else "latest result")
        if view.rider_on_track is not None:
            names = {line.bib: line.name for line in view.lines}
            rider = f"{view.rider_on_track} {names.get(view.rider_on_track, '')}".strip()
            detail.append(" · " if detail else "")
            detail.append(f"on track: {rider}", style="bold")
        status = _status(snapshot, view)
        if status:
            right.append(status, style=STATUS_STYLES.get(status, ""))
        clock = _clock(view, status, now_us)
        if clock:
            right.append(f"  {clock:>7}", style="bold" if live else "dim")
    right.append("  ")
    right.append(f" {state} ", style=INDICATORS[state])
    grid.add_row(title, right)
    grid.add_row(detail, Text(message, style="dim italic", overflow="ellipsis"))
    return Panel(grid, box=box.ROUNDED, padding=(0, 1), border_style="cyan" if live else "dim")


def _event_payload(snapshot: Snapshot, view: EventView) -> OnTrackNow | EventResult | None:
    """The event's own payload: `current` while it is on the track, else its result."""
    if view.on_track and isinstance(snapshot.current, OnTrackNow):
        return snapshot.current
    return snapshot.results.get(view.event)


def _status(snapshot: Snapshot, view: EventView) -> str:
    """The result's status, else the event payload's own (an event on the track, no result yet)."""
    source = _event_payload(snapshot, view)
    return view.status or (source.status if source is not None else "")


def _notes(snapshot: Snapshot, view: EventView) -> list[Text]:
    """One-line notes above the ranking: a keirin heat's riders, its winner's last 200 m."""
    notes = []
    if view.discipline == "keirin":
        riders = _heat_riders(snapshot, view)
        if riders:
            notes.append(Text.assemble(("Start list  ", "dim"), " ".join(map(str, riders))))
    if view.match is not None:
        notes.append(Text.assemble(("Match  ", "dim"), (view.match.label, "bold")))
    if view.pursuit is not None:
        notes += _pursuit_notes(view.pursuit)
    if view.note:
        notes.append(Text(view.note, style="bold magenta"))
    board = view.lap_board
    if board is not None:
        style = "bold white on red" if board.bell else ("bold green" if board.finished else "bold")
        notes.append(Text(f" {board.label} ", style=style))
    return notes


SIDE_STYLES = {"home": "bold red", "back": "bold green"}  # the pursuit lines' colours
STATE_STYLES = {"CAUGHT": "bold white on red", "WON": "bold black on green",
                "FINISHED": "bold green"}  # fmt: skip


def _pursuit_notes(pursuit: PursuitView) -> list[Text]:
    """A pursuit heat, compactly: a line per side, then the gap."""
    name_w = min(20, max((len(side.name) for side in pursuit.sides), default=0))
    entrant_w = max((len(str(side.entrant)) for side in pursuit.sides), default=1)
    notes = []
    for side in pursuit.sides:
        line = Text()
        line.append(f"{side.side.capitalize():<5}", style=SIDE_STYLES.get(side.side, ""))
        line.append(f" {side.entrant:>{entrant_w}} {side.name[:name_w]:<{name_w}}",
                    style="bold" if side.ahead else "")  # fmt: skip
        line.append(f"  {side.shown_time:>9}", style="bold")
        if not side.time and side.distance_m:
            line.append(f" @{side.distance_m} m", style="dim")
        if side.laps_to_go != "0":
            plural = "" if side.laps_to_go == "1" else "s"
            line.append(f"  {side.laps_to_go} lap{plural} to go", style="dim")
        if side.dropped:
            line.append("  dropped " + " ".join(map(str, side.dropped)), style="dim")
        if side.state:
            line.append("  ")
            line.append(f" {side.state} ", style=STATE_STYLES.get(side.state, "bold yellow"))
        notes.append(line)
    if pursuit.gap_label:
        notes.append(Text.assemble((f"{'Gap':<5} ", "dim"), (pursuit.gap_label, "bold")))
    return notes


def _heat_riders(snapshot: Snapshot, view: EventView) -> list[int]:
    if view.on_track and isinstance(snapshot.current, OnTrackNow):
        return list(snapshot.current.riders)
    for competition in snapshot.standings.values():
        if isinstance(competition, Standings):
            for heat in _heats(competition):
                if heat.event == view.event:
                    return list(heat.riders)
    return []


def _ranking_rows(view: EventView) -> int:
    """The rows the ranking takes: its header and rule, and a row per line."""
    return 2 + max(len(view.lines), 1)


def _ranking(view: EventView, width: int, rows: int | None, taken: int) -> RenderableType:
    # A column shows only when some line has a value in it (a keirin has no times or speeds);
    # a narrow terminal leaves out the nation and speed, and below 50 columns the gap.
    def wanted(name: str, fewest_columns: int = 0) -> bool:
        return width >= fewest_columns and any(getattr(line, name) for line in view.lines)

    columns: list[tuple[str, str, int, JustifyMethod, bool]] = [
        ("nation", "Nat", 3, "left", wanted("nation", NARROW_WIDTH)),
        ("laps", "Laps", 4, "right", wanted("laps")),
        ("laps_gained", "+/-", 3, "right", wanted("laps_gained")),
        ("points", "Pts", 4, "right", wanted("points")),
        ("time", "Time", 8, "right", wanted("time")),
        ("gap", "Gap", 7, "right", wanted("gap", 50)),
        ("speed", "km/h", 6, "right", wanted("speed", NARROW_WIDTH)),
        ("flags", "", 5, "left", wanted("flags")),
    ]
    shown = [column for column in columns if column[-1]]
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, padding=(0, 1), show_edge=False)
    table.add_column("#", justify="right", width=3, no_wrap=True)
    table.add_column("Bib", justify="right", width=4, no_wrap=True)
    table.add_column("Name", ratio=1, no_wrap=True, overflow="ellipsis", min_width=6)
    for _, title, size, justify, _ in shown:
        table.add_column(title, justify=justify, width=size, no_wrap=True)
    if not view.lines:
        table.add_row("", "", Text("no times yet", style="dim italic"))
        return table
    lines = view.lines
    hidden = 0
    if rows is not None:
        room = max(rows - taken - 2, 1)  # the table's header and its rule
        if len(lines) > room:
            lines, hidden = lines[: room - 1], len(lines) - (room - 1)
    for line in lines:
        on_track = view.rider_on_track == line.bib
        style = "reverse" if on_track else ("dim" if not line.rank else "")
        cells: list[RenderableType] = [line.rank, str(line.bib), line.name]
        for name, *_ in shown:
            if name == "time":
                cells.append(Text(line.time, style="bold"))
            elif name == "flags":
                cells.append(_flags(line))
            else:
                cells.append(getattr(line, name))
        table.add_row(*cells, style=style)
    if hidden:
        table.add_row("", "", Text(f"… {hidden} more", style="dim italic"))
    return table


def _flags(line: LineView) -> Text:
    text = Text()
    for flag in line.flags:
        label, style = FLAGS.get(flag, (flag, ""))
        text.append(("" if not text else " ") + label, style=style)
    return text


def _heats(competition: Standings) -> list[StandingsHeat]:
    return [heat for round_ in competition.rounds for heat in round_.heats]


def _is_here(heat: StandingsHeat, event: str) -> bool:
    """The heat is the event, or (a sprint match) has it among its races."""
    races = heat.races if isinstance(heat.races, list) else []
    return heat.event == event or any(race.event == event for race in races)


def _round_rows(round_: StandingsRound) -> int:
    """A round's heats, or before its draw (a sprint's) its slots."""
    slots = round_.slots if isinstance(round_.slots, list) else []
    return max(len(round_.heats), len(slots))


def _standings_for(snapshot: Snapshot, event: str) -> Standings | OmniumStandings | None:
    """The keirin competition that the event is a heat of, or the omnium it is a race of."""
    for competition in snapshot.standings.values():
        if isinstance(competition, OmniumStandings):
            if any(race.event == event for race in competition.races):
                return competition
        elif any(_is_here(heat, event) for heat in _heats(competition)):
            return competition
    return None


def _standings_rows(competition: Standings | OmniumStandings) -> int:
    """The rows the standings panel takes: border, title, rounds and heats, classification
    (an omnium: its header, its races' names and a row per rider)."""
    if isinstance(competition, OmniumStandings):
        return 4 + len(competition.lines)
    rows = 3 + len(competition.rounds) + sum(_round_rows(round_) for round_ in competition.rounds)
    classification = competition.classification
    return rows + (1 + len(classification) if classification else 0)


def _standings_panel(
    competition: Standings | OmniumStandings, event: str, rows: int | None, *, expand: bool = False
) -> Panel:
    if isinstance(competition, OmniumStandings):
        return _omnium_panel(competition, event, rows, expand=expand)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    status = competition.status
    grid.add_row(Text(competition.category, style="dim"),
                 Text(status, style=STATUS_STYLES.get(status, "")))  # fmt: skip
    for round_ in competition.rounds:
        heats = round_.heats
        grid.add_row(Text(round_.name, style="bold"), "")
        if competition.discipline == "sprint":
            _sprint_round_rows(grid, round_, event)
            continue
        for number, heat in enumerate(heats, 1):
            here = heat.event == event
            label = Text(f"{'▶' if here else ' '} heat {number}" if len(heats) > 1 else
                         f"{'▶' if here else ' '} heat", style="bold" if here else "")  # fmt: skip
            entrants = heat.entrants if isinstance(heat.entrants, list) else []
            if entrants:  # a pursuit or team sprint heat: each entrant's time, home first
                bibs = _timed_heat(heat, entrants, here)
            elif heat.order:
                bibs = Text(" ".join(map(str, heat.order)), style="bold" if here else "")
            else:
                bibs = Text(" ".join(map(str, heat.riders)), style="dim")
            grid.add_row(label, bibs)
    classification = competition.classification
    if classification:
        grid.add_row(Text("classification", style="bold"), "")
        shown = classification
        if rows is not None:
            room = rows - (_standings_rows(competition) - len(classification))
            shown = classification[: max(room, 0)]
        for line in shown:
            rank = "" if line.rank is None else str(line.rank)
            who = f"{line.bib} {line.name}".strip()
            grid.add_row(Text(f"{rank:>3}"), Text(who + "  " + line.status.value))
    title = competition.name or competition.competition
    return Panel(
        grid, title=title, title_align="left", box=box.ROUNDED, padding=(0, 1), expand=expand
    )


def _timed_heat(heat: StandingsHeat, entrants: list[StandingsEntrant], here: bool) -> Text:
    """A pursuit or team sprint heat in the standings: "1 58.500  2 1:00.200", the winner in
    bold green; an entrant with no time its status, or "caught"."""
    by_entrant = {entrant.entrant: entrant for entrant in entrants}
    winner = heat.winner if isinstance(heat.winner, int) else None
    text = Text(style="bold" if here else "")
    for bib in heat.riders:
        entrant = by_entrant.get(bib)
        result = ""
        if entrant is not None:
            result = entrant.time or entrant.status.value or ("caught" if entrant.caught else "")
        text.append("  " if text else "")
        text.append(f"{bib} {result}".strip(), style="bold green" if bib == winner else "")
    return text


def _sprint_round_rows(grid: Table, round_: StandingsRound, event: str) -> None:
    """A sprint round's matches: the riders in slot order, each one's races won, the match's
    winner in bold; before the draw, where the riders come from."""
    heats = round_.heats
    slots = round_.slots if isinstance(round_.slots, list) else []
    best_of = round_.best_of if isinstance(round_.best_of, int) else 1
    for number in range(1, max(len(heats), len(slots)) + 1):
        heat = heats[number - 1] if number <= len(heats) else None
        here = heat is not None and _is_here(heat, event)
        label = Text(f"{'▶' if here else ' '} heat {number}" if _round_rows(round_) > 1 else
                     f"{'▶' if here else ' '} heat", style="bold" if here else "")  # fmt: skip
        if heat is None:
            where = slots[number - 1] if number <= len(slots) else []
            grid.add_row(label, Text(" v ".join(map(slot_label, where)), style="dim"))
            continue
        wins = heat.wins if isinstance(heat.wins, list) else []
        winner = heat.order[0] if heat.status == "final" and heat.order else None
        match = Text()
        for i, bib in enumerate(heat.riders):
            match.append(" v " if i else "")
            match.append(str(bib), style="bold green" if bib == winner else "")
        if best_of > 1 and wins:
            match.append("  " + "-".join(map(str, wins)), style="bold" if here else "")
        grid.add_row(label, match)


def _omnium_panel(
    omnium: OmniumStandings, event: str, rows: int | None, *, expand: bool = False
) -> Panel:
    """An omnium's standings: each rider's rank, bib, the points of each race counted so far
    (the race shown now marked ▶) and the total; riders out of the omnium last, with why."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Bib", justify="right", no_wrap=True)
    counted = [i for i, race in enumerate(omnium.races) if race.counted]
    for i in counted:
        race = omnium.races[i]
        here = race.event == event
        table.add_column(("▶" if here else "") + _race_initials(race.name), justify="right",
                         no_wrap=True, style="bold" if here else "")  # fmt: skip
    table.add_column("Tot", justify="right", no_wrap=True, style="bold")
    shown = omnium.lines
    if rows is not None:
        shown = shown[: max(rows - 4, 0)]
    for line in shown:
        cells = ["" if line.rank is None else str(line.rank), str(line.bib)]
        for i in counted:
            score = line.races[i] if i < len(line.races) else None
            cells.append("" if score is None else (score.status or str(score.points)))
        cells.append(line.status or str(line.total))
        table.add_row(*cells, style="dim" if line.rank is None else "")
    status = omnium.status
    title = f"{omnium.name or omnium.competition} · {status}"
    return Panel(
        table, title=title, title_align="left", box=box.ROUNDED, padding=(0, 1), expand=expand
    )


def _race_initials(name: str) -> str:
    """A race's column heading: "points race" -> "PR", "scratch" -> "S"."""
    return "".join(word[0] for word in name.split()).upper() or "?"
