"""The elimination race's scorer (uci-rules.md §2.8, 3.2.218-3.2.226): one race (a meet event
whose `riders` ride together) from the transponder crossings, the photo-finish camera and the
commissaires' commands, through the lap counter (`rules.laps`), the sprint judge
(`rules.sprints`) and the elimination race's rules (`rules.elimination`).

- **The schedule** (3.2.222): a sprint every `interval` laps from the flying start, the track's
  (`rules.elimination.sprint_interval_laps`: 2 on a 250 m track), or the meet file's
  `sprint_every`; N starters make N - 1 sprints. Sprint n is contested as the leader completes
  lap n x interval: a green flag makes the race a sprint longer, riders going out together a
  sprint shorter (`rules.elimination`).
- **The loops** count the laps as in the scratch race (the 200 m and 100 m lines recover the
  finish loop's missed reads); the lap board's commands are the scratch race's (`start`,
  `neutralise`, `laps`, `lap_change`). The board rings the bell on the lap before each sprint
  on tracks under 333.33 m (a sprint every 2 or 3 laps), on the last lap on longer ones.
- **Each sprint as the devices judge it** (`rules.sprints.judge_sprint`, elimination kind: the
  last rider by the rear wheel): the finish loop's reads of the riders still in on the
  sprint's lap (a passage the counter estimated from the other loops is not a read: the judge
  says the rider was not read), and the camera's latest complete block whose first finish
  time lies from 5 s before the first rider's crossing on the sprint's lap to the leader's
  crossing a lap later (the operator places the last rider only, at the last place). Riders
  lapped or abandoning since the previous sprint are due: they go out at it (3.2.223),
  instead of the last rider.
- **The commissaires decide every elimination sprint** (3.2.223), in order, once it is ridden:
  `eliminate` names who goes out (the proposal confirmed, or another rider instead: "out by
  the commissaires" when it is not the judged last rider nor one due), `green_flag` nobody.
  Until then the sprint is shown pending with the proposal and what to look at, and later
  sprints wait for it. Refused, with the reason: a sprint not ridden yet, one after a sprint
  still undecided, one before a sprint already decided, the final, a rider no longer in.
- **The final** (3.2.224): once the riders left are the last two (the rules' sprints to go is
  1), the next sprint places them by the front wheel from the judged order, decided as soon as
  it places them all (the commissaires' `correct --place` 1 or 2 over it). Its riders are
  flagged "photo required" where the loops alone part them by less than the tolerance.
- **Decisions**: `status` DNF is an abandon at the leader's lap (out at the next sprint, and
  ranked, 3.2.223), DSQ and DNS as the rules have them; riders out (and DNF, DSQ, DNS) drop
  out of the lap count.

The result: the lines (`rules.elimination`: the riders still in, then the riders out by place,
each with the sprint they went out at and how), the lap board, `elimination` (who is still in,
who is due, the sprints to go, the next sprint and its lap, the sprint awaiting the
commissaires), the confirmed lap changes and proposals, and the loops' problems.

Commands are applied at their place among the crossings (`EventState.commands`), so who is
still in at each moment is the same live and in a replay; the proposals (loops and camera) are
worked out again at each publication from all the evidence.
"""

from bisect import bisect_left
from collections.abc import Collection, Hashable, Mapping, Sequence

import msgspec

from velotime.scoring.disciplines.base import (
    EventState,
    Scored,
    Venue,
    bibs_by_transponder,
    latest_start,
    race_riders,
)
from velotime.scoring.disciplines.keirin import PhotoBlocks
from velotime.scoring.disciplines.lap_board import EvidenceReader, apply_lap_board_command
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.bunch import LapChange, Placing, Sprint
from velotime.scoring.rules.elimination import (
    Decisions,
    EliminationResult,
    elimination_result,
    laps_to_go,
    sprint_interval_laps,
)
from velotime.scoring.rules.keirin import PhotoPlace
from velotime.scoring.rules.laps import LapCounter, LapSettings
from velotime.scoring.rules.sprints import (
    ELIMINATION_FINAL,
    ELIMINATION_SPRINT,
    Crossing,
    Judged,
    Judgement,
    judge_sprint,
)
from velotime.wire.commands import Command, Correct, Eliminate, GreenFlag, SetStatus
from velotime.wire.results import (
    EliminationBoard,
    EliminationSprintLine,
    Flag,
    LapBoard,
    LapChangeLine,
    Status,
)

_UNBOUNDED = 100_000  # the counter's distance: the race's end is the rules', not a lap count
_CAMERA_EARLY_US = 5_000_000  # a camera block this far before the sprint's first crossing


class EliminationScorer:
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        self.race = frozenset(event.riders)
        self._event = event.id
        self._riders = race_riders(meet, event.riders)
        self._interval = event.sprint_every or sprint_interval_laps(venue.track_length_m)
        self._settings = LapSettings(track_length_m=venue.track_length_m)
        self._bib_of = bibs_by_transponder(meet, self.race)
        self._start(0)

    def counts_laps(self) -> bool:
        return True

    def _start(self, abandons: int) -> None:
        self._abandons = abandons
        self._evidence = EvidenceReader()
        self._photo_read = 0
        self._counter = LapCounter([r.bib for r in self._riders], _UNBOUNDED, self._settings)
        self._photo = PhotoBlocks(self.race)
        self._blocks: list[list[PhotoPlace]] = []  # every complete camera block, in order
        self._decided: dict[int, int | None] = {}  # sprint -> the bib out; None: green flag
        self._status: dict[int, Status] = {}  # DNF, DSQ, DNS
        self._abandoned: dict[int, int] = {}  # bib -> the leader's laps at the DNF
        self._notes: list[str] = []  # commands the counter could not apply, and why
        # What was worked out at the last publications, with what it was worked out from: a
        # sprint is judged again, and the rules applied again, only when that changed.
        self._reads: dict[tuple[int, int], tuple[tuple[int, int], int | None]] = {}
        self._judgements: dict[tuple[int, Judged], tuple[Hashable, Judgement]] = {}
        self._results: dict[int, tuple[Hashable, EliminationResult]] = {}
        self._race_problem: str | None = None  # what the rules refused, at the last publication

    # -- the engine's hooks ---------------------------------------------------------------

    def refuses(self, command: Command) -> str | None:
        bib = getattr(command, "bib", None)
        if bib is not None and bib not in self.race:
            return f"{self._event}: bib {bib} does not ride this race"
        if isinstance(command, Correct):
            if command.time:
                return f"{self._event}: an elimination race has no times to correct (bib {bib})"
            if command.place is not None and command.place > 2:
                return (
                    f"{self._event}: place {command.place}: a correction places the final's "
                    "riders, 1 or 2; the others' places follow from the sprints they went out "
                    "at (eliminate)"
                )
        return None

    def refuses_now(self, command: Command, state: EventState) -> str | None:
        """Why the commissaires' Eliminate or GreenFlag, or a place for the final, cannot be
        applied now (module docstring), from the race so far."""
        if isinstance(command, Correct) and command.place is not None:
            self._read_evidence(state)
            now = self._outcome(max(self._decided, default=0))
            if command.bib not in now.still_in:
                gone = _gone(now, command.bib)
                return (
                    f"{self._event}: bib {command.bib} is not in the final ({gone}): its place "
                    "follows from the sprint it went out at"
                )
        if not isinstance(command, Eliminate | GreenFlag):
            return None
        self._read_evidence(state)
        number = command.sprint
        ridden = self._ridden()
        lap = number * self._interval
        if number > ridden:
            return (
                f"{self._event}: sprint {number} is contested at lap {lap}; the leader has "
                f"ridden {self._counter.board().leader_laps}"
            )
        if any(later > number for later in self._decided):
            return (
                f"{self._event}: sprint {max(self._decided)} is decided already: sprint "
                f"{number} before it can no longer change"
            )
        undecided = [n for n in range(1, number) if n not in self._decided]
        if undecided:
            return f"{self._event}: sprint {undecided[0]} is not decided yet: they go in order"
        before = self._outcome(number - 1)
        if before.finished or before.sprints_to_go <= 1:
            return (
                f"{self._event}: sprint {number} is the final, placed by its order across the "
                "line (correct --place 1 or 2 to change it)"
            )
        if isinstance(command, Eliminate) and command.bib not in before.still_in:
            gone = _gone(before, command.bib)
            return f"{self._event}: bib {command.bib} is no longer in the race ({gone})"
        return None

    def start_us(self, state: EventState) -> int | None:
        return latest_start(state)

    def score(self, state: EventState) -> Scored:
        self._read_evidence(state)
        counter = self._counter
        result, pending, final = self._race(state.places)
        board = counter.board()
        ridden = self._ridden()
        leader = board.leader_laps
        if final is not None:  # the board stays at the final (a cool-down lap is no lap)
            leader = min(leader, final.sprint.lap)
        unresolved = 0 if result.finished else max(0, ridden - self._applied(result, ridden))
        left = 0 if result.finished else max(0, result.sprints_to_go - unresolved)
        ahead = msgspec.structs.replace(result, sprints_to_go=left)
        to_go = laps_to_go(ahead, leader, ridden * self._interval, self._interval) if left else 0
        started = board.started
        bell = started and (
            to_go == 1
            or (self._interval > 1 and left > 0 and leader % self._interval == self._interval - 1)
        )
        lap_board = LapBoard(
            distance=leader + to_go if started else self._interval * (len(self._riders) - 1),
            started=started,
            leader_laps=leader,
            laps_to_go=to_go if started else self._interval * (len(self._riders) - 1),
            bell=bell,
            finished=result.finished,
            neutralised=board.neutralised,
        )
        photo = final.photo_required if final is not None else frozenset()
        lines = [
            msgspec.structs.replace(
                line.line,
                eliminated_at=line.sprint,
                out_by=line.out_by,
                flags=[Flag.PHOTO_REQUIRED] if line.line.bib in photo else [],
            )
            for line in result.lines
        ]
        elimination = EliminationBoard(
            still_in=result.still_in,
            due=result.due,
            sprints_to_go=left,
            next_sprint=ridden + 1 if left else None,
            next_sprint_lap=(ridden + 1) * self._interval if left else None,
            pending=pending,
        )
        return Scored(
            lines,
            {
                "lap_board": lap_board,
                "lap_changes": [
                    LapChangeLine(bib=c.bib, change=1 if c.change > 0 else -1, lap=c.lap)
                    for c in counter.confirmed
                ],
                "lap_proposals": [
                    LapChangeLine(bib=p.bib, change=1 if p.change > 0 else -1, lap=p.lap)
                    for p in counter.proposals
                ],
                "elimination": elimination,
                "problems": counter.problems()
                + self._notes
                + ([self._race_problem] if self._race_problem else []),
            },
        )

    # -- the race -------------------------------------------------------------------------

    def _ridden(self) -> int:
        """The sprints whose lap the leader has completed."""
        board = self._counter.board()
        return board.leader_laps // self._interval if board.started else 0

    def _applied(self, result: EliminationResult, ridden: int) -> int:
        """The sprints ridden and decided (by the commissaires, or the final by its order)."""
        return len([n for n in self._decided if n <= ridden]) + result.finished

    def _decisions(self) -> Decisions:
        def having(status: Status) -> frozenset[int]:
            return frozenset(bib for bib, s in self._status.items() if s is status)

        return Decisions(
            dns=having(Status.DNS), dsq=having(Status.DSQ), abandoned=dict(self._abandoned)
        )

    def _lapped(self) -> list[LapChange]:
        return [change for change in self._counter.confirmed if change.change == -1]

    def _leaving(self) -> dict[int, int]:
        """Each rider lapped or abandoning, and the leader's lap then (the rules' order)."""
        leaving: dict[int, int] = {}
        for change in self._lapped():
            leaving.setdefault(change.bib, change.lap)
        for bib, lap in self._abandoned.items():
            leaving[bib] = min(lap, leaving.get(bib, lap))
        return leaving

    def _outcome(self, through: int) -> EliminationResult:
        """The race after the commissaires' decisions of sprints 1 to `through` (none judged:
        who goes out is theirs, whoever was last), for who is still in."""
        sprints: list[Sprint] = []
        eliminated: dict[int, int] = {}
        green: set[int] = set()
        leaving = self._leaving()
        for number in range(1, through + 1):
            bib = self._decided[number]
            lap = number * self._interval
            sprints.append(Sprint(number=number, lap=lap, placings=()))
            if bib is None:
                green.add(number)
            elif leaving.get(bib, lap) >= lap:  # a rider due goes out as due
                eliminated[number] = bib
        decisions = msgspec.structs.replace(
            self._decisions(), eliminated=eliminated, green_flags=frozenset(green)
        )
        return elimination_result(
            self._riders, sprints, lap_changes=self._lapped(), decisions=decisions
        )

    def _race(
        self, places: Mapping[int, int]
    ) -> tuple[EliminationResult, list[EliminationSprintLine], Judgement | None]:
        """The race with each decided sprint as the devices judged it (for how each rider went
        out), the final once judged, and the first sprint ridden and not decided."""
        self._race_problem = None
        leaving = self._leaving()
        base = self._decisions()
        sprints: list[Sprint] = []
        eliminated: dict[int, int] = {}
        green: set[int] = set()
        final: Judgement | None = None
        result = elimination_result(self._riders, [], lap_changes=self._lapped(), decisions=base)
        for number in range(1, self._ridden() + 1):
            if result.finished:
                break
            lap = number * self._interval
            due = [bib for bib in result.still_in if leaving.get(bib, lap) < lap]
            riders = [bib for bib in result.still_in if bib not in due]
            if result.sprints_to_go == 1:
                final = self._judge(number, lap, riders, ELIMINATION_FINAL)
                placings = _final_order(final.sprint.placings, riders, places)
                if placings is None:
                    return result, [_pending(final, [])], None
                sprints.append(Sprint(number=number, lap=lap, placings=placings, final=True))
            elif number in self._decided:
                bib = self._decided[number]
                judgement = self._judge(number, lap, riders, ELIMINATION_SPRINT)
                if bib is None:
                    green.add(number)
                elif bib not in due and (due or judgement.sprint.placings[-1:] != ((bib,),)):
                    eliminated[number] = bib
                sprints.append(judgement.sprint)
            else:
                judgement = self._judge(number, lap, riders, ELIMINATION_SPRINT)
                return result, [_pending(judgement, due)], None
            try:
                result = self._rules(number, sprints, base, eliminated, green)
            except ValueError as error:  # not expected: every decision was checked on arrival
                self._race_problem = f"sprint {number}: {error}"
                return result, [], None
        return result, [], final

    def _rules(
        self,
        number: int,
        sprints: Sequence[Sprint],
        base: Decisions,
        eliminated: Mapping[int, int],
        green: Collection[int],
    ) -> EliminationResult:
        """`rules.elimination` after sprint `number`, worked out again only when what it is
        worked out from changed."""
        lapped = self._lapped()
        made_of = (
            tuple(sprints), tuple(lapped), tuple(eliminated.items()), frozenset(green),
            tuple(base.abandoned.items()), base.dns, base.dsq,
        )  # fmt: skip
        known = self._results.get(number)
        if known is not None and known[0] == made_of:
            return known[1]
        decisions = msgspec.structs.replace(
            base, eliminated=dict(eliminated), green_flags=frozenset(green)
        )
        result = elimination_result(self._riders, sprints, lap_changes=lapped, decisions=decisions)
        self._results[number] = (made_of, result)
        return result

    def _judge(self, number: int, lap: int, riders: Sequence[int], judged: Judged) -> Judgement:
        """The sprint as the finish loop's reads and the camera judge it (module docstring)."""
        counter = self._counter
        crossings = []
        standing = {bib: counter.gained(bib) for bib in riders}
        for bib in riders:
            t_us = self._read_completing(bib, lap + standing[bib])
            if t_us is not None:
                crossings.append(Crossing(bib=bib, t_us=t_us, laps=lap + standing[bib]))
        camera: list[PhotoPlace] = []
        block_index = -1
        if crossings:
            opens = min(crossing.t_us for crossing in crossings) - _CAMERA_EARLY_US
            after = [
                t
                for bib in riders
                if (t := self._read_completing(bib, lap + 1 + standing[bib])) is not None
            ]
            closes = min(after, default=None)
            for index, block in enumerate(self._blocks):
                first = min((row.t_us for row in block if row.t_us is not None), default=None)
                if first is not None and first >= opens and (closes is None or first < closes):
                    camera, block_index = block, index  # the latest: the camera's last word
        made_of = (tuple(riders), tuple(crossings), tuple(standing.items()), block_index)
        known = self._judgements.get((number, judged))
        if known is not None and known[0] == made_of:
            return known[1]
        judgement = judge_sprint(
            number,
            lap,
            judged,
            riders=riders,
            crossings=crossings,
            standing=standing,
            camera=camera,
            final=judged is ELIMINATION_FINAL,
        )
        self._judgements[(number, judged)] = (made_of, judgement)
        return judgement

    def _read_completing(self, bib: int, laps: int) -> int | None:
        """The rider's first finish-loop read completing `laps` laps (not an estimated
        passage), or None."""
        counter = self._counter
        times, estimated = counter.passages(bib)
        # Passages are only added, and the counts change with the desk's commands only.
        made_of = (len(times), self._evidence.commands)
        known = self._reads.get((bib, laps))
        if known is not None and known[0] == made_of:
            return known[1]
        # The count only grows along the passages: the first one counting `laps`, by bisection.
        index = bisect_left(times, laps, key=lambda t_us: counter.laps(bib, t_us))
        found = None
        for i in range(index, len(times)):
            if counter.laps(bib, times[i]) != laps:
                break
            if not estimated[i]:
                found = times[i]
                break
        self._reads[(bib, laps)] = (made_of, found)
        return found

    # -- the evidence ---------------------------------------------------------------------

    def _read_evidence(self, state: EventState) -> None:
        """Takes in the crossings, commands and camera entries since the last call, the
        commands in their place among the crossings (all of them again after an Abandon)."""
        if state.abandons != self._abandons:
            self._start(state.abandons)
        self._evidence.read(state, self._bib_of, self._counter.crossing, self._command)
        for entry in state.photo_finish[self._photo_read :]:
            latest = self._photo.latest
            self._photo.add(entry)
            if self._photo.latest is not latest:
                self._blocks.append(self._photo.latest)
        self._photo_read = len(state.photo_finish)

    def _command(self, t_us: int | None, command: Command) -> None:
        if isinstance(command, SetStatus):
            if command.status:
                self._status[command.bib] = Status(command.status)
            else:
                self._status.pop(command.bib, None)
            if command.status == "DNF":
                self._abandoned[command.bib] = self._counter.board().leader_laps
            else:
                self._abandoned.pop(command.bib, None)
        elif isinstance(command, Eliminate):
            self._decided[command.sprint] = command.bib
        elif isinstance(command, GreenFlag):
            self._decided[command.sprint] = None
        else:
            at_us = self._evidence.command_time(t_us)
            apply_lap_board_command(self._counter, command, at_us, self._notes)
            return
        out = self._outcome(max(self._decided, default=0))
        gone = self.race - set(out.still_in)
        self._counter.out_of_count = frozenset(self._status) | gone


def _pending(judgement: Judgement, due: Sequence[int]) -> EliminationSprintLine:
    placings = judgement.sprint.placings
    if judgement.sprint.final:
        proposed = [bib for placing in placings for bib in placing]
    else:
        proposed = list(due) or list(placings[-1] if placings else ())
    return EliminationSprintLine(
        sprint=judgement.sprint.number,
        lap=judgement.sprint.lap,
        final=judgement.sprint.final,
        proposed=proposed,
        photo_required=sorted(judgement.photo_required),
        attention=[
            f"{item.concern.value}: {', '.join(map(str, item.bibs))}: {item.detail}"
            for item in judgement.attention
        ],
    )


def _final_order(
    judged: Sequence[Placing], riders: Sequence[int], places: Mapping[int, int]
) -> tuple[Placing, ...] | None:
    """The final's placings: the commissaires' places (`correct --place`) over the judged
    order, the others in the judged order in the places left; None while neither places
    every rider left."""
    judged_place = {bib: i + 1 for i, placing in enumerate(judged) for bib in placing}
    corrected = {bib: places[bib] for bib in riders if bib in places}
    if not corrected:
        return tuple(judged) if judged_place.keys() == set(riders) else None
    if any(bib not in judged_place and bib not in corrected for bib in riders):
        return None
    free = iter(p for p in range(1, len(riders) + 1) if p not in corrected.values())
    order = corrected | {
        bib: next(free, len(riders))
        for bib in sorted((b for b in riders if b not in corrected), key=judged_place.__getitem__)
    }
    by_place: dict[int, list[int]] = {}
    for bib, place in order.items():
        by_place.setdefault(place, []).append(bib)
    return tuple(tuple(sorted(by_place[place])) for place in sorted(by_place))


def _gone(result: EliminationResult, bib: int) -> str:
    for line in result.lines:
        if line.line.bib == bib:
            if line.sprint is not None:
                return f"out at sprint {line.sprint}"
            return str(line.line.status) or "not racing"
    return "not in the start list"
