"""Judging one sprint of a bunch race (uci-rules.md §2.6-2.10, §2.13) from what the devices
say: the finish-line loop's crossings and the photo-finish camera's placings in; the sprint as
`rules.bunch.Sprint` out, a proposal, with what the judges must look at. The judges confirm or
correct it (`judges_placings`); the race's rules take only what they stood by (bunch.py).

**What a sprint decides** (`Judged`): the first 4 places in a points race or a Madison (5-3-2-1,
§2.6, §2.13), the first in a tempo race (§2.9), the last rider, by the rear wheel, at an
elimination (3.2.223), the first two of the elimination's last two, by the front wheel
(3.2.224), and every place across the line at the end of a scratch race (3.2.178) and at the
final sprint of a points race, a tempo race or a Madison (`FINAL_SPRINT`): its points go to the
scoring places only (`rules.points_race.sprint_points`), and its order across the line ranks
every rider level on points, on none included (3.2.119, 3.2.252, §2.9, §2.13). Placings run
from first; a dead heat shares its place and the next ones are skipped (§2.6). A from-last
sprint's placings are its bottom places, in order, the last one last.

**Who contests** (§2.6, 3.2.017 quater): the riders on the sprint's lap. `lap` is the sprint's
lap as the lap board counts it (the main field's laps completed at this line); `standing` is
each rider's laps up (+) or down (-) on the field as the commissaires confirmed them before this
sprint; each crossing carries the rider's laps completed with it, as the lap counter counts them
(`Crossing.laps`: this module counts no laps). A rider contests with the crossing that
completes lap `lap + standing`, their first such. A rider who gained a lap and rides in the bunch
contests, and so does one who lost a lap earlier and rides in it. A rider about to be caught,
ahead of the bunch on the road but almost a lap behind it, crosses on an earlier lap: he is not
in the sprint and cannot be "first" (his lap loss comes when the bunch catches him, after the
sprint). A chaser about to gain a lap completed the sprint's lap long before the bunch: he leads
it, and takes the sprint and, once confirmed, the lap (3.2.125). With the gain already in
`standing` he is placed where he crosses in the bunch instead; which 3.2.125 means is the
commissaires' call, and they correct the proposal. For the Madison the caller passes the
crossings of the partner in the race under the team's number.

**Evidence, in order of authority**: the judges (`judges_placings`), then the camera, then the
loops.

- The camera (`rules.keirin.PhotoPlace` rows, the latest complete block the caller picked for
  this sprint; rows without a place are ignored). Its order decides the places it gives, on
  the wheel the judges read (the rear wheel at an elimination). Its rows up to the first place
  it skips are the front of the sprint; rows after a skipped place are its back, behind every
  rider it did not place: an operator placing only the last rider of an elimination writes
  that one row at the last place. Equal places are a dead heat. A row of a rider in the race
  but not on the sprint's lap is left out (the camera knows no laps) and shown to the judges;
  so is a row of a bib not in the race.
- The loops order the riders the camera did not place, by crossing time; equal times (the
  decoder's resolution) are not a dead heat and keep the order of `riders`.

**Photo required** (uci-rules.md §4.3): two riders the loops order and that cross less than
the tolerance apart (`Tolerance`) may be either way round at the wheel the sprint is judged on,
so both are flagged when their order decides a judged place: at a sprint judging every place
(the scratch race's finish, the final sprint) any two riders, since any two in a final sprint
may be level on points and this module knows no points. Why the defaults:

- Front wheel, 30 ms (`rules.keirin.PHOTO_GAP_US`, the figure of uci-rules.md §4.3, metarace's,
  which the keirin uses too). The loop times the transponder, not the tyre: it sits on the fork
  or further back, and its distance behind the front tyre's leading edge differs from bike to
  bike by up to about half a metre, 26-30 ms at a sprint's 60-70 km/h. The decoder adds its
  resolution (AMBrc passings are to the millisecond: protocols.md §1.5) and its own detection
  spread, a few milliseconds more; 30 ms covers both.
- Rear wheel, 50 ms. The loops order the riders at the transponder, which is near the front
  wheel; the rear tyre's trailing edge is a bike length behind (wheelbase and a wheel, about
  1.65 m), 90-120 ms later at elimination speeds. Between riders at the same speed that offset
  cancels out, but the last riders of an elimination sprint are often not at the same speed:
  at 14 m/s against 16.7 m/s the offset differs by about 20 ms (1.65 m / 14 - 1.65 m / 16.7),
  so the rear wheel adds 20 ms to the front wheel's 30.

**Photocells are not evidence here.** A beam across the track names no rider and is broken by
the first wheel and held while riders overlap, so it sees neither who crossed nor those
alongside: it cannot order a bunch. Pairing its impulses with the loop's reads (as the flying
200 m does) works only for riders the loop already separates.

**What the judges must look at** (`Attention`): photo-required pairs; riders in the race the
loop did not read on the sprint's lap while the loops decide a judged place (a missed read could
be anywhere, the last place of an elimination included); the camera and the loops disagreeing
by more than the tolerance (a bib read wrong?); riders in the race read, or placed by the
camera, on another lap than the sprint's (lapped, about to be, or miscounted); a camera row of
a bib not in the race; a dead heat for last at an elimination (who goes out is the
commissaires' call, 3.2.223).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from velotime.scoring.rules.bunch import Placing, Sprint
from velotime.scoring.rules.keirin import PHOTO_GAP_US, PhotoPlace

# The rear wheel's extra uncertainty over the front wheel's (module docstring).
REAR_WHEEL_EXTRA_US = 20_000


class End(Enum):
    """The end of the sprint whose places are judged."""

    FIRST = "first"
    LAST = "last"


class Wheel(Enum):
    """The wheel a sprint is judged on: the front tyre's leading edge, or the rear tyre's
    trailing edge (the elimination, 3.2.223)."""

    FRONT = "front"
    REAR = "rear"


@dataclass(frozen=True)
class Judged:
    """What a sprint decides: `places` from the `end` (None: every place), on the `wheel`."""

    places: int | None
    end: End = End.FIRST
    wheel: Wheel = Wheel.FRONT

    def __post_init__(self) -> None:
        if self.places is not None and self.places < 1:
            raise ValueError(f"a sprint judges at least one place, not {self.places}")
        if self.places is None and self.end is End.LAST:
            raise ValueError("a sprint judging every place counts them from the first")


POINTS_SPRINT = Judged(places=4)  # 5-3-2-1, the final sprint doubled (§2.6, 3.2.118); Madison
TEMPO_SPRINT = Judged(places=1)  # a point to the first (§2.9, 3.2.262)
ELIMINATION_SPRINT = Judged(places=1, end=End.LAST, wheel=Wheel.REAR)  # 3.2.223
ELIMINATION_FINAL = Judged(places=2)  # the last two, by the front wheel (3.2.224)
SCRATCH_FINISH = Judged(places=None)  # the order across the line (3.2.178)
# The final sprint of a points race, tempo race, Madison: every place, for the ties on points.
FINAL_SPRINT = Judged(places=None)


@dataclass(frozen=True)
class Tolerance:
    """How close two loop crossings may be before the loops cannot order the riders at the
    wheel the sprint is judged on (module docstring: why these figures)."""

    front_us: int = PHOTO_GAP_US
    rear_us: int = PHOTO_GAP_US + REAR_WHEEL_EXTRA_US

    def __post_init__(self) -> None:
        if self.front_us < 0 or self.rear_us < 0:
            raise ValueError(f"a photo tolerance is not negative: {self}")

    def at(self, wheel: Wheel) -> int:
        return self.front_us if wheel is Wheel.FRONT else self.rear_us


@dataclass(frozen=True)
class Crossing:
    """A transponder crossing of the finish line: the rider, the venue-clock time, and the
    rider's laps completed with this crossing as the lap counter counts them."""

    bib: int
    t_us: int
    laps: int


class Source(Enum):
    """What decided a placing."""

    CAMERA = "camera"
    LOOPS = "loops"
    JUDGES = "judges"


class Concern(Enum):
    """Why the judges must look (module docstring)."""

    PHOTO_REQUIRED = "photo required"
    NOT_READ = "not read"
    CAMERA_DISAGREES = "camera disagrees"
    NOT_IN_SPRINT = "not in the sprint"
    CAMERA_UNKNOWN_BIB = "camera bib not in the race"
    DEAD_HEAT_FOR_LAST = "dead heat for last"


@dataclass(frozen=True)
class Attention:
    """One thing the judges must look at: about which riders, and why, in a sentence."""

    concern: Concern
    bibs: tuple[int, ...]
    detail: str


@dataclass(frozen=True)
class Judgement:
    """A sprint as proposed from the devices, or as the judges confirmed it (`confirmed`).

    `sources` and `corrected` have one entry a placing of `sprint.placings`. `riders` are the
    riders in the race (the judges may place any of them); `contesting` how many the devices put
    in the sprint (read on its lap, or placed by the camera). `ignored_crossings` counts crossings
    of bibs not in the race (an abandoned rider's transponder, a rider warming up)."""

    sprint: Sprint
    judged: Judged
    sources: tuple[Source, ...]
    corrected: tuple[bool, ...]
    photo_required: frozenset[int]
    attention: tuple[Attention, ...]
    riders: frozenset[int]
    contesting: int
    ignored_crossings: int = 0
    confirmed: bool = False

    @property
    def needs_judges(self) -> bool:
        """Whether the devices left the judges something to decide before confirming."""
        return bool(self.attention)


@dataclass
class _Group:
    """Riders sharing one place in the proposed order, and what put them there."""

    bibs: list[int]
    source: Source
    place: int = 0  # from the front, among the contesting riders
    camera_place: int | None = None  # the place the camera wrote


@dataclass
class _Evidence:
    crossing_us: dict[int, int] = field(default_factory=dict)  # contesting bib -> its crossing
    other_laps: list[Crossing] = field(default_factory=list)  # riders in the race, other laps
    ignored: int = 0


def judge_sprint(
    number: int,
    lap: int,
    judged: Judged,
    *,
    riders: Sequence[int],
    crossings: Iterable[Crossing],
    standing: Mapping[int, int] | None = None,
    camera: Sequence[PhotoPlace] | None = None,
    tolerance: Tolerance | None = None,
    final: bool = False,
) -> Judgement:
    """The sprint number `number` on the lap board's lap `lap` as the devices judge it (module
    docstring: who contests, the camera over the loops, photo required), a proposal for the
    judges. `riders`: the riders in the race, in start-list order (the order of riders the loop
    read at the same time). `crossings`: the finish line's transponder crossings of the sprint
    (the bunch's and any breakaway's, from the previous sprint on at most: every crossing of a
    rider in the race on another lap is shown to the judges). Raises ValueError for a bib twice
    in `riders` or in the camera's rows."""
    if len(set(riders)) != len(riders):
        raise ValueError(f"sprint {number}: a bib appears twice among the riders")
    tol = (tolerance or Tolerance()).at(judged.wheel)
    start_index = {bib: i for i, bib in enumerate(riders)}
    evidence = _read_crossings(crossings, lap, standing or {}, start_index)
    attention: list[Attention] = []
    front, back = _camera_groups(number, camera or (), evidence, start_index, attention)
    by_camera = {bib for group in front + back for bib in group.bibs}
    by_loops = sorted(
        (bib for bib in evidence.crossing_us if bib not in by_camera),
        key=lambda bib: (evidence.crossing_us[bib], start_index[bib]),
    )
    groups = front + [_Group([bib], Source.LOOPS) for bib in by_loops] + back
    place = 1
    for group in groups:
        group.place = place
        place += len(group.bibs)
    contesting = place - 1
    chosen = _judged_groups(groups, judged, contesting)
    judged_bibs = {bib for group in chosen for bib in group.bibs}

    photo_required = _close_pairs(groups, judged, contesting, evidence, tol, attention)
    if any(group.source is Source.LOOPS for group in chosen):
        crossed = evidence.crossing_us.keys() | by_camera | _bibs(evidence.other_laps)
        missing = [bib for bib in riders if bib not in crossed]
        if missing:
            attention.append(
                Attention(
                    Concern.NOT_READ,
                    tuple(missing),
                    f"not read at the line on the sprint's lap (lap {lap} and their standing): "
                    "a missed read may be anywhere in the sprint",
                )
            )
    _disagreements(groups, by_camera, judged_bibs, evidence, tol, attention)
    named = {
        bib for item in attention if item.concern is Concern.NOT_IN_SPRINT for bib in item.bibs
    }
    on_other_laps = _bibs(evidence.other_laps) - evidence.crossing_us.keys() - named
    if on_other_laps:
        attention.append(
            Attention(
                Concern.NOT_IN_SPRINT,
                tuple(sorted(on_other_laps)),
                "crossed the line on another lap than the sprint's (lapped, about to be, or "
                "miscounted): not placed",
            )
        )
    if judged.end is End.LAST and chosen and len(chosen[-1].bibs) > 1:
        attention.append(
            Attention(
                Concern.DEAD_HEAT_FOR_LAST,
                tuple(chosen[-1].bibs),
                "the camera cannot part them at the rear wheel: the commissaires choose",
            )
        )
    return Judgement(
        sprint=Sprint(
            number=number,
            lap=lap,
            placings=tuple(tuple(group.bibs) for group in chosen),
            final=final,
        ),
        judged=judged,
        sources=tuple(group.source for group in chosen),
        corrected=(False,) * len(chosen),
        photo_required=frozenset(photo_required),
        attention=tuple(attention),
        riders=frozenset(riders),
        contesting=contesting,
        ignored_crossings=evidence.ignored,
    )


def judges_placings(judgement: Judgement, placings: Sequence[Placing] | None = None) -> Judgement:
    """The sprint as the judges stand by it: the proposal confirmed (`placings` None), or their
    placings over it (uci-rules.md §2.6 and 3.2.223: the sprint and who goes out are the
    commissaires' decision). `placings` have the proposal's shape: from the first place, or for
    a from-last sprint its bottom places with the last one last; a tie shares its place and
    skips the next ones. A placing that is not the proposal's at that place (counted from the
    judged end) is flagged corrected and its source is the judges; what the judges were to look
    at is settled. Raises ValueError, saying why, for placings that do not judge the sprint's
    places: none, an empty one, a bib twice or not in the race, places beyond those judged or
    fewer than the riders in the sprint fill."""
    number = judgement.sprint.number
    given = judgement.sprint.placings if placings is None else placings
    stood_by = tuple(tuple(placing) for placing in given)
    _check_placings(number, judgement, stood_by)
    new, old = stood_by, judgement.sprint.placings
    old_sources = judgement.sources
    if judgement.judged.end is End.LAST:  # compared from the last place
        new, old, old_sources = new[::-1], old[::-1], old_sources[::-1]
    corrected = [
        i >= len(old) or sorted(placing) != sorted(old[i]) for i, placing in enumerate(new)
    ]
    sources = [Source.JUDGES if changed else old_sources[i] for i, changed in enumerate(corrected)]
    if judgement.judged.end is End.LAST:
        corrected, sources = corrected[::-1], sources[::-1]
    sprint = Sprint(
        number=number, lap=judgement.sprint.lap, placings=stood_by, final=judgement.sprint.final
    )
    return Judgement(
        sprint=sprint,
        judged=judgement.judged,
        sources=tuple(sources),
        corrected=tuple(corrected),
        photo_required=frozenset(),
        attention=(),
        riders=judgement.riders,
        contesting=judgement.contesting,
        ignored_crossings=judgement.ignored_crossings,
        confirmed=True,
    )


def _check_placings(number: int, judgement: Judgement, placings: tuple[Placing, ...]) -> None:
    if not placings:
        raise ValueError(f"sprint {number}: the judges' placings place nobody")
    bibs = [bib for placing in placings for bib in placing]
    if any(not placing for placing in placings):
        raise ValueError(f"sprint {number}: an empty place among the judges' placings")
    if len(set(bibs)) != len(bibs):
        raise ValueError(f"sprint {number}: a bib is placed twice by the judges")
    if unknown := sorted(set(bibs) - judgement.riders):
        raise ValueError(f"sprint {number}: bib(s) {unknown} not in the race")
    places = judgement.judged.places
    if places is None:
        return
    # Every placing but the one reaching furthest from the judged end starts within the places
    # judged; that one may run past them (a tie for the last judged place).
    inner = placings[:-1] if judgement.judged.end is End.FIRST else placings[1:]
    if sum(len(placing) for placing in inner) >= places:
        raise ValueError(
            f"sprint {number}: the judges place {len(bibs)} riders in more places than the "
            f"{places} this sprint judges"
        )
    if len(bibs) < min(places, judgement.contesting):
        raise ValueError(
            f"sprint {number}: the judges place {len(bibs)} of the {places} places judged"
        )


def _read_crossings(
    crossings: Iterable[Crossing],
    lap: int,
    standing: Mapping[int, int],
    start_index: Mapping[int, int],
) -> _Evidence:
    evidence = _Evidence()
    for crossing in crossings:
        if crossing.bib not in start_index:
            evidence.ignored += 1
        elif crossing.laps != lap + standing.get(crossing.bib, 0):
            evidence.other_laps.append(crossing)
        else:
            # The first crossing completing the lap: a later one of the same count is a read the
            # lap counter took for the same lap.
            known = evidence.crossing_us.get(crossing.bib)
            if known is None or crossing.t_us < known:
                evidence.crossing_us[crossing.bib] = crossing.t_us
    return evidence


def _camera_groups(
    number: int,
    camera: Sequence[PhotoPlace],
    evidence: _Evidence,
    start_index: Mapping[int, int],
    attention: list[Attention],
) -> tuple[list[_Group], list[_Group]]:
    """The camera's places as the front and the back of the sprint (module docstring)."""
    rows = [row for row in camera if row.place is not None]
    seen: set[int] = set()
    for row in rows:
        if row.bib in seen:
            raise ValueError(f"sprint {number}: the camera places bib {row.bib} twice")
        seen.add(row.bib)
    rows.sort(key=lambda row: (row.place or 0, start_index.get(row.bib, len(start_index))))
    # The first row whose place is beyond its position in the camera's order follows a place
    # the camera skipped: from there on, its rows are the back of the sprint. (A dead heat's
    # places may be written 1, 1, 3 or 1, 1, 2: neither is beyond its position.)
    split = next(
        (i for i, row in enumerate(rows) if (row.place or 0) > i + 1),
        len(rows),
    )
    front: list[_Group] = []
    back: list[_Group] = []
    for i, row in enumerate(rows):
        groups = front if i < split else back
        place = row.place
        if row.bib not in start_index:
            attention.append(
                Attention(
                    Concern.CAMERA_UNKNOWN_BIB,
                    (row.bib,),
                    f"the camera places bib {row.bib} {place}, not a rider in the race",
                )
            )
        elif row.bib not in evidence.crossing_us and _on_another_lap(row.bib, evidence):
            attention.append(
                Attention(
                    Concern.NOT_IN_SPRINT,
                    (row.bib,),
                    f"the camera places bib {row.bib} {place}, but the loop has the rider on "
                    "another lap: left out of the sprint",
                )
            )
        elif groups and groups[-1].camera_place == place:
            groups[-1].bibs.append(row.bib)  # a dead heat
        else:
            groups.append(_Group([row.bib], Source.CAMERA, camera_place=place))
    return front, back


def _on_another_lap(bib: int, evidence: _Evidence) -> bool:
    return any(crossing.bib == bib for crossing in evidence.other_laps)


def _bibs(crossings: Iterable[Crossing]) -> set[int]:
    return {crossing.bib for crossing in crossings}


def _judged_groups(groups: list[_Group], judged: Judged, contesting: int) -> list[_Group]:
    if judged.places is None:
        return groups
    if judged.end is End.FIRST:
        return [group for group in groups if group.place <= judged.places]
    # From the last: the groups holding any of the bottom places.
    bottom = contesting - judged.places
    return [group for group in groups if group.place + len(group.bibs) - 1 > bottom]


def _close_pairs(
    groups: list[_Group],
    judged: Judged,
    contesting: int,
    evidence: _Evidence,
    tolerance_us: int,
    attention: list[Attention],
) -> set[int]:
    """The riders the loops ordered closer than the tolerance to another, where their order
    decides a judged place: a pair whose earlier rider holds a judged place from the first, or
    whose later one holds one from the last. Only riders the loops ordered: the camera's are
    decided."""
    loops = [group for group in groups if group.source is Source.LOOPS]
    flagged: set[int] = set()
    for i, ahead in enumerate(loops):
        for behind in loops[i + 1 :]:
            (a,), (b,) = ahead.bibs, behind.bibs
            gap = evidence.crossing_us[b] - evidence.crossing_us[a]
            if gap >= tolerance_us:
                break  # sorted by time: every later rider is further
            if not _decides(judged, ahead.place, behind.place, contesting):
                continue
            flagged |= {a, b}
            attention.append(
                Attention(
                    Concern.PHOTO_REQUIRED,
                    (a, b),
                    f"{gap / 1000:g} ms apart at the loop, less than the {tolerance_us // 1000} ms "
                    f"it can part at the {judged.wheel.value} wheel",
                )
            )
    return flagged


def _decides(judged: Judged, ahead: int, behind: int, contesting: int) -> bool:
    if judged.places is None:
        return True
    if judged.end is End.FIRST:
        return ahead <= judged.places
    return behind > contesting - judged.places


def _disagreements(
    groups: list[_Group],
    by_camera: set[int],
    judged_bibs: set[int],
    evidence: _Evidence,
    tolerance_us: int,
    attention: list[Attention],
) -> None:
    """Pairs with a camera-placed rider and a judged one that the loops order the other way
    round, or part where the camera ties them, by at least the tolerance."""
    place = {bib: group.place for group in groups for bib in group.bibs}
    times = evidence.crossing_us
    timed = [bib for bib in place if bib in times]
    for i, a in enumerate(timed):
        for b in timed[i + 1 :]:
            if not ({a, b} & by_camera and {a, b} & judged_bibs):
                continue
            # a is ahead of (or tied with) b in the proposal.
            loops_say = times[b] - times[a]
            tied = place[a] == place[b]
            if loops_say <= -tolerance_us or (tied and abs(loops_say) >= tolerance_us):
                attention.append(
                    Attention(
                        Concern.CAMERA_DISAGREES,
                        (a, b),
                        f"the camera has {a} {'level with' if tied else 'ahead of'} {b}; the "
                        f"loop read {b if loops_say < 0 else a} first by "
                        f"{abs(loops_say) / 1000:g} ms: is a bib read wrong?",
                    )
                )
