"""The rounds of the individual pursuit, team pursuit and team sprint (uci-rules.md §2.11,
§2.12): qualifying ranked by time, then matches drawn from that ranking.

A `Format` is data: its rounds in riding order. Qualifying is ridden in pairs in the riding
order given (or the meet's own pairing). Every later round is a list of pairs of seats, a seat
being a place in a "pool": the qualifying ranking, or a part of a match round's entrants (the
winners of some heats, the losers, the rest), each ranked by time. A final (a round with a
`first_place`) gives its winner that place and the loser the next.

Conventions this module picks, where the rules are silent:

- **Ranking by time.** Official time, then the better last lap (3.2.061, 3.2.147); equal in
  both, equal rank, flagged `draw required`. An entrant ranked without a time (a winner who
  caught the other and stopped) comes after those with one; a relegated one (REL, 3.2.153)
  after those; a DNF, DSQ or DNS entrant is not ranked (except a team sprint's round-1 DNS,
  placed last of the round, 3.2.148 bis, and seated in no later round: in the Olympic table
  its 7th-8th opponent rides that final alone and takes 7th, the DNS team 8th). An equal
  rank that decides who rides which round is refused until a commissaire orders the entrants
  (a time corrected).
- **Sides.** The first seat of a pair starts on the home straight: pairs are written best
  first, so the faster of the previous round starts there (3.2.150, and the same for pursuits).
- **Few entrants.** A seat past the end of its pool is empty: its heat is ridden by the other
  alone (a walk-over), and a heat with both seats empty is not ridden.
- **Who won a match.** The heat result says (`TimedLine.won`); without it, the one entrant
  ranked with others not ranked or relegated wins.
- **Final classification.** The finals give their places (a loser not ranked goes to the
  foot; a final ridden alone holds only its first place). The others follow by the round
  they went out in, later rounds first, then by their time in it. DNF, DSQ and DNS entrants
  of the last heat they rode are unranked, at the foot: DNF, then DSQ, then DNS, later rounds
  first.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Literal

import msgspec

from velotime.scoring.rules.official import official_string_or_none
from velotime.scoring.rules.timed_heat import TimedHeatResult, TimedLine
from velotime.wire.results import Flag, ResultLine, Status

QUALIFYING = "qualifying"
FIRST_ROUND = "first round"

# Start lists of a round: the entrants of each heat, home side first.
Startlists = list[list[int]]


class UnsupportedEntrantsError(ValueError):
    """Too few entrants for any round to be ridden."""


class Seat(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The `place`-th entrant of `pool` (1: the best)."""

    pool: str
    place: int


class Pool(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A part of a round's entrants, ranked by time: all of them, the winners or losers of its
    heats (`heats`: pair numbers, 1-based; empty: every heat), or those in no earlier pool of
    the round."""

    name: str
    members: Literal["all", "winners", "losers", "rest"] = "all"
    heats: tuple[int, ...] = ()


class RoundSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    # The heats, each a pair of seats (home side first); empty: qualifying, in riding order.
    pairs: tuple[tuple[Seat, Seat], ...] = ()
    pools: tuple[Pool, ...] = ()
    first_place: int | None = None  # a final: its winner's place in the classification
    match: bool = False  # won by the faster or by a catch (MeetEvent.match)
    catch_ends: bool = False  # a catch ends it (MeetEvent.catch_ends)
    dns_placed: bool = False  # a DNS entrant is placed last of the round (3.2.148 bis)


class Format(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    rounds: tuple[RoundSpec, ...]  # in riding order; the first is the qualifying


QUALIFYING_ROUND = RoundSpec(name=QUALIFYING, pools=(Pool(name=QUALIFYING),))


def _final(name: str, first_place: int, a: Seat, b: Seat, catch_ends: bool) -> RoundSpec:
    return RoundSpec(
        name=name, pairs=((a, b),), first_place=first_place, match=True, catch_ends=catch_ends
    )


# 3.2.053: the four fastest of qualifying, 3 v 4 for bronze, 1 v 2 for gold; a catch ends.
INDIVIDUAL_PURSUIT = Format(
    name="uci",
    rounds=(
        QUALIFYING_ROUND,
        _final("final 3-4", 3, Seat(QUALIFYING, 3), Seat(QUALIFYING, 4), True),
        _final("final 1-2", 1, Seat(QUALIFYING, 1), Seat(QUALIFYING, 2), True),
    ),
)

# 3.2.085: 6v7, 5v8, 2v3, 1v4 in that order; the winners of 2v3 and 1v4 ride for gold, the
# best two of the other six on first-round times for bronze. 3.2.086: in the first round the
# caught team rides on for a time.
_TP_FIRST_ROUND = RoundSpec(
    name=FIRST_ROUND,
    pairs=tuple(
        (Seat(QUALIFYING, a), Seat(QUALIFYING, b)) for a, b in ((6, 7), (5, 8), (2, 3), (1, 4))
    ),
    pools=(Pool(name="gold", members="winners", heats=(3, 4)), Pool(name="rest", members="rest")),
    match=True,
)
TEAM_PURSUIT = Format(
    name="uci",
    rounds=(
        QUALIFYING_ROUND,
        _TP_FIRST_ROUND,
        _final("final 3-4", 3, Seat("rest", 1), Seat("rest", 2), True),
        _final("final 1-2", 1, Seat("gold", 1), Seat("gold", 2), True),
    ),
)
# At the Olympics the next two of the six ride for 5th-6th, the last two for 7th-8th, before
# the UCI table's two finals.
TEAM_PURSUIT_OLYMPIC = Format(
    name="olympic",
    rounds=(
        QUALIFYING_ROUND,
        _TP_FIRST_ROUND,
        _final("final 7-8", 7, Seat("rest", 5), Seat("rest", 6), True),
        _final("final 5-6", 5, Seat("rest", 3), Seat("rest", 4), True),
        *TEAM_PURSUIT.rounds[2:],
    ),
)

# 3.2.145: 4v5, 3v6, 2v7, 1v8; the two fastest winners ride for gold, the other two for
# bronze; the losers are 5th-8th on their times (3.2.148 bis: a DNS team is 8th).
_TS_FIRST_ROUND = RoundSpec(
    name=FIRST_ROUND,
    pairs=tuple(
        (Seat(QUALIFYING, a), Seat(QUALIFYING, b)) for a, b in ((4, 5), (3, 6), (2, 7), (1, 8))
    ),
    pools=(Pool(name="winners", members="winners"), Pool(name="losers", members="losers")),
    match=True,
    dns_placed=True,
)
TEAM_SPRINT = Format(
    name="uci",
    rounds=(
        QUALIFYING_ROUND,
        _TS_FIRST_ROUND,
        _final("final 3-4", 3, Seat("winners", 3), Seat("winners", 4), False),
        _final("final 1-2", 1, Seat("winners", 1), Seat("winners", 2), False),
    ),
)
# 3.2.146: at the Olympics the losers ride for 5th-6th and 7th-8th too, before the UCI table's
# two finals.
TEAM_SPRINT_OLYMPIC = Format(
    name="olympic",
    rounds=(
        QUALIFYING_ROUND,
        _TS_FIRST_ROUND,
        _final("final 7-8", 7, Seat("losers", 3), Seat("losers", 4), False),
        _final("final 5-6", 5, Seat("losers", 1), Seat("losers", 2), False),
        *TEAM_SPRINT.rounds[2:],
    ),
)

FORMATS: dict[str, dict[str, Format]] = {
    "individual_pursuit": {"uci": INDIVIDUAL_PURSUIT},
    "team_pursuit": {"uci": TEAM_PURSUIT, "olympic": TEAM_PURSUIT_OLYMPIC},
    "team_sprint": {"uci": TEAM_SPRINT, "olympic": TEAM_SPRINT_OLYMPIC},
}


def check_format(fmt: Format) -> None:
    """ValueError if the table cannot be run: seats naming pools of no earlier round, a final
    that is not one pair, places of finals that overlap."""
    names = [r.name for r in fmt.rounds]
    if not fmt.rounds or fmt.rounds[0].pairs:
        raise ValueError(f"format {fmt.name}: the first round must be the qualifying (no pairs)")
    if len(set(names)) != len(names):
        raise ValueError(f"format {fmt.name}: two rounds have the same name")
    pools: set[str] = set()
    places: set[int] = set()
    for index, spec in enumerate(fmt.rounds):
        if index > 0 and not spec.pairs:
            raise ValueError(f"format {fmt.name}: {spec.name!r} has no heats")
        for seat in (seat for pair in spec.pairs for seat in pair):
            if seat.pool not in pools or seat.place < 1:
                raise ValueError(
                    f"format {fmt.name}: {spec.name!r} seats place {seat.place} of "
                    f"{seat.pool!r}, no pool of an earlier round"
                )
        if spec.first_place is not None:
            if len(spec.pairs) != 1 or spec.pools:
                raise ValueError(f"format {fmt.name}: final {spec.name!r} must be one heat")
            held = {spec.first_place, spec.first_place + 1}
            if spec.first_place < 1 or held & places:
                raise ValueError(f"format {fmt.name}: {spec.name!r} overlaps another final")
            places |= held
        for pool in spec.pools:
            if pool.name in pools:
                raise ValueError(f"format {fmt.name}: two pools named {pool.name!r}")
            pools.add(pool.name)


def qualifying_heats(
    riding_order: Sequence[int], pairing: Sequence[Sequence[int]] = ()
) -> Startlists:
    """Qualifying heats: pairs in riding order (the last entrant of an odd number alone), or
    the meet's own `pairing`, which must hold every entrant once, one or two to a heat."""
    if len(set(riding_order)) != len(riding_order):
        raise ValueError("an entrant appears twice in the riding order")
    if not pairing:
        return [list(riding_order[i : i + 2]) for i in range(0, len(riding_order), 2)]
    paired = [entrant for heat in pairing for entrant in heat]
    if any(not 1 <= len(heat) <= 2 for heat in pairing):
        raise ValueError("a qualifying heat is one or two entrants")
    if sorted(paired) != sorted(riding_order):
        raise ValueError(
            f"the qualifying heats hold {sorted(paired)}, the entrants are {sorted(riding_order)}"
        )
    return [list(heat) for heat in pairing]


class Ranked(msgspec.Struct, frozen=True):
    """An entrant's rank among others by time; None: not ranked (DNF, DSQ, DNS)."""

    rank: int | None
    line: TimedLine
    tied: bool = False  # an equal rank: official time and last lap both equal


_NO_LAP = 1 << 62  # a time without a last lap is behind any with one


def _key(line: TimedLine, dns_placed: bool) -> tuple[int, int, int] | None:
    time = line.time_us if line.time_us is not None else _NO_LAP
    lap = line.last_lap_us if line.last_lap_us is not None else _NO_LAP
    if line.status is Status.RANKED:
        return (0, time, lap) if line.time_us is not None else (1, 0, 0)
    if line.status is Status.REL:
        return (2, time, lap)
    if line.status is Status.DNS and dns_placed:
        return (3, 0, 0)
    return None


def rank_by_time(lines: Sequence[TimedLine], dns_placed: bool = False) -> list[Ranked]:
    """`lines` best first: by official time, then last lap (3.2.061); equal in both, equal
    rank. Unranked lines follow, in the order given."""
    keyed = sorted(
        ((key, i) for i, line in enumerate(lines) if (key := _key(line, dns_placed)) is not None)
    )
    out: list[Ranked] = []
    for position, (key, i) in enumerate(keyed):
        same_as_previous = position > 0 and keyed[position - 1][0] == key
        same_as_next = position + 1 < len(keyed) and keyed[position + 1][0] == key
        rank = out[-1].rank if same_as_previous else position + 1
        out.append(Ranked(rank, lines[i], tied=same_as_previous or same_as_next))
    out += [Ranked(None, line) for line in lines if _key(line, dns_placed) is None]
    return out


def winner(heat: TimedHeatResult) -> int | None:
    """The entrant who won a match heat: as the heat says, else the only one ranked (the other
    did not start, did not finish, was disqualified or relegated). None: not decided."""
    for line in heat.lines:
        if line.won:
            return line.entrant
    ranked = [line.entrant for line in heat.lines if line.status is Status.RANKED]
    if len(ranked) == 1:
        return ranked[0]
    return None


class _Ridden(msgspec.Struct, kw_only=True):
    """A round as ridden: its heats' pair numbers (1-based) and results."""

    pairs: list[int]
    heats: Sequence[TimedHeatResult]


def draw(
    fmt: Format,
    riding_order: Sequence[int],
    results: Mapping[str, Sequence[TimedHeatResult]],
    pairing: Sequence[Sequence[int]] = (),
) -> dict[str, Startlists]:
    """The start lists of every round not yet ridden whose feeding rounds all are; the
    qualifying's from the riding order. `results`: the heats ridden, by round, in heat order."""
    return {
        name: [entrants for _, entrants in heats]
        for name, heats in numbered_draw(fmt, riding_order, results, pairing).items()
    }


def numbered_draw(
    fmt: Format,
    riding_order: Sequence[int],
    results: Mapping[str, Sequence[TimedHeatResult]],
    pairing: Sequence[Sequence[int]] = (),
) -> dict[str, list[tuple[int, list[int]]]]:
    """`draw`, each heat with its number in its round's table (1-based): a heat both of whose
    seats are empty is not ridden, and leaves its number unused."""
    drawn, _ = _walk(fmt, riding_order, results, pairing)
    return drawn


def classify(
    fmt: Format,
    riding_order: Sequence[int],
    results: Mapping[str, Sequence[TimedHeatResult]],
    pairing: Sequence[Sequence[int]] = (),
) -> list[ResultLine]:
    """The final classification once every round is ridden (`bib`: the rider's or team's
    number; `time`: that of the round that placed them)."""
    _, ridden = _walk(fmt, riding_order, results, pairing)
    if missing := [r.name for r in fmt.rounds if r.name not in ridden]:
        raise ValueError(f"the competition is not over: {missing} not ridden")
    last: dict[int, tuple[int, int, TimedLine]] = {}  # entrant -> (round, heat, line)
    for round_index, spec in enumerate(fmt.rounds):
        for heat_index, heat in enumerate(ridden[spec.name].heats):
            for line in heat.lines:
                last[line.entrant] = (round_index, heat_index, line)

    out: list[ResultLine] = []
    next_rank = 1
    finals = sorted(
        (r.first_place, i) for i, r in enumerate(fmt.rounds) if r.first_place is not None
    )
    for first_place, round_index in finals:
        for heat in ridden[fmt.rounds[round_index].name].heats:
            won = winner(heat)
            if won is None and sum(line.status is Status.RANKED for line in heat.lines) > 1:
                raise ValueError(f"{fmt.rounds[round_index].name!r}: no winner yet")
            lines = sorted(heat.lines, key=lambda line: line.entrant != won)
            for place, line in enumerate(lines, first_place):
                if line.status in (Status.RANKED, Status.REL):
                    out.append(_classified(line, place))
            # Ridden alone (the other seat empty): the next place is for the next round out.
            next_rank = max(next_rank, first_place + len(heat.lines))
    final_rounds = {i for _, i in finals}
    for round_index in reversed(range(len(fmt.rounds))):
        if round_index in final_rounds:
            continue
        spec = fmt.rounds[round_index]
        going_out = [line for r, _, line in last.values() if r == round_index]
        ranked = [r for r in rank_by_time(going_out, spec.dns_placed) if r.rank is not None]
        for entry in ranked:
            assert entry.rank is not None
            out.append(_classified(entry.line, next_rank + entry.rank - 1, entry.tied))
        next_rank += len(ranked)
    placed = {line.bib for line in out}
    status_order = {Status.DNF: 0, Status.DSQ: 1, Status.DNS: 2}
    unranked = sorted(
        (status_order.get(line.status, len(status_order)), -r, heat_index, line.entrant)
        for entrant, (r, heat_index, line) in last.items()
        if entrant not in placed
    )
    out += [_classified(last[entrant][2], None) for *_, entrant in unranked]
    return out


def _classified(line: TimedLine, rank: int | None, tied: bool = False) -> ResultLine:
    return ResultLine(
        rank=rank,
        bib=line.entrant,
        time=official_string_or_none(line.time_us),
        time_us=line.time_us,
        status=line.status,
        flags=[Flag.DRAW_REQUIRED] if tied else [],
    )


# A drawn round: (pair number, entrants) per heat to ride.
_Drawn = list[tuple[int, list[int]]]


def _walk(
    fmt: Format,
    riding_order: Sequence[int],
    results: Mapping[str, Sequence[TimedHeatResult]],
    pairing: Sequence[Sequence[int]],
) -> tuple[dict[str, _Drawn], dict[str, _Ridden]]:
    """Every round in order: drawn from the pools of the rounds before it once they are all
    ridden, and checked against its results if it has any."""
    check_format(fmt)
    if unknown := set(results) - {r.name for r in fmt.rounds}:
        raise ValueError(f"results for rounds not in the competition: {sorted(unknown)}")
    if len(riding_order) < 2:
        raise UnsupportedEntrantsError(f"{len(riding_order)} entrants: at least 2 are needed")
    pools: dict[str, list[Ranked]] = {}
    owner: dict[str, str] = {}  # pool -> the round it ranks
    for spec in fmt.rounds:
        for pool in spec.pools:
            owner[pool.name] = spec.name
    seated: dict[str, dict[int, str]] = defaultdict(dict)  # pool -> place -> round seated in
    for spec in fmt.rounds:
        for pair in spec.pairs:
            for seat in pair:
                seated[seat.pool][seat.place] = spec.name

    drawn: dict[str, _Drawn] = {}
    ridden: dict[str, _Ridden] = {}
    for spec in fmt.rounds:
        feeders = {owner[seat.pool] for pair in spec.pairs for seat in pair}
        if any(f not in ridden for f in feeders):
            if spec.name in results:
                raise ValueError(f"{spec.name!r} has results but the rounds feeding it do not")
            continue
        if spec.pairs:
            heats = [
                (number, entrants)
                for number, pair in enumerate(spec.pairs, 1)
                if (entrants := [e for seat in pair if (e := _seated(pools, seat)) is not None])
            ]
        else:
            heats = list(enumerate(qualifying_heats(riding_order, pairing), 1))
        heat_results = results.get(spec.name)
        if heat_results is None:
            drawn[spec.name] = heats
            continue
        if [sorted(e) for _, e in heats] != [
            sorted(h.entrant for h in r.lines) for r in heat_results
        ]:
            raise ValueError(
                f"{spec.name!r}: the heats ridden hold "
                f"{[[line.entrant for line in r.lines] for r in heat_results]}, "
                f"the draw {[e for _, e in heats]}"
            )
        ridden[spec.name] = _Ridden(pairs=[number for number, _ in heats], heats=heat_results)
        for pool in spec.pools:
            pools[pool.name] = _pool(spec, pool, ridden[spec.name], pools)
            _check_boundaries(pool.name, pools[pool.name], seated[pool.name])
    return drawn, ridden


def _seated(pools: Mapping[str, list[Ranked]], seat: Seat) -> int | None:
    ranked = pools[seat.pool]
    return ranked[seat.place - 1].line.entrant if seat.place <= len(ranked) else None


def _pool(
    spec: RoundSpec, pool: Pool, ridden: _Ridden, earlier: Mapping[str, list[Ranked]]
) -> list[Ranked]:
    taken = {r.line.entrant for p in spec.pools if p.name in earlier for r in earlier[p.name]}
    lines: list[TimedLine] = []
    for number, heat in zip(ridden.pairs, ridden.heats, strict=True):
        if pool.heats and number not in pool.heats:
            continue
        won = winner(heat) if pool.members in ("winners", "losers") else None
        if pool.members in ("winners", "losers") and won is None:
            raise ValueError(f"{spec.name!r} heat {ridden.pairs.index(number) + 1}: no winner yet")
        for line in heat.lines:
            if pool.members == "winners" and line.entrant != won:
                continue
            if pool.members == "losers" and line.entrant == won:
                continue
            if pool.members == "rest" and line.entrant in taken:
                continue
            lines.append(line)
    # A team that did not start is placed by the classification (3.2.148 bis), never seated.
    return [r for r in rank_by_time(lines) if r.rank is not None]


def _check_boundaries(name: str, ranked: list[Ranked], seated: Mapping[int, str]) -> None:
    """An equal rank whose entrants would ride different rounds (or one none) cannot stand."""
    for place, (above, below) in enumerate(pairwise(ranked), 1):
        if above.rank == below.rank and seated.get(place) != seated.get(place + 1):
            raise ValueError(
                f"{above.line.entrant} and {below.line.entrant} are equal in time and last lap "
                f"for place {place} of {name!r}, which decides who rides what: a commissaire "
                "must order them"
            )


def round_pools(
    fmt: Format, round_name: str, heats: Sequence[tuple[int, TimedHeatResult]]
) -> list[tuple[str, list[Ranked]]]:
    """A round's pools (the qualifying ranking; a first round's winners and losers...) ranked
    from the heats of it ridden so far, each (pair number, result): the whole round once every
    heat is. ValueError: a match heat among them without a winner."""
    spec = next(r for r in fmt.rounds if r.name == round_name)
    ridden = _Ridden(pairs=[number for number, _ in heats], heats=[result for _, result in heats])
    pools: dict[str, list[Ranked]] = {}
    for pool in spec.pools:
        pools[pool.name] = _pool(spec, pool, ridden, pools)
    last = next((p.name for p in reversed(spec.pools) if p.members in ("losers", "rest")), None)
    if spec.dns_placed and last is not None:
        # Seated nowhere, but placed last of the round (3.2.148 bis): shown after the losers.
        dns = [line for heat in ridden.heats for line in heat.lines if line.status is Status.DNS]
        if dns:
            lines = [r.line for r in pools[last]] + dns
            pools[last] = [r for r in rank_by_time(lines, dns_placed=True) if r.rank is not None]
    return list(pools.items())
