"""The scratch race's result (uci-rules.md §2.7, 3.2.173-3.2.183), from what the lap counter
(rules.laps) and the commissaires give: each rider's passage of the line at the finish, their
laps, the lap changes confirmed, and the decisions.

- **Ranking (3.2.178):** laps gained first (the net of the confirmed lap changes, `LapChange`),
  then the order across the line at the finish. A rider lapped by the main field (-1, 3.2.177)
  who rides on to the finish is ranked after every rider on the bunch's lap; the commissaires
  who take such a rider off record DNF.
- **Not finished (3.2.182):** DNF, and DSQ, DNS, are not classified: unranked at the foot, in
  that order, after the riders the commissaires say came down in the last kilometre or could
  not get back in it (`crashed`, "crashed": 3.2.251 ter gives them the next free place in an
  omnium, which reads this status; a scratch race of its own does not classify them).
- A rider in the count with no passage of the line since the finish (a crash in the last lap,
  not yet decided) is ranked after the riders who crossed it, on their laps gained.
- **Photo required (§4.3):** two riders crossing within `PHOTO_GAP_US` of each other on the same
  laps, or a rider whose passage was estimated from the other loops (a missed read at the
  line), are flagged: the loops cannot order them; the camera or a correction does.
- **Before the finish** the lines are the order on the road: laps gained, then race laps, then
  the latest passage of the line (earliest first): what the scoreboard shows while racing.
- **Corrections:** the commissaires' places (`Decisions.places`) over that order
  (rules.results.apply_places: the rest keep their order, the lines say "corrected").
"""

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import NamedTuple

from velotime.scoring.rules.bunch import LapChange
from velotime.scoring.rules.keirin import PHOTO_GAP_US, Decisions, Rider
from velotime.scoring.rules.results import apply_places
from velotime.wire.results import Flag, ResultLine, Status

_UNRANKED = (Status.CRASHED, Status.DNF, Status.DSQ, Status.DNS)


class LinePassage(NamedTuple):
    """A rider's passage of the finish line: when, and whether estimated (not read)."""

    t_us: int
    estimated: bool = False


def laps_gained(changes: Sequence[LapChange]) -> dict[int, int]:
    """Each rider's net laps gained (+) or lost (-) from the confirmed changes (3.2.178)."""
    net: dict[int, int] = {}
    for change in changes:
        net[change.bib] = net.get(change.bib, 0) + change.change
    return net


def scratch_result(
    riders: Sequence[Rider],
    *,
    laps: Mapping[int, int],
    changes: Sequence[LapChange] = (),
    finish: Mapping[int, LinePassage] | None = None,
    latest: Mapping[int, int] | None = None,
    decisions: Decisions | None = None,
    crashed: frozenset[int] = frozenset(),
) -> list[ResultLine]:
    """The result lines (module docstring). `laps`: each rider's laps counted; `finish`: the
    passages at the finish, None before the race is over; `latest`: each rider's latest
    passage of the line, for the order before the finish and of riders not across at it;
    `crashed`: the riders down in the last kilometre (3.2.251 ter)."""
    decisions = decisions or Decisions()
    gained = laps_gained(changes)
    latest = latest or {}
    status = {rider.bib: _status(rider.bib, decisions, crashed) for rider in riders}
    racing = [rider for rider in riders if status[rider.bib] is Status.RANKED]
    never = 1 << 62

    def on_road(rider: Rider) -> tuple[int, int, int, int]:
        bib = rider.bib
        race_laps = laps.get(bib, 0) - gained.get(bib, 0)
        return (-gained.get(bib, 0), -race_laps, latest.get(bib, never), bib)

    flags: dict[int, list[Flag]] = {rider.bib: [] for rider in riders}
    if finish is None:
        order = sorted(racing, key=on_road)
    else:
        across = sorted(
            (r for r in racing if r.bib in finish),
            key=lambda r: (-gained.get(r.bib, 0), finish[r.bib].t_us, r.bib),
        )
        order = across + sorted((r for r in racing if r.bib not in finish), key=on_road)
        for a, b in pairwise(across):
            close = finish[b.bib].t_us - finish[a.bib].t_us < PHOTO_GAP_US
            if close and gained.get(a.bib, 0) == gained.get(b.bib, 0):
                flags[a.bib].append(Flag.PHOTO_REQUIRED)
                flags[b.bib].append(Flag.PHOTO_REQUIRED)
        for rider in across:
            if finish[rider.bib].estimated and Flag.PHOTO_REQUIRED not in flags[rider.bib]:
                flags[rider.bib].append(Flag.PHOTO_REQUIRED)
    lines = [
        _line(rider, rank, Status.RANKED, flags[rider.bib], laps, gained)
        for rank, rider in enumerate(order, 1)
    ]
    lines = apply_places(lines, {b: p for b, p in decisions.places.items() if b in status})
    for unranked in _UNRANKED:
        lines += [
            _line(rider, None, unranked, [], laps, gained)
            for rider in riders
            if status[rider.bib] is unranked
        ]
    return lines


def _status(bib: int, decisions: Decisions, crashed: frozenset[int]) -> Status:
    if bib in crashed:
        return Status.CRASHED
    if bib in decisions.dsq:
        return Status.DSQ
    if bib in decisions.dns:
        return Status.DNS
    if bib in decisions.dnf:
        return Status.DNF
    return Status.RANKED


def _line(
    rider: Rider,
    rank: int | None,
    status: Status,
    flags: list[Flag],
    laps: Mapping[int, int],
    gained: Mapping[int, int],
) -> ResultLine:
    return ResultLine(
        rank=rank,
        bib=rider.bib,
        name=rider.name,
        nation=rider.nation,
        status=status,
        flags=flags,
        laps=laps.get(rider.bib, 0),
        laps_gained=gained.get(rider.bib, 0),
    )
