"""Printable sheets, one HTML page per event, as the officials pin them on the board: its
start list before it is ridden, its result after.

A result sheet is made from the retained `results/<event>` payload alone (docs/mqtt.md), so it
says exactly what the scoreboards and the result files say: the lines in result order with
their official strings, the status (RUNNING, PROVISIONAL, FINAL) in large letters, the keirin
winner's last 200 m, and every operator decision that changed the result with its reason. A
start list is made from `startlists/<event>`: the riders in start order. Each page is
self-contained (its CSS inline, no script but the print button) and prints on A4 with a running
header (meet, event, status) and page numbers: from a browser, or as PDF (`velotime.scoreboards
.web.pdf`, which renders this same HTML).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from html import escape
from typing import assert_never

import msgspec

from velotime import __version__
from velotime.scoreboards.view import optional_field
from velotime.wire.commands import Command
from velotime.wire.results import (
    AbandonAudit,
    AuditEntry,
    ConfirmAudit,
    CorrectAudit,
    EliminateAudit,
    EventResult,
    Flag,
    GreenFlagAudit,
    LapBoard,
    LapChangeAudit,
    NeutraliseAudit,
    NextRiderAudit,
    OmniumStandings,
    PursuitBoard,
    PursuitSplit,
    RefusedAudit,
    ReopenAudit,
    ResultLine,
    SetLapsAudit,
    SetStatusAudit,
    SprintAudit,
    Standings,
    StandingsEntrant,
    StandingsHeat,
    StandingsRace,
    StandingsRound,
    StartAudit,
    StartList,
    TeamSprintBoard,
)

DISCIPLINES = {
    "flying200": "Flying 200 m",
    "time_trial": "Time trial",
    "keirin": "Keirin",
    "scratch": "Scratch race",
    "madison": "Madison",
    "elimination": "Elimination race",
    "points_race": "Points race",
    "tempo": "Tempo race",
    "sprint": "Sprint",
    "individual_pursuit": "Individual pursuit",
    "team_pursuit": "Team pursuit",
    "team_sprint": "Team sprint",
    "omnium": "Omnium",
}
STATUS = {
    "running": ("RUNNING", "Unofficial: the event is still being ridden"),
    "provisional": ("PROVISIONAL", "Provisional result: subject to the commissaires' decisions"),
    "final": ("FINAL", "Official result"),
    "live": ("LIVE", "Unofficial: the points race is being ridden"),
}

CSS = """
@page {
  size: A4; margin: 16mm 12mm 16mm;
  font-family: "Helvetica Neue", Arial, "Liberation Sans", "Noto Sans", sans-serif;
  @top-left { content: string(organiser); font-size: 7.5pt; color: #555;
    vertical-align: bottom; padding-bottom: 3mm; }
  @top-right { content: string(event) " \\2014  " string(status); font-size: 7.5pt;
    font-weight: 700; color: #333; vertical-align: bottom; padding-bottom: 3mm; }
  @bottom-left { font-size: 7pt; color: #555; vertical-align: top; padding-top: 3mm; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7.5pt;
    color: #333; vertical-align: top; padding-top: 3mm; }
}
.org { string-set: organiser content(); }
h1 { string-set: event content(); }
.badge#status { string-set: status content(); }

* { box-sizing: border-box; }
html { background: #e9ecef; }
body {
  margin: 0; color: #111; background: #e9ecef;
  font: 10pt/1.35 "Helvetica Neue", Arial, "Liberation Sans", "Noto Sans", sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
.sheet {
  width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 14mm 12mm 16mm;
  background: #fff; box-shadow: 0 2px 14px rgba(0,0,0,.18);
}
header.top { display: grid; grid-template-columns: 1fr auto; gap: 4mm 8mm; align-items: start;
  border-bottom: 0.8mm solid #111; padding-bottom: 4mm; margin-bottom: 5mm; }
.org { font-size: 9pt; letter-spacing: .06em; text-transform: uppercase; color: #444; }
h1 { font-size: 20pt; line-height: 1.15; margin: 1.5mm 0 1mm; }
.sub { font-size: 10.5pt; color: #333; }
.status { text-align: right; }
.badge { display: inline-block; border: 0.7mm solid currentColor; border-radius: 1.2mm;
  padding: 1.5mm 4mm; font-size: 15pt; font-weight: 800; letter-spacing: .08em; }
.badge.final { color: #0b6b2f; }
.badge.provisional { color: #b45309; }
.badge.running { color: #b91c1c; }
.badge.startlist { color: #1d4ed8; }
.status .note { font-size: 8.5pt; color: #444; margin-top: 1.5mm; max-width: 62mm; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { font-size: 8pt; text-transform: uppercase; letter-spacing: .05em; color: #333;
  text-align: left; border-bottom: 0.4mm solid #111; padding: 1.6mm 1.5mm; white-space: nowrap; }
td { padding: 1.7mm 1.5mm; border-bottom: 0.2mm solid #cfd4da; vertical-align: top; }
tbody tr:nth-child(even) td { background: #f5f6f8; }
.num { text-align: right; white-space: nowrap; }
.rank { font-weight: 700; width: 9mm; }
.bib { width: 11mm; }
.name { font-weight: 600; }
.time { font-weight: 700; }
.lap { display: block; color: #555; font-size: 8pt; font-weight: 400; }
.notes { font-size: 8.5pt; }
.tag { display: inline-block; border: 0.25mm solid #555; border-radius: 0.8mm; padding: 0 1mm;
  margin: 0 0.8mm 0.5mm 0; font-size: 7.5pt; text-transform: uppercase; letter-spacing: .03em; }
.tag.out { border-color: #b91c1c; color: #b91c1c; font-weight: 700; }
.tag.q { border-color: #0b6b2f; color: #0b6b2f; font-weight: 700; }
.unranked td { color: #444; }
.empty { color: #555; font-style: italic; padding: 4mm 1.5mm; }
h2 { font-size: 11pt; margin: 7mm 0 2mm; text-transform: uppercase; letter-spacing: .05em; }
.facts { margin: 4mm 0 0; padding: 3mm 4mm; border-left: 1mm solid #111; background: #f5f6f8; }
.problems li { margin: 1mm 0; }
.ranking tr.group th { padding-top: 3mm; border-bottom: 0.2mm solid #111; }
.audit td, .audit th { font-size: 8.5pt; }
.audit .reason { font-style: italic; }
.pursuit td, .pursuit th, .team-sprint td, .team-sprint th { padding-top: 0.9mm;
  padding-bottom: 0.9mm; }
.pursuit tr.km td { border-bottom: 0.4mm solid #111; }
footer { margin-top: 10mm; }
.sign { display: inline-block; vertical-align: top; width: 44%; margin: 14mm 5% 0 0;
  border-top: 0.3mm solid #111; padding-top: 1.5mm; font-size: 8.5pt; color: #333; }
.generated { margin-top: 10mm; font-size: 8pt; color: #555; border-top: 0.2mm solid #cfd4da;
  padding-top: 2mm; overflow: hidden; }
.generated .stamp { float: right; }
.tools { width: 210mm; margin: 8mm auto -4mm; display: flex; gap: 3mm; justify-content: flex-end; }
.tools a, .tools button { font: 600 10pt/1 inherit; font-family: inherit; padding: 2.5mm 4mm;
  border-radius: 1.2mm; border: 0.3mm solid #111; background: #fff; color: #111;
  text-decoration: none; cursor: pointer; }
.tools button { background: #111; color: #fff; }
ul.index { list-style: none; padding: 0; margin: 0; }
ul.index li { display: grid; grid-template-columns: 1fr auto auto auto; gap: 4mm;
  align-items: center; padding: 2.2mm 0; border-bottom: 0.2mm solid #cfd4da; }
ul.index .badge { font-size: 8pt; padding: 0.6mm 2mm; border-width: 0.4mm; }
@media print {
  html, body { background: #fff; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  .tools { display: none; }
  footer { break-inside: avoid; }
}
@media screen and (max-width: 820px) {
  .sheet, .tools { width: auto; margin: 0; padding: 5vw; }
  .sheet { box-shadow: none; overflow-x: auto; }
  header.top { grid-template-columns: 1fr; }
  .status { text-align: left; }
}
"""


def _time_of_day(at_us: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(at_us / 1e6, zone).strftime("%H:%M:%S")


def _stamp(at_us: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(at_us / 1e6, zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def _page(title: str, body: str, generated_us: int, zone: tzinfo) -> str:
    # Every printed page's footer says when the sheet was made (a CSS string: the text is
    # velotime's own, digits and the zone's abbreviation, and escaped all the same).
    stamp = _css_string(_generated_text(generated_us, zone))
    footer = "@page { @bottom-left { content: " + stamp + "; } }"
    return (
        "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta name=viewport content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}{footer}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _css_string(text: str) -> str:
    """`text` as a CSS string literal that cannot end the string, nor the <style> element."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .:-_+,()" else f"\\{ord(c):x} " for c in text)
        + '"'
    )


def _generated_text(generated_us: int, zone: tzinfo) -> str:
    return f"Generated {_stamp(generated_us, zone)} by velotime {__version__}"


def _header(
    meet: str, venue: str, title: str, details: Sequence[str], badge: str, label: str, note: str
) -> str:
    organiser = " · ".join(escape(part) for part in (meet, venue) if part)
    return (
        '<header class="top">\n<div>\n'
        f'<div class="org">{organiser}</div>\n'
        f"<h1>{escape(title)}</h1>\n"
        f'<div class="sub">{" · ".join(escape(d) for d in details if d)}</div>\n'
        '</div>\n<div class="status">\n'
        f'<span class="badge {escape(badge)}" id="status">{escape(label)}</span>\n'
        f'<div class="note">{escape(note)}</div>\n</div>\n</header>\n'
    )


def _result_header(result: EventResult, meet: str, venue: str) -> str:
    details = [result.category, result.round, DISCIPLINES.get(result.discipline, result.discipline)]
    label, note = STATUS.get(result.status, (result.status.upper(), ""))
    title = result.name or result.event
    return _header(meet, venue, title, details, result.status, label, note)


def _generated(what: str, generated_us: int, zone: tzinfo) -> str:
    """The last line of a sheet (and its pages' footer, in print): what it is, and when and by
    what it was made."""
    stamp = _generated_text(generated_us, zone)
    return (
        f'<div class="generated"><span>{escape(what)}</span>'
        f'<span class="stamp">{escape(stamp)}</span></div>\n'
    )


def _split_columns(lines: Sequence[ResultLine]) -> list[tuple[int, str, bool]]:
    """(distance, heading, finish) per split distance. The finish's cumulative time is the
    line's time: that column gives the last lap instead ("Last 100 m")."""
    distances = sorted({split.distance_m for line in lines for split in line.splits})
    columns = []
    for index, d in enumerate(distances):
        at_d = [(split, line) for line in lines for split in line.splits if split.distance_m == d]
        finish = bool(at_d) and all(split.cumulative == line.time for split, line in at_d)
        if finish:
            lap_m = d - distances[index - 1] if index else d
            columns.append((d, f"Last {lap_m} m", True))
        else:
            columns.append((d, f"{d} m", False))
    return columns


def _notes(line: ResultLine) -> str:
    tags = []
    if line.status:
        tags.append(f'<span class="tag out">{escape(line.status.value)}</span>')
    for flag in line.flags:
        kind = " q" if flag is Flag.QUALIFIED else ""
        tags.append(f'<span class="tag{kind}">{escape(flag.value)}</span>')
    return "".join(tags)


def _sprint_points(line: ResultLine) -> list[int]:
    points = optional_field(line, "sprint_points")
    return list(points) if isinstance(points, list | tuple) else []


def _bunch_cells(result: EventResult) -> tuple[list[str], dict[int, list[str]]]:
    """A bunch race's columns (headings, and cells by bib): laps, laps gained or lost, the
    points sprint by sprint and in all when the result has points, and the sprint at which an
    elimination race's rider was eliminated. Empty for the other disciplines."""
    lines = result.lines
    if not any(line.laps is not None for line in lines) and not isinstance(
        result.lap_board, LapBoard
    ):
        return [], {}
    sprints = max((len(_sprint_points(line)) for line in lines), default=0)
    has_points = any(optional_field(line, "points") is not None for line in lines)
    eliminated = any(optional_field(line, "eliminated_at") is not None for line in lines)
    head = ['<th class="num">Laps</th>', '<th class="num">Laps +/-</th>']
    head += [f'<th class="num">S{n}</th>' for n in range(1, sprints + 1)]
    if has_points:
        head.append('<th class="num">Points</th>')
    if eliminated:
        head.append('<th class="num">Out at</th>')
    cells: dict[int, list[str]] = {}
    for line in lines:
        row = [
            f'<td class="num">{"" if line.laps is None else line.laps}</td>',
            f'<td class="num">{f"{line.laps_gained:+d}" if line.laps_gained else ""}</td>',
        ]
        by_sprint = _sprint_points(line)
        row += [
            f'<td class="num">{escape(str(by_sprint[n])) if n < len(by_sprint) else ""}</td>'
            for n in range(sprints)
        ]
        if has_points:
            points = optional_field(line, "points")
            row.append(f'<td class="num time">{"" if points is None else escape(str(points))}</td>')
        if eliminated:
            sprint = optional_field(line, "eliminated_at")
            row.append(f'<td class="num">{"" if sprint is None else f"sprint {sprint}"}</td>')
        cells[line.bib] = row
    return head, cells


def _lines_table(result: EventResult) -> str:
    lines = result.lines
    keirin = result.discipline == "keirin"
    timed = any(line.time for line in lines)
    board = result.pursuit
    # A pursuit's and a team sprint's splits are a table of their own below (both sides lap by
    # lap, and the gap).
    own_splits = isinstance(board, PursuitBoard) or isinstance(result.team_sprint, TeamSprintBoard)
    columns = [] if own_splits else _split_columns(lines)
    pursuit_tags = _pursuit_tags(board) if isinstance(board, PursuitBoard) else {}
    bunch_head, bunch_cells = _bunch_cells(result)
    head = ['<th class="num">Rank</th>', '<th class="num">Bib</th>', "<th>Name</th>"]
    head.append("<th>Nation</th>")
    head += bunch_head
    if timed:
        head += ['<th class="num">Time</th>', '<th class="num">km/h</th>']
    gaps = not bunch_head or any(line.gap for line in lines)  # bunch races have none
    if gaps:
        head.append('<th class="num">Gap</th>')
    head += [f'<th class="num">{escape(heading)}</th>' for _, heading, _ in columns]
    head.append("<th>Notes</th>")
    rows = []
    for line in lines:
        rank = line.rank
        splits = {split.distance_m: split for split in line.splits}
        cells = [
            f'<td class="num rank">{"" if rank is None else escape(str(rank))}</td>',
            f'<td class="num bib">{line.bib}</td>',
            f'<td class="name">{escape(line.name)}</td>',
            f"<td>{escape(line.nation)}</td>",
            *bunch_cells.get(line.bib, []),
        ]
        if timed:
            cells += [
                f'<td class="num time">{escape(line.time or "")}</td>',
                f'<td class="num">{escape(line.speed_kmh or "")}</td>',
            ]
        if gaps:
            cells.append(f'<td class="num">{escape(line.gap or "")}</td>')
        for d, _, finish in columns:
            split = splits.get(d)
            if split is None:
                cells.append('<td class="num"></td>')
                continue
            cumulative, lap = split.cumulative, split.lap
            if finish:
                cells.append(f'<td class="num">{escape(lap)}</td>')
                continue
            lap_html = f'<span class="lap">{escape(lap)}</span>' if lap != cumulative else ""
            cells.append(f'<td class="num">{escape(cumulative)}{lap_html}</td>')
        cells.append(f'<td class="notes">{_notes(line)}{pursuit_tags.get(line.bib, "")}</td>')
        unranked = ' class="unranked"' if rank is None else ""
        rows.append(f'<tr data-bib="{line.bib}"{unranked}>' + "".join(cells) + "</tr>")
    if not rows:
        span = len(head)
        rows.append(f'<tr><td class="empty" colspan="{span}">No result lines yet.</td></tr>')
    caption = "Finish order" if keirin or result.discipline == "sprint" else "Result"
    return (
        f"<h2>{caption}</h2>\n"
        f'<table class="result">\n<thead><tr>{"".join(head)}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _facts(result: EventResult) -> str:
    out = ""
    if isinstance(result.winner_last_200, str) and result.winner_last_200:
        kmh = result.winner_last_200_kmh if isinstance(result.winner_last_200_kmh, str) else ""
        out += (
            '<p class="facts">Winner\'s last 200 m: '
            f"<strong>{escape(result.winner_last_200)}</strong>"
            f" ({escape(kmh)} km/h)</p>\n"
        )
    out += _sprint_race_notes(result) + _pursuit(result) + _team_sprint(result)
    out += _laps_gained_and_lost(result) + _sprints(result) + _elimination_order(result)
    problems = [p for p in result.problems if p] if isinstance(result.problems, list) else []
    if problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        out += f'<h2>Timing notes</h2>\n<ul class="problems">{items}</ul>\n'
    return out


OUT_WORDS = {"REL": "relegated", "DSQ": "disqualified", "DNS": "did not start",
             "DNF": "did not finish"}  # fmt: skip


def _sprint_race_notes(result: EventResult) -> str:
    """A sprint race's relegations and re-rides in words (uci-rules.md §2.3): each rider the
    commissaires relegated or put out, with their reason, and each start they stopped, after
    which the race was ridden again and counts from the new start."""
    if result.discipline != "sprint":
        return ""
    reasons = {
        entry.bib: entry.reason for entry in result.audit if isinstance(entry, SetStatusAudit)
    }  # the last word on each rider stands
    items = []
    for line in result.lines:
        if not line.status:
            continue
        status = line.status.value
        reason = f": {escape(reasons[line.bib])}" if reasons.get(line.bib) else ""
        items.append(
            f"<li>{line.bib} {escape(line.name)} {OUT_WORDS.get(status, '')} "
            f"({escape(status)}){reason}</li>"
        )
    items += [
        "<li>Re-ridden: the race was stopped"
        + (f": {escape(entry.reason)}" if entry.reason else "")
        + "; the result is the re-ride's</li>"
        for entry in result.audit
        if isinstance(entry, AbandonAudit)
    ]
    if not items:
        return ""
    return f'<h2>Relegations and re-rides</h2>\n<ul class="problems">{"".join(items)}</ul>\n'


def _pursuit_tags(board: PursuitBoard) -> dict[int, str]:
    """A pursuit line's notes from its side: caught, and the winner of a match heat."""
    tags: dict[int, str] = {}
    for side in board.sides:
        words = (["won"] if side.won else []) + (["caught"] if side.caught else [])
        tags[side.entrant] = "".join(f'<span class="tag">{word}</span>' for word in words)
    return tags


def _pursuit(result: EventResult) -> str:
    """A pursuit heat side by side, lap by lap (uci-rules.md §2.12, 3.2.067): each side's time
    at the end of every lap and that lap's time, the gap between them there and who leads; the
    catch, false starts and a team's dropped riders in words. Per lap, as the official result
    sheets print a pursuit's splits (the scoreboards show every half lap)."""
    board = result.pursuit
    if not isinstance(board, PursuitBoard) or not board.sides:
        return ""
    sides = board.sides
    by_side = [{split.half_lap: split for split in side.splits} for side in sides]
    gaps = {gap.half_lap: gap for gap in board.gaps}
    # Full laps, and a side's last half lap when it stopped between two (a catch).
    ends = {side.half_laps for side in sides if side.half_laps}
    rows_at = sorted(
        {n for splits in by_side for n in splits if n % 2 == 0 or n in ends or n == board.half_laps}
    )
    head_sides = "".join(
        f'<th colspan="2" class="num">{"Home" if side.side == "home" else "Back"}: '
        f"{side.entrant} {escape(side.name)}</th>"
        for side in sides
    )
    head = (
        "<tr><th></th><th></th>" + head_sides + '<th colspan="2"></th></tr>\n'
        '<tr><th class="num">Lap</th><th class="num">m</th>'
        + '<th class="num">Time</th><th class="num">Lap</th>' * len(sides)
        + '<th class="num">Gap</th><th class="num">Ahead</th></tr>'
    )
    caught_at = {
        side.entrant: min((n for n in rows_at if n > side.half_laps), default=None)
        for side in sides
        if side.caught
    }  # the row of the catch: the first after the caught side's last half lap
    rows = []
    for n in rows_at:
        lap = f"{n // 2}" if n % 2 == 0 else f"{n / 2:g}"
        distance = next(splits[n].distance_m for splits in by_side if n in splits)
        cells = [f'<td class="num">{lap}</td>', f'<td class="num">{distance}</td>']
        for side, splits in zip(sides, by_side, strict=True):
            cells += _pursuit_cells(splits.get(n), n, n == caught_at.get(side.entrant))
        gap = gaps.get(n)
        ahead = "" if gap is None else ("level" if gap.ahead is None else str(gap.ahead))
        cells += [
            f'<td class="num time">{"" if gap is None else escape(gap.gap)}</td>',
            f'<td class="num">{escape(ahead)}</td>',
        ]
        km = " km" if distance % 1000 == 0 else ""  # a line under each kilometre
        rows.append(f'<tr class="split{km}">' + "".join(cells) + "</tr>")
    return (
        _pursuit_facts(result, board) + "<h2>Splits, lap by lap</h2>\n"
        f'<table class="pursuit">\n<thead>{head}</thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _pursuit_cells(split: PursuitSplit | None, half_lap: int, caught_here: bool) -> list[str]:
    """A side's time and lap time at the end of a half lap (a half lap's own time where it is
    no full lap); "caught" in the row of the catch; empty where the lines missed the crossing."""
    if split is None:
        mark = '<span class="tag out">caught</span>' if caught_here else ""
        return [f'<td class="num" colspan="2">{mark}</td>']
    lap = split.lap if half_lap % 2 == 0 else split.half
    return [
        f'<td class="num time">{escape(split.cumulative or "")}</td>',
        f'<td class="num">{escape(lap or "")}</td>',
    ]


def _team_sprint(result: EventResult) -> str:
    """A team sprint heat side by side, lap by lap (uci-rules.md §2.11): for each team the
    rider who led the lap, the team's time at its end and the lap's time; the gap between the
    teams there and which is ahead. The half laps are the scoreboards'."""
    board = result.team_sprint
    if not isinstance(board, TeamSprintBoard) or not board.teams:
        return ""
    teams = board.teams
    names = {line.bib: line.name for line in result.lines}
    points = [
        {point.half_laps: point for point in team.points if point.lap is not None} for team in teams
    ]
    laps = sorted({n for by_lap in points for n in by_lap})
    lap_m = _lap_m(result)
    head_teams = "".join(
        f'<th colspan="3" class="num">{"Home" if team.side == 0 else "Back"}: '
        f"{team.team} {escape(names.get(team.team, ''))}</th>"
        for team in teams
    )
    head = (
        "<tr><th></th><th></th>" + head_teams + '<th colspan="2"></th></tr>\n'
        '<tr><th class="num">Lap</th><th class="num">m</th>'
        + '<th class="num">Rider</th><th class="num">Time</th><th class="num">Lap</th>' * len(teams)
        + '<th class="num">Gap</th><th class="num">Ahead</th></tr>'
    )
    rows = []
    for n in laps:
        cells = [f'<td class="num">{n // 2}</td>', f'<td class="num">{lap_m * n // 2 or ""}</td>']
        behind = ahead = ""
        for team, by_lap in zip(teams, points, strict=True):
            point = by_lap.get(n)
            if point is None:
                cells.append('<td class="num" colspan="3"></td>')
                continue
            cells += [
                f'<td class="num">{point.rider}</td>',
                f'<td class="num time">{escape(point.cumulative)}</td>',
                f'<td class="num">{escape(point.lap or "")}</td>',
            ]
            gap = point.gap or ""
            if gap.startswith("+"):
                behind = gap
            elif gap.startswith("-"):
                ahead = str(team.team)
        if behind and not ahead:
            ahead = "level"
        cells += [
            f'<td class="num time">{escape(behind)}</td>',
            f'<td class="num">{escape(ahead)}</td>',
        ]
        rows.append('<tr class="split">' + "".join(cells) + "</tr>")
    return (
        "<h2>Splits, lap by lap</h2>\n"
        f'<table class="team-sprint">\n<thead>{head}</thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _lap_m(result: EventResult) -> int:
    """The track's lap in metres (the team sprint's points have none): the lines' first split,
    at the end of lap 1; 0 when no line has one."""
    return next((line.splits[0].distance_m for line in result.lines if line.splits), 0)


def _pursuit_facts(result: EventResult, board: PursuitBoard) -> str:
    names = {side.entrant: f"{side.entrant} {side.name}" for side in board.sides}
    facts = []
    caught = [side for side in board.sides if side.caught]
    catcher = [side for side in board.sides if not side.caught]
    if caught and catcher and board.catch_half_lap is not None:
        at = board.catch_half_lap
        split = next((s for s in catcher[0].splits if s.half_lap == at), None)
        where = f"at {split.distance_m} m (half lap {at})" if split else f"at half lap {at}"
        then = "the race ended" if board.catch_ends else "both rode on for a time"
        facts.append(
            f"{escape(names[caught[0].entrant])} caught by {escape(names[catcher[0].entrant])} "
            f"{where}: {then}"
        )
    for side in board.sides:
        if side.false_starts:
            starts = "false start" if side.false_starts == 1 else "false starts"
            facts.append(f"{escape(names[side.entrant])}: {side.false_starts} {starts}")
        if side.dropped:
            riders = ", ".join(str(bib) for bib in side.riders)
            dropped = ", ".join(str(bib) for bib in side.dropped)
            facts.append(
                f"{escape(names[side.entrant])}: riders {riders} to the line, {dropped} dropped"
            )
    if not facts:
        return ""
    return "".join(f'<p class="facts">{fact}</p>\n' for fact in facts)


def _laps_gained_and_lost(result: EventResult) -> str:
    """A bunch race's lap board, and its laps gained and lost: those the commissaires
    confirmed, then those the loops propose that await them."""
    board = result.lap_board
    if not isinstance(board, LapBoard):
        return ""
    names = {line.bib: line.name for line in result.lines}
    if board.finished:
        state = f"finished: {board.distance} laps"
    else:
        state = f"{board.laps_to_go} of {board.distance} laps to go" + (
            " (bell: last lap)" if board.bell else ""
        )
    out = f'<p class="facts">Lap board: <strong>{escape(state)}</strong></p>\n'
    kinds = [
        ("confirmed", result.lap_changes),
        ("proposed, awaiting the commissaires", result.lap_proposals),
    ]
    rows = [
        f'<tr><td class="num">{change.bib}</td><td>{escape(names.get(change.bib, ""))}</td>'
        f"<td>lap {'gained' if change.change > 0 else 'lost'} ({change.change:+d})</td>"
        f'<td class="num">{change.lap}</td><td>{escape(kind)}</td></tr>'
        for kind, changes in kinds
        for change in (changes if isinstance(changes, list) else [])
    ]
    if rows:
        out += (
            "<h2>Laps gained and lost</h2>\n"
            '<table class="audit">\n<thead><tr><th class="num">Bib</th><th>Name</th><th>Change'
            '</th><th class="num">At lap</th><th>Decision</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows)
            + "\n</tbody>\n</table>\n"
        )
    return out


def _sprints(result: EventResult) -> str:
    """A points or tempo race's sprints as judged: the places, first to last (riders sharing a
    place joined by "="), and whether the judges have confirmed them."""
    sprints = optional_field(result, "sprints")
    if not isinstance(sprints, list) or not sprints:
        return ""
    rows = []
    for sprint in sprints:
        placings = getattr(sprint, "placings", [])
        places = ", ".join("=".join(str(bib) for bib in placing) for placing in placings)
        final = " (final)" if getattr(sprint, "final", False) else ""
        judged = "confirmed" if getattr(sprint, "confirmed", False) else "proposed"
        rows.append(
            f'<tr><td class="num">{escape(str(getattr(sprint, "number", "")))}{final}</td>'
            f'<td class="num">{escape(str(getattr(sprint, "lap", "")))}</td>'
            f"<td>{escape(places)}</td><td>{judged}</td></tr>"
        )
    return (
        "<h2>Sprints</h2>\n"
        '<table class="audit">\n<thead><tr><th class="num">Sprint</th><th class="num">Lap</th>'
        "<th>Places (bibs, first to last)</th><th>Judges</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _elimination_order(result: EventResult) -> str:
    """An elimination race's riders in the order they went out, sprint by sprint, and how
    (last over the line, lapped, abandoned, by the commissaires); the final's riders last."""
    out = sorted(
        (sprint, line.bib, line.name, optional_field(line, "out_by") or "")
        for line in result.lines
        if isinstance(sprint := optional_field(line, "eliminated_at"), int)
    )
    if not out:
        return ""
    items = "".join(
        f"<li>Sprint {sprint}: {bib} {escape(name)}" + (f" ({escape(how)})" if how else "")
        + "</li>"
        for sprint, bib, name, how in out
    )  # fmt: skip
    return f'<h2>Elimination order</h2>\n<ol class="problems">{items}</ol>\n'


def _decision(entry: AuditEntry) -> str:
    """What an audit entry did, in words (its reason is a column of its own)."""
    if isinstance(entry, SetStatusAudit):
        return f"status {entry.status}" if entry.status else "status cleared"
    if isinstance(entry, CorrectAudit):
        if entry.place is not None:
            return f"place set to {entry.place}"
        if entry.time is not None:
            return f"time set to {entry.time}"
        return "corrections withdrawn"  # a correction with neither withdraws both
    if isinstance(entry, AbandonAudit):
        discarded = entry.discarded
        return "race abandoned" + (f" ({discarded} timing events discarded)" if discarded else "")
    if isinstance(entry, NextRiderAudit):
        return "rider on the track"
    if isinstance(entry, ConfirmAudit):
        return f"time {entry.time} confirmed"
    if isinstance(entry, ReopenAudit):
        return "result reopened"
    if isinstance(entry, RefusedAudit):
        return f"refused: {_command_words(entry.command)}"
    if isinstance(entry, StartAudit):
        return "race started"
    if isinstance(entry, NeutraliseAudit):
        return f"race neutralised for {entry.laps} lap{'s' if entry.laps > 1 else ''}"
    if isinstance(entry, SetLapsAudit):
        return f"laps set to {entry.laps}"
    if isinstance(entry, LapChangeAudit):
        change = "gained" if entry.change > 0 else "lost"
        return f"lap {change} " + ("set aside" if entry.dismiss else "confirmed")
    if isinstance(entry, EliminateAudit):
        return f"out at sprint {entry.sprint}"
    if isinstance(entry, GreenFlagAudit):
        return f"green flag at sprint {entry.sprint}: nobody out"
    if isinstance(entry, SprintAudit):
        placings = " ".join("=".join(map(str, placing)) for placing in entry.placings)
        return f"sprint {entry.number} " + (f"placed {placings}" if placings else "confirmed")
    assert_never(entry)  # mypy: every kind of entry has its words above


def _command_words(command: Command) -> str:
    """A command as the desk sent it, in short ("correct place 9 (typo)"): its kind, what it
    set, and its own reason; the event and bib have columns of their own."""
    fields = msgspec.structs.asdict(command)
    own_reason = fields.pop("reason", "")
    words = [str(type(command).__struct_config__.tag)] + [
        f"{key} {value}"
        for key, value in fields.items()
        if key not in ("event", "bib", "id") and value not in (None, "", msgspec.UNSET)
    ]
    return " ".join(words) + (f" ({own_reason})" if own_reason else "")


def _audit(result: EventResult, zone: tzinfo) -> str:
    entries = result.audit
    if not entries:
        return (
            "<h2>Decisions and corrections</h2>\n"
            '<p class="empty">None: the result is as timed.</p>\n'
        )
    rows = []
    for entry in entries:
        at = entry.at_us
        bib = getattr(entry.command if isinstance(entry, RefusedAudit) else entry, "bib", None)
        reason = getattr(entry, "reason", "")
        rows.append(
            "<tr>"
            f'<td class="num">{_time_of_day(at, zone) if isinstance(at, int) else ""}</td>'
            f'<td class="num">{"" if bib is None else bib}</td>'
            f"<td>{escape(_decision(entry))}</td>"
            f'<td class="reason">{escape(reason)}</td>'
            "</tr>"
        )
    return (
        "<h2>Decisions and corrections</h2>\n"
        '<table class="audit">\n<thead><tr><th class="num">At</th><th class="num">Bib</th>'
        "<th>Decision</th><th>Reason</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def result_sheet_html(
    result: EventResult, *, meet: str, venue: str, zone: tzinfo, generated_us: int
) -> str:
    """The printable sheet of one result (a `results/<event>` payload)."""
    event = result.event
    title = result.name or event
    label = STATUS.get(result.status, (result.status.upper(), ""))[0]
    body = (
        '<nav class="tools"><a href="index.html">All sheets</a>'
        f'<a href="{escape(event)}.pdf">PDF</a><a href="{escape(event)}.csv">CSV</a>'
        '<button type="button" onclick="window.print()">Print</button></nav>\n'
        '<main class="sheet">\n'
        + _result_header(result, meet, venue)
        + _lines_table(result)
        + _facts(result)
        + _audit(result, zone)
        + "<footer>\n"
        '<div class="sign">Chief timekeeper</div>\n'
        '<div class="sign">President of the commissaires\' panel</div>\n'
        + _generated(f"{title}: {label}", generated_us, zone)
        + "</footer>\n</main>"
    )
    return _page(f"{title}: {label}", body, generated_us, zone)


def start_list_html(start_list: StartList, *, meet: str, venue: str, zone: tzinfo,
                    generated_us: int) -> str:  # fmt: skip
    """The printable start list of one event (a `startlists/<event>` payload)."""
    event = start_list.event
    title = start_list.name or event
    keirin = start_list.discipline == "keirin"
    heat = f"Heat {start_list.heat}" if start_list.heat else ""
    discipline = DISCIPLINES.get(start_list.discipline, start_list.discipline)
    details = [start_list.category, start_list.round, heat, discipline]
    note = "Riders in seeding order" if keirin else "Riders in start order"
    rows = [
        f'<tr data-bib="{rider.bib}"><td class="num rank">{position}</td>'
        f'<td class="num bib">{rider.bib}</td><td class="name">{escape(rider.name)}</td>'
        f"<td>{escape(rider.nation)}</td><td></td></tr>"
        for position, rider in enumerate(start_list.riders, 1)
    ] or ['<tr><td class="empty" colspan="5">No riders.</td></tr>']
    body = (
        f'<nav class="tools"><a href="../index.html">All sheets</a><a href="{escape(event)}.pdf">'
        'PDF</a><button type="button" onclick="window.print()">Print</button></nav>\n'
        '<main class="sheet">\n'
        + _header(meet, venue, title, details, "startlist", "START LIST", note)
        + f"<h2>{'Heat' if keirin else 'Start order'}</h2>\n"
        '<table class="result">\n<thead><tr><th class="num">#</th>'
        '<th class="num">Bib</th><th>Name</th><th>Nation</th><th>Notes</th></tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "<footer>\n"
        '<div class="sign">Chief commissaire</div>\n'
        + _generated(f"{title}: start list", generated_us, zone)
        + "</footer>\n</main>"
    )
    return _page(f"{title}: start list", body, generated_us, zone)


def sheets_index_html(
    results: Mapping[str, EventResult],
    start_lists: Mapping[str, StartList],
    *,
    standings: Mapping[str, Standings | OmniumStandings] | None = None,
    meet: str,
    venue: str,
    zone: tzinfo,
    generated_us: int,
) -> str:
    """Every retained result with links to its sheet, PDF and CSV; every competition's
    standings (a sprint tournament, a keirin competition, an omnium) with links to its sheet
    and PDF; every start list, in programme order, with links to its sheet and PDF."""
    items = []
    for event, result in results.items():
        status = result.status
        label = STATUS.get(status, (status.upper(), ""))[0]
        link = escape(event)
        items.append(
            _index_item(result.name or event, (result.category, result.round), f"{link}.html")
            + f'<span class="badge {escape(status)}">{escape(label)}</span>'
            f'<a href="{link}.pdf">PDF</a><a href="{link}.csv">CSV</a></li>'
        )
    competitions = []
    for competition, table in (standings or {}).items():
        label = STATUS.get(table.status, (table.status.upper(), ""))[0]
        link = f"standings/{escape(competition)}"
        discipline = DISCIPLINES.get(table.discipline, table.discipline)
        competitions.append(
            _index_item(table.name or competition, (table.category, discipline), f"{link}.html")
            + f'<span class="badge {escape(table.status)}">{escape(label)}</span>'
            f'<a href="{link}.pdf">PDF</a><span></span></li>'
        )
    starts = []
    for event, start_list in sorted(start_lists.items(), key=lambda item: item[1].programme):
        link = f"start/{escape(event)}"
        heat = f"heat {start_list.heat}" if start_list.heat else ""
        details = (start_list.category, start_list.round, heat)
        starts.append(
            _index_item(start_list.name or event, details, f"{link}.html")
            + f'<span class="sub">{len(start_list.riders)} riders</span>'
            f'<a href="{link}.pdf">PDF</a><span></span></li>'
        )
    organiser = " · ".join(escape(part) for part in (meet, venue) if part)
    body = (
        '<main class="sheet">\n<header class="top"><div>'
        f'<div class="org">{organiser}</div><h1>Sheets</h1></div></header>\n'
        "<h2>Results</h2>\n"
        + _listing(items, "No results yet.")
        + "<h2>Competitions</h2>\n"
        + _listing(competitions, "No competition standings yet.")
        + "<h2>Start lists</h2>\n"
        + _listing(starts, "No start lists: the scoring service publishes them.")
        + "\n<footer>"
        + _generated("", generated_us, zone)
        + "</footer>\n</main>"
    )
    return _page("Sheets", body, generated_us, zone)


def _index_item(name: str, details: Sequence[str], href: str) -> str:
    detail = " · ".join(part for part in details if part)
    return (
        f'<li><span><strong><a href="{href}">{escape(name)}</a></strong>'
        f'<span class="sub"> {escape(detail)}</span></span>'
    )


def _listing(items: Sequence[str], empty: str) -> str:
    if not items:
        return f'<p class="empty">{escape(empty)}</p>\n'
    return '<ul class="index">' + "".join(items) + "</ul>\n"


# -- a competition's standings: a sprint tournament, a keirin competition, an omnium ----------

Riders = Mapping[int, tuple[str, str]]  # bib -> name, nation


def rider_names(results: Mapping[str, EventResult], riders: Riders) -> dict[int, tuple[str, str]]:
    """Bib -> name and nation, for the standings (which carry bibs only): the meet file's
    riders, else as the results name them."""
    names = {
        line.bib: (line.name, line.nation) for result in results.values() for line in result.lines
    }
    return {**names, **riders}


def standings_sheet_html(
    standings: Standings | OmniumStandings,
    *,
    results: Mapping[str, EventResult],
    riders: Riders,
    meet: str,
    venue: str,
    zone: tzinfo,
    generated_us: int,
) -> str:
    """The printable sheet of a competition (a `standings/<competition>` payload): a sprint
    tournament round by round, each match with its races (the winner's last 200 m in the
    winner's row, as the Olympic result sheets print them), a keirin competition heat by heat,
    an omnium race by race; then the final classification. `results` (the races' own
    `results/<event>`) give the relegations in a sprint match; `riders` the names."""
    competition = standings.competition
    title = standings.name or competition
    label, note = STATUS.get(standings.status, (standings.status.upper(), ""))
    if standings.status == "running":
        note = "Unofficial: the competition is still being ridden"
    if standings.status == "final":
        note = "Official classification"
    names = rider_names(results, riders)
    details = [standings.category, DISCIPLINES.get(standings.discipline, standings.discipline)]
    if isinstance(standings, OmniumStandings):
        tables = _omnium_table(standings)
    else:
        tables = "".join(
            _round_table(r, standings, results, names) + _ranking_table(r, names)
            for r in standings.rounds
        )
        tables = _qualifiers(standings, results, names) + tables + _classification(standings)
    problems = [p for p in standings.problems if p]
    if problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        tables += f'<h2>Waiting for</h2>\n<ul class="problems">{items}</ul>\n'
    body = (
        '<nav class="tools"><a href="../index.html">All sheets</a>'
        f'<a href="{escape(competition)}.pdf">PDF</a>'
        '<button type="button" onclick="window.print()">Print</button></nav>\n'
        '<main class="sheet">\n'
        + _header(meet, venue, title, details, standings.status, label, note)
        + tables
        + "<footer>\n"
        '<div class="sign">Chief timekeeper</div>\n'
        '<div class="sign">President of the commissaires\' panel</div>\n'
        + _generated(f"{title}: {label}", generated_us, zone)
        + "</footer>\n</main>"
    )
    return _page(f"{title}: {label}", body, generated_us, zone)


def _rider_cells(bib: int, names: Riders) -> str:
    name, nation = names.get(bib, ("", ""))
    return (
        f'<td class="num bib">{bib}</td><td class="name">{escape(name)}</td>'
        f"<td>{escape(nation)}</td>"
    )


def _qualifiers(standings: Standings, results: Mapping[str, EventResult], names: Riders) -> str:
    """A sprint tournament's seeding: the qualifiers best first, each with the slot ("q1") the
    table draws from, and their 200 m time and speed from the qualifying's result when it is
    retained (the standings do not name it: the flying 200 m of the category with every
    qualifier on it)."""
    qualifiers = standings.qualifiers
    if not isinstance(qualifiers, list) or not qualifiers:
        return ""
    timed: dict[int, ResultLine] = {}
    for result in results.values():
        by_bib = {line.bib: line for line in result.lines}
        if (
            result.discipline == "flying200"
            and result.category == standings.category
            and all(bib in by_bib for bib in qualifiers)
        ):
            timed = by_bib
            break
    rows = [
        f'<tr data-bib="{bib}"><td class="num rank">q{seed}</td>{_rider_cells(bib, names)}'
        f'<td class="num time">{escape(line.time or "" if line else "")}</td>'
        f'<td class="num">{escape(line.speed_kmh or "" if line else "")}</td></tr>'
        for seed, bib in enumerate(qualifiers, 1)
        for line in [timed.get(bib)]
    ]
    return (
        "<h2>Qualifiers</h2>\n"
        '<table class="qualifiers">\n<thead><tr><th class="num">Seed</th><th class="num">Bib'
        '</th><th>Name</th><th>Nation</th><th class="num">200 m</th><th class="num">km/h</th>'
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def _round_table(
    round_: StandingsRound, standings: Standings, results: Mapping[str, EventResult],
    names: Riders,
) -> str:  # fmt: skip
    """One round: each heat's riders in their places once it has an order (else in the order
    they start), a sprint match's races in columns: the winner's last 200 m in the winner's
    row, the loser's status (REL, DSQ) in theirs, and the races each has won."""
    sprint = standings.discipline == "sprint"
    best_of = round_.best_of
    heading = escape(round_.name)
    if sprint and isinstance(best_of, int) and best_of > 1:
        heading += f" · best of {best_of}"
    races = max((len(_races(heat)) for heat in round_.heats), default=0)
    if sprint and isinstance(best_of, int):
        races = max(races, min(best_of, 2))  # race 3 only where a match stands 1-1
    head = ['<th class="num">Heat</th>', '<th class="num">Rank</th>', '<th class="num">Bib</th>',
            "<th>Name</th>", "<th>Nation</th>"]  # fmt: skip
    head += [f'<th class="num">Race {n}</th>' for n in range(1, races + 1)]
    if sprint:
        head.append('<th class="num">Wins</th>')
    # A pursuit's or team sprint's heats: each entrant's time (h-rounds' `entrants`).
    timed = any(isinstance(heat.entrants, list) for heat in round_.heats)
    if timed:
        head.append('<th class="num">Time</th>')
    head.append("<th>Notes</th>")
    rows = []
    for number, heat in enumerate(round_.heats, 1):
        entrants = {e.entrant: e for e in _entrants(heat)}
        wins = heat.wins
        won = dict(zip(heat.riders, wins, strict=False)) if isinstance(wins, list) else {}
        placed = heat.order or heat.riders
        extra = [bib for bib in heat.riders if bib not in placed]
        heat_races = _races(heat)
        for index, bib in enumerate([*placed, *extra]):
            rank = index + 1 if heat.order and bib in heat.order else None
            cells = [
                f'<td class="num">{number if index == 0 else ""}</td>',
                f'<td class="num rank">{"" if rank is None else rank}</td>',
                _rider_cells(bib, names),
            ]
            cells += [
                f'<td class="num">{_race_cell(heat_races, n, bib, results)}</td>'
                for n in range(races)
            ]
            if sprint:
                cells.append(f'<td class="num">{escape(str(won.get(bib, "")))}</td>')
            entrant = entrants.get(bib)
            if timed:
                time = entrant.time if entrant is not None else None
                cells.append(f'<td class="num time">{escape(time or "")}</td>')
            notes = _heat_notes(heat, index, heat_races) + _entrant_notes(entrant)
            cells.append(f'<td class="notes">{notes}</td>')
            first = ' class="heat"' if index == 0 else ""
            rows.append(f'<tr data-bib="{bib}"{first}>' + "".join(cells) + "</tr>")
    if not rows:
        rows.append(
            f'<tr><td class="empty" colspan="{len(head)}">Drawn up once the rounds before it '
            "are final.</td></tr>"
        )
    return (
        f"<h2>{heading}</h2>\n"
        f'<table class="round">\n<thead><tr>{"".join(head)}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _ranking_table(round_: StandingsRound, names: Riders) -> str:
    """A pursuit's or team sprint's round ranked by time (its qualifying; a team event's first
    round, group by group): rank, time, gap to the group's fastest, and the heat each goes to."""
    ranking = round_.ranking
    if not isinstance(ranking, list) or not ranking:
        return ""
    grouped = len({entry.group for entry in ranking}) > 1
    rows = []
    for index, entry in enumerate(ranking):
        if grouped and (index == 0 or entry.group != ranking[index - 1].group):
            rows.append(f'<tr class="group"><th colspan="8">{escape(entry.group)}</th></tr>')
        tags = [entry.status.value] if entry.status.value else []
        tags += ["draw required"] if entry.tied else []
        notes = "".join(f'<span class="tag out">{escape(tag)}</span>' for tag in tags)
        rows.append(
            f'<tr data-bib="{entry.entrant}"><td class="num rank">{entry.rank}</td>'
            f"{_rider_cells(entry.entrant, names)}"
            f'<td class="num time">{escape(entry.time or "")}</td>'
            f'<td class="num">{escape(entry.gap or "")}</td>'
            f"<td>{escape(entry.to or '')}</td>"
            f'<td class="notes">{notes}</td></tr>'
        )
    return (
        f"<h2>{escape(round_.name)} ranking</h2>\n"
        '<table class="ranking">\n<thead><tr><th class="num">Rank</th><th class="num">Bib</th>'
        '<th>Name</th><th>Nation</th><th class="num">Time</th><th class="num">Gap</th>'
        "<th>Goes to</th><th>Notes</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )


def _entrants(heat: StandingsHeat) -> list[StandingsEntrant]:
    return heat.entrants if isinstance(heat.entrants, list) else []


def _entrant_notes(entrant: StandingsEntrant | None) -> str:
    """A pursuit or team sprint entrant's notes in its heat: its status, won, caught."""
    if entrant is None:
        return ""
    status = entrant.status.value
    tags = [f'<span class="tag out">{escape(status)}</span>'] if status else []
    tags += [
        f'<span class="tag">{word}</span>'
        for word, true in (("won", entrant.won), ("caught", entrant.caught))
        if true
    ]
    return "".join(tags)


def _races(heat: StandingsHeat) -> list[StandingsRace]:
    return heat.races if isinstance(heat.races, list) else []


def _race_cell(
    races: Sequence[StandingsRace], n: int, bib: int, results: Mapping[str, EventResult]
) -> str:
    """Race `n` of a match in `bib`'s row: the winner's last 200 m for its winner; for the
    other rider, their status in that race when the commissaires gave one (REL, DSQ)."""
    if n >= len(races):
        return ""
    race = races[n]
    if race.winner == bib:
        return escape(race.winner_last_200 or "won")
    result = results.get(race.event)
    if result is not None:
        for line in result.lines:
            if line.bib == bib and line.status:
                return f'<span class="tag out">{escape(line.status.value)}</span>'
    return ""


def _heat_notes(heat: StandingsHeat, index: int, races: Sequence[StandingsRace]) -> str:
    """In a heat's first row: where it stands (a match not decided yet: the race being ridden;
    a 1-1 decided by a third race)."""
    if index:
        return ""
    if heat.status != "final":
        riding = next((r for r in races if r.status != "final"), None)
        what = f"race {races.index(riding) + 1} {riding.status}" if riding else ""
        return f'<span class="tag">{escape(what or heat.status)}</span>'
    wins = heat.wins
    if len(races) == 3 and isinstance(wins, list) and wins:
        return f'<span class="tag">decider at 1-1, won {max(wins)}-{min(wins)}</span>'
    return ""


def _classification(standings: Standings) -> str:
    lines = standings.classification
    if not lines:
        return (
            '<h2>Final classification</h2>\n<p class="empty">Made once the finals are final.</p>\n'
        )
    timed = any(line.time for line in lines)  # a pursuit's, a team sprint's
    rows = [
        f'<tr data-bib="{line.bib}"><td class="num rank">'
        f'{"" if line.rank is None else line.rank}</td><td class="num bib">{line.bib}</td>'
        f'<td class="name">{escape(line.name)}</td><td>{escape(line.nation)}</td>'
        + (f'<td class="num time">{escape(line.time or "")}</td>' if timed else "")
        + f'<td class="notes">{_notes(line)}</td></tr>'
        for line in lines
    ]
    time_head = '<th class="num">Time</th>' if timed else ""
    return (
        "<h2>Final classification</h2>\n"
        '<table class="classification">\n<thead><tr><th class="num">Rank</th>'
        f'<th class="num">Bib</th><th>Name</th><th>Nation</th>{time_head}<th>Notes</th></tr>'
        "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def _omnium_table(omnium: OmniumStandings) -> str:
    """An omnium's riders with the points of each race counted so far and their total."""
    counted = [i for i, race in enumerate(omnium.races) if race.counted]
    head = ['<th class="num">Rank</th>', '<th class="num">Bib</th>', "<th>Name</th>",
            "<th>Nation</th>"]  # fmt: skip
    head += [f'<th class="num">{escape(omnium.races[i].name)}</th>' for i in counted]
    head += ['<th class="num">Total</th>', "<th>Notes</th>"]
    rows = []
    for line in omnium.lines:
        cells = [
            f'<td class="num rank">{"" if line.rank is None else line.rank}</td>',
            f'<td class="num bib">{line.bib}</td><td class="name">{escape(line.name)}</td>'
            f"<td>{escape(line.nation)}</td>",
        ]
        for i in counted:
            score = line.races[i] if i < len(line.races) else None
            text = "" if score is None else str(score.points)
            if score is not None and score.status:
                text += f" {score.status}"
            cells.append(f'<td class="num">{escape(text)}</td>')
        status = f'<span class="tag out">{escape(line.status)}</span>' if line.status else ""
        cells += [f'<td class="num time">{line.total}</td>', f'<td class="notes">{status}</td>']
        rows.append(f'<tr data-bib="{line.bib}">' + "".join(cells) + "</tr>")
    caption = "Final classification" if omnium.status == "final" else "Standings"
    return (
        f"<h2>{caption}</h2>\n"
        f'<table class="classification">\n<thead><tr>{"".join(head)}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )
