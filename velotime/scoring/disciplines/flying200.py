"""The flying 200 m scorer: crossings of the 200 m (and 100 m) and finish lines -> ranking.

Every crossing the engine collected for the event goes to the rules' `Attributor` as it comes:
run-up and cool-down passes included, photocells and transponders on one line included. The
rules decide which pass is each rider's effort and let photocells time it where they exist.
A rider set DNS leaves the start order, so the crossings are attributed again from the first
(a decision, not a timing event: rare).
"""

from typing import Any

import msgspec

from velotime.scoring.disciplines.base import Crossing as Timing
from velotime.scoring.disciplines.base import EventState, Role, Scored, Venue, latest_start
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.flying200 import (
    Attributor,
    Crossing,
    Effort,
    Line,
    Starter,
    rank_flying_200,
)
from velotime.scoring.rules.results import KnownLines, corrected
from velotime.wire.commands import Command
from velotime.wire.results import ResultLine, Status

QUALIFY_DEFAULT = 28  # UCI World Championships and Nations Cups (3.2.033)


def qualify(event: MeetEvent) -> int:
    """How many riders the event qualifies: the meet's number, else the UCI default."""
    return QUALIFY_DEFAULT if event.qualify is None else event.qualify


_LINES = {Role.FINISH: Line.FINISH, Role.LINE_100: Line.LINE_100, Role.LINE_200: Line.LINE_200}
_NOT_YET = 1 << 62  # later than any venue time: no pass counts


class Flying200Scorer:
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        self.event = event
        self.meet = meet
        # Photocells time the effort at either end: the venue's configuration says so up front.
        self.photocells = bool({Role.LINE_200, Role.FINISH} & venue.photocell_roles)
        self._qualify = qualify(event)
        self._window = meet.window(event)
        self._attributor = self._new_attributor(frozenset())
        self._excluded: frozenset[int] = frozenset()  # DNS: not in the start order
        self._abandons = 0
        self._read = 0  # crossings of the state read so far
        self._last_line: Timing | None = None  # the latest 200 m line or finish crossing
        self._scored: tuple[Any, list[ResultLine]] | None = None  # (what it was made of, lines)
        self._known: KnownLines = {}  # lines ranked before, for `rank_flying_200`
        self._marks_read = 0
        self._named: dict[int, tuple[int, int]] = {}  # bib -> (times named, last mark's index)

    def refuses(self, command: Command) -> str | None:
        return None

    def start_us(self, state: EventState) -> int | None:
        """The latest 200 m line crossing not yet followed by a finish (the rider's effort may
        have begun); None once the effort has finished."""
        self._read_timing(state)
        last = self._last_line
        if last is not None and last.role is not Role.LINE_200:
            return None
        return latest_start(state, last.t_us if last is not None else None)

    def score(self, state: EventState) -> Scored:
        self._read_timing(state)
        efforts = {e.bib: e for e in self._attributor.efforts(self._restarts(state))}
        for bib, time_us in state.times.items():  # corrections: the commissaires' time
            rider = _starter(self.meet, bib)
            measured = efforts.get(bib)
            efforts[bib] = (
                msgspec.structs.replace(measured, corrected_us=time_us)
                if measured is not None
                else Effort(bib=bib, name=rider.name, nation=rider.nation, corrected_us=time_us)
            )
        for bib, time_us in state.confirmed.items():  # an official's word on a checked time
            if (measured := efforts.get(bib)) is not None:
                efforts[bib] = msgspec.structs.replace(measured, confirmed_us=time_us)
        for bib, status in state.decisions.items():
            if status in (Status.DNS, Status.DNF, Status.DSQ):
                rider = _starter(self.meet, bib)
                efforts[bib] = Effort(bib=bib, name=rider.name, nation=rider.nation, status=status)
        made_of = (list(efforts.values()), dict(state.places), list(state.times))
        if self._scored is None or self._scored[0] != made_of:
            if len(self._known) > 4 * len(efforts) + 64:
                self._known.clear()  # lines of efforts and leaders long gone
            lines = rank_flying_200(made_of[0], self._qualify, self._known, self._window)
            lines = corrected(lines, state.places, state.times, self._qualify)
            self._scored = (made_of, lines)
        return Scored(self._scored[1], {})

    def _read_timing(self, state: EventState) -> None:
        """Adds the crossings collected since the last call; starts again after an Abandon, or
        when the riders set DNS change (they leave the start order)."""
        excluded = frozenset(bib for bib, s in state.decisions.items() if s == Status.DNS)
        if state.abandons != self._abandons or excluded != self._excluded:
            self._attributor = self._new_attributor(excluded)
            self._excluded, self._abandons = excluded, state.abandons
            self._read, self._last_line = 0, None
            self._marks_read, self._named = 0, {}
        for timing in state.crossings[self._read :]:
            line = _LINES.get(timing.role)
            if line is not None and (timing.photocell or timing.transponder is not None):
                transponder = None if timing.photocell else timing.transponder
                self._attributor.add(Crossing(line=line, t_us=timing.t_us, transponder=transponder))
            if timing.role in (Role.LINE_200, Role.FINISH):
                self._last_line = timing
        self._read = len(state.crossings)

    def _new_attributor(self, excluded: frozenset[int]) -> Attributor:
        starters = [
            _starter(self.meet, bib) for bib in self.event.start_order if bib not in excluded
        ]
        return Attributor(starters, self.meet.bib_of_transponder(), photocells=self.photocells)

    def _restarts(self, state: EventState) -> dict[int, int]:
        """Riders the desk named again (`next_rider`: a restart, 3.2.028): bib -> the time of
        the first timing event after the last naming; only passes from then on count. A rider
        named again with nothing recorded since has no effort yet."""
        for index, bib in state.marks[self._marks_read :]:
            times, _ = self._named.get(bib, (0, index))
            self._named[bib] = (times + 1, index)
        self._marks_read = len(state.marks)
        return {
            bib: state.crossings[after].t_us if after < len(state.crossings) else _NOT_YET
            for bib, (times, after) in self._named.items()
            if times > 1
        }


def _starter(meet: Meet, bib: int) -> Starter:
    rider = meet.rider(bib)
    return Starter(bib=bib, name=rider.name, nation=rider.nation)
