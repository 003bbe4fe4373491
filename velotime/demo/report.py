"""What the demo prints: progress while the session runs, the standings at the end.

Plain text, one line at a time, so that it reads the same on a terminal, in a CI log or piped:
the progress lines start with the seconds since the session started. `Progress` is fed the
daemon's command events and the scoring service's results as they arrive on MQTT; `standings`
renders the results of the events, columns separated by at least two spaces: times for the
timed events (a team sprint's teams by number), gaps for the keirin and a sprint race, points
and laps gained or lost for the points race; then the sprint tournament's standings (each
match's races won, its classification).
"""

import time
from collections.abc import Callable, Mapping

from velotime.demo.script import (
    EVENT_NAMES,
    FLYING200,
    KEIRIN,
    KILOMETRE,
    POINTS,
    TEAM_SPRINT,
    DemoSession,
)
from velotime.wire.commands import Arm, Command, LapChangeDecision, Neutralise, NextRider
from velotime.wire.results import EventResult, Flag, SprintLine, Standings, StandingsHeat

_NAME_WIDTH = 16
_SPRINT_PLACES = 4  # a points race's sprint places (5-3-2-1)
_PLACED = ("keirin", "sprint")  # results by place (and gap), not by time


class Progress:
    def __init__(self, session: DemoSession, write: Callable[[str], None] = print) -> None:
        self.session = session
        self.write = write
        self.started = time.monotonic()
        self._timed: dict[str, dict[int, str]] = {}  # event -> bib -> the time printed
        self._status: dict[str, str] = {}
        self._sprints: dict[str, dict[int, str]] = {}  # event -> number -> as printed
        self._matches: dict[str, str] = {}  # a sprint match's event -> its score as printed

    def line(self, text: str) -> None:
        self.write(f"[{time.monotonic() - self.started:5.1f} s] {text}")

    def command(self, command: Command) -> None:
        """A desk command, as the daemon put it into the event stream."""
        name = EVENT_NAMES.get(command.event, command.event)
        if isinstance(command, Arm):
            self.line(f"{name}: on the track ({self._entrants(command.event)})")
        elif isinstance(command, NextRider):
            self.line(f"  on the track: {_rider(self.session, command.bib)}")
        elif isinstance(command, Neutralise):
            self.line(f"  neutralised for {command.laps} lap(s): {command.reason}")
        elif isinstance(command, LapChangeDecision) and not command.dismiss:
            gained = "gained" if command.change > 0 else "lost"
            self.line(f"  a lap {gained}, confirmed: {_rider(self.session, command.bib)}")

    def result(self, result: EventResult) -> None:
        """A `results/<event>` message: new times, then a change of status."""
        event = result.event
        lines = result.lines
        if result.discipline == "points_race":
            self._sprint_lines(result)
        elif result.discipline not in _PLACED:
            printed = self._timed.setdefault(event, {})
            team_sprint = result.discipline == "team_sprint"
            for line in lines:
                bib, time_ = line.bib, line.time
                if not time_ or printed.get(bib) == time_:
                    continue
                if team_sprint and result.status == "running":
                    # Under way, the other team's wheel on a line can time a team for the
                    # moment, until the loop's read that names it arrives: the times once
                    # the heat is provisional.
                    continue
                laps = ", ".join(split.lap for split in line.splits) if team_sprint else ""
                # A flying 200 m shows a rider's fastest pass so far: before the first
                # photocell impulse of the session, a run-up lap the loops timed.
                was = f" (was {printed[bib]})" if bib in printed else ""
                printed[bib] = time_
                rank = line.rank
                place = f"  {_ordinal(rank)} for now" if rank else ""
                laps = f"  laps {laps}" if laps else ""
                self.line(f"  {_rider(self.session, bib)}  {time_:>8}{laps}{place}{was}")
        status = result.status
        if self._status.get(event, "running") == status:
            return
        self._status[event] = status
        name = EVENT_NAMES.get(event, event)
        if result.discipline == "keirin" and status == "provisional":
            order = ", ".join(str(line.bib) for line in lines if line.rank)
            self.line(f"  the camera's order: {order}")
        if result.discipline == "sprint" and status == "provisional" and lines and lines[0].rank:
            self.line(
                f"  won by {_short(self.session, lines[0].bib)}, last 200 m "
                f"{result.winner_last_200 or '?'}"
            )
        self.line(f"{name}: {status}")

    def standings(self, standings: Standings) -> None:
        """A `standings/<competition>` message: a line each time a sprint match's score
        changes (races won by each rider, and whether it is decided)."""
        for round_ in standings.rounds:
            for heat in round_.heats:
                score = _match_score(self.session, heat)
                if score and self._matches.get(heat.event) != score:
                    self._matches[heat.event] = score
                    self.line(f"  {standings.name}, {round_.name}: {score}")

    def _sprint_lines(self, result: EventResult) -> None:
        """A points race's sprints: the first four as the loops and the camera place them, and
        then as the judges confirm them; a line each time that changes."""
        printed = self._sprints.setdefault(result.event, {})
        sprints: list[SprintLine] = result.sprints if isinstance(result.sprints, list) else []
        for sprint in sprints:
            places = sprint.placings
            if len(places) < _SPRINT_PLACES and not sprint.confirmed:
                continue  # the sprint's first riders still crossing
            order = ", ".join("=".join(str(bib) for bib in placing) for placing in places)
            word = "confirmed" if sprint.confirmed else "proposed"
            text = f"  sprint {sprint.number} (lap {sprint.lap}), {word}: {order}"
            if printed.get(sprint.number) != text:
                printed[sprint.number] = text
                self.line(text)

    def _entrants(self, event: str) -> str:
        session = self.session
        count = {
            FLYING200: len(session.flying200),
            KILOMETRE: len(session.kilometre),
            KEIRIN: len(session.keirin.riders),
            POINTS: len(session.points.riders),
        }.get(event)
        if count:
            return f"{count} riders"
        race = next((race for race in session.sprint if race.event == event), None)
        if race is not None:
            return " v ".join(_short(session, bib) for bib in race.riders)
        if event == TEAM_SPRINT:
            teams = session.team_sprint.teams
            return " v ".join(f"{team.number} {team.name} {team.riders}" for team in teams)
        return event


def standings(
    results: Mapping[str, EventResult], competitions: Mapping[str, Standings] | None = None
) -> str:
    """The events' results as plain text, in the order given, then the competitions'."""
    out: list[str] = []
    for result in results.values():
        out.append(f"{result.name or result.event} ({result.status})")
        keirin = result.discipline in _PLACED
        points = result.discipline == "points_race"
        header = ["rank", "bib", "name".ljust(_NAME_WIDTH), "nat"]
        if points:
            header += ["points", "laps"]
        else:
            header += ["gap"] if keirin else ["    time", "    km/h", "    gap"]
        out.append("  " + "  ".join(header))
        for line in result.lines:
            rank = line.rank
            cells = [
                f"{rank if rank is not None else line.status.value:>4}",
                f"{line.bib:>3}",
                line.name.ljust(_NAME_WIDTH),
                f"{line.nation:<3}",
            ]
            if points:
                cells += [
                    f"{line.points or 0:>6}",
                    f"{line.laps_gained:+d}" if line.laps_gained else "",
                ]
            elif keirin:
                cells.append(line.gap or "")
            else:
                cells += [
                    f"{line.time or '':>8}",
                    f"{line.speed_kmh or '':>8}",
                    f"{line.gap or '':>7}",
                ]
            if Flag.QUALIFIED in line.flags:
                cells.append("Q")
            out.append("  " + "  ".join(cells).rstrip())
        if keirin and isinstance(result.winner_last_200, str) and result.winner_last_200:
            out.append(
                f"  winner's last 200 m: {result.winner_last_200} "
                f"({result.winner_last_200_kmh} km/h)"
            )
        out.append("")
    for competition in (competitions or {}).values():
        out += _competition(competition)
    return "\n".join(out)


def _competition(standings: Standings) -> list[str]:
    """A sprint tournament: each match with its races' winners and the races won, then the
    classification."""
    out = [f"{standings.name} ({standings.status})"]
    for round_ in standings.rounds:
        for heat in round_.heats:
            riders = " v ".join(str(bib) for bib in heat.riders)
            wins = "-".join(str(n) for n in heat.wins) if isinstance(heat.wins, list) else ""
            out.append(f"  {round_.name}: {riders}  races won {wins}")
            for race in heat.races if isinstance(heat.races, list) else []:
                last_200 = f", last 200 m {race.winner_last_200}" if race.winner_last_200 else ""
                out.append(f"    {race.event}: won by {race.winner}{last_200}")
    if standings.classification:
        out.append("  " + "  ".join(["rank", "bib", "name".ljust(_NAME_WIDTH), "nat"]))
        for line in standings.classification:
            rank = line.rank if line.rank is not None else line.status.value
            cells = [f"{rank:>4}", f"{line.bib:>3}", line.name.ljust(_NAME_WIDTH), line.nation]
            out.append("  " + "  ".join(cells).rstrip())
    out.append("")
    return out


def _match_score(session: DemoSession, heat: StandingsHeat) -> str:
    """ "2 Ben BAKER 1-1 18 Rosa GARCÍA, a decider": a sprint match's races won so far."""
    wins = heat.wins
    if not isinstance(wins, list) or len(wins) != 2 or not any(wins):
        return ""
    first, second = (_short(session, bib) for bib in heat.riders)
    score = f"{first} {wins[0]}-{wins[1]} {second}"
    if heat.status == "final" and heat.order:
        return f"{score}, won by {_short(session, heat.order[0])}"
    if wins[0] == wins[1]:
        return f"{score}: a decider"
    return score


def _rider(session: DemoSession, bib: int) -> str:
    """A rider, or a team sprint's team (by its number)."""
    team = next((team for team in session.team_sprint.teams if team.number == bib), None)
    if team is not None:
        return f"{bib:>3} {team.name:<{_NAME_WIDTH}}"
    try:
        rider = session.rider(bib)
    except IndexError:
        return f"{bib:>3}"
    return f"{bib:>3} {rider.name:<{_NAME_WIDTH}} {rider.nation}"


def _short(session: DemoSession, bib: int) -> str:
    """A rider in a sentence: "13 Maya PATEL"."""
    try:
        return f"{bib} {session.rider(bib).name}"
    except IndexError:
        return str(bib)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
