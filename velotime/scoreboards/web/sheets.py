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
    RefusedAudit,
    ReopenAudit,
    ResultLine,
    SetLapsAudit,
    SetStatusAudit,
    SprintAudit,
    StartAudit,
    StartList,
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
}
STATUS = {
    "running": ("RUNNING", "Unofficial: the event is still being ridden"),
    "provisional": ("PROVISIONAL", "Provisional result: subject to the commissaires' decisions"),
    "final": ("FINAL", "Official result"),
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
.audit td, .audit th { font-size: 8.5pt; }
.audit .reason { font-style: italic; }
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
    columns = _split_columns(lines)
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
        cells.append(f'<td class="notes">{_notes(line)}</td>')
        unranked = ' class="unranked"' if rank is None else ""
        rows.append(f'<tr data-bib="{line.bib}"{unranked}>' + "".join(cells) + "</tr>")
    if not rows:
        span = len(head)
        rows.append(f'<tr><td class="empty" colspan="{span}">No result lines yet.</td></tr>')
    caption = "Finish order" if keirin else "Result"
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
    out += _laps_gained_and_lost(result) + _sprints(result) + _elimination_order(result)
    problems = [p for p in result.problems if p] if isinstance(result.problems, list) else []
    if problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        out += f'<h2>Timing notes</h2>\n<ul class="problems">{items}</ul>\n'
    return out


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
    meet: str,
    venue: str,
    zone: tzinfo,
    generated_us: int,
) -> str:
    """Every retained result with links to its sheet, PDF and CSV; every start list, in
    programme order, with links to its sheet and PDF."""
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
