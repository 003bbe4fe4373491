"""The points race's scorer (and, through `SprintRaceScorer`, the tempo race's and any bunch race
scored by sprints): one race from the transponder crossings, the photo-finish camera and the
desk's and judges' commands, through the lap counter (`rules.laps`), the sprint judge
(`rules.sprints`) and the points race's table (`rules.points_race`).

Everything the scratch race's scorer does (`disciplines.scratch`: laps from the three loops, the
lap board and its commands, lap changes proposed and confirmed, abandons by status DNF), and:

- **The sprints.** The schedule (`points_race_schedule`: every `sprint_every` laps of the meet
  file, else the UCI's interval for the track, 3.2.116; the tempo race's `tempo_schedule`) gives
  each sprint its lap. Each finish-line read of a rider goes to the sprint of the lap it
  completes for them (their laps counted, less their confirmed lap changes): the sprint judge
  proposes the placings from those reads and from the camera (`judge_sprint`: the camera over
  the loops, "photo required" where the loops cannot part two riders, what the judges must look
  at). A camera block ("complete") is the sprint's whose first read on its lap is the latest
  at or before the block's first finish time (its arrival, without finish times) plus 1 s.
- **The final sprint is judged for every place across the line** (`FINAL_SPRINT`): its points
  go to the scoring places only, and its order ranks the riders level on points, on none
  included (3.2.119, §2.9, §2.13), so every rider who contested it has a `final_sprint_place`.
  Riders not in it (out of the race, or not read on its lap) have none.
- **The judges' word** (`sprint EVENT N`): confirms the proposal as it stands then, or sets
  their placings over it, with the reason (`judges_placings`); a later word on the same sprint
  replaces it. For the final sprint the judges may give the whole order or only its front (the
  scoring places, say): the riders they do not place follow, in the proposal's order.
  Refused, with the reason: a sprint the race does not have, one not contested
  yet, placings that do not judge its places (a bib twice, not in the race, too many places).
- **Unconfirmed sprints count in the live table**: the standings move as the race goes, and a
  rider whose points include a sprint not confirmed is flagged "unconfirmed". The event's
  `final` confirms every proposal still standing as it is (the audit trail shows the `final`;
  the judges who want otherwise say so before it, or reopen).
- A place correction (`correct --place`) is refused: the places come from the points.

The result: the standings (`points_race.standings`: points, then the final sprint's place) as
result lines with the total points, each sprint's points, the laps' points and the final
sprint's place; the sprints contested (`sprints`) and where the race stands in them
(`sprint_board`); the scratch race's lap board, lap changes, proposals and problems.

Each passing costs the lap counter's bisections and one look-up of its sprint; a score judges
again only the sprints with new evidence, and builds the table from the 16 sprints at most of a
points race (a tempo race's 36): the cost of a passing does not grow with the laps ridden.
"""

from dataclasses import dataclass, field

from velotime.scoring.disciplines.base import EventState, Scored, Venue
from velotime.scoring.disciplines.scratch import ScratchScorer
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.bunch import Placing, Sprint
from velotime.scoring.rules.keirin import PhotoPlace
from velotime.scoring.rules.points_race import (
    POINTS_RACE,
    PointsScale,
    SprintSchedule,
    StandingLine,
    points_race_schedule,
    sprint_every_laps,
    standings,
)
from velotime.scoring.rules.sprints import (
    FINAL_SPRINT,
    POINTS_SPRINT,
    Crossing,
    Judged,
    Judgement,
    judge_sprint,
    judges_placings,
)
from velotime.wire.commands import (
    Command,
    Correct,
    Final,
    LapChangeDecision,
    SetStatus,
    SprintDecision,
)
from velotime.wire.events import PhotoFinishData
from velotime.wire.results import (
    Flag,
    LapBoard,
    ResultLine,
    SprintBoard,
    SprintLine,
    Status,
)

CAMERA_EARLY_US = 1_000_000  # a camera's finish time may come a moment before the loop's read


@dataclass
class SprintState:
    """One sprint of the race: the reads and the camera rows that judge it, the proposal from
    them (judged again when they change), and the judges' word."""

    number: int
    lap: int
    final: bool
    crossings: list[Crossing] = field(default_factory=list)
    camera: list[PhotoPlace] | None = None
    opened_us: int | None = None  # the first read on its lap
    proposal: Judgement | None = None  # None: to judge again
    decided: Judgement | None = None  # the judges', or the event's `final`

    @property
    def contested(self) -> bool:
        return self.opened_us is not None

    @property
    def standing(self) -> Judgement | None:
        return self.decided or self.proposal


class SprintRaceScorer(ScratchScorer):
    """A bunch race scored by sprints and laps (module docstring): the points race's plumbing,
    for the tempo race and the Madison to reuse with their schedule, sprint and scale."""

    judged: Judged = POINTS_SPRINT
    scale: PointsScale = POINTS_RACE

    def __init__(
        self, event: MeetEvent, meet: Meet, venue: Venue, schedule: SprintSchedule
    ) -> None:
        self._schedule = schedule
        self._neutral_laps = event.neutral_laps or 0
        super().__init__(event, meet, venue)

    def judges_sprints(self) -> bool:
        return True

    def _start(self, abandons: int) -> None:
        super()._start(abandons)
        self._sprints = [
            SprintState(number=number, lap=lap, final=self._schedule.is_final(number))
            for number, lap in enumerate(self._schedule.laps, 1)
        ]
        self._sprint_at_lap = {sprint.lap: sprint for sprint in self._sprints}
        self._photo_read = 0
        self._photo_block: dict[int, PhotoPlace] | None = None
        self._photo_block_us: int | None = None
        # The camera's complete blocks, (its first finish time or its arrival, its arrival,
        # its rows), each given to its sprint again when a block comes or a sprint opens.
        self._blocks: list[tuple[int | None, int | None, list[PhotoPlace]]] = []
        self._blocks_placed = True
        self._camera_unused = 0  # complete blocks with no sprint contested before them
        self._cached: tuple[object, _Table] | None = None
        self._judged = 0  # judgements made so far (proposals and the judges' word): the
        # standings change only with them, the lap changes and the statuses

    # -- evidence ---------------------------------------------------------------------------

    def _crossing(self, bib: int, distance_to_finish_m: int, t_us: int) -> None:
        super()._crossing(bib, distance_to_finish_m, t_us)
        counter = self._counter
        if (
            self._neutral_laps
            and counter.start_us is None
            and len(counter.passages(bib)[0]) > self._neutral_laps
        ):
            counter.start(counter.latest_passage(bib) or t_us)  # the neutral laps ridden
        if distance_to_finish_m != 0:
            return  # the sprint is judged at the finish line
        laps = counter.laps(bib, t_us)
        sprint = self._sprint_at_lap.get(laps - counter.gained(bib))
        if sprint is None:
            return
        sprint.crossings.append(Crossing(bib=bib, t_us=t_us, laps=laps))
        if sprint.opened_us is None:
            sprint.opened_us = t_us
            self._blocks_placed = not self._blocks  # a block may be this sprint's
        sprint.proposal = None

    def _read_photo(self, state: EventState) -> None:
        """The camera's complete blocks, each to its sprint (module docstring)."""
        for entry in state.photo_finish[self._photo_read :]:
            if entry.phase == "result":
                if self._photo_block is None:
                    self._photo_block, self._photo_block_us = {}, None
                row = _photo_place(entry)
                if row is not None:
                    self._photo_block[row.bib] = row  # a later line for the bib replaces it
                    if entry.t_us is not None:
                        first = self._photo_block_us
                        self._photo_block_us = (
                            entry.t_us if first is None else min(first, entry.t_us)
                        )
            elif entry.phase == "complete":
                if self._photo_block:
                    at_us = self._photo_block_us or entry.received_us
                    rows = self._camera_rows(list(self._photo_block.values()))
                    self._blocks.append((at_us, entry.received_us, rows))
                    self._blocks_placed = False
                self._photo_block = None
            else:
                self._photo_block = None  # armed, started: results not closed are abandoned
        self._photo_read = len(state.photo_finish)

    def _camera_rows(self, rows: list[PhotoPlace]) -> list[PhotoPlace]:
        """A complete block's rows as the sprint judge takes them (a Madison's: by team)."""
        return rows

    def _cameras(self, until_us: int | None = None) -> None:
        """Each camera block to its sprint (module docstring), a later block over an earlier
        one; a sprint whose rows change is judged again. A pure function of the blocks and the
        sprints' first reads, so that when the blocks are read does not matter; `until_us`:
        only the blocks that had come by then (for the judges' word given then)."""
        if until_us is None and self._blocks_placed:
            return
        self._blocks_placed = until_us is None
        cameras: dict[int, list[PhotoPlace]] = {}
        unused = 0
        for at_us, arrived_us, rows in self._blocks:
            if until_us is not None and arrived_us is not None and arrived_us > until_us:
                continue
            opened = [
                sprint
                for sprint in self._sprints
                if sprint.opened_us is not None
                and (at_us is None or sprint.opened_us <= at_us + CAMERA_EARLY_US)
            ]
            if opened:
                cameras[opened[-1].number] = rows
            else:
                unused += 1
        if until_us is None:
            self._camera_unused = unused
        for sprint in self._sprints:
            camera = cameras.get(sprint.number)
            if camera is not sprint.camera:
                sprint.camera = camera
                sprint.proposal = None

    # -- the judges' word -------------------------------------------------------------------

    def refuses(self, command: Command) -> str | None:
        if isinstance(command, Correct):
            return (
                f"{self._event}: the places come from the points: correct a sprint "
                f"(velotime ctl sprint) or a lap change (velotime ctl lap-change)"
            )
        if isinstance(command, SprintDecision):
            return self._sprint_refusal(command)
        return super().refuses(command)

    def _sprint_refusal(self, command: SprintDecision) -> str | None:
        count = len(self._sprints)
        if command.number > count:
            return f"{self._event}: sprint {command.number}: the race has {count} sprints"
        sprint = self._sprints[command.number - 1]
        self._cameras()
        if not sprint.contested:
            return (
                f"{self._event}: sprint {command.number} (lap {sprint.lap}) is not contested "
                "yet: nothing to judge"
            )
        try:
            self._decided(sprint, command)
        except ValueError as exc:
            return f"{self._event}: {exc}"
        return None

    def _decided(self, sprint: SprintState, command: SprintDecision) -> Judgement:
        placings = [tuple(placing) for placing in command.placings] or None
        proposal = self._proposal(sprint)
        if placings is not None and sprint.final:
            # Behind the places the judges gave, the rest in the proposal's order.
            placed = {bib for placing in placings for bib in placing}
            placings += _without(proposal.sprint.placings, placed)
        return judges_placings(proposal, placings)

    def _command(self, t_us: int | None, command: Command) -> None:
        if isinstance(command, SprintDecision | Final):
            # The camera as it stood when the word came, whenever the blocks were read.
            self._cameras(t_us)
        if isinstance(command, SprintDecision):
            sprint = self._sprints[command.number - 1]
            try:
                sprint.decided = self._decided(sprint, command)
                self._judged += 1
            except (ValueError, IndexError) as exc:  # refused live; a replay after an Abandon
                self._notes.append(f"sprint {command.number}: the judges' word not applied: {exc}")
        elif isinstance(command, Final):
            for sprint in self._sprints:
                if sprint.contested and sprint.decided is None:
                    sprint.decided = judges_placings(self._proposal(sprint))
                    self._judged += 1
        else:
            super()._command(t_us, command)
            if isinstance(command, SetStatus | LapChangeDecision):
                # Who contests, and on which lap: the proposals are judged again.
                for sprint in self._sprints:
                    sprint.proposal = None

    # -- the result ---------------------------------------------------------------------------

    def _proposal(self, sprint: SprintState) -> Judgement:
        """The sprint as the devices judge it (its camera placed by `_cameras` before)."""
        if sprint.proposal is None:
            standing: dict[int, int] = {}
            for change in self._counter.confirmed:
                if change.lap < sprint.lap:
                    standing[change.bib] = standing.get(change.bib, 0) + change.change
            self._judged += 1
            sprint.proposal = judge_sprint(
                sprint.number,
                sprint.lap,
                FINAL_SPRINT if sprint.final else self.judged,
                riders=[bib for bib in self._riders_bibs() if bib not in self._out],
                crossings=sprint.crossings,
                standing=standing,
                camera=sprint.camera,
                final=sprint.final,
            )
        return sprint.proposal

    def score(self, state: EventState) -> Scored:
        if state.abandons != self._abandons:
            self._start(state.abandons)
        # The camera's blocks first: a sprint's judges' word and the `final` taken among the
        # crossings see the blocks that came before them.
        self._read_photo(state)
        self._read_evidence(state)  # the counter brought up to date
        self._cameras()
        counter = self._counter
        board = counter.board()
        table = self._table()
        finish = counter.finish() if board.finished else {}
        names = {rider.bib: rider for rider in self._riders}
        lines: list[ResultLine] = []
        for line in table.lines:
            rider = names[line.bib]
            at_finish = finish.get(line.bib)
            lines.append(
                ResultLine(
                    rank=line.place,
                    bib=line.bib,
                    name=rider.name,
                    nation=rider.nation,
                    status=line.status,
                    flags=table.flags.get(line.bib, []),
                    laps=counter.laps(line.bib, at_finish[0] if at_finish else None),
                    laps_gained=line.laps,
                    points=line.points,
                    sprint_points=table.by_number[line.bib],
                    lap_points=line.lap_points,
                    final_sprint_place=line.final_place,
                )
            )
        extra = self._lap_extra(board, self._loop_problems() + self._notes)
        extra["sprints"] = table.sprints
        extra["sprint_board"] = _sprint_board(self._sprints, extra["lap_board"])
        if self._camera_unused:
            unused = f"{self._camera_unused} camera result block(s) before any sprint: not used"
            extra["problems"] = [*extra.get("problems", []), unused]
        return Scored(lines, extra)

    def _loop_problems(self) -> list[str]:
        """What the loops' reads gave the lap counter to say (missed and double reads)."""
        return self._counter.problems()

    def _table(self) -> "_Table":
        """The standings from the sprints and lap changes as they stand, worked out again only
        when one of them changed (between sprints a passing changes none)."""
        statuses = dict(self._out)  # the commissaires' DNF, DSQ, DNS as the commands came
        contested = [sprint for sprint in self._sprints if sprint.contested]
        for sprint in contested:
            if sprint.decided is None:
                self._proposal(sprint)
        key = (
            self._judged,
            len(self._counter.confirmed),
            tuple(sorted(statuses.items())),
        )
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        dns = {bib for bib, status in statuses.items() if status is Status.DNS}
        counted: list[Sprint] = []
        unconfirmed: set[int] = set()
        photo: set[int] = set()
        for sprint in contested:
            judgement = sprint.standing
            assert judgement is not None  # judged above
            placings = _without(judgement.sprint.placings, dns)
            if not placings:
                continue
            counted.append(Sprint(sprint.number, sprint.lap, placings, final=sprint.final))
            if sprint.decided is None:
                unconfirmed.update(bib for placing in placings for bib in placing)
                photo |= judgement.photo_required
        changes = [change for change in self._counter.confirmed if change.bib not in dns]
        table = standings(self._riders_bibs(), counted, changes, statuses, scale=self.scale)
        by_number: dict[int, list[int]] = {}
        flags: dict[int, list[Flag]] = {}
        for line in table.lines:
            points = by_number[line.bib] = [0] * len(contested)
            for judged, won in zip(table.sprints, line.sprint_points, strict=True):
                points[judged.number - 1] = won
            flagged = [Flag.UNCONFIRMED] if line.bib in unconfirmed else []
            flags[line.bib] = flagged + ([Flag.PHOTO_REQUIRED] if line.bib in photo else [])
        made = _Table(
            lines=table.lines,
            by_number=by_number,
            flags=flags,
            sprints=[_sprint_line(sprint) for sprint in contested],
        )
        self._cached = (key, made)
        return made


@dataclass(frozen=True)
class _Table:
    """The standings as the result lines show them, kept between passings."""

    lines: tuple[StandingLine, ...]
    by_number: dict[int, list[int]]  # bib -> points of each sprint contested, by number
    flags: dict[int, list[Flag]]
    sprints: list[SprintLine]


def _without(placings: tuple[Placing, ...], bibs: set[int]) -> tuple[Placing, ...]:
    """The placings less `bibs` (riders who did not start: a camera row read wrong; riders the
    judges placed)."""
    kept = (tuple(bib for bib in placing if bib not in bibs) for placing in placings)
    return tuple(placing for placing in kept if placing)


def _sprint_line(sprint: SprintState) -> SprintLine:
    judgement = sprint.standing
    assert judgement is not None  # judged by `score`
    return SprintLine(
        number=sprint.number,
        lap=sprint.lap,
        final=sprint.final,
        confirmed=sprint.decided is not None,
        placings=[list(placing) for placing in judgement.sprint.placings],
        photo_required=sorted(judgement.photo_required),
        attention=[
            f"{item.concern.value}: {', '.join(map(str, item.bibs))}: {item.detail}"
            for item in judgement.attention
        ],
    )


def _sprint_board(sprints: list[SprintState], board: LapBoard) -> SprintBoard:
    contested = sum(1 for sprint in sprints if sprint.lap <= board.leader_laps and board.started)
    coming = sprints[contested] if contested < len(sprints) else None
    return SprintBoard(
        sprints=len(sprints),
        contested=contested,
        sprints_to_go=len(sprints) - contested,
        next_sprint=coming.number if coming else None,
        next_sprint_lap=coming.lap if coming else None,
    )


def _photo_place(entry: PhotoFinishData) -> PhotoPlace | None:
    """A camera row with a bib (any: the sprint judge shows the judges a bib not in the race)."""
    bib_text = entry.bib
    if not (bib_text is not None and bib_text.isascii() and bib_text.isdigit()):
        return None  # an unidentified rider (blank or not a bib)
    return PhotoPlace(bib=int(bib_text), place=entry.place, status=entry.status, t_us=entry.t_us)


class PointsRaceScorer(SprintRaceScorer):
    """The points race (uci-rules.md §2.6): 5-3-2-1 every `sprint_every` laps, the final
    sprint doubled, 20 points a lap."""

    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        assert event.laps is not None  # the meet check requires it
        every = event.sprint_every or sprint_every_laps(venue.track_length_m)
        super().__init__(event, meet, venue, points_race_schedule(event.laps, every))
