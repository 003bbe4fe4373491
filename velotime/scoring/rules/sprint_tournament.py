"""A sprint tournament from the qualifying ranking to the finals (uci-rules.md §2.3,
3.2.029-3.2.050).

A `Format` is a table: rounds in riding order, each a list of heats ("matches"), each heat a
tuple of *slots*. The built-in tables are those of uci-rules.md §2.3 (rebuilt there from
metarace and the formats raced): they are data, and a meet can pass its own. A slot names
where a rider comes from:

- ``"q5"``: the 5th of the qualifying ranking (the flying 200 m);
- ``"1/16:3"``: the winner of heat 3 of round ``1/16``;
- ``"1/16:3:2"``: the rider placed 2nd in heat 3 of ``1/16`` (the loser of a match, or 2nd of
  a repechage of three).

The brackets are filled **by slot**, as the rules' tables are (uci-rules.md §2.3): the winner of
the heat that holds seed k takes slot k of the next round; winners are not re-seeded.

A heat is a match of two riders (three or four in a repechage or a race for places), ridden
**best of one** or **best of three** (from the quarter-finals): races 1 and 2, and the decider,
race 3, only when the first two leave the riders 1-1. The riders swap positions for race 2
(3.2.037); the decider's positions are drawn by the commissaires, not here.

Conventions this module picks, where the rules are silent:

- **A race's winner** is the first of its official order (`HeatResult.order`: a relegated rider
  is ranked after the opponent, so relegation gives the race to the opponent; a DNS or DNF
  rider is not ranked, so the opponent wins by walk-over). A race whose order is empty (nobody
  finished) or whose first place is a dead heat has no winner: a commissaire decides (a place
  correction), or the race is ridden again (`abandon`). The match waits meanwhile.
- **A heat's places**: a best-of-three match's winner is the rider with two races, the other is
  2nd; a one-race heat's places are its race's order, then its riders not ranked (DNF, DNS) in
  start-list order (a walk-over loses, and goes on to the repechage where there is one). A rider
  disqualified (DSQ) in any race of a heat leaves the tournament: no place, unranked at the foot;
  a match left with one rider is theirs without another race, and the slot a disqualified
  rider would have filled stays empty (the next heat is ridden by the others).
- **Who is out**: a rider whose place in a heat no later slot takes. Riders out are classified
  after the finals' places, by the round they went out in (later rounds first), then by
  qualifying rank, which is their 200 m time (uci-rules.md §2.3: "ranked by 200 m time").
  Rounds with a `first_place` (finals, the race for places 5-8) place their riders from it.
- **Repechages** are filled by serpentine from the losers in qualifying order: the best loser
  to repechage 1, ... (the Olympic table's split is not given by the text).
"""

import re
from collections.abc import Mapping, Sequence

import msgspec

from velotime.wire.results import ResultLine, Status

MAX_HEAT_RIDERS = 4  # uci-rules.md §2.3: two to four riders race

# A slot: "q5", "1/8:3" (winner of heat 3), "1/8:3:2" (2nd of heat 3).
_SLOT = re.compile(
    r"q(?P<seed>[1-9][0-9]*)|(?P<round>[^:]+):(?P<heat>[1-9][0-9]*)(?::(?P<place>[1-9][0-9]*))?"
)


class UnsupportedQualifiersError(ValueError):
    """No tournament table covers this number of qualifiers."""


class RoundSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A round: its heats, each a tuple of slots (module docstring), ridden best of 1 or 3; a
    round with `first_place` classifies its riders from that place (a final)."""

    name: str
    heats: tuple[tuple[str, ...], ...]
    best_of: int = 1
    first_place: int | None = None


class Format(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    qualifiers: int
    rounds: tuple[RoundSpec, ...]  # in riding order


class Slot(msgspec.Struct, frozen=True):
    """Where a rider comes from: a qualifying rank (`round` empty) or a place of a heat."""

    round: str
    heat: int  # the qualifying rank when `round` is empty
    place: int = 1


def parse_slot(text: str) -> Slot:
    match = _SLOT.fullmatch(text)
    if match is None:
        raise ValueError(
            f"sprint: slot {text!r} is not 'q<rank>', '<round>:<heat>' or '<round>:<heat>:<place>'"
        )
    if match["seed"]:
        return Slot("", int(match["seed"]))
    return Slot(match["round"], int(match["heat"]), int(match["place"] or 1))


# -- the built-in tables ------------------------------------------------------------------------


def _winners(round_name: str, heats: int) -> list[str]:
    return [f"{round_name}:{heat}" for heat in range(1, heats + 1)]


def _fold(slots: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Slot 1 against the last, 2 against the last but one, ... (1v16, 2v15, ...)."""
    half = len(slots) // 2
    return tuple((slots[i], slots[-1 - i]) for i in range(half))


def _snake(slots: Sequence[str], heats: int) -> tuple[tuple[str, ...], ...]:
    out: list[list[str]] = [[] for _ in range(heats)]
    for i, slot in enumerate(slots):
        row, column = divmod(i, heats)
        out[column if row % 2 == 0 else heats - 1 - column].append(slot)
    return tuple(tuple(heat) for heat in out)


def _semis_and_finals(quarter_winners: Sequence[str]) -> tuple[RoundSpec, ...]:
    return (
        RoundSpec(name="1/2", heats=_fold(quarter_winners), best_of=3),
        RoundSpec(name="bronze final", heats=(("1/2:1:2", "1/2:2:2"),), best_of=3, first_place=3),
        RoundSpec(name="final", heats=(("1/2:1", "1/2:2"),), best_of=3, first_place=1),
    )


def knockout(qualifiers: int) -> Format:
    """A knockout for 4 to 32 qualifiers, as the Worlds table (3.2.050) and the minimal
    competition (3.2.031): a bracket of B = 4, 8, 16 or 32 slots, the largest not above the
    qualifiers; the 2 (N - B) last qualifiers ride a first round (B+1-k v k... 5v28 for 28), the
    best have a bye. Best of three from the quarter-finals."""
    if not 4 <= qualifiers <= 32:
        raise UnsupportedQualifiersError(
            f"sprint: a knockout takes 4 to 32 qualifiers, not {qualifiers}"
        )
    bracket = 1 << (qualifiers.bit_length() - 1)
    rounds: list[RoundSpec] = []
    slots = [f"q{k}" for k in range(1, bracket + 1)]
    byes = bracket - (qualifiers - bracket)
    if qualifiers > bracket:
        name = f"1/{bracket}"
        first = [f"q{k}" for k in range(byes + 1, qualifiers + 1)]
        rounds.append(RoundSpec(name=name, heats=_fold(first)))
        # The winner of the heat holding seed k takes slot k.
        slots = slots[:byes] + _winners(name, qualifiers - bracket)
    size = bracket
    while size > 4:
        name = f"1/{size // 2}"
        rounds.append(RoundSpec(name=name, heats=_fold(slots), best_of=3 if size <= 8 else 1))
        slots = _winners(name, size // 2)
        size //= 2
    rounds += _semis_and_finals(slots)
    return Format(name=f"knockout {qualifiers}", qualifiers=qualifiers, rounds=tuple(rounds))


def _olympic_tail(eighths: Sequence[tuple[str, ...]]) -> list[RoundSpec]:
    """From the 1/8 finals (6 matches, 2 repechages of 3) to the finals."""
    quarter = [*_winners("1/8", 6), "1/8 repechage:1", "1/8 repechage:2"]
    return [
        RoundSpec(name="1/8", heats=tuple(eighths)),
        RoundSpec(name="1/8 repechage", heats=_snake([f"1/8:{h}:2" for h in range(1, 7)], 2)),
        # 1vR2, 2vR1, 3v6, 4v5
        RoundSpec(
            name="1/4",
            heats=(
                (quarter[0], quarter[7]),
                (quarter[1], quarter[6]),
                (quarter[2], quarter[5]),
                (quarter[3], quarter[4]),
            ),
            best_of=3,
        ),
        RoundSpec(
            name="race for places 5-8",
            heats=(tuple(f"1/4:{h}:2" for h in range(1, 5)),),
            first_place=5,
        ),
        *_semis_and_finals(_winners("1/4", 4)),
    ]


def _olympic_24() -> Format:
    # Losers of heat k of the 1/32 are seeds 25 - k: in qualifying order, heats 12 down to 1.
    losers_32 = [f"1/32:{h}:2" for h in range(12, 0, -1)]
    sixteenth = [*_winners("1/32", 12)]
    reps = [f"1/32 repechage:{r}" for r in range(1, 5)]
    losers_16 = [f"1/16:{h}:2" for h in range(1, 9)]
    eighth = [*_winners("1/16", 8)]
    reps_16 = [f"1/16 repechage:{r}" for r in range(1, 5)]
    return Format(
        name="Olympic 24",
        qualifiers=24,
        rounds=(
            RoundSpec(name="1/32", heats=_fold([f"q{k}" for k in range(1, 25)])),
            RoundSpec(name="1/32 repechage", heats=_snake(losers_32, 4)),
            # 1vR4, 2vR3, 3vR2, 4vR1, 5v12, 6v11, 7v10, 8v9
            RoundSpec(
                name="1/16",
                heats=tuple(zip(sixteenth[:4], reversed(reps), strict=True)) + _fold(sixteenth[4:]),
            ),
            RoundSpec(name="1/16 repechage", heats=_fold(losers_16)),
            *_olympic_tail(
                tuple(zip(eighth[:4], reversed(reps_16), strict=True)) + _fold(eighth[4:])
            ),
        ),
    )


def _olympic_18() -> Format:
    """London 2012: 18 qualifiers, 9 first-round races, 3 repechages of 3, 1/8 finals of 12."""
    losers = [f"1/16:{h}:2" for h in range(9, 0, -1)]  # heat k's loser is seed 19 - k
    firsts = _winners("1/16", 9)
    reps = [f"1/16 repechage:{r}" for r in range(1, 4)]
    # 1vR3, 2vR2, 3vR1, 4v9, 5v8, 6v7
    eighths = tuple(zip(firsts[:3], reversed(reps), strict=True)) + _fold(firsts[3:])
    return Format(
        name="Olympic 18",
        qualifiers=18,
        rounds=(
            RoundSpec(name="1/16", heats=_fold([f"q{k}" for k in range(1, 19)])),
            RoundSpec(name="1/16 repechage", heats=_snake(losers, 3)),
            *_olympic_tail(eighths),
        ),
    )


OLYMPIC_24 = _olympic_24()
OLYMPIC_18 = _olympic_18()
WORLDS_28 = knockout(28)


def table(qualifiers: int) -> Format:
    """The built-in table for this many qualifiers: the Olympic tables for 24 and 18, the
    knockout (the Worlds table for 28, the minimal competition for 8) otherwise."""
    for fmt in (OLYMPIC_24, OLYMPIC_18):
        if fmt.qualifiers == qualifiers:
            return fmt
    return knockout(qualifiers)


# -- a planned tournament -----------------------------------------------------------------------


class Tournament(msgspec.Struct, frozen=True, kw_only=True):
    """A checked table: `slots[round][heat]` parsed, `out[round][heat]` the places that no
    later slot takes (who goes out there)."""

    format: str
    qualifiers: int
    rounds: tuple[RoundSpec, ...]
    slots: dict[str, list[list[Slot]]]
    feeders: dict[str, tuple[str, ...]]  # the rounds each round's slots read

    def round(self, name: str) -> RoundSpec:
        for spec in self.rounds:
            if spec.name == name:
                return spec
        raise KeyError(f"sprint: no round {name!r} in the {self.format} table")


def plan(fmt: Format) -> Tournament:
    """The table checked: every qualifier and every place taken once, slots read from earlier
    rounds, heats of 2 to 4 riders, best of three only for matches of two."""
    where = f"sprint table {fmt.name}"
    names = [spec.name for spec in fmt.rounds]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: two rounds have the same name")
    if not fmt.rounds:
        raise ValueError(f"{where}: no rounds")
    slots: dict[str, list[list[Slot]]] = {}
    feeders: dict[str, tuple[str, ...]] = {}
    taken: set[Slot] = set()
    for spec in fmt.rounds:
        if ":" in spec.name or not spec.name:
            raise ValueError(f"{where}: a round's name is not empty and has no ':' ({spec.name!r})")
        if spec.best_of not in (1, 3):
            raise ValueError(f"{where}: {spec.name!r} is best of 1 or 3, not {spec.best_of}")
        if not spec.heats:
            raise ValueError(f"{where}: {spec.name!r} has no heats")
        if spec.first_place is not None and len(spec.heats) != 1:
            raise ValueError(
                f"{where}: {spec.name!r} places riders from {spec.first_place}: one heat"
            )
        parsed: list[list[Slot]] = []
        for h, heat in enumerate(spec.heats, 1):
            if not 2 <= len(heat) <= MAX_HEAT_RIDERS:
                raise ValueError(f"{where}: {spec.name!r} heat {h} has {len(heat)} riders (2 to 4)")
            if spec.best_of == 3 and len(heat) != 2:
                raise ValueError(
                    f"{where}: {spec.name!r} heat {h}: best of three is a match of two"
                )
            row = [parse_slot(text) for text in heat]
            for slot in row:
                _check_slot(where, spec.name, slot, fmt, slots)
                if slot in taken:
                    raise ValueError(f"{where}: {spec.name!r} takes {_slot_text(slot)} twice")
                taken.add(slot)
            parsed.append(row)
        slots[spec.name] = parsed
        feeders[spec.name] = tuple(dict.fromkeys(s.round for row in parsed for s in row if s.round))
    seeds = {slot.heat for slot in taken if not slot.round}
    if seeds != set(range(1, fmt.qualifiers + 1)):
        raise ValueError(f"{where}: the qualifiers 1 to {fmt.qualifiers} must each have a slot")
    return Tournament(
        format=fmt.name, qualifiers=fmt.qualifiers, rounds=fmt.rounds, slots=slots, feeders=feeders
    )


def _check_slot(
    where: str, round_name: str, slot: Slot, fmt: Format, earlier: Mapping[str, list[list[Slot]]]
) -> None:
    if not slot.round:
        if slot.heat > fmt.qualifiers:
            raise ValueError(f"{where}: {round_name!r} takes q{slot.heat} of {fmt.qualifiers}")
        return
    heats = earlier.get(slot.round)
    if heats is None:
        raise ValueError(f"{where}: {round_name!r} takes {_slot_text(slot)}, not an earlier round")
    if slot.heat > len(heats) or slot.place > len(heats[slot.heat - 1]):
        raise ValueError(f"{where}: {round_name!r} takes {_slot_text(slot)}, no such place")
    if fmt.rounds[[r.name for r in fmt.rounds].index(slot.round)].first_place is not None:
        raise ValueError(f"{where}: {round_name!r} takes {_slot_text(slot)}, from a final")


def _slot_text(slot: Slot) -> str:
    if not slot.round:
        return f"q{slot.heat}"
    return f"{slot.round}:{slot.heat}" + (f":{slot.place}" if slot.place != 1 else "")


# -- matches ------------------------------------------------------------------------------------


class Race(msgspec.Struct, frozen=True, kw_only=True):
    """A final race of a heat: its official order (the winner first) and its lines' statuses."""

    order: list[int]
    disqualified: frozenset[int] = frozenset()  # DSQ riders
    unranked: tuple[int, ...] = ()  # DNF, DNS riders, in start-list order
    dead_heat: bool = False  # the first two share the first place (the camera saw no difference)


class Match(msgspec.Struct, frozen=True, kw_only=True):
    """Where a heat stands: races won per rider (in start-list order), its places once decided,
    and the next race to ride (None once decided, or while a race has no winner)."""

    wins: list[int]
    places: list[int]  # bibs, the winner first; empty until decided
    out: list[int]  # disqualified riders, out of the tournament
    next_race: int | None
    problem: str = ""
    decided: bool = False


def match_state(riders: Sequence[int], races: Sequence[Race], best_of: int) -> Match:
    """The state of a heat of `riders` (start list) after its final `races`, in order."""
    wins = dict.fromkeys(riders, 0)
    out = [bib for bib in riders if any(bib in race.disqualified for race in races)]
    if len(riders) - len(out) <= 1:
        # A rider disqualified leaves the tournament: the other has no one left to ride
        # against (a heat drawn with one rider, the other slot empty, too).
        places = [bib for bib in riders if bib not in out]
        return Match(wins=[0] * len(riders), places=places, out=out, next_race=None, decided=True)
    for number, race in enumerate(races, 1):
        why = "a dead heat for the win" if race.dead_heat else "no winner" if not race.order else ""
        if why:
            problem = f"race {number}: {why}: a commissaire decides, or it is ridden again"
            return Match(
                wins=list(wins.values()), places=[], out=out, next_race=None, problem=problem
            )
        wins[race.order[0]] += 1
    needed = best_of // 2 + 1
    winner = next((bib for bib, won in wins.items() if won >= needed), None)
    if winner is None:
        return Match(wins=list(wins.values()), places=[], out=out, next_race=len(races) + 1)
    if best_of == 1:
        last = races[-1]
        places = [*last.order, *(b for b in last.unranked if b not in last.order)]
        places += [b for b in riders if b not in places]
    else:
        places = [winner, *(b for b in riders if b != winner)]
    return Match(
        wins=list(wins.values()),
        places=[b for b in places if b not in out],
        out=out,
        next_race=None,
        decided=True,
    )


def race_start_list(riders: Sequence[int], race: int) -> list[int]:
    """Race 2 swaps the positions of race 1 (3.2.037); races 1 and 3 are in the heat's order
    (the commissaires draw the positions)."""
    return list(reversed(riders)) if race == 2 else list(riders)


# -- drawing up rounds --------------------------------------------------------------------------

# A heat's places once decided, by round: decided[round][heat - 1] = bibs, the winner first.
Decided = Mapping[str, Sequence[Sequence[int]]]


def draw(
    tournament: Tournament, qualifiers: Sequence[int], decided: Decided
) -> dict[str, list[list[int]]]:
    """The start lists (a heat's riders, in slot order) of every round not yet in `decided`
    whose feeding rounds all are. A slot whose rider left the tournament (disqualified) stays
    empty: the heat is ridden by the others."""
    if len(qualifiers) != tournament.qualifiers:
        raise ValueError(
            f"sprint: {len(qualifiers)} qualifiers for a table of {tournament.qualifiers}"
        )
    if len(set(qualifiers)) != len(qualifiers):
        raise ValueError("sprint: a bib appears twice among the qualifiers")
    out: dict[str, list[list[int]]] = {}
    for spec in tournament.rounds:
        if spec.name in decided or not all(f in decided for f in tournament.feeders[spec.name]):
            continue
        heats = []
        for row in tournament.slots[spec.name]:
            bibs = [_rider(slot, qualifiers, decided) for slot in row]
            heats.append([bib for bib in bibs if bib is not None])
        out[spec.name] = heats
    return out


def _rider(slot: Slot, qualifiers: Sequence[int], decided: Decided) -> int | None:
    if not slot.round:
        return qualifiers[slot.heat - 1]
    places = decided[slot.round][slot.heat - 1]
    return places[slot.place - 1] if slot.place <= len(places) else None


def classify(
    tournament: Tournament,
    qualifiers: Sequence[int],
    decided: Decided,
    disqualified: Sequence[int] = (),
) -> list[ResultLine]:
    """The final classification of a tournament whose every round is decided (module
    docstring): the finals' places, then riders out by round (later first) and qualifying rank,
    then the disqualified, unranked."""
    if missing := [r.name for r in tournament.rounds if r.name not in decided]:
        raise ValueError(f"sprint: the tournament is not over: {missing} not decided")
    seed = {bib: rank for rank, bib in enumerate(qualifiers, 1)}
    lines: list[ResultLine] = []
    placed: set[int] = set(disqualified)
    finals = sorted(
        (spec for spec in tournament.rounds if spec.first_place is not None),
        key=lambda spec: spec.first_place or 0,
    )
    for spec in finals:
        assert spec.first_place is not None
        for i, bib in enumerate(decided[spec.name][0]):
            lines.append(ResultLine(rank=spec.first_place + i, bib=bib))
            placed.add(bib)
    next_rank = max((line.rank or 0 for line in lines), default=0) + 1
    taken = {
        (s.round, s.heat, s.place)
        for rows in tournament.slots.values()
        for row in rows
        for s in row
    }
    for spec in reversed(tournament.rounds):
        if spec.first_place is not None:
            continue
        gone = [
            bib
            for h, places in enumerate(decided[spec.name], 1)
            for p, bib in enumerate(places, 1)
            if (spec.name, h, p) not in taken and bib not in placed
        ]
        for bib in sorted(gone, key=lambda b: seed[b]):
            lines.append(ResultLine(rank=next_rank, bib=bib))
            next_rank += 1
            placed.add(bib)
    lines += [ResultLine(rank=None, bib=bib, status=Status.DSQ) for bib in disqualified]
    return lines
