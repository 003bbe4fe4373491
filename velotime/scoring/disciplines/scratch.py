"""The scratch race's scorer: one race (a meet event whose `riders` ride together over `laps`
laps) from the transponder crossings and the desk's commands, through the lap counter
(`rules.laps`) and the scratch race's rules (`rules.scratch`).

- The loops: the finish line's, the 200 m line's and the 100 m line's passings count laps (the
  other loops recover the finish loop's missed reads); photocell impulses name no rider and
  are not used; a transponder of no rider of the race (another race warming up) is ignored.
- The desk's commands, each in its place among the crossings (`EventState.commands`), so a
  replay fed all at once counts as the live race did:
  - `start`: the flying start, from which laps count (the neutral lap before it does not);
  - `neutralise` (a crash): every rider's next laps are ridden, not counted;
  - `laps`: the commissaires' count of one rider's laps;
  - `lap_change`: confirms a lap gained or lost (a proposal of the loops, or their own), or
    sets a proposal aside;
  - `status` DNF, DSQ, DNS: the rider drops out of the count (and is not classified, 3.2.182);
  - `status` crashed: the rider came down in the last kilometre or could not get back in it
    (3.2.251 ter): out of the count, listed "crashed", not classified (3.2.182); refused
    before the lap board is in the last kilometre (laps to go times the track's length over
    1000 m);
  - `correct --place`: a commissaire's place over the order across the line (a photo).
- Refused, with the reason: a time correction (a scratch race has none), a place that is not
  one of the race, a command about a rider who does not ride it.

The result: the lines (`rules.scratch`: laps gained, then the order across the line; before
the finish, the order on the road), the lap board, the confirmed lap changes, the proposals
awaiting the commissaires, and the loops' problems (missed and double reads, recovered or
dropped), all published with the result.
"""

from velotime.scoring.disciplines.base import (
    EventState,
    ResultExtra,
    Scored,
    Venue,
    bibs_by_transponder,
    latest_start,
    race_riders,
)
from velotime.scoring.disciplines.keirin import _decisions
from velotime.scoring.disciplines.lap_board import EvidenceReader, apply_lap_board_command
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.laps import LapBoard as CountedBoard
from velotime.scoring.rules.laps import LapCounter, LapSettings
from velotime.scoring.rules.scratch import LinePassage, scratch_result
from velotime.wire.commands import Command, Correct, SetStatus
from velotime.wire.results import LapBoard, LapChangeLine, Status

_OUT = (Status.DNF, Status.DSQ, Status.DNS, Status.CRASHED)
LAST_KM_M = 1000  # 3.2.251 ter


class ScratchScorer:
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        assert event.laps is not None  # the meet check requires it
        self.race = frozenset(event.riders)
        self._event = event.id
        self._distance = event.laps
        self._settings = LapSettings(track_length_m=venue.track_length_m)
        self._riders = race_riders(meet, event.riders)
        self._track_length_m = venue.track_length_m
        self._bib_of = bibs_by_transponder(meet, self.race)
        self._start(0)

    def counts_laps(self) -> bool:
        return True

    def _start(self, abandons: int) -> None:
        self._abandons = abandons
        self._evidence = EvidenceReader()
        self._counter = LapCounter(self._riders_bibs(), self._distance, self._settings)
        self._out: dict[int, Status] = {}
        self._notes: list[str] = []  # commands the counter could not apply, and why

    def _riders_bibs(self) -> list[int]:
        return [rider.bib for rider in self._riders]

    def refuses(self, command: Command) -> str | None:
        bib = getattr(command, "bib", None)
        if bib is not None and bib not in self.race:
            return f"{self._event}: bib {bib} does not ride this race"
        if isinstance(command, SetStatus) and command.status == "crashed":
            return self._before_last_km(command.bib)
        if isinstance(command, Correct):
            if command.time:
                return f"{self._event}: a scratch race has no times to correct (bib {bib})"
            riders = len(self._riders)
            if command.place is not None and command.place > riders:
                return (
                    f"{self._event}: place {command.place} in a race of {riders} riders: "
                    f"a place is 1 to {riders}"
                )
        return None

    def _before_last_km(self, bib: int) -> str | None:
        """Why a crash in the last kilometre cannot be recorded now (the lap board as last
        scored says the race is not in it), or None."""
        board = self._counter.board()
        to_go_m = board.laps_to_go * self._track_length_m
        if board.finished or (board.started and to_go_m <= LAST_KM_M):
            return None
        where = f"{board.laps_to_go} laps ({to_go_m:g} m) to go" if board.started else "not started"
        return (
            f"{self._event}: bib {bib}: the race is {where}: a crash counts as in the last "
            f"kilometre (3.2.251 ter) from {LAST_KM_M} m to go; before, it is a DNF or a "
            "neutralisation"
        )

    def start_us(self, state: EventState) -> int | None:
        return latest_start(state)

    def score(self, state: EventState) -> Scored:
        self._read_evidence(state)
        counter = self._counter
        board = counter.board()
        latest = {
            bib: t for bib in self._riders_bibs() if (t := counter.latest_passage(bib)) is not None
        }
        finish = None
        if board.finished:
            finish = {
                bib: LinePassage(t_us, estimated)
                for bib, (t_us, estimated) in counter.finish().items()
            }
        # Laps at the finish for the riders across the line (a cool-down lap is no lap).
        laps = {
            bib: counter.laps(bib, finish[bib].t_us if finish and bib in finish else None)
            for bib in self._riders_bibs()
        }
        lines = scratch_result(
            self._riders,
            laps=laps,
            changes=counter.confirmed,
            finish=finish,
            latest=latest,
            decisions=_decisions(state.decisions, state.places, self.race),
            crashed=frozenset(
                bib
                for bib, decided in state.decisions.items()
                if decided is Status.CRASHED and bib in self.race
            ),
        )
        return Scored(lines, self._lap_extra(board, counter.problems() + self._notes))

    def _lap_extra(self, board: CountedBoard, problems: list[str]) -> ResultExtra:
        """The lap board, the lap changes confirmed and proposed, and `problems`."""
        counter = self._counter
        return {
            "lap_board": LapBoard(**board._asdict()),
            "lap_changes": [
                LapChangeLine(bib=c.bib, change=1 if c.change > 0 else -1, lap=c.lap)
                for c in counter.confirmed
            ],
            "lap_proposals": [
                LapChangeLine(bib=p.bib, change=1 if p.change > 0 else -1, lap=p.lap)
                for p in counter.proposals
            ],
            "problems": problems,
        }

    def _read_evidence(self, state: EventState) -> None:
        """Takes in the crossings and commands since the last call, in their order (all of
        them again after an Abandon)."""
        if state.abandons != self._abandons:
            self._start(state.abandons)
        self._evidence.read(state, self._bib_of, self._crossing, self._command)

    def _crossing(self, bib: int, distance_to_finish_m: int, t_us: int) -> None:
        self._counter.crossing(bib, distance_to_finish_m, t_us)

    def _command(self, t_us: int | None, command: Command) -> None:
        counter = self._counter
        at_us = self._evidence.command_time(t_us)
        if isinstance(command, SetStatus):
            if command.status in _OUT:
                self._out[command.bib] = Status(command.status)
            else:
                self._out.pop(command.bib, None)
            counter.out_of_count = frozenset(self._out)
            return
        apply_lap_board_command(counter, command, at_us, self._notes)
