"""Result lines as every discipline's rules make them: a timed rider's line, corrections applied
over the measured order. The lines themselves are wire types (velotime.wire.results)."""

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, MutableMapping

import msgspec

from velotime.scoring.rules.official import (
    gap_string,
    gap_us,
    official_string,
    speed_milli_kmh,
    speed_string,
)
from velotime.wire.results import Flag, ResultLine, SplitLine


def timed_line(
    *,
    rank: int,
    bib: int,
    name: str,
    nation: str,
    time_us: int,
    distance_mm: int,
    leader_us: int,
    splits: list[SplitLine],
    flags: list[Flag],
) -> ResultLine:
    """A ranked rider's line: official time, speed from it, gap to the leader (none for a rider
    ranked 1st, a draw for 1st included), as the UCI conventions say (official.py)."""
    return ResultLine(
        rank=rank,
        bib=bib,
        name=name,
        nation=nation,
        time=official_string(time_us),
        time_us=time_us,
        speed_kmh=speed_string(speed_milli_kmh(distance_mm, time_us)),
        gap=None if rank == 1 else gap_string(gap_us(time_us, leader_us)),
        splits=splits,
        flags=flags,
    )


# Ranked lines made before, by what they were made of (the ride or effort and the leader's
# time) and whether ranked 1st (no gap): only their rank and flags depend on the others. A
# scorer keeps one between publications, so that a new time re-ranks without re-formatting.
KnownLines = MutableMapping[Hashable, ResultLine]


def known_line(
    known: KnownLines | None,
    made_of: Hashable,
    rank: int,
    flags: list[Flag],
    make: Callable[[], ResultLine],
) -> ResultLine:
    """The ranked line `make` gives, taken from `known` when made before: with `rank` and
    `flags` (the figures, gap included, are the same for the same `made_of` and 1st or not)."""
    key = (made_of, rank == 1)
    line = known.get(key) if known is not None else None
    if line is None:
        line = make()
        if known is not None:
            known[key] = line
    return msgspec.structs.replace(line, rank=rank, flags=list(flags))


def apply_places(
    lines: list[ResultLine], places: Mapping[int, int], qualify: int | None = None
) -> list[ResultLine]:
    """Put corrected riders at their places among the ranked lines (the lots of a draw, a
    commissaire's order). The others keep their order, and a tie between two of them stays a
    tie; a line no longer tied loses its "draw required" or "photo required" flag. Gaps stay
    those of the times. With `qualify`, "qualified" is worked out again from the new places:
    a place qualifies when its whole tie does. Places of riders not ranked are ignored."""
    ranked = [line for line in lines if line.rank is not None]
    moved = sorted(
        (place, line.bib) for line in ranked if (place := places.get(line.bib)) is not None
    )
    if not moved:
        return lines
    by_bib = {line.bib: line for line in ranked}
    order = [line.bib for line in ranked if line.bib not in places]
    for place, bib in moved:
        order.insert(min(place, len(order) + 1) - 1, bib)
    # A tie survives between neighbours who were tied and are neither of them corrected.
    ranks: list[int] = []
    for i, bib in enumerate(order):
        previous = by_bib[order[i - 1]] if i else None
        tied = (
            previous is not None
            and previous.rank == by_bib[bib].rank
            and bib not in places
            and previous.bib not in places
        )
        ranks.append(ranks[-1] if tied else i + 1)
    tie_sizes = Counter(ranks)
    leader_us = by_bib[order[0]].time_us
    out: list[ResultLine] = []
    for bib, rank in zip(order, ranks, strict=True):
        line = by_bib[bib]
        flags = [f for f in line.flags if f is not Flag.QUALIFIED or qualify is None]
        if tie_sizes[rank] == 1:
            flags = [f for f in flags if f not in (Flag.DRAW_REQUIRED, Flag.PHOTO_REQUIRED)]
        if qualify is not None and rank + tie_sizes[rank] - 1 <= qualify:
            flags.append(Flag.QUALIFIED)
        if bib in places:
            flags.append(Flag.CORRECTED)
        gap = line.gap
        if rank == 1:
            gap = None
        elif line.time_us is not None and leader_us is not None:
            gap = gap_string(gap_us(line.time_us, leader_us))
        out.append(msgspec.structs.replace(line, rank=rank, flags=flags, gap=gap))
    return out + [line for line in lines if line.rank is None]


def mark_corrected(lines: list[ResultLine], bibs: Collection[int]) -> list[ResultLine]:
    """Flag "corrected" on the ranked lines of `bibs` (a correction set their time or place)."""
    return [
        msgspec.structs.replace(line, flags=[*line.flags, Flag.CORRECTED])
        if line.bib in bibs and line.rank is not None and Flag.CORRECTED not in line.flags
        else line
        for line in lines
    ]


def corrected(
    lines: list[ResultLine],
    places: Mapping[int, int],
    times: Collection[int],
    qualify: int | None = None,
) -> list[ResultLine]:
    """A ranking by times with the commissaires' corrections over it: their places
    (`apply_places`), and the mark on lines whose time a correction set (the rules already
    ranked those by the corrected time)."""
    return mark_corrected(apply_places(lines, places, qualify), times)
