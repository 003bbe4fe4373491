"""One heat of the team sprint (uci-rules.md §2.11, 3.2.144-3.2.155): two teams of three (or
one alone, 3.2.148 bis), three laps from the middle of opposite straights, each rider leading
one lap; the team's time on its last rider.

Pure functions: a team's start (its gate impulse) and the reads and impulses on the two pursuit
lines in, the team's lap splits, half-lap splits and heat result out. Times are integer
microseconds on the venue clock; every figure is official (truncated cumulative times, laps as
their differences, uci-rules.md §4.5; gaps as differences of official times).

Decisions the rules leave open, made here:

- **Which crossing is lap k.** Rider k leads lap k, so lap k ends when rider k's front wheel
  crosses the team's own pursuit line the k-th time (the team's time: rider 3 after 3 laps).
  A team's *passage* of a line is found from the reads of the riders still in it (riders k to
  3 at lap k: a rider who has led their lap has swung up and may ride on slowly, and is not
  looked at again), the first read at least `MIN_GAP_US` after the previous passage (the start
  for the first: riders 2 and 3 start behind the line and cross it in the first second). A
  passage more than half as slow again as the previous lap is not the next lap (a rider's
  slow lap after the finish); nor is one before `MIN_GAP_US` (5 s). The first lap has no
  such bound (no lap is known yet): should all three riders go unread at lap 1, lap 2 would
  be taken for it, the one case a missed read is not caught.
- **Photocell and transponder.** Where the line has a photocell, the transponders only say
  which passage is the team's; the photocell times it: the *first* impulse from `MATCH_US`
  (100 ms: a read's lag and the two clocks' disagreement) before the passage's first read to
  `MATCH_US` after the leader's read. The first, not the nearest: the leader's front wheel
  must be the first across the line (3.2.151), and the next rider's front wheel follows a
  bike length and a little behind (2 m: 0.12 s at 60 km/h), the leader's rear wheel sooner,
  both close enough to a late read to be the nearest; a team that breaks that rule is
  relegated by the commissaires (`status REL`), whatever the timing. An impulse that another
  rider's read explains (each read the one impulse nearest it: a rider rolling round after
  leading, crossing just before the finish) is not the team's. No impulse in that window: the
  leader's transponder times the passage, and the problems say so. Two riders crossing within
  a few hundredths of each other are beyond what the line can part: the photo finish's.
- **A missed read.** Rider k not read at lap k: a following rider's read in the same passage
  identifies it, and the photocell times it: the first impulse from `LEAD_US` (0.5 s: a loose
  changeover) for each rider ahead of the reader before that read to `MATCH_US` after it.
  Without a photocell the lap is then not timed: the follower's read is a bike length or more
  behind the leader. Nobody of the team
  read (the last lap has no follower): the first photocell impulse in the window a lap can
  take (from `MIN_GAP_US` to half as slow again as the previous lap) that no transponder read
  explains times it, and the problems say it was not identified; without one the lap is
  missing and said so. While the heat is ridden an impulse is "unexplained" only once the
  timing seen has moved past it by more than `EXPLAIN_US` (the match window and a read's
  latency: the read naming the other team's rider may arrive after the impulse), so the board
  never shows another team's wheel as this team's time, even for a moment. Later laps are
  still looked for after a missing lap only when it was identified.
- **Half laps.** The team crosses the other team's pursuit line at every half lap, rider k
  leading at k - 1/2: found and timed the same way, on that line. They are shown, never ranked.
- **Restarts (3.2.021 ter).** A false start is recalled and the heat restarted: a new gate
  impulse, while the team has not finished, is a new start and only the last counts. Who
  caused the false start is the commissaires' to say: a second false start is their `status`
  (DNF in qualifying, REL in a first round, DNF (lost) in a final).
- **The heat's result.** Ranked teams by official time, then the official last lap (3.2.147);
  still equal: the same rank, "draw required". Then a relegated team (REL, 3.2.153: last of
  the round; ranked in the heat after the others, with its time); then DNF, DNS, DSQ. In a
  match, the winner is the team ranked first alone once both teams are decided (finished, or
  given a status), and with a time.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

import msgspec

from velotime.scoring.rules.official import gap_us, official_string, official_us
from velotime.scoring.rules.results import apply_places, timed_line
from velotime.scoring.rules.timed_heat import TimedLine
from velotime.times import format_duration
from velotime.wire.results import Flag, ResultLine, SplitLine, Status

LAPS = 3  # 3.2.144; a meet may set 2 (women up to 2020)
# Reads of a team closer than this after its previous passage (or its start) are that passage
# or the start: even a standing half lap takes longer.
MIN_GAP_US = 5_000_000
# A lap slower than the previous one by more than half is not the next lap of a team sprint:
# a rider's slow lap after the finish, when the team's own read was missed.
SLOWEST_LAP = Fraction(3, 2)
# A photocell impulse and the transponder read of the same wheel differ by the loop's read
# (milliseconds) and by how well the timer's and decoders' clocks agree.
MATCH_US = 100_000
# A loop's read reaches the scorer up to this long after the beam (the decoder reads 1-150 ms
# after the wheel crosses, and the daemon may deliver it after the timer's impulse).
READ_LATENCY_US = 150_000
# An impulse no read explains yet may still be explained by a read that has not arrived: one
# within MATCH_US of it, arriving up to READ_LATENCY_US later. Only once the timing seen has
# moved past the impulse by more than this (any crossing, on any line, timed later: the venue
# clock is shared) is the impulse unexplained, for the fallback and for the problems.
EXPLAIN_US = MATCH_US + READ_LATENCY_US
# How far the leader's front wheel may be ahead of a following rider's read of the same
# passage: a bike length and a little is 0.12 s at 60 km/h; half a second, a loose changeover.
LEAD_US = 500_000
# The reads of one passage: the team's three riders cross within a second of the first.
PASSAGE_US = 1_000_000
UNRANKED_ORDER = (Status.DNF, Status.DNS, Status.DSQ)


class Read(NamedTuple):
    t_us: int
    bib: int | None  # None: a transponder of nobody in the heat


class Passage(NamedTuple):
    """A team's crossing of a line: when, and how it was timed."""

    t_us: int | None  # venue clock; None: identified, but nothing times the leader's wheel
    leader: int  # the rider leading (rider k at lap k)
    read_by: int | None  # the bib whose read identified it; None: an unidentified impulse


class LineTiming(NamedTuple):
    passages: list[Passage]  # from the first; fewer than asked while riding or when one is lost
    problems: list[str]


def line_passages(
    riders: Sequence[int],
    start_us: int,
    reads: Sequence[Read],
    photocells: Sequence[int] | None,
    passages: int,
    *,
    first_fraction: Fraction = Fraction(1),
    min_gap_us: int = MIN_GAP_US,
    match_us: int = MATCH_US,
    seen_us: int | None = None,
) -> LineTiming:
    """A team's passages of one line after its start: the `reads` of every transponder on
    that line (both teams', in any order), its `photocells` impulses (None: the line has no
    photocell). Passage k is led by rider k (`riders` in riding order). `first_fraction`: the
    part of a lap the first passage is from the start: 1 on the team's own line (passage k is
    lap k), 1/2 on the other team's (passage k is at k - 1/2 laps)."""
    ordered = sorted(reads, key=lambda read: read.t_us)  # a bib may be None: not by it
    impulses = sorted(photocells) if photocells is not None else None
    owner = _owners(impulses or [], ordered, match_us)
    out: list[Passage] = []
    problems: list[str] = []
    previous = start_us  # the last passage's time
    lap_us: int | None = None  # the lap before it (the first: a whole lap's worth)
    for k in range(1, passages + 1):
        leader = riders[min(k, len(riders)) - 1]
        in_team = set(riders[k - 1 :]) or {leader}
        earliest = previous + min_gap_us
        latest = None if lap_us is None else previous + int(lap_us * SLOWEST_LAP)
        mine = [
            r
            for r in ordered
            if r.bib in in_team and r.t_us >= earliest and (latest is None or r.t_us <= latest)
        ]
        at = f"lap {k}" if first_fraction == 1 else f"{k - 1}.5 laps"
        name = f"{at} (bib {leader} leading)"
        if mine:
            first = mine[0].t_us
            led = [r.t_us for r in mine if r.bib == leader and r.t_us <= first + PASSAGE_US]
            read_us = led[0] if led else first
            read_by = leader if led else mine[0].bib
            t_us: int | None = None
            # A follower's read: the leader is up to LEAD_US ahead of each rider before it.
            ahead = 0 if led else riders.index(read_by) - riders.index(leader)
            since = first - (match_us if led else LEAD_US * ahead)
            if impulses is not None:  # the first wheel of the team's (not another's read)
                t_us = next(
                    (
                        p
                        for p in impulses
                        if since <= p <= read_us + match_us and owner.get(p, leader) in in_team
                    ),
                    None,
                )
            if t_us is None and led:
                t_us = read_us
                if impulses is not None:
                    problems.append(
                        f"{name}: no photocell impulse within {match_us // 1000} ms of the read: "
                        f"timed by bib {leader}'s transponder"
                    )
            elif t_us is None:
                problems.append(
                    f"{name}: bib {leader} not read, and no photocell impulse at bib "
                    f"{read_by}'s read behind: not timed"
                )
            out.append(Passage(t_us, leader, read_by))
            anchor = first
        else:
            unexplained = _unexplained(impulses, owner, earliest, latest, seen_us)
            if unexplained == _PENDING:
                break  # a read on its way may yet explain it: say nothing yet
            if unexplained is None:
                later = any(r.bib in in_team and r.t_us > earliest for r in ordered)
                if later and latest is not None:
                    problems.append(f"{name}: not read on the line and no photocell impulse")
                break
            problems.append(
                f"{name}: no rider of the team read: timed by the photocell impulse at "
                f"{format_duration(unexplained - start_us)}, which no transponder identifies"
            )
            out.append(Passage(unexplained, leader, None))
            anchor = unexplained
        lap_us = anchor - previous if k > 1 else int((anchor - previous) / first_fraction)
        previous = anchor
    return LineTiming(out, problems)


def _owners(impulses: Sequence[int], reads: Sequence[Read], match_us: int) -> dict[int, int | None]:
    """Impulse -> the bib whose read explains it: each read explains the one impulse nearest
    it within `match_us` (its own wheel), not every impulse near, so that a rider rolling round
    who crosses the line a tenth before the finish hides neither the finish nor takes it."""
    owner: dict[int, int | None] = {}
    for read in reads:
        lo = bisect_left(impulses, read.t_us - match_us)
        hi = bisect_right(impulses, read.t_us + match_us)
        if lo < hi:
            nearest = min(impulses[lo:hi], key=lambda p: abs(read.t_us - p))
            owner.setdefault(nearest, read.bib)
    return owner


# `_unexplained`'s answer when the first impulse no read explains yet is too recent to say.
_PENDING = -1


def _unexplained(
    impulses: Sequence[int] | None,
    owner: Mapping[int, int | None],
    earliest: int,
    latest: int | None,
    seen_us: int | None,
) -> int | None:
    """The first impulse in [earliest, latest] that no read explains: a crossing the loop
    missed. None without a bound (the first lap's length is not known yet); `_PENDING` when
    that impulse is within `EXPLAIN_US` of the latest timing seen (`seen_us`; None: all
    seen): the read that explains it, another team's wheel, may still be on its way."""
    if impulses is None or latest is None:
        return None
    first = next((p for p in impulses if earliest <= p <= latest and p not in owner), None)
    if first is not None and seen_us is not None and seen_us - first <= EXPLAIN_US:
        return _PENDING
    return first


class TeamRun(msgspec.Struct, frozen=True, kw_only=True):
    """One team's counting ride in the heat: its number, riders in riding order, its side
    (0: home straight, 1: back straight), its start and its passages (venue clock)."""

    number: int
    riders: tuple[int, ...]
    side: int
    name: str = ""
    nation: str = ""
    start_us: int | None = None
    laps_us: list[int | None] = []  # the passages of its own line: lap k at index k - 1
    half_laps_us: list[int | None] = []  # of the other line: lap k - 1/2 at index k - 1
    status: Status = Status.RANKED
    starts: int = 0  # gate releases (a restart makes two)
    corrected_us: int | None = None  # the commissaires' time (correct --time)


class Point(NamedTuple):
    """A team's official figures at a half lap (`half_laps` 1, 3, 5) or a lap (2, 4, 6)."""

    half_laps: int
    rider: int  # leading
    cumulative_us: int  # official, from the start
    lap_us: int | None  # laps only: the difference of official cumulative times


def points(run: TeamRun) -> list[Point]:
    """The team's official cumulative times so far, half laps and laps in order (a lap or half
    lap not timed is left out; a lap's time needs the lap before it)."""
    if run.start_us is None:
        return []
    out: list[Point] = []
    laps = {2 * k: t for k, t in enumerate(run.laps_us, 1) if t is not None}
    halves = {2 * k - 1: t for k, t in enumerate(run.half_laps_us, 1) if t is not None}
    cumulative = {h: official_us(t - run.start_us) for h, t in (laps | halves).items()}
    for h in sorted(cumulative):
        rider = run.riders[min((h + 1) // 2, len(run.riders)) - 1]
        lap_us = None
        if h % 2 == 0:
            before = 0 if h == 2 else cumulative.get(h - 2)
            lap_us = None if before is None else cumulative[h] - before
        out.append(Point(h, rider, cumulative[h], lap_us))
    return out


def finish_us(run: TeamRun, laps: int) -> int | None:
    """The team's official time: the commissaires' if set, else rider 3 after 3 laps."""
    if run.corrected_us is not None:
        return run.corrected_us
    if run.start_us is None or len(run.laps_us) < laps or run.laps_us[laps - 1] is None:
        return None
    t_us = run.laps_us[laps - 1]
    assert t_us is not None
    return official_us(t_us - run.start_us)


def last_lap_us(run: TeamRun, laps: int) -> int | None:
    """The official last lap, for ties (3.2.147): none for a corrected time."""
    if run.corrected_us is not None:
        return None
    last = [p.lap_us for p in points(run) if p.half_laps == 2 * laps]
    return last[0] if last else None


def gaps(runs: Sequence[TeamRun]) -> dict[tuple[int, int], int]:
    """(team, half laps) -> the team's official cumulative time minus the other team's at the
    same point, where both have one (a team alone has none)."""
    if len(runs) != 2:
        return {}
    at = [{p.half_laps: p.cumulative_us for p in points(run)} for run in runs]
    out: dict[tuple[int, int], int] = {}
    for i, run in enumerate(runs):
        for h, cumulative in at[i].items():
            other = at[1 - i].get(h)
            if other is not None:
                out[run.number, h] = gap_us(cumulative, other)
    return out


class HeatLine(NamedTuple):
    timed: TimedLine
    line: ResultLine


def heat_lines(
    runs: Sequence[TeamRun],
    laps: int,
    track_length_m: Fraction | int,
    *,
    match: bool,
    places: Mapping[int, int] | None = None,
) -> list[HeatLine]:
    """The heat's result: ranked teams (by time, then last lap), the relegated, those still
    riding, then DNF, DNS, DSQ; each with its `TimedLine` for the rounds. `places`: the
    commissaires' order (`correct --place`: lots after a draw), which also decides a match."""
    distance_mm = int(Fraction(track_length_m) * laps * 1000)
    timed = [
        (run, t)
        for run in runs
        if run.status in (Status.RANKED, Status.REL) and (t := finish_us(run, laps)) is not None
    ]
    last = {run.number: last_lap_us(run, laps) for run in runs}
    timed.sort(key=lambda e: (e[0].status is Status.REL, e[1], last[e[0].number] or -1))
    leader_us = timed[0][1] if timed else 0
    ranked: list[ResultLine] = []
    rank = 0
    for i, (run, t) in enumerate(timed):
        tied_before = i > 0 and _tied(timed[i - 1], (run, t), last)
        tied_after = i + 1 < len(timed) and _tied((run, t), timed[i + 1], last)
        rank = rank if tied_before else i + 1
        flags = [Flag.DRAW_REQUIRED] if tied_before or tied_after else []
        if run.corrected_us is not None:
            flags.append(Flag.CORRECTED)
        line = timed_line(
            rank=rank,
            bib=run.number,
            name=run.name,
            nation=run.nation,
            time_us=t,
            distance_mm=distance_mm,
            leader_us=leader_us,
            splits=split_lines(run, track_length_m),
            flags=flags,
        )
        ranked.append(msgspec.structs.replace(line, status=run.status))
    if places:
        ranked = apply_places(ranked, places)
    riding = [
        ResultLine(
            rank=None,
            bib=run.number,
            name=run.name,
            nation=run.nation,
            splits=split_lines(run, track_length_m),
            status=run.status,
        )
        for run in runs
        if run.status in (Status.RANKED, Status.REL) and finish_us(run, laps) is None
    ]
    unranked = [
        ResultLine(rank=None, bib=run.number, name=run.name, nation=run.nation, status=run.status)
        for run in sorted(
            (run for run in runs if run.status in UNRANKED_ORDER),
            key=lambda run: UNRANKED_ORDER.index(run.status),
        )
    ]
    # A match is won once both teams are decided (a time, or a status: a relegated team has
    # lost whatever its time), by the one team first.
    decided = all(
        run.status is not Status.RANKED or finish_us(run, laps) is not None for run in runs
    )
    firsts = [line for line in ranked if line.rank == 1]
    by_number = {run.number: run for run in runs}
    out: list[HeatLine] = []
    for line in ranked + riding + unranked:
        run = by_number[line.bib]
        won = (
            match
            and decided
            and len(firsts) == 1
            and line.rank == 1
            and line.status is Status.RANKED
        )
        entry = TimedLine(
            entrant=run.number,
            side=run.side,
            time_us=line.time_us,
            last_lap_us=last[run.number] if line.time_us is not None else None,
            status=run.status,
            won=won,
        )
        out.append(HeatLine(entry, line))
    return out


def _tied(a: tuple[TeamRun, int], b: tuple[TeamRun, int], last: Mapping[int, int | None]) -> bool:
    """Equal on every tie-break the rules give: status, time, last lap (3.2.147); a corrected
    time has no last lap, so a tie with it stays a tie for the commissaires."""
    last_a, last_b = last[a[0].number], last[b[0].number]
    return (
        a[0].status == b[0].status
        and a[1] == b[1]
        and (last_a is None or last_b is None or last_a == last_b)
    )


def split_lines(run: TeamRun, track_length_m: Fraction | int) -> list[SplitLine]:
    """The result line's lap splits (whole laps only; each lap's rider is rider k)."""
    lap_m = Fraction(track_length_m)
    return [
        SplitLine(
            distance_m=int(lap_m * p.half_laps / 2 + Fraction(1, 2)),
            cumulative=official_string(p.cumulative_us),
            lap=official_string(p.lap_us),
        )
        for p in points(run)
        if p.lap_us is not None
    ]
