"""The keirin scorer: one heat (a meet event whose `riders` ride together) from the photo-finish,
the transponder crossings and the commissaires' decisions, through `rules.keirin.heat_result`.

The rules decide what outranks what (decisions, then the camera, then transponders); this
module decides which evidence is the heat's:

- Photo-finish: the latest *complete* block of results. FinishLynx sends a heat's results as a
  block (results header, one line per rider, results complete) and sends the whole block again
  after each edit, so the latest block is the camera's word. A block is the run of "result"
  entries that a "complete" closes. Results not yet closed do not count, so that a resend in
  progress does not blank the result for a moment; an "armed" or "started" in between abandons
  them (a new race on the camera). An "armed" does not throw away a block already complete: the
  camera operator often arms the next heat while this one still awaits its decisions.
  Inside a block, a bib's later line replaces its earlier one (a line delivered twice). Lines
  whose bib is not a number or not one of the heat's riders are left out: the camera has not
  identified the rider yet, or the line is another race's. A block left with no line is not
  this heat's (or identifies nobody yet) and does not replace an earlier block.
- Transponders, when the meet gives the heat's distance (`laps`): riders line up on the home
  straight's pursuit line, before the finish line (3.2.138), so each crosses the finish line
  once just after the start, then once a lap. The finish is the first crossing that completes
  `laps` laps: crossing number `laps + 1` counted from the race's start (the operator's Start,
  the camera's, less `LATE_START_US` for a Start sent late; from when the heat was armed when
  neither said), and each rider's finish is their first crossing from that instant on. A
  cool-down lap changes nothing, nor does a read the loop missed before the finish (except the
  winner's). A rider with no crossing from then on (a crash) has not finished: no result until
  a commissaire decides (DNF) or a correction places them. Until someone has finished, the
  lines are the order of the riders' latest laps.
- Transponders, without `laps`: each rider's last crossing of the finish line while the event
  runs, so once the heat is over the last crossing is the finish; while it runs, the lines are
  the order of the riders' latest laps, not yet a result. Limits: a rider who stops keeps their
  last lap's crossing and, until a commissaire records DNF (or the camera rules), transponders
  rank them by it, ahead of the finishers; a cool-down lap recorded before the operator ends
  the heat (Provisional) replaces the finish.
- Photocell crossings name no rider and are not used.
- Winner's last 200 m: the winner's last 200 m line crossing strictly before their finish (the
  camera's finish when it gives one, as the rules use it). The 200 m line lies just after the
  finish (50 m on a 250 m track), so riders cross it again right after finishing.
- Decisions: REL, DNF, DSQ and DNS from `state.decisions`.
- Place corrections (`state.places`): the commissaires' word over the evidence, applied by the
  rules (`rules.keirin`: the corrected riders at their places, the others as the evidence
  ranks them in the places left; the lines say "corrected").
- Refused, with the reason (`refuses`): a correction of a time (a keirin has none), a place
  that is not one of the heat (1 to its number of riders), a decision or correction about a
  rider who does not ride the heat.

While the evidence does not rank every rider to be ranked (a rider without a crossing yet, a
camera line without a place, a line the rules refuse), the rules raise ValueError: the heat has
no result yet, so `lines()` is empty and `extra()` has no last 200 m. A heat that has not
finished publishes; it never raises.

The scorer keeps the evidence as it comes: the camera's blocks folded entry by entry, each
rider's latest finish crossing and their 200 m line crossings in time order, so a timing event
costs a look at the riders it concerns and the heat's result is worked out again only when the
evidence changed.
"""

from bisect import bisect_left, bisect_right, insort
from collections.abc import Collection, Mapping
from typing import Any

from velotime.scoring.disciplines.base import (
    EventState,
    Role,
    Scored,
    Venue,
    bibs_by_transponder,
    latest_start,
    race_riders,
)
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.keirin import Decisions, HeatResult, PhotoPlace, heat_result
from velotime.wire.commands import Command, Correct, SetStatus
from velotime.wire.events import PhotoFinishData
from velotime.wire.results import Status

_NO_RESULT = HeatResult(lines=[], order=[])
# The riders stand on the line, held, before the gun (3.2.138): a crossing up to this long before
# the start the scorer knows is the first after the real one, the desk's `start` sent late.
LATE_START_US = 10_000_000


class KeirinScorer:
    what = "keirin"  # in refusals: "a keirin has no times to correct"

    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        self.heat = frozenset(event.riders)
        self._event = event.id
        self._laps = event.laps
        self._riders = race_riders(meet, event.riders)
        self._bib_of = bibs_by_transponder(meet, self.heat)
        self._start(0)

    def _start(self, abandons: int) -> None:
        self._abandons = abandons
        self._read = 0  # crossings of the state read so far
        self._photo_read = 0  # photo-finish entries of the state read so far
        self._photo = PhotoBlocks(self.heat)
        self._camera_start: int | None = None  # the latest "started" the camera gave
        self._finish_crossings: dict[int, list[int]] = {}  # bib -> finish crossings, in order
        self._line_200_us: dict[int, list[int]] = {}  # bib -> 200 m line crossings, in order
        self._result: tuple[Any, HeatResult] | None = None  # (what it was made of, result)

    def refuses(self, command: Command) -> str | None:
        if not isinstance(command, Correct | SetStatus):
            return None
        riders = len(self._riders)
        if command.bib not in self.heat:
            return f"{self._event}: bib {command.bib} does not ride this heat"
        if isinstance(command, Correct):
            if command.time:
                return f"{self._event}: a {self.what} has no times to correct (bib {command.bib})"
            if command.place is not None and command.place > riders:
                return (
                    f"{self._event}: place {command.place} in a heat of {riders} riders: "
                    f"a place is 1 to {riders}"
                )
        return None

    def start_us(self, state: EventState) -> int | None:
        self._read_evidence(state)
        return latest_start(state, self._camera_start)

    def score(self, state: EventState) -> Scored:
        result = self.result(state)
        if result.winner_last_200 is None or result.winner_last_200_kmh is None:
            return Scored(result.lines, {})  # both or neither (rules.keirin.heat_result)
        return Scored(
            result.lines,
            {
                "winner_last_200": result.winner_last_200,  # "9.397"
                "winner_last_200_kmh": result.winner_last_200_kmh,  # "76.620"
            },
        )

    def result(self, state: EventState) -> HeatResult:
        """The heat's whole result (with `order`, which progression reads); empty until the
        evidence ranks every rider to be ranked."""
        self._read_evidence(state)
        photo = self._photo.latest
        finish_us = self._finishes(latest_start(state, self._camera_start))
        # The finish the rules time the winner's last 200 m to: the camera's, else the loop's.
        finish_of = finish_us | {row.bib: row.t_us for row in photo if row.t_us is not None}
        line_200_us = {}
        for bib, finish in finish_of.items():
            crossings = self._line_200_us.get(bib, [])
            before = bisect_left(crossings, finish)  # strictly before the rider's finish
            if before:
                line_200_us[bib] = crossings[before - 1]
        decisions = _decisions(state.decisions, state.places, self.heat)
        made_of = (photo, finish_us, line_200_us, decisions)
        if self._result is None or self._result[0] != made_of:
            self._result = (made_of, self._heat_result(*made_of))
        return self._result[1]

    def _heat_result(
        self,
        photo: list[PhotoPlace],
        finish_us: dict[int, int],
        line_200_us: dict[int, int],
        decisions: Decisions,
    ) -> HeatResult:
        try:
            return heat_result(
                self._riders,
                photo=photo,
                finish_us=finish_us,
                line_200_us=line_200_us,
                decisions=decisions,
            )
        except ValueError:
            return _NO_RESULT  # not finished yet, or evidence waiting for a commissaire

    def _finishes(self, start_us: int | None) -> dict[int, int]:
        """Each rider's finish crossing as the transponders give it (module docstring)."""
        crossings = self._finish_crossings
        latest = {bib: times[-1] for bib, times in crossings.items()}
        if self._laps is None:
            return latest
        # The finish line's crossing number laps + 1 from the start: the first comes right
        # after the start, the riders lining up on the pursuit line before the finish line.
        count = self._laps + 1
        counted_from = None if start_us is None else start_us - LATE_START_US
        # Each rider's first crossing counted (an index: a look, not a copy, per rider).
        first = {
            bib: 0 if counted_from is None else bisect_right(times, counted_from)
            for bib, times in crossings.items()
        }
        finished = [
            times[first[bib] + count - 1]
            for bib, times in crossings.items()
            if len(times) - first[bib] >= count
        ]
        if not finished:
            return latest  # nobody has finished yet: the order of the latest laps
        winner_us = min(finished)
        return {
            bib: times[i]
            for bib, times in crossings.items()
            if (i := bisect_left(times, winner_us, lo=first[bib])) < len(times)
        }

    def _read_evidence(self, state: EventState) -> None:
        """Takes in the crossings and camera entries collected since the last call (all of them
        again after an Abandon)."""
        if state.abandons != self._abandons:
            self._start(state.abandons)
        for crossing in state.crossings[self._read :]:
            if crossing.transponder is None:
                continue
            bib = self._bib_of.get(crossing.transponder)
            if bib is None:
                continue  # a rider of another heat warming up, or an unknown transponder
            if crossing.role is Role.FINISH:
                insort(self._finish_crossings.setdefault(bib, []), crossing.t_us)
            elif crossing.role is Role.LINE_200:
                insort(self._line_200_us.setdefault(bib, []), crossing.t_us)
        self._read = len(state.crossings)
        for entry in state.photo_finish[self._photo_read :]:
            self._photo.add(entry)
            if entry.phase == "started" and entry.t_us is not None:
                self._camera_start = max(entry.t_us, self._camera_start or entry.t_us)
        self._photo_read = len(state.photo_finish)


class PhotoBlocks:
    """The heat's rows of the latest complete photo-finish results block, entry by entry
    (module docstring)."""

    def __init__(self, heat: Collection[int]) -> None:
        self.heat = heat
        self.latest: list[PhotoPlace] = []
        self._block: dict[int, PhotoPlace] | None = None  # the block being received, if any

    def add(self, entry: PhotoFinishData) -> None:
        if entry.phase == "result":
            block = self._block = {} if self._block is None else self._block
            row = _photo_place(entry, self.heat)
            if row is not None:
                block[row.bib] = row  # a later line for the bib replaces the earlier one
        elif entry.phase == "complete":
            if self._block:
                self.latest = list(self._block.values())
            self._block = None
        else:
            self._block = None  # armed, started: results not closed are abandoned


def _photo_place(entry: PhotoFinishData, heat: Collection[int]) -> PhotoPlace | None:
    bib_text = entry.bib
    if not (bib_text is not None and bib_text.isascii() and bib_text.isdigit()):
        return None  # an unidentified rider (blank or not a bib)
    bib = int(bib_text)
    if bib not in heat:
        return None
    return PhotoPlace(bib=bib, place=entry.place, status=entry.status, t_us=entry.t_us)


def _decisions(
    decided: Mapping[int, Status], places: Mapping[int, int], heat: Collection[int]
) -> Decisions:
    # Commands about riders of other heats are refused (`refuses`); the filter keeps a heat's
    # result its own all the same.
    def bibs(status: Status) -> frozenset[int]:
        return frozenset(bib for bib, s in decided.items() if s == status and bib in heat)

    return Decisions(
        relegated=bibs(Status.REL),
        dnf=bibs(Status.DNF),
        dsq=bibs(Status.DSQ),
        dns=bibs(Status.DNS),
        places={bib: place for bib, place in places.items() if bib in heat},
    )
