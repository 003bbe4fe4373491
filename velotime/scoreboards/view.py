"""What a text board shows, from the scoreboard state: the event on the track (or the latest
result), its lines as strings, and when the race started. The terminal view and the UNT4 boards
render this; the web page does the same in the browser from the same snapshot."""

from typing import Any

import msgspec

from velotime.scoreboards.state import Snapshot
from velotime.wire.results import (
    LapBoard,
    OnTrackNow,
    PursuitBoard,
    PursuitGap,
    PursuitSide,
    PursuitSplit,
    ResultLine,
    Standings,
    StandingsHeat,
    StandingsRound,
    Status,
    TeamSprintBoard,
)


class LineView(msgspec.Struct, frozen=True, kw_only=True):
    rank: str  # "1", "" when not ranked
    bib: int
    name: str
    nation: str
    time: str  # the official string, or the status (DNF, DSQ...), or ""
    gap: str
    speed: str
    flags: list[str]
    # Bunch races: laps ridden, laps gained or lost ("+1", "-1", "" for none), the points
    # ("" when the race has none), each blank in other disciplines.
    laps: str = ""
    laps_gained: str = ""
    points: str = ""


class LapBoardView(msgspec.Struct, frozen=True, kw_only=True):
    """A bunch race's lap board as the boards show it (the officials' board by the line)."""

    laps_to_go: int
    bell: bool  # the last lap: the bell has rung
    finished: bool
    started: bool
    neutralised: int  # laps of a neutralisation still to ride

    @property
    def label(self) -> str:
        """What a board writes: "12 LAPS TO GO", "BELL - LAST LAP", "FINISH"..."""
        if self.finished:
            return "FINISH"
        if self.bell:
            return "BELL - LAST LAP"
        to_go = f"{self.laps_to_go} LAP{'S' if self.laps_to_go != 1 else ''} TO GO"
        if self.neutralised:
            return f"NEUTRALISED ({self.neutralised}) - {to_go}"
        return to_go if self.started else f"{to_go} (NOT STARTED)"


class SprintMatchView(msgspec.Struct, frozen=True, kw_only=True):
    """A sprint race's match (uci-rules.md §2.3): who rides it, the races won so far, and which
    race of the match this one is. From the tournament's standings (standings/<competition>),
    whose match lists the race's event under `races`."""

    competition: str
    round: str  # "1/4", "final"
    heat: int  # the match's number in its round, from 1
    heats: int  # the matches of the round
    riders: list[int]  # in slot order
    wins: list[int]  # races won by each of `riders`
    race: int  # this race's number in the match, from 1
    best_of: int
    winner: int | None  # the match's winner, once it is decided

    @property
    def score(self) -> str:
        """The races won, in slot order: "1-1"; "" for a match of one race."""
        return "-".join(map(str, self.wins)) if self.best_of > 1 else ""

    @property
    def decider(self) -> bool:
        """The last race a match can have (race 3 of a best of three, at 1-1)."""
        return self.best_of > 1 and self.race == self.best_of

    @property
    def race_label(self) -> str:
        """ "race 2", "race 3 (decider)"; "" for a match of one race."""
        if self.best_of <= 1:
            return ""
        return f"race {self.race}" + (" (decider)" if self.decider else "")

    @property
    def label(self) -> str:
        """What a text board writes: "1/4 heat 2 · 201 v 207 · 1-1 · race 3 (decider)"."""
        where = f"{self.round} heat {self.heat}" if self.heats > 1 else self.round
        riders = " v ".join(map(str, self.riders))
        parts = [where, riders, self.score, self.race_label]
        return " · ".join(part for part in parts if part)


class PursuitSideView(msgspec.Struct, frozen=True, kw_only=True):
    """One side of a pursuit heat as the boards show it."""

    side: str  # "home" (the home straight, red line) or "back" (green)
    entrant: int  # a bib, a team's number
    name: str
    nation: str
    half_laps: int  # ridden
    distance_m: int | None  # of the latest split timed; None before the first
    latest: str  # that split's cumulative time, "" before the first
    lap: str  # its last full lap, ""
    laps_to_go: str  # "12", "10.5"
    time: str  # over the whole distance, once ridden
    state: str  # "CAUGHT", "FINISHED", "WON", a status (DNF...), "" while riding
    ahead: bool  # ahead at the last gap
    riders: list[int]  # team pursuit: the riders still counting
    dropped: list[int]  # team pursuit: dropped

    @property
    def shown_time(self) -> str:
        """What a board writes for the side: its time once finished, else its latest split."""
        return self.time or self.latest


class PursuitView(msgspec.Struct, frozen=True, kw_only=True):
    """A pursuit heat side by side: both sides, and the gap at the latest half lap both have
    ridden (3.2.067)."""

    sides: list[PursuitSideView]  # home first
    gap: str  # "+7.400", "" before both have crossed a line
    gap_half_lap: int | None
    gap_distance_m: int | None
    leader: int | None  # the entrant ahead at that gap; None: level or none yet
    half_laps: int  # of the distance
    finished: bool

    @property
    def gap_label(self) -> str:
        """ "+7.400 3 ahead at 1000 m", "level at 500 m", "" before the first gap."""
        if not self.gap:
            return ""
        where = f" at {self.gap_distance_m} m" if self.gap_distance_m else ""
        if self.leader is None:
            return f"level{where}"
        return f"{self.gap} {self.leader} ahead{where}"


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    title: str  # the event's name, else its id
    discipline: str
    status: str  # running, provisional, final ("" for an event with no result yet)
    on_track: bool  # armed now, rather than the latest result shown meanwhile
    start_us: int | None  # the clock runs from here (venue clock, unix microseconds)
    rider_on_track: int | None
    lines: list[LineView]
    note: str  # e.g. a keirin winner's last 200 m: "Last 200 m 9.397 (76.620 km/h)"
    lap_board: LapBoardView | None = None  # bunch races
    match: SprintMatchView | None = None  # a sprint race: its match in the tournament
    # A pursuit heat (individual, team), or a team sprint heat: side by side.
    pursuit: PursuitView | None = None


def optional_field(payload: object, key: str) -> Any:
    """A key only some disciplines' payloads have (a points race line's `points` and
    `sprint_points`, an elimination line's `eliminated_at`): None where the type has none, so the
    boards and sheets show it as soon as a result carries it."""
    value = getattr(payload, key, None)
    return None if value is msgspec.UNSET else value


def _line_view(line: ResultLine) -> LineView:
    points = optional_field(line, "points")
    return LineView(
        rank="" if line.rank is None else str(line.rank),
        bib=line.bib,
        name=line.name,
        nation=line.nation,
        time=line.time or line.status.value,
        gap=line.gap or "",
        speed=line.speed_kmh or "",
        flags=[flag.value for flag in line.flags],
        laps="" if line.laps is None else str(line.laps),
        laps_gained=f"{line.laps_gained:+d}" if line.laps_gained else "",
        points="" if points is None else str(points),
    )


def lap_board_view(board: LapBoard) -> LapBoardView:
    return LapBoardView(
        laps_to_go=board.laps_to_go,
        bell=board.bell,
        finished=board.finished,
        started=board.started,
        neutralised=board.neutralised,
    )


def board_view(snapshot: Snapshot) -> EventView | None:
    """The event on the track, else the latest result; None when there is neither."""
    current = snapshot.current if isinstance(snapshot.current, OnTrackNow) else None
    event_id = current.event if current is not None else snapshot.latest
    if event_id is None:
        return None
    result = snapshot.results.get(event_id)
    if current is None and result is None:
        return None
    lines = [_line_view(line) for line in (result.lines if result is not None else [])]
    board = result.lap_board if result is not None else None
    note = ""
    if result is not None and isinstance(result.winner_last_200, str) and result.winner_last_200:
        kmh = result.winner_last_200_kmh if isinstance(result.winner_last_200_kmh, str) else ""
        note = f"Last 200 m {result.winner_last_200} ({kmh} km/h)"
    pursuit = optional_field(result, "pursuit")
    team_sprint = optional_field(result, "team_sprint")
    if isinstance(team_sprint, TeamSprintBoard) and result is not None:
        pursuit = team_sprint_as_pursuit(team_sprint, result.lines)
    source = current or result
    assert source is not None
    return EventView(
        event=event_id,
        title=source.name or event_id,
        discipline=source.discipline,
        status=result.status if result is not None else "",
        on_track=current is not None,
        start_us=current.start_us if current is not None else None,
        rider_on_track=current.on_track if current is not None else None,
        lines=lines,
        note=note,
        lap_board=lap_board_view(board) if isinstance(board, LapBoard) else None,
        match=sprint_match(snapshot, event_id),
        pursuit=pursuit_view(pursuit) if isinstance(pursuit, PursuitBoard) else None,
    )


def _laps(value: float) -> str:
    """Laps to go as a board writes them: "12", "10.5"."""
    return f"{value:g}"


def _side_view(side: PursuitSide, leader: int | None, match: bool) -> PursuitSideView:
    timed = [split for split in side.splits if split.cumulative is not None]
    last = timed[-1] if timed else None
    if side.status.value:
        state = side.status.value
    elif side.caught:
        state = "CAUGHT"
    elif match and side.won:
        state = "WON"
    elif side.finished:
        state = "FINISHED"
    else:
        state = ""
    return PursuitSideView(
        side=side.side,
        entrant=side.entrant,
        name=side.name,
        nation=side.nation,
        half_laps=side.half_laps,
        distance_m=last.distance_m if last is not None and last.distance_m else None,
        latest=(last.cumulative or "") if last is not None else "",
        lap=(last.lap or "") if last is not None else "",
        laps_to_go=_laps(side.laps_to_go),
        time=side.time or "",
        state=state,
        ahead=leader is not None and leader == side.entrant,
        riders=list(side.riders),
        dropped=list(side.dropped),
    )


def _level_gap(gap: str) -> bool:
    return gap.lstrip("+-").strip("0.:") == ""


def team_sprint_as_pursuit(board: TeamSprintBoard, lines: list[ResultLine]) -> PursuitBoard:
    """A team sprint heat as the boards show a pursuit's: its two teams side by side (home
    first), each one's half laps so far, the gap at each both have ridden. The teams' names,
    times and statuses come from the result's lines (by team number), the half laps' distances
    from their lap splits (none before the first lap)."""
    by_team = {line.bib: line for line in lines}
    laps_m = [split.distance_m for line in lines for split in line.splits[:1]]
    half_m = laps_m[0] / 2 if laps_m else 0.0
    half_laps = 2 * board.laps
    teams = sorted(board.teams, key=lambda team: team.side)
    sides = []
    for team in teams:
        line = by_team.get(team.team)
        ridden = max((point.half_laps for point in team.points), default=0)
        finished = ridden >= half_laps
        sides.append(
            PursuitSide(
                side="home" if team.side == 0 else "back",
                entrant=team.team,
                name=line.name if line is not None else "",
                nation=line.nation if line is not None else "",
                riders=list(team.riders),
                started=team.starts > 0,
                half_laps=ridden,
                laps_to_go=(half_laps - ridden) / 2,
                splits=[
                    PursuitSplit(
                        half_lap=point.half_laps,
                        distance_m=round(half_m * point.half_laps),
                        cumulative=point.cumulative,
                        half=None,
                        lap=point.lap,
                    )
                    for point in team.points
                ],
                finished=finished,
                caught=False,
                false_starts=0,
                time=(line.time if line is not None and finished else None),
                status=line.status if line is not None else Status.RANKED,
                won=False,
            )
        )
    gaps = []
    if len(teams) == 2:
        home, back = teams
        for point in home.points:
            if point.gap is None:
                continue
            level = _level_gap(point.gap)
            ahead = None if level else home.team if point.gap.startswith("-") else back.team
            gaps.append(PursuitGap(half_lap=point.half_laps, ahead=ahead,
                                   gap="+" + point.gap.lstrip("+-")))  # fmt: skip
    return PursuitBoard(
        half_laps=half_laps,
        match=False,
        catch_ends=False,
        sides=sides,
        gaps=gaps,
        leader=gaps[-1].ahead if gaps else None,
        catch_half_lap=None,
        finished=bool(sides) and all(side.finished or side.status.value for side in sides),
    )


def pursuit_view(board: PursuitBoard) -> PursuitView:
    last = board.gaps[-1] if board.gaps else None
    distances = {split.half_lap: split.distance_m for side in board.sides for split in side.splits}
    leader = last.ahead if last is not None else None
    return PursuitView(
        sides=[_side_view(side, leader, board.match) for side in board.sides],
        gap=last.gap if last is not None else "",
        gap_half_lap=last.half_lap if last is not None else None,
        gap_distance_m=distances.get(last.half_lap) if last is not None else None,
        leader=leader,
        half_laps=board.half_laps,
        finished=board.finished,
    )


def sprint_match_of(
    snapshot: Snapshot, event: str
) -> tuple[Standings, StandingsRound, StandingsHeat] | None:
    """The sprint tournament, round and match that `event` is a race of."""
    for competition in snapshot.standings.values():
        if not isinstance(competition, Standings) or competition.discipline != "sprint":
            continue
        for round_ in competition.rounds:
            for heat in round_.heats:
                races = heat.races if isinstance(heat.races, list) else []
                if any(race.event == event for race in races):
                    return competition, round_, heat
    return None


def sprint_match(snapshot: Snapshot, event: str) -> SprintMatchView | None:
    """The match of a sprint race, None for any other event (or before its standings)."""
    found = sprint_match_of(snapshot, event)
    if found is None:
        return None
    competition, round_, heat = found
    races = heat.races if isinstance(heat.races, list) else []
    wins = heat.wins if isinstance(heat.wins, list) else [0] * len(heat.riders)
    best_of = round_.best_of if isinstance(round_.best_of, int) else len(races)
    decided = heat.status == "final" and bool(heat.order)
    return SprintMatchView(
        competition=competition.competition,
        round=round_.name,
        heat=round_.heats.index(heat) + 1,
        heats=len(round_.heats),
        riders=list(heat.riders),
        wins=list(wins),
        race=next(n for n, race in enumerate(races, 1) if race.event == event),
        best_of=best_of,
        winner=heat.order[0] if decided else None,
    )


def slot_label(slot: str) -> str:
    """Where a bracket's rider comes from, in words: "q5" -> "Q5" (the 5th qualifier),
    "1/8:3" -> "W 1/8 #3" (the winner of heat 3 of 1/8), "1/8:3:2" -> "2nd 1/8 #3"."""
    if slot.startswith("q") and slot[1:].isdigit():
        return "Q" + slot[1:]
    parts = slot.split(":")
    if len(parts) == 2:
        return f"W {parts[0]} #{parts[1]}"
    if len(parts) == 3 and parts[2].isdigit():
        place = int(parts[2])
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
        return f"{place}{suffix} {parts[0]} #{parts[1]}"
    return slot


def running_time(start_us: int | None, now_us: int) -> str:
    """The clock a board shows: tenths while running ("12.3", "1:02.4"), "" before a start."""
    if start_us is None or now_us < start_us:
        return ""
    tenths = (now_us - start_us) // 100_000
    minutes, tenths = divmod(tenths, 600)
    seconds, tenth = divmod(tenths, 10)
    return f"{minutes}:{seconds:02d}.{tenth}" if minutes else f"{seconds}.{tenth}"
