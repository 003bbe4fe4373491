"""The flying 200 m scorer: crossings of the 200 m (and 100 m) and finish lines -> ranking.

Every crossing the engine collected for the event goes to the rules' `attribute_crossings`:
run-up and cool-down passes included, photocells and transponders on one line included. The
rules decide which pass is each rider's effort and let photocells time it where they exist.
"""

from collections.abc import Collection

import msgspec

from velotime.scoring.disciplines.base import Crossing as Timing
from velotime.scoring.disciplines.base import EventState, Role, Scored
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.flying200 import (
    Crossing,
    Effort,
    Line,
    Starter,
    attribute_crossings,
    rank_flying_200,
)
from velotime.scoring.rules.results import corrected
from velotime.wire.results import ResultLine, Status

QUALIFY_DEFAULT = 28  # UCI World Championships and Nations Cups (3.2.033)


def qualify(event: MeetEvent) -> int:
    """How many riders the event qualifies: the meet's number, else the UCI default."""
    return QUALIFY_DEFAULT if event.qualify is None else event.qualify


_LINES = {Role.FINISH: Line.FINISH, Role.LINE_100: Line.LINE_100, Role.LINE_200: Line.LINE_200}


class Flying200Scorer:
    def __init__(self, photocell_roles: Collection[Role] = ()) -> None:
        # Photocells time the effort at either end: the venue's configuration says so up front.
        self.photocells = bool({Role.LINE_200, Role.FINISH} & set(photocell_roles))

    def score(self, state: EventState, meet: Meet) -> Scored:
        lines = self._lines(state, meet)
        return Scored(corrected(lines, state.places, state.times, qualify(state.event)), {})

    def _lines(self, state: EventState, meet: Meet) -> list[ResultLine]:
        excluded = {bib for bib, status in state.decisions.items() if status == Status.DNS}
        starters = [_starter(meet, bib) for bib in state.event.start_order if bib not in excluded]
        attribution = attribute_crossings(
            starters,
            _crossings(state.crossings),
            meet.bib_of_transponder(),
            photocells=self.photocells,
            restarted=_restarts(state),
        )
        efforts = {effort.bib: effort for effort in attribution.efforts}
        for bib, time_us in state.times.items():  # corrections: the commissaires' time
            rider = _starter(meet, bib)
            measured = efforts.get(bib)
            efforts[bib] = (
                msgspec.structs.replace(measured, corrected_us=time_us)
                if measured is not None
                else Effort(bib=bib, name=rider.name, nation=rider.nation, corrected_us=time_us)
            )
        for bib, status in state.decisions.items():
            if status in (Status.DNS, Status.DNF, Status.DSQ):
                rider = _starter(meet, bib)
                efforts[bib] = Effort(bib=bib, name=rider.name, nation=rider.nation, status=status)
        return rank_flying_200(list(efforts.values()), qualify(state.event))


def _crossings(timings: list[Timing]) -> list[Crossing]:
    """Every crossing of the three lines, photocell impulses and transponder passings alike:
    the rules pair a photocell with the transponder read of the same crossing (the photocell
    times it, the transponder names the rider) and pick each rider's effort among the passes
    (run-up, effort, cool-down), see `attribute_crossings`."""
    chosen = [
        Crossing(
            line=_LINES[t.role], t_us=t.t_us, transponder=None if t.photocell else t.transponder
        )
        for t in timings
        if t.role in _LINES and (t.photocell or t.transponder is not None)
    ]
    return sorted(chosen, key=lambda c: c.t_us)


def _restarts(state: EventState) -> dict[int, int]:
    """Riders the desk named again (`next_rider`: a restart, 3.2.028): bib -> the time of the
    first timing event after the last naming; only passes from then on count. A rider named
    again with nothing recorded since has no effort yet."""
    named: dict[int, list[int]] = {}
    for index, bib in state.marks:
        named.setdefault(bib, []).append(index)
    restarted = {}
    for bib, indices in named.items():
        if len(indices) > 1:
            after = state.crossings[indices[-1] :]
            restarted[bib] = after[0].t_us if after else _NOT_YET
    return restarted


_NOT_YET = 1 << 62  # later than any venue time: no pass counts


def _starter(meet: Meet, bib: int) -> Starter:
    rider = meet.rider(bib)
    return Starter(bib=bib, name=rider.name, nation=rider.nation)
