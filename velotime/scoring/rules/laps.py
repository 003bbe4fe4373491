"""The lap counter of a bunch race: each rider's laps from the timing loops, the lap board the
officials run, and the lap gains and losses proposed to the commissaires.

Pure: crossings, commands and times in (integer microseconds, venue clock), counts out; no I/O,
no clock. The scorer of each bunch race (velotime.scoring.disciplines) feeds it one crossing at
a time as they come, and the desk's commands at their place among them.

**Laps from the loops (3.2.017 ter).** A rider's laps are their passages of the finish line.
The other loops keep the count right when the finish loop misses a read: the loops lie at
known places around the lap (the 200 m line 200 m before the finish, so 50 m after it on a
250 m track; the 100 m line 150 m after it), and a rider goes round in one direction, so a
rider read at the 200 m line twice, or at the 100 m line and then at the 200 m line, without a
finish read in between, has passed the finish line unread: a missed read, not a lap the less.
Its time is estimated from the two reads around it, in proportion to the distance (good for the
bunch, not for a placing: a finish so estimated is flagged "photo required" by the rules). A
read that would mean riding faster than `max_speed_mps` since the rider's previous read (a
double read of one loop, 0.3 s apart) is dropped and counted. Limit: a rider read by no loop
for a whole lap is a lap short; the commissaires set their laps (`set_laps`).

**Neutral laps and the flying start (3.2.120, 3.2.177).** Laps count from the flying start, the
desk's `start` as the bunch takes it: each rider's first passage from `start_window_us` before
it is their lap 0, so that a start sent a moment late still counts the riders who crossed the
line just before it; the neutral lap before it is not counted.

**A race neutralised (3.2.020 bis, 3.2.131).** `neutralise(t, n)`: each rider's next `n`
passages from `t` are ridden, not counted; the board stays where it was.

**Corrections.** `set_laps(bib, n, t)`: the rider had `n` laps at `t`; their passages after
`t` add to it (a rider back from a neutralisation after a fall, a lap the loops missed), and
their count before `t` runs back from it.

**Out of the count.** Riders who abandon or are taken off (DNF, DSQ, DNS: `out_of_count`) lead
nothing, make no bunch and get no proposal.

**The board (3.2.017 bis, ter).** The leader's laps are the most laps ridden by a rider in the
count, less their lap changes (confirmed or still proposed): a rider who gained a lap rides
with the bunch, on the bunch's lap. Laps to go are the distance less that; the bell rings when
one lap is to go (the lap before the last); the race is over when the leader has ridden the
distance, and the board stays there (a cool-down lap is no lap of the race). The board
follows the leader on the road: a rider off the front takes it to their lap as they cross the
line, and a rider nearly a lap up keeps it there until their lap gain is proposed (about 6 s
after they reach the back of the bunch), when it goes back to the bunch's lap.

**The main bunch, and lap changes (3.2.017 quater).** The finish-line passages, in time order
(held `hold_us` so that a passage estimated from a later read takes its place), form groups: a
passage within `group_gap_us` of the previous one joins its group. A group is judged when
closed: once the reads (of any loop) say that no passage still held can join it. A group is the
main bunch when it has at least `min_bunch` riders and more than any other group that crossed
the line in the lap before it (its riders' lap time), counting in those only the riders not in
it (each rider is somewhere on the track once). The bunch's lap is the lap most of its riders
are on (laps less lap changes); with no such single lap there is no main bunch to judge from. A
rider in the main bunch a lap ahead of it has reached its back from a lap up: a lap gained,
proposed +1; a lap behind it, the bunch has caught them: a lap lost, proposed -1. Proposals are
only proposals: the commissaires decide (`confirm`, which also takes a change nobody proposed:
3.2.017 quater gives them the decision) or set one aside (`dismiss`: the rider is then taken as
on the bunch's lap, so it is not proposed again). Only confirmed changes (`LapChange`) reach
the rules of a race.

Each passage costs a few bisections into the rider's own passages, and each group a look at
the groups of one lap: the cost of a passage does not grow with the race.
"""

import heapq
from bisect import bisect_left, bisect_right
from collections import Counter, deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from velotime.scoring.rules.bunch import LapChange


@dataclass(frozen=True)
class LapSettings:
    track_length_m: float = 250.0
    # 90 km/h: no rider is faster between two reads (the shortest plausible lap: 10 s on a
    # 250 m track); a read that says so is a double read.
    max_speed_mps: float = 25.0
    start_window_us: int = 5_000_000  # a `start` this late still counts the bunch's passage
    group_gap_us: int = 1_000_000  # a passage this close to the previous one is in its group
    hold_us: int = 5_000_000  # a passage estimated from a later read comes this late at most
    min_bunch: int = 3


class LapProposal(NamedTuple):
    """A lap gained (+1) or lost (-1) as the loops see it, for the commissaires: `lap` is the
    main bunch's lap when it was judged, `t_us` its passage of the line."""

    bib: int
    change: int
    lap: int
    t_us: int


class LapBoard(NamedTuple):
    distance: int  # the race's distance in laps
    started: bool  # the flying start was given
    leader_laps: int  # laps completed by the leader of the race (laps gained not counted)
    laps_to_go: int
    bell: bool  # one lap to go
    finished: bool
    neutralised: int  # laps of a neutralisation still to ride (0: racing)


@dataclass
class _Rider:
    position_m: float | None = None  # where the rider was last read, metres after the finish
    read_us: int = 0  # when
    passages: list[int] = field(default_factory=list)  # finish-line passages, in time order
    estimated: list[bool] = field(default_factory=list)  # ... estimated from the other loops
    missed_reads: int = 0  # passages estimated
    double_reads: int = 0


class _Group(NamedTuple):
    first_us: int
    last_us: int
    members: list[tuple[int, int]]  # (bib, passage)


class LapCounter:
    def __init__(
        self, bibs: Iterable[int], distance: int, settings: LapSettings | None = None
    ) -> None:
        self.settings = settings or LapSettings()
        self.distance = distance
        self._riders = {bib: _Rider() for bib in bibs}
        self.out_of_count: Collection[int] = frozenset()
        self.start_us: int | None = None
        self._neutralised: list[tuple[int, int]] = []  # (from, laps)
        self._corrections: dict[int, tuple[int, int]] = {}  # bib -> (at, laps)
        self.proposals: list[LapProposal] = []  # awaiting the commissaires
        self.confirmed: list[LapChange] = []
        self._net: Counter[int] = Counter()  # bib -> lap changes confirmed, proposed, set aside
        self._latest_us = 0
        self._held: list[tuple[int, int]] = []  # heap of (passage, bib) not yet grouped
        self._open: _Group | None = None
        self._groups: deque[_Group] = deque()  # closed groups of the last minute or so
        self.late_passages = 0  # released after `hold_us`: grouped out of time order

    # -- evidence ---------------------------------------------------------------------------

    def crossing(self, bib: int, distance_to_finish_m: float, t_us: int) -> None:
        """A read of the rider at the loop `distance_to_finish_m` before the finish line
        (0, 100, 200): a lap at the finish line, read or made good (3.2.017 ter: the laps the
        board shows). Riders not counted here (another race's) are ignored."""
        rider = self._riders.get(bib)
        if rider is None:
            return
        length = self.settings.track_length_m
        position = (length - distance_to_finish_m) % length
        self._latest_us = max(self._latest_us, t_us)
        previous = rider.position_m
        if previous is None:
            rider.position_m, rider.read_us = position, t_us
            if position == 0:
                self._passage(bib, rider, t_us, estimated=False)
            self._release()
            return
        ahead_m = (position - previous) % length or length  # the same loop again: a lap on
        elapsed = t_us - rider.read_us
        if ahead_m * 1_000_000 > self.settings.max_speed_mps * elapsed:
            rider.double_reads += 1  # faster than anyone rides: read twice
            return
        if position == 0:
            self._passage(bib, rider, t_us, estimated=False)
        elif position <= previous:  # round past the finish line, unread
            passed_us = rider.read_us + round(elapsed * (length - previous) / ahead_m)
            self._passage(bib, rider, passed_us, estimated=True)
        rider.position_m, rider.read_us = position, t_us
        self._release()

    def _passage(self, bib: int, rider: _Rider, t_us: int, *, estimated: bool) -> None:
        rider.passages.append(t_us)
        rider.estimated.append(estimated)
        rider.missed_reads += estimated
        heapq.heappush(self._held, (t_us, bib))

    # -- the desk's word --------------------------------------------------------------------

    def start(self, t_us: int) -> None:
        """The flying start (3.2.120, 3.2.177: after a neutral lap; a later one replaces
        it)."""
        self.start_us = t_us

    def neutralise(self, t_us: int, laps: int) -> None:
        """The race is neutralised from `t_us` for `laps` laps: ridden, not counted (3.2.020
        bis, 3.2.131)."""
        self._neutralised.append((t_us, laps))

    def set_laps(self, bib: int, laps: int, t_us: int) -> None:
        """The rider had `laps` laps at `t_us`: the commissaires' count (3.2.017 quater: the
        engine takes their word as a manual input)."""
        if bib in self._riders:
            self._corrections[bib] = (t_us, laps)

    def confirm(self, bib: int, change: int) -> LapChange:
        """The commissaires' lap change (3.2.017 quater, the decision theirs): the proposal it
        confirms (at its lap), or their own (at the leader's lap now)."""
        for proposal in self.proposals:
            if proposal.bib == bib and proposal.change == change:
                self.proposals.remove(proposal)
                confirmed = LapChange(bib=bib, change=change, lap=proposal.lap)
                break
        else:
            confirmed = LapChange(bib=bib, change=change, lap=self.board().leader_laps)
            self._net[bib] += change
        self.confirmed.append(confirmed)
        return confirmed

    def dismiss(self, bib: int, change: int) -> bool:
        """Sets a proposal aside (3.2.017 quater: the commissaires judge the groups; the rider
        stays on the bunch's lap); False if none."""
        for proposal in self.proposals:
            if proposal.bib == bib and proposal.change == change:
                self.proposals.remove(proposal)
                return True
        return False

    # -- what it makes of it ----------------------------------------------------------------

    def laps(self, bib: int, at_us: int | None = None) -> int:
        """The rider's laps counted (ridden since the flying start, less neutralised laps,
        with the commissaires' count), at `at_us` or now."""
        rider = self._riders[bib]
        passages = rider.passages
        done = len(passages) if at_us is None else bisect_right(passages, at_us)
        laps = self._counted(passages, done)
        correction = self._corrections.get(bib)
        if correction is not None:
            # The count runs from the commissaires' (back to before it too: the loops cannot
            # say where they lost a lap, and a bunch judged late needs the count of its time).
            corrected_at, corrected_laps = correction
            laps = (
                corrected_laps
                + laps
                - self._counted(passages, bisect_right(passages, corrected_at))
            )
        return max(0, laps)

    def _counted(self, passages: list[int], done: int) -> int:
        start = self.start_us
        if start is None:
            return 0  # neutral until the flying start
        laps = done - bisect_left(passages, start - self.settings.start_window_us) - 1
        for neutral_from, neutral_laps in self._neutralised:
            if neutral_from >= start:
                laps -= max(0, min(neutral_laps, done - bisect_right(passages, neutral_from)))
        return laps

    def race_laps(self, bib: int) -> int:
        """The rider's laps less their lap changes (confirmed, proposed or set aside): the lap
        of the race they are on."""
        return self.laps(bib) - self._net[bib]

    def gained(self, bib: int) -> int:
        """The rider's confirmed lap changes, net: +1 a lap up, -1 a lap down."""
        return sum(change.change for change in self.confirmed if change.bib == bib)

    def counted(self) -> list[int]:
        return [bib for bib in self._riders if bib not in self.out_of_count]

    def board(self) -> LapBoard:
        """The lap board (3.2.017 bis: the bell; ter: the distance remaining; module
        docstring)."""
        # The board stops at the distance: a cool-down lap is no lap of the race.
        leader = min(self.distance, max((self.race_laps(b) for b in self.counted()), default=0))
        to_go = max(0, self.distance - leader)
        neutralised = 0
        if self.start_us is not None:
            for neutral_from, neutral_laps in self._neutralised:
                if neutral_from >= self.start_us:
                    # Over when the first rider has ridden its laps.
                    done = max(
                        (self._passages_after(bib, neutral_from) for bib in self.counted()),
                        default=0,
                    )
                    neutralised = max(neutralised, neutral_laps - done)
        return LapBoard(
            distance=self.distance,
            started=self.start_us is not None,
            leader_laps=leader,
            laps_to_go=to_go,
            bell=self.start_us is not None and to_go == 1,
            finished=self.start_us is not None and to_go == 0,
            neutralised=neutralised,
        )

    def _passages_after(self, bib: int, t_us: int) -> int:
        passages = self._riders[bib].passages
        return len(passages) - bisect_right(passages, t_us)

    def finish(self) -> dict[int, tuple[int, bool]]:
        """Each rider's passage of the line at the finish (3.2.178: the order across the line),
        and whether it was estimated: the first from the moment the leader completed the
        distance (their passage making `distance` race laps); empty before. Riders with no
        passage since are not in it."""
        finish_us: int | None = None
        for bib in self.counted():
            target = self.distance + self._net[bib]
            passages = self._riders[bib].passages
            i = len(passages)  # back from the latest: only the laps after the finish are looked at
            while i > 0 and self.laps(bib, passages[i - 1]) >= target:
                i -= 1
            if i < len(passages) and (finish_us is None or passages[i] < finish_us):
                finish_us = passages[i]
        if finish_us is None:
            return {}
        out: dict[int, tuple[int, bool]] = {}
        for bib in self.counted():
            rider = self._riders[bib]
            i = bisect_left(rider.passages, finish_us)
            if i < len(rider.passages):
                out[bib] = (rider.passages[i], rider.estimated[i])
        return out

    def passages(self, bib: int) -> tuple[Sequence[int], Sequence[bool]]:
        """The rider's finish-line passages in time order (only ever added to), and whether
        each was estimated from the other loops (a sprint is judged on the reads only)."""
        rider = self._riders[bib]
        return rider.passages, rider.estimated

    def latest_passage(self, bib: int) -> int | None:
        passages = self._riders[bib].passages
        return passages[-1] if passages else None

    def problems(self) -> list[str]:
        """What the loops got wrong and the counter made good, rider by rider."""
        out = []
        for bib, rider in self._riders.items():
            if rider.double_reads:
                out.append(f"bib {bib}: {rider.double_reads} double read(s) dropped")
            if rider.missed_reads:
                out.append(
                    f"bib {bib}: {rider.missed_reads} finish-line read(s) missed, recovered "
                    "from the other loops"
                )
        return out

    # -- the main bunch ----------------------------------------------------------------------

    def _release(self) -> None:
        """Groups the passages held long enough to be in time order."""
        held = self._held
        released_to = self._latest_us - self.settings.hold_us
        while held and held[0][0] <= released_to:
            t_us, bib = heapq.heappop(held)
            self._group(bib, t_us)
        group = self._open
        if group is not None and group.last_us + self.settings.group_gap_us < released_to:
            self._close(group)  # no passage still held can join it
            self._open = None

    def _group(self, bib: int, t_us: int) -> None:
        group = self._open
        if group is not None and t_us < group.last_us:
            self.late_passages += 1
        if group is not None and t_us - group.last_us <= self.settings.group_gap_us:
            group.members.append((bib, t_us))
            self._open = group._replace(last_us=max(group.last_us, t_us))
            return
        if group is not None:
            self._close(group)
        self._open = _Group(t_us, t_us, [(bib, t_us)])

    def _close(self, group: _Group) -> None:
        groups = self._groups
        while groups and groups[0].last_us < group.first_us - 120_000_000:
            groups.popleft()  # two minutes: longer than any lap
        self._judge(group)
        groups.append(group)

    def _judge(self, group: _Group) -> None:
        """Proposals from the group if it is the main bunch (module docstring)."""
        start = self.start_us
        if start is None or group.first_us <= start or self.board().finished:
            return
        members = [(bib, t) for bib, t in group.members if bib not in self.out_of_count]
        if len(members) < self.settings.min_bunch:
            return
        lap_us = self._lap_us(members[0])
        if lap_us is None:
            return
        inside = {bib for bib, _ in members}
        for other in self._groups:
            if other.last_us <= group.first_us - lap_us:
                continue
            others = {bib for bib, _ in other.members if bib not in inside}
            others -= set(self.out_of_count)
            if len(others) >= len(inside):
                return  # not the largest group on the track
        race_laps = {bib: self.laps(bib, t) - self._net[bib] for bib, t in members}
        (lap, most), (_, second) = [*Counter(race_laps.values()).most_common(2), (0, 0)][:2]
        if second == most:
            return  # no single lap the bunch is on
        for bib, t_us in members:
            difference = race_laps[bib] - lap
            if difference:
                change = 1 if difference > 0 else -1
                self.proposals.append(LapProposal(bib=bib, change=change, lap=lap, t_us=t_us))
                self._net[bib] += change

    def _lap_us(self, member: tuple[int, int]) -> int | None:
        """The lap time of the bunch, from its first rider's latest lap."""
        bib, t_us = member
        passages = self._riders[bib].passages
        i = bisect_left(passages, t_us)
        if i == 0:
            return None
        lap_us = t_us - passages[i - 1]
        minimum = self.settings.track_length_m / self.settings.max_speed_mps * 1_000_000
        return lap_us if lap_us >= minimum else None
