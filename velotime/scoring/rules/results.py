"""What every discipline's rules produce: result lines, as published and printed."""

from enum import StrEnum

import msgspec

from velotime.scoring.rules.official import (
    gap_string,
    gap_us,
    official_string,
    speed_milli_kmh,
    speed_string,
)


class Status(StrEnum):
    RANKED = ""  # rode and has a place
    DNS = "DNS"  # did not start
    DNF = "DNF"  # did not finish
    DSQ = "DSQ"  # disqualified
    REL = "REL"  # relegated (keirin, sprint): ranked, but after the others of the heat


class Flag(StrEnum):
    DRAW_REQUIRED = "draw required"  # a tie the rules cannot break: the commissaires draw lots
    PHOTO_REQUIRED = "photo required"  # riders too close for transponders to order them
    QUALIFIED = "qualified"


class SplitLine(msgspec.Struct, frozen=True, kw_only=True):
    distance_m: int
    cumulative: str  # official string of the cumulative time
    lap: str  # official string of the lap (cumulative differences: laps add up)


class ResultLine(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    rank: int | None  # None: not ranked (DNS, DNF, DSQ); equal ranks for a draw
    bib: int
    name: str = ""
    nation: str = ""
    time: str | None = None  # the official string: "10.724", "1:00.981"
    time_us: int | None = None  # official, truncated to the thousandth
    speed_kmh: str | None = None  # truncated to three decimals: "67.139"
    gap: str | None = None  # to the leader, "+0.003"; None for the leader
    splits: list[SplitLine] = []
    status: Status = Status.RANKED
    flags: list[Flag] = []


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
