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
- Transponders: each rider's last crossing of the finish line while the event runs. Riders
  cross the line every lap; the engine records only while this heat is armed, so once the heat
  is over the last crossing is the finish. While it runs, the lines are the order of the
  riders' latest laps, not yet a result. Limits: a rider who stops keeps their last lap's
  crossing and, until a commissaire records DNF (or the camera rules), transponders rank them
  by it, ahead of the finishers; a cool-down lap recorded before the operator ends the heat
  (Provisional) replaces the finish. Photocell crossings name no rider and are not used.
- Winner's last 200 m: the winner's last 200 m line crossing strictly before their finish (the
  camera's finish when it gives one, as the rules use it). The 200 m line lies just after the
  finish (50 m on a 250 m track), so riders cross it again right after finishing.
- Decisions: REL, DNF, DSQ and DNS from `state.decisions`. Decisions about bibs not in the heat
  are ignored: they cannot change it (the audit keeps them).
- Place corrections (`state.places`): the commissaires' word over the evidence. The corrected
  riders go to their places, the others keep the evidence's order around them, and the whole
  becomes the heat's official order (`Decisions.order`), which progression reads; the corrected
  lines are flagged "corrected".

While the evidence does not rank every rider to be ranked (a rider without a crossing yet, a
camera line without a place, a line the rules refuse), the rules raise ValueError: the heat has
no result yet, so `lines()` is empty and `extra()` has no last 200 m. A heat that has not
finished publishes; it never raises.
"""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import msgspec

from velotime.scoring.disciplines.base import Crossing, EventState, Role, Scored
from velotime.scoring.meet import Meet
from velotime.scoring.rules.keirin import Decisions, HeatResult, PhotoPlace, Rider, heat_result
from velotime.scoring.rules.results import mark_corrected
from velotime.wire.results import Status

_NO_RESULT = HeatResult(lines=[], order=[])


class KeirinScorer:
    def score(self, state: EventState, meet: Meet) -> Scored:
        result = self.result(state, meet)
        if result.winner_last_200 is None:
            return Scored(result.lines, {})
        return Scored(
            result.lines,
            {
                "winner_last_200": result.winner_last_200,  # "9.397"
                "winner_last_200_kmh": result.winner_last_200_kmh,  # "76.620"
            },
        )

    def result(self, state: EventState, meet: Meet) -> HeatResult:
        """The heat's whole result (with `order`, which progression reads); empty until the
        evidence ranks every rider to be ranked."""
        heat = frozenset(state.event.riders)
        riders = [_rider(meet, bib) for bib in state.event.riders]
        photo = latest_photo_block(state.photo_finish, heat)
        bib_of = {t: bib for t, bib in meet.bib_of_transponder().items() if bib in heat}
        finish_us = _last_crossings(state.crossings, Role.FINISH, bib_of)
        # The finish the rules time the winner's last 200 m to: the camera's, else the loop's.
        finish_of = finish_us | {row.bib: row.t_us for row in photo if row.t_us is not None}
        line_200_us = _last_crossings(state.crossings, Role.LINE_200, bib_of, before=finish_of)
        decisions = _decisions(state.decisions, heat)
        try:
            result = heat_result(
                riders,
                photo=photo,
                finish_us=finish_us,
                line_200_us=line_200_us,
                decisions=decisions,
            )
            placed = {bib: place for bib, place in state.places.items() if bib in result.order}
            if not placed:
                return result
            # A place correction makes the commissaires' order: the others keep theirs.
            order = [bib for bib in result.order if bib not in placed]
            for place, bib in sorted((place, bib) for bib, place in placed.items()):
                order.insert(place - 1, bib)
            result = heat_result(
                riders,
                photo=photo,
                finish_us=finish_us,
                line_200_us=line_200_us,
                decisions=msgspec.structs.replace(decisions, order=tuple(order)),
            )
        except ValueError:
            return _NO_RESULT  # not finished yet, or evidence waiting for a commissaire
        return msgspec.structs.replace(result, lines=mark_corrected(result.lines, placed))


def latest_photo_block(
    entries: Sequence[Mapping[str, Any]], heat: Collection[int]
) -> list[PhotoPlace]:
    """The heat's rows of the latest complete photo-finish results block (module docstring)."""
    latest: list[PhotoPlace] = []
    block: dict[int, PhotoPlace] | None = None  # the block being received, if any
    for entry in entries:
        phase = entry.get("phase")
        if phase == "result":
            block = {} if block is None else block
            row = _photo_place(entry, heat)
            if row is not None:
                block[row.bib] = row  # a later line for the bib replaces the earlier one
        elif phase == "complete":
            if block:
                latest = list(block.values())
            block = None
        else:
            block = None  # armed, started: results not closed are abandoned
    return latest


def _photo_place(entry: Mapping[str, Any], heat: Collection[int]) -> PhotoPlace | None:
    bib_text = entry.get("bib")
    if not (isinstance(bib_text, str) and bib_text.isascii() and bib_text.isdigit()):
        return None  # an unidentified rider (blank or not a bib)
    bib = int(bib_text)
    if bib not in heat:
        return None
    place, status, t_us = entry.get("place"), entry.get("status"), entry.get("t_us")
    return PhotoPlace(
        bib=bib,
        place=place if isinstance(place, int) else None,
        status=status if isinstance(status, str) else None,
        t_us=t_us if isinstance(t_us, int) else None,
    )


def _last_crossings(
    crossings: Sequence[Crossing],
    role: Role,
    bib_of: Mapping[int, int],
    before: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """Each rider's latest transponder crossing of the line; with `before`, only crossings
    strictly before the rider's time there (a rider missing from `before` has none)."""
    latest: dict[int, int] = {}
    for crossing in crossings:
        if crossing.role is not role or crossing.transponder is None:
            continue
        bib = bib_of.get(crossing.transponder)
        if bib is None:
            continue  # a rider of another heat warming up, or an unknown transponder
        if before is not None and not crossing.t_us < before.get(bib, crossing.t_us):
            continue
        if bib not in latest or crossing.t_us > latest[bib]:
            latest[bib] = crossing.t_us
    return latest


def _decisions(decided: Mapping[int, Status], heat: Collection[int]) -> Decisions:
    def bibs(status: Status) -> frozenset[int]:
        return frozenset(bib for bib, s in decided.items() if s == status and bib in heat)

    return Decisions(
        relegated=bibs(Status.REL),
        dnf=bibs(Status.DNF),
        dsq=bibs(Status.DSQ),
        dns=bibs(Status.DNS),
    )


def _rider(meet: Meet, bib: int) -> Rider:
    rider = meet.rider(bib)  # the meet file is checked: every heat rider is in [[riders]]
    return Rider(bib=bib, name=rider.name, nation=rider.nation)
