"""One keirin heat's result (uci-rules.md §2.5): finish evidence and commissaire decisions in,
result lines out.

The finish order comes from, in this order of authority:

1. the commissaires' place corrections (`Decisions.places`): a corrected rider is at that place,
   whatever the evidence says;
2. the photo-finish (3.6.088: the camera orders a close sprint), when it sent any result;
3. the transponder finish crossings, ordered by time. Transponders cannot split riders less than
   0.03 s apart (uci-rules.md §4.3), so both riders of such a pair are flagged
   `Flag.PHOTO_REQUIRED` and keep the order the times say.

Relegated riders (REL) are ranked after every classified rider of the heat, in their finishing
order among themselves: the last of the riders who finished (uci-rules.md §2.5: Tokyo 2020,
Büchli REL 3rd behind two finishers, ahead of three DNF). Then, unranked, DNF, DSQ and DNS
riders, each in start-list order. Classified riders other than the winner carry their gap to
the winner at the line (`_gaps`).

A place correction is the commissaires' word and always stands: a rider can be put at any
place of the heat, 1 to its number of riders, behind DNF riders too (Paris 2024: Sahrom
relegated to sixth, behind the two riders his move brought down). It touches only what it
names (`_placed`):

- the corrected riders take their places; their lines are flagged "corrected" and keep their
  status (REL stays REL; a DNF, DSQ or DNS rider given a place is ranked there with it);
- every other ranked rider keeps the order, ties, flags and gap the evidence gives without the
  corrected riders, and takes the lowest place no correction took, in that order: a rider moves
  only by the places a corrected rider left or took ahead of them. Places no one holds stay
  empty (ranks 1, 2, 3 and 6 when the 4th is put 6th behind two DNF riders);
- taking a corrected rider out of the evidence settles what they were part of: a photo-required
  pair or a dead heat with them is no longer one, and when the winner at the line is corrected,
  the others' gaps are to the first of them at the line instead;
- two riders corrected to the same place share it as a dead heat (each flagged "draw
  required", as the camera's would be), and hold the places after it as a dead heat does.

The winner's last-200 m time is not put on a result line (no line has a time in a keirin heat):
it has its own fields of `HeatResult`, as result sheets print it under the heat.
"""

from collections.abc import Mapping, Sequence
from itertools import pairwise

import msgspec

from velotime.scoring.rules.official import (
    gap_string,
    official_string,
    official_us,
    speed_milli_kmh,
    speed_string,
)
from velotime.wire.results import Flag, ResultLine, Status

# uci-rules.md §4.3: two passings *less than* 0.03 s apart are a photo-finish case; 0.030 s
# exactly is far enough apart for the transponders.
PHOTO_GAP_US = 30_000
LAST_200_MM = 200_000

# The words the camera writes in its Place column (FinishLynx "DQ"; "DSQ" read as the same).
_PHOTO_STATUSES: Mapping[str, Status] = {
    "DNF": Status.DNF,
    "DNS": Status.DNS,
    "DQ": Status.DSQ,
    "DSQ": Status.DSQ,
}
# Order of the unranked lines at the foot of a heat's result.
_UNRANKED = (Status.DNF, Status.DSQ, Status.DNS)


class Rider(msgspec.Struct, frozen=True, kw_only=True):
    """A rider of the heat; the heat's riders are given in start-list order."""

    bib: int
    name: str = ""
    nation: str = ""


class PhotoPlace(msgspec.Struct, frozen=True, kw_only=True):
    """One photo-finish result row: a place, or a status word ("DNF", "DNS", "DQ", "DSQ")."""

    bib: int
    place: int | None = None
    status: str | None = None
    t_us: int | None = None  # the finish on the venue clock, for the winner's last 200 m


class Decisions(msgspec.Struct, frozen=True, kw_only=True):
    """The commissaires' word; it overrides the evidence.

    `places`: bib -> place, by place correction (module docstring): a place of the heat, 1 to
    its number of riders.
    """

    relegated: frozenset[int] = frozenset()
    dnf: frozenset[int] = frozenset()
    dsq: frozenset[int] = frozenset()
    dns: frozenset[int] = frozenset()
    places: dict[int, int] = {}


class HeatResult(msgspec.Struct, frozen=True, kw_only=True):
    """A heat's result.

    `lines`: ranked riders (RANKED, then REL, and riders placed by a correction) by rank, then
    unranked DNF, DSQ, DNS. `order`: the ranked riders' bibs in official order.
    `winner_last_200*`: the winner's time from the 200 m line to the finish (official,
    truncated) and its speed; None when either crossing is missing.
    """

    lines: list[ResultLine]
    order: list[int]
    winner_last_200_us: int | None = None
    winner_last_200: str | None = None  # "9.397"
    winner_last_200_kmh: str | None = None  # "76.620"


def heat_result(
    riders: Sequence[Rider],
    *,
    photo: Sequence[PhotoPlace] | None = None,
    finish_us: Mapping[int, int] | None = None,
    line_200_us: Mapping[int, int] | None = None,
    decisions: Decisions | None = None,
) -> HeatResult:
    """The result of one heat.

    `photo`: the camera's rows; when it has any, it decides the order and transponder times
    are only used for the last 200 m. `finish_us` and `line_200_us`: each rider's transponder
    crossing of the finish and of the 200 m line, venue clock, bib -> t_us. Raises ValueError
    when a rider who should be ranked has no finish evidence and no correction places them, or
    when a place is not one of the heat.
    """
    finish_us = finish_us or {}
    line_200_us = line_200_us or {}
    decisions = decisions or Decisions()
    by_bib = {rider.bib: rider for rider in riders}
    if len(by_bib) != len(riders):
        raise ValueError("keirin heat: a bib appears twice in the start list")
    _check_decisions(decisions, by_bib)
    photo_rows = _photo_rows(photo or (), by_bib)

    status = {bib: _status(bib, decisions, photo_rows) for bib in by_bib}
    placed = decisions.places
    # The evidence ranks the riders no correction placed.
    ranked = [
        bib for bib in by_bib if status[bib] in (Status.RANKED, Status.REL) and bib not in placed
    ]

    flags: dict[int, list[Flag]] = {bib: [] for bib in by_bib}
    order, ranks = _computed_order(ranked, status, list(by_bib), photo_rows, finish_us, flags)
    gaps = _gaps(order, status, photo_rows, finish_us)
    if placed:
        order, ranks = _placed(order, ranks, placed, list(by_bib), flags)
    lines = [
        _line(by_bib[bib], rank, status[bib], flags[bib], gaps.get(bib))
        for bib, rank in zip(order, ranks, strict=True)
    ]
    for unranked in _UNRANKED:
        lines += [
            _line(by_bib[bib], None, unranked, [])
            for bib in by_bib
            if status[bib] is unranked and bib not in placed
        ]

    last_200 = _winner_last_200(order[0], photo_rows, finish_us, line_200_us) if order else None
    if last_200 is None:
        return HeatResult(lines=lines, order=order)
    return HeatResult(
        lines=lines,
        order=order,
        winner_last_200_us=last_200,
        winner_last_200=official_string(last_200),
        winner_last_200_kmh=speed_string(speed_milli_kmh(LAST_200_MM, last_200)),
    )


def _check_decisions(decisions: Decisions, by_bib: Mapping[int, Rider]) -> None:
    sets = (decisions.relegated, decisions.dnf, decisions.dsq, decisions.dns)
    named: set[int] = set().union(*sets)
    if unknown := named - by_bib.keys():
        raise ValueError(f"keirin heat: decisions name bibs not in the heat: {sorted(unknown)}")
    if sum(len(s) for s in sets) != len(named):
        raise ValueError("keirin heat: a bib has two decisions (REL, DNF, DSQ, DNS)")
    if unknown := decisions.places.keys() - by_bib.keys():
        raise ValueError(f"keirin heat: places given to bibs not in the heat: {sorted(unknown)}")
    for bib, place in decisions.places.items():
        if not 1 <= place <= len(by_bib):
            raise ValueError(
                f"keirin heat: place {place} for bib {bib} in a heat of {len(by_bib)} riders"
            )


def _photo_rows(photo: Sequence[PhotoPlace], by_bib: Mapping[int, Rider]) -> dict[int, PhotoPlace]:
    rows: dict[int, PhotoPlace] = {}
    for row in photo:
        if row.bib not in by_bib:
            raise ValueError(f"keirin heat: the photo-finish places bib {row.bib}, not in the heat")
        if row.bib in rows:
            raise ValueError(f"keirin heat: the photo-finish lists bib {row.bib} twice")
        if row.status is not None and row.status.upper() not in _PHOTO_STATUSES:
            raise ValueError(f"keirin heat: unknown photo-finish status {row.status!r}")
        rows[row.bib] = row
    return rows


def _status(bib: int, decisions: Decisions, photo_rows: Mapping[int, PhotoPlace]) -> Status:
    # The commissaires' decisions come before the camera's status words.
    for decided, status in (
        (decisions.dnf, Status.DNF),
        (decisions.dsq, Status.DSQ),
        (decisions.dns, Status.DNS),
        (decisions.relegated, Status.REL),
    ):
        if bib in decided:
            return status
    row = photo_rows.get(bib)
    if row is not None and row.status is not None:
        return _PHOTO_STATUSES[row.status.upper()]
    return Status.RANKED


def _placed(
    order: Sequence[int],
    ranks: Sequence[int],
    places: Mapping[int, int],
    start_list: Sequence[int],
    flags: dict[int, list[Flag]],
) -> tuple[list[int], list[int]]:
    """The official order and ranks: the corrected riders at their places, the others (`order`
    and `ranks`, the evidence's) at the lowest places left, in their order, ties kept (module
    docstring)."""
    sharing: dict[int, list[int]] = {}
    for bib in start_list:
        if bib in places:
            sharing.setdefault(places[bib], []).append(bib)
    # A place k riders share holds the k - 1 places after it too, as a dead heat does.
    held = {place + i for place, bibs in sharing.items() for i in range(len(bibs))}
    free = (place for place in range(1, len(start_list) + len(order) + 1) if place not in held)
    placed_at: list[tuple[int, int, int]] = []  # (place, 0 evidence / 1 corrected, bib)
    for i, bib in enumerate(order):
        place = next(free)
        if i and ranks[i] == ranks[i - 1]:
            place = placed_at[-1][0]  # tied in the evidence: tied still
        placed_at.append((place, 0, bib))
    for place, bibs in sharing.items():
        for bib in bibs:
            flags[bib] = [Flag.CORRECTED]
            if len(bibs) > 1:
                flags[bib].append(Flag.DRAW_REQUIRED)
            placed_at.append((place, 1, bib))
    start_index = {bib: i for i, bib in enumerate(start_list)}
    placed_at.sort(key=lambda p: (p[0], p[1], start_index[p[2]] if p[1] else 0))
    return [bib for _, _, bib in placed_at], [place for place, _, _ in placed_at]


def _computed_order(
    ranked: Sequence[int],
    status: Mapping[int, Status],
    start_list: Sequence[int],
    photo_rows: Mapping[int, PhotoPlace],
    finish_us: Mapping[int, int],
    flags: dict[int, list[Flag]],
) -> tuple[list[int], list[int]]:
    """The order and ranks the evidence gives; adds the flags the evidence calls for."""
    start_index = {bib: i for i, bib in enumerate(start_list)}
    by_photo = bool(photo_rows)
    key = _photo_key(ranked, photo_rows) if by_photo else _transponder_key(ranked, finish_us)
    order: list[int] = []
    ranks: list[int] = []
    # Classified first, relegated after them; each group in its finishing order.
    for relegated in (False, True):
        group = sorted(
            (bib for bib in ranked if (status[bib] is Status.REL) == relegated),
            key=lambda bib: (key[bib], start_index[bib]),
        )
        # Only equal photo places (a dead heat) share a rank; equal transponder times stay
        # separately ranked, in start-list order, and are flagged instead.
        ranks += _ranks([key[bib] for bib in group], len(order) + 1, tie=by_photo)
        order += group
        if by_photo:
            _flag_dead_heats(group, key, flags)
        else:
            _flag_close_finishes(group, finish_us, flags)
    return order, ranks


def _photo_key(ranked: Sequence[int], photo_rows: Mapping[int, PhotoPlace]) -> dict[int, int]:
    key: dict[int, int] = {}
    for bib in ranked:
        row = photo_rows.get(bib)
        if row is not None and row.place is not None:
            key[bib] = row.place
    _require_all(ranked, key, "the photo-finish gives no place")
    return key


def _transponder_key(ranked: Sequence[int], finish_us: Mapping[int, int]) -> dict[int, int]:
    key = {bib: finish_us[bib] for bib in ranked if bib in finish_us}
    _require_all(ranked, key, "no finish crossing")
    return key


def _require_all(ranked: Sequence[int], key: Mapping[int, int], why: str) -> None:
    if missing := [bib for bib in ranked if bib not in key]:
        raise ValueError(
            f"keirin heat: {why} for bib(s) {missing}: a commissaire must decide "
            "(DNF, DNS, DSQ) or give the order"
        )


def _ranks(keys: Sequence[int], first: int, *, tie: bool) -> list[int]:
    """Ranks of sorted keys from `first`; with `tie`, equal keys share the first one's rank."""
    ranks: list[int] = []
    for i, value in enumerate(keys):
        tied = tie and i > 0 and value == keys[i - 1]
        ranks.append(ranks[-1] if tied else first + i)
    return ranks


def _flag_dead_heats(
    group: Sequence[int], place: Mapping[int, int], flags: dict[int, list[Flag]]
) -> None:
    # The camera saw no difference: progression cannot split them without the commissaires.
    for a, b in pairwise(group):
        if place[a] == place[b]:
            for bib in (a, b):
                if Flag.DRAW_REQUIRED not in flags[bib]:
                    flags[bib].append(Flag.DRAW_REQUIRED)


def _flag_close_finishes(
    group: Sequence[int], finish_us: Mapping[int, int], flags: dict[int, list[Flag]]
) -> None:
    # Only pairs the times order matter: a classified rider and a relegated one are ordered by
    # the relegation, not by the sprint, so the groups are checked separately.
    for a, b in pairwise(group):
        if finish_us[b] - finish_us[a] < PHOTO_GAP_US:
            for bib in (a, b):
                if Flag.PHOTO_REQUIRED not in flags[bib]:
                    flags[bib].append(Flag.PHOTO_REQUIRED)


def _gaps(
    order: Sequence[int],
    status: Mapping[int, Status],
    photo_rows: Mapping[int, PhotoPlace],
    finish_us: Mapping[int, int],
) -> dict[int, str]:
    """Each classified rider's gap to the winner at the line, "+0.012": from the camera's times
    when the camera ranks the heat (never mixed with the loop's), else from the transponders;
    the difference truncated to the thousandth. Relegated riders get none: their place is the
    commissaires', not the line's. A rider without a time there gets none."""
    if photo_rows:
        times = {bib: row.t_us for bib, row in photo_rows.items() if row.t_us is not None}
    else:
        times = dict(finish_us)
    if not order or order[0] not in times:
        return {}
    winner_us = times[order[0]]
    return {
        bib: gap_string(official_us(times[bib] - winner_us))
        for bib in order[1:]
        if bib in times and status[bib] is Status.RANKED
    }


def _line(
    rider: Rider, rank: int | None, status: Status, flags: list[Flag], gap: str | None = None
) -> ResultLine:
    return ResultLine(
        rank=rank, bib=rider.bib, name=rider.name, nation=rider.nation, gap=gap, status=status,
        flags=flags,
    )  # fmt: skip


def _winner_last_200(
    winner: int,
    photo_rows: Mapping[int, PhotoPlace],
    finish_us: Mapping[int, int],
    line_200_us: Mapping[int, int],
) -> int | None:
    row = photo_rows.get(winner)
    # The camera's finish is the more precise one; both are on the venue clock.
    finish = row.t_us if row is not None and row.t_us is not None else finish_us.get(winner)
    line_200 = line_200_us.get(winner)
    if finish is None or line_200 is None:
        return None
    if finish <= line_200:
        raise ValueError(f"keirin heat: bib {winner} finished before crossing the 200 m line")
    return official_us(finish - line_200)
