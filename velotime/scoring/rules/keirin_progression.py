"""A keirin competition from round 1 to the finals (uci-rules.md §2.5, 3.2.135).

A `Format` is a table: rounds in riding order, how many heats each has, and which places of a
heat go to which round ("routes"). The built-in tables are those of uci-rules.md §2.5 (rebuilt
from metarace and the formats raced, since the UCI text lost them): they are data, and a meet
can pass its own (a quarter-final round for 43+ entrants, another repechage split).

Conventions this module picks, where the rules are silent:

- **Seeding** is serpentine ("snake"): seeds 1..h go to heats 1..h, seeds h+1..2h to heats
  h..1, and so on, so every heat gets a fair share of the strong riders and heat sizes differ
  by one at most. Round 1 is seeded from the given ranking. A later round is seeded from its
  feeders: riders from an earlier round first (direct qualifiers before repechage qualifiers),
  then by place in their heat, then by heat number; riders routed without a place (a DNF sent
  to the repechage) come after the placed ones. A start list is in seeding order: start
  positions within a heat are drawn (3.2.138), which is not this module's business.
- **Who goes on.** A route takes a range of places, or "the rest": every rider of the heat
  not routed by place, DNF riders included (a crash in round 1 does not cost the repechage),
  DSQ and DNS riders excepted (they are out of the competition). A place is a rider's rank in
  the heat's official order, which a commissaire's correction may set past empty places (6th
  behind two DNF riders); a dead heat (equal ranks) across a qualifying boundary is refused
  until a commissaire orders the riders.
- **Final classification.** The finals give their places (final 1-6: 1-6, final 7-12: 7-12).
  Riders knocked out earlier follow, by the round they went out in (later rounds first), then
  by their place in their heat; equal places in different heats are equal ranks (ex aequo), a
  relegated rider after the classified riders of that round. DNF, DSQ and DNS riders in the
  last heat they rode are unranked, at the foot: DNF, then DSQ, then DNS, later rounds first.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise

import msgspec

from velotime.scoring.rules.keirin import HeatResult
from velotime.wire.results import ResultLine, Status

MAX_HEAT_RIDERS = 7  # uci-rules.md §2.5: up to 7 riders per race

ROUND_1 = "round 1"
REPECHAGE = "repechage"
ROUND_2 = "round 2"  # the Olympic quarter-finals
SEMI_FINALS = "semi-finals"
FINAL_1_6 = "final 1-6"
FINAL_7_12 = "final 7-12"

# Start lists of a round: one list of bibs per heat, in seeding order.
Startlists = list[list[int]]


class UnsupportedEntrantsError(ValueError):
    """No competition table covers this number of entrants."""


class Route(msgspec.Struct, frozen=True, kw_only=True):
    """Where riders of a heat go: `places` (first, last), inclusive, or None for the rest."""

    to: str
    places: tuple[int, int] | None = None


class RoundSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    heats: int
    routes: tuple[Route, ...] = ()
    first_place: int | None = None  # a final: the classification place of its winner


class Format(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    entrants: tuple[int, int]  # the inclusive range of entrants the table is built for
    rounds: tuple[RoundSpec, ...]  # in riding order


class PlannedRound(msgspec.Struct, frozen=True, kw_only=True):
    """A round of a planned competition, sized as if every rider finished every heat."""

    name: str
    heats: int
    routes: tuple[Route, ...]
    first_place: int | None
    riders: int
    heat_sizes: tuple[int, ...]
    feeders: tuple[str, ...]  # the rounds whose routes lead here


class Competition(msgspec.Struct, frozen=True, kw_only=True):
    entrants: int
    format: str
    rounds: tuple[PlannedRound, ...]  # in riding order

    def round(self, name: str) -> PlannedRound:
        for planned in self.rounds:
            if planned.name == name:
                return planned
        raise KeyError(f"keirin: no round {name!r} in the {self.format} format")


def _semis_and_finals() -> tuple[RoundSpec, ...]:
    return (
        RoundSpec(
            name=SEMI_FINALS,
            heats=2,
            routes=(Route(to=FINAL_1_6, places=(1, 3)), Route(to=FINAL_7_12, places=(4, 6))),
        ),
        RoundSpec(name=FINAL_1_6, heats=1, first_place=1),
        RoundSpec(name=FINAL_7_12, heats=1, first_place=7),
    )


def _round_1_and_repechage(
    heats: int, top: int, rep_heats: int, rep_top: int
) -> tuple[RoundSpec, ...]:
    return (
        RoundSpec(
            name=ROUND_1,
            heats=heats,
            routes=(Route(to=SEMI_FINALS, places=(1, top)), Route(to=REPECHAGE)),
        ),
        RoundSpec(
            name=REPECHAGE, heats=rep_heats, routes=(Route(to=SEMI_FINALS, places=(1, rep_top)),)
        ),
    )


# uci-rules.md §2.5, "Competition tables (3.2.135)".
FORMATS: tuple[Format, ...] = (
    Format(
        name="10-14",
        entrants=(10, 14),
        rounds=(
            RoundSpec(
                name=ROUND_1,
                heats=2,
                routes=(Route(to=FINAL_1_6, places=(1, 3)), Route(to=FINAL_7_12, places=(4, 6))),
            ),
            RoundSpec(name=FINAL_1_6, heats=1, first_place=1),
            RoundSpec(name=FINAL_7_12, heats=1, first_place=7),
        ),
    ),
    Format(
        name="15-20",
        entrants=(15, 20),
        rounds=_round_1_and_repechage(3, 2, 2, 3) + _semis_and_finals(),
    ),
    Format(
        name="21",
        entrants=(21, 21),
        rounds=_round_1_and_repechage(3, 2, 3, 2) + _semis_and_finals(),
    ),
    Format(
        name="22-28",
        entrants=(22, 28),
        rounds=_round_1_and_repechage(4, 2, 4, 1) + _semis_and_finals(),
    ),
    Format(
        name="29-42",
        entrants=(29, 42),
        rounds=_round_1_and_repechage(6, 1, 6, 1) + _semis_and_finals(),
    ),
)

# Tokyo 2020 and Paris 2024: 30 riders, with a second round (quarter-finals) before the semis.
OLYMPIC_30 = Format(
    name="Olympic 30",
    entrants=(30, 30),
    rounds=(
        RoundSpec(
            name=ROUND_1,
            heats=5,
            routes=(Route(to=ROUND_2, places=(1, 2)), Route(to=REPECHAGE)),
        ),
        RoundSpec(name=REPECHAGE, heats=4, routes=(Route(to=ROUND_2, places=(1, 2)),)),
        RoundSpec(name=ROUND_2, heats=3, routes=(Route(to=SEMI_FINALS, places=(1, 4)),)),
        *_semis_and_finals(),
    ),
)


def plan(entrants: int, formats: Sequence[Format] = FORMATS) -> Competition:
    """The rounds and heat sizes for `entrants`, from the first format whose range covers it."""
    for fmt in formats:
        low, high = fmt.entrants
        if low <= entrants <= high:
            return _plan(fmt, entrants)
    covered = ", ".join(f"{f.entrants[0]}-{f.entrants[1]}" for f in formats)
    raise UnsupportedEntrantsError(
        f"keirin: no competition table for {entrants} entrants (tables cover {covered}; "
        "43 or more need a quarter-final round: pass your own Format)"
    )


def snake(seeded: Sequence[int], heats: int) -> Startlists:
    """Serpentine seeding: seeds 1..h to heats 1..h, h+1..2h back from heat h to heat 1, ..."""
    out: Startlists = [[] for _ in range(heats)]
    for i, bib in enumerate(seeded):
        row, column = divmod(i, heats)
        out[column if row % 2 == 0 else heats - 1 - column].append(bib)
    return out


def seed_round_1(competition: Competition, seeding: Sequence[int]) -> Startlists:
    """Round 1 start lists from a ranking (best first), by serpentine seeding."""
    if len(set(seeding)) != len(seeding):
        raise ValueError("keirin: a bib appears twice in the seeding")
    if len(seeding) != competition.entrants:
        raise ValueError(
            f"keirin: the seeding has {len(seeding)} riders, the competition {competition.entrants}"
        )
    return snake(seeding, competition.rounds[0].heats)


def advance(
    competition: Competition, results: Mapping[str, Sequence[HeatResult]]
) -> dict[str, Startlists]:
    """Start lists of every round not yet ridden whose feeding rounds all are.

    `results`: the heats ridden so far, by round name, in heat order. After round 1 of a 15-20
    competition this gives the repechage; after the repechage, the semi-finals; after the
    semi-finals, both finals.
    """
    routed = _routed(competition, results)
    return {
        planned.name: snake(_seeded(routed[planned.name]), planned.heats)
        for planned in competition.rounds[1:]
        if planned.name not in results and all(f in results for f in planned.feeders)
    }


def classify(
    competition: Competition, results: Mapping[str, Sequence[HeatResult]]
) -> list[ResultLine]:
    """The final classification of a competition whose every round has been ridden."""
    if missing := [r.name for r in competition.rounds if r.name not in results]:
        raise ValueError(f"keirin: the competition is not over: {missing} not ridden")
    _routed(competition, results)  # checks that every round holds the riders it should

    # The last heat a rider rode is the one that classifies them.
    last: dict[int, tuple[int, int, int, ResultLine]] = {}
    for round_index, planned in enumerate(competition.rounds):
        for heat_index, heat in enumerate(results[planned.name]):
            for line_index, line in enumerate(heat.lines):
                last[line.bib] = (round_index, heat_index, line_index, line)

    out: list[ResultLine] = []
    next_rank = 1
    finals = sorted(
        ((i, r.first_place) for i, r in enumerate(competition.rounds) if r.first_place is not None),
        key=lambda final: final[1],
    )
    for round_index, first_place in finals:
        heat = results[competition.rounds[round_index].name][0]
        out += [
            _classified(line, line.rank + first_place - 1)
            for line in heat.lines
            if line.rank is not None
        ]
        next_rank = max(next_rank, first_place + len(heat.lines))

    final_indices = {i for i, _ in finals}
    for round_index in reversed(range(len(competition.rounds))):
        if round_index in final_indices:
            continue
        # Classified riders before relegated ones, then by place; equal keys are ex aequo.
        out_here: list[tuple[tuple[bool, int], int, int, ResultLine]] = sorted(
            (((line.status is Status.REL, line.rank), heat_index, line.bib, line))
            for r, heat_index, _, line in last.values()
            if r == round_index and line.rank is not None
        )
        for i, (key, *_, line) in enumerate(out_here):
            tied = i > 0 and key == out_here[i - 1][0]
            rank = out[-1].rank if tied else next_rank + i
            out.append(_classified(line, rank))
        next_rank += len(out_here)

    status_order = {Status.DNF: 0, Status.DSQ: 1, Status.DNS: 2}
    unranked = sorted(
        (status_order.get(line.status, len(status_order)), -r, heat_index, line_index, line.bib)
        for r, heat_index, line_index, line in last.values()
        if line.rank is None
    )
    out += [_classified(last[bib][3], None) for *_, bib in unranked]
    return out


def _classified(line: ResultLine, rank: int | None) -> ResultLine:
    return ResultLine(
        rank=rank, bib=line.bib, name=line.name, nation=line.nation, status=line.status
    )


def _plan(fmt: Format, entrants: int) -> Competition:
    names = [spec.name for spec in fmt.rounds]
    if len(set(names)) != len(names):
        raise ValueError(f"keirin format {fmt.name}: two rounds have the same name")
    incoming: dict[str, int] = defaultdict(int)
    feeders: dict[str, list[str]] = defaultdict(list)
    incoming[names[0]] = entrants
    planned: list[PlannedRound] = []
    for index, spec in enumerate(fmt.rounds):
        riders = incoming[spec.name]
        if index > 0 and not feeders[spec.name]:
            raise ValueError(f"keirin format {fmt.name}: no round leads to {spec.name!r}")
        if (spec.first_place is None) == (not spec.routes):
            raise ValueError(
                f"keirin format {fmt.name}: {spec.name!r} must be a final (first place, one heat, "
                "no routes) or route its riders on"
            )
        if spec.first_place is not None and spec.heats != 1:
            raise ValueError(
                f"keirin format {fmt.name}: final {spec.name!r} has {spec.heats} heats"
            )
        if not 0 < spec.heats <= riders:
            raise ValueError(
                f"keirin format {fmt.name}: {riders} riders cannot fill "
                f"{spec.heats} heats of {spec.name!r}"
            )
        sizes = tuple(len(heat) for heat in snake(range(riders), spec.heats))
        if max(sizes) > MAX_HEAT_RIDERS:
            raise ValueError(
                f"keirin format {fmt.name}: {entrants} entrants put {max(sizes)} riders in a heat "
                f"of {spec.name!r} (at most {MAX_HEAT_RIDERS})"
            )
        _check_routes(fmt, spec, names[index + 1 :])
        by_place = 0
        for route in spec.routes:
            if route.places is not None:
                first, last = route.places
                count = sum(max(0, min(last, size) - first + 1) for size in sizes)
                by_place += count
                incoming[route.to] += count
                feeders[route.to].append(spec.name)
        for route in spec.routes:
            if route.places is None:
                incoming[route.to] += riders - by_place
                feeders[route.to].append(spec.name)
        planned.append(
            PlannedRound(
                name=spec.name,
                heats=spec.heats,
                routes=spec.routes,
                first_place=spec.first_place,
                riders=riders,
                heat_sizes=sizes,
                feeders=tuple(dict.fromkeys(feeders[spec.name])),
            )
        )
    _check_finals(fmt, planned)
    return Competition(entrants=entrants, format=fmt.name, rounds=tuple(planned))


def _check_routes(fmt: Format, spec: RoundSpec, later: Sequence[str]) -> None:
    taken: set[int] = set()
    for route in spec.routes:
        if route.to not in later:
            raise ValueError(
                f"keirin format {fmt.name}: {spec.name!r} routes to {route.to!r}, not a later round"
            )
        if route.places is None:
            continue
        first, last = route.places
        places = set(range(first, last + 1))
        if first < 1 or not places or places & taken:
            raise ValueError(
                f"keirin format {fmt.name}: bad or overlapping places in {spec.name!r}"
            )
        taken |= places
    if sum(route.places is None for route in spec.routes) > 1:
        raise ValueError(f"keirin format {fmt.name}: {spec.name!r} routes the rest twice")


def _check_finals(fmt: Format, planned: Sequence[PlannedRound]) -> None:
    finals = sorted(
        (r for r in planned if r.first_place is not None), key=lambda r: r.first_place or 0
    )
    for final, following in pairwise(finals):
        if (final.first_place or 0) + final.riders > (following.first_place or 0):
            raise ValueError(
                f"keirin format {fmt.name}: {final.name!r} has {final.riders} riders, "
                f"overlapping the places of {following.name!r}"
            )


# A rider routed to a round, with the key that seeds them there.
_Seed = tuple[tuple[int, int, int, int], int]


def _routed(
    competition: Competition, results: Mapping[str, Sequence[HeatResult]]
) -> dict[str, list[_Seed]]:
    """Riders each round receives from the ridden rounds; checks the ridden rounds on the way."""
    routed: dict[str, list[_Seed]] = defaultdict(list)
    known = {r.name for r in competition.rounds}
    if unknown := set(results) - known:
        raise ValueError(f"keirin: results for rounds not in the competition: {sorted(unknown)}")
    for round_index, planned in enumerate(competition.rounds):
        heats = results.get(planned.name)
        if heats is None:
            continue
        if missing := [f for f in planned.feeders if f not in results]:
            raise ValueError(f"keirin: {planned.name!r} has results but {missing} has none")
        if len(heats) != planned.heats:
            raise ValueError(
                f"keirin: {planned.name!r} has {len(heats)} heats, the plan {planned.heats}"
            )
        bibs = [line.bib for heat in heats for line in heat.lines]
        if len(set(bibs)) != len(bibs):
            raise ValueError(f"keirin: a rider rides twice in {planned.name!r}")
        if round_index == 0:
            if len(bibs) != competition.entrants:
                raise ValueError(
                    f"keirin: {planned.name!r} has {len(bibs)} riders, "
                    f"the competition {competition.entrants}"
                )
        elif set(bibs) != {bib for _, bib in routed[planned.name]}:
            expected = sorted(bib for _, bib in routed[planned.name])
            raise ValueError(
                f"keirin: {planned.name!r} holds {sorted(bibs)}, "
                f"the previous rounds sent {expected}"
            )
        for heat_index, heat in enumerate(heats):
            for to, seed in _route_heat(planned, round_index, heat_index, heat):
                routed[to].append(seed)
    return routed


def _route_heat(
    planned: PlannedRound, round_index: int, heat_index: int, heat: HeatResult
) -> list[tuple[str, _Seed]]:
    out: list[tuple[str, _Seed]] = []
    ranked = [line for line in heat.lines if line.rank is not None]
    # A place is the line's rank: a commissaire may leave places empty (a rider put 6th behind
    # two DNF riders is 6th). A dead heat for place p of k riders holds places p to p + k - 1.
    sharing = Counter(line.rank for line in ranked)
    routed: set[int] = set()
    for line in ranked:
        assert line.rank is not None
        held_to = line.rank + sharing[line.rank] - 1
        for route in planned.routes:
            if route.places is None:
                continue
            first, last = route.places
            if (first <= line.rank <= last) != (first <= held_to <= last):
                raise ValueError(
                    f"keirin: a dead heat for place {line.rank} in {planned.name!r} heat "
                    f"{heat_index + 1} straddles a qualifying place: a commissaire must order "
                    "the riders"
                )
            if first <= line.rank <= last:
                out.append((route.to, ((round_index, 0, line.rank, heat_index), line.bib)))
                routed.add(line.bib)
    for route in planned.routes:
        if route.places is not None:
            continue
        for index, line in enumerate(heat.lines):
            if line.bib in routed or line.status in (Status.DSQ, Status.DNS):
                continue
            # Ranked lines come first in a heat, so index + 1 is the position of a placed rider.
            placed = 0 if line.rank is not None else 1
            out.append((route.to, ((round_index, placed, index + 1, heat_index), line.bib)))
    return out


def _seeded(seeds: Sequence[_Seed]) -> list[int]:
    return [bib for _, bib in sorted(seeds)]
