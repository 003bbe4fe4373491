"""The demo's session as designed: who rides what, how fast, and when, from a seed.

Everything here is plain data worked out from `random.Random(seed)`, with no clock and no I/O:
the same seed gives the same session, and so the same results. The times are the ones the
devices will report (photocell times to 1/10,000 s, as an ALGE Timy prints them; transponder
reads to the microsecond; the camera's times to 1/10,000 s); the results follow from them by the
UCI rules (truncation to the thousandth), which is what the tests check.

Instants are offsets in microseconds from the start of the session; `velotime.demo.timeline`
turns them into device messages, and the director puts the session on a real clock.

The session (a 250 m track, loops and photocells on the finish and 200 m lines, the start gate
on the finish line, and on the two pursuit lines in the middle of the straights a loop, a
photocell and a gate):

- **Flying 200 m qualifying**, 20 riders, 12 qualify. One rider every 16 s, so two are on the
  track at once (3.2.024). Each rider's run-up lap and cool-down are seen by the loops only;
  the photocells, armed for the timed pass, time the effort, and the loops read at the same
  moment name the rider.
- **1 km time trial**, 8 riders one at a time from the start gate: the gate impulse starts the
  clock, each lap is a photocell impulse on the finish line with the loop's read just after.
- **Keirin final**, the six fastest of the qualifying (seeded in that order). The camera's
  result decides the order: its first two are less than 0.02 s apart and the loops read them
  the other way round. The winner's last 200 m runs from the 200 m loop to the camera's finish.
- **Sprint final**, a `[[competitions]]` tournament seeded by the qualifying: its two fastest,
  best of three (`SprintRace`). Each race is 3 laps from the desk's start; the loops count the
  crossings, the camera decides races 1 and 3 (the riders a few hundredths apart: the loops
  could not part them), the loops race 2 (a clear margin). One race each, then the decider,
  won by the faster qualifier. The winner's last 200 m runs from the 200 m loop to the finish.
- **Team sprint**, one heat of two teams of three drawn (`TeamSprintHeat`), released together
  from the gates on the pursuit lines: each team timed on its own line at each lap (the
  leader's wheel: the photocell, the loops naming the team), its half laps on the other's.
- **Points race**, 8 riders drawn, 20 laps with a sprint every 5 (the meet's `sprint_every`:
  sprints at laps 5, 10, 15 and 20, the last one doubled). A short race, so that the whole demo
  still plays in about half a minute, with laps of 16 to 20 s as a bunch rides them (the venue
  clock, where the lap counter drops a lap under 10 s as a double read). `PointsRace` says who
  does what: the camera decides the photo-finish sprint at lap 10, a rider breaks away and
  gains a lap (the desk confirms it), a crash neutralises a lap, the breakaway wins sprint 3.
"""

import random
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from velotime.times import US_PER_SECOND

_T = TypeVar("_T")
S = US_PER_SECOND
TRACK_M = 250
MEET_ID = "velotime-demo"
VENUE_ID = "demo"

FLYING200 = "sprint-q"
KILOMETRE = "km"
KEIRIN = "keirin-final"
POINTS = "points"
SPRINT = "sprint"  # the tournament, a [[competitions]] entry seeded by the flying 200 m
SPRINT_RACES = tuple(f"{SPRINT}-final-r{race}" for race in (1, 2, 3))  # the engine's ids
TEAM_SPRINT = "team-sprint"
EVENT_NAMES = {
    FLYING200: "Flying 200 m qualifying",
    KILOMETRE: "1 km time trial",
    KEIRIN: "Keirin final",
    POINTS: "Points race",
    # as the engine names the races it makes: "<competition>, <round>, race <n>"
    **{race: f"Sprint, final, race {n}" for n, race in enumerate(SPRINT_RACES, start=1)},
    TEAM_SPRINT: "Team sprint",
}
QUALIFY = 12
KILOMETRE_RIDERS = 8
KEIRIN_RIDERS = 6
KM_LAPS = 4  # 1000 m on a 250 m track
POINTS_RIDERS = 8
POINTS_LAPS = 20
SPRINT_EVERY = 5
SPRINT_QUALIFIERS = 2  # the final, best of three, between the two fastest of the qualifying
SPRINT_LAPS = 3  # 3.2.029, a 250 m track
TEAM_SPRINT_LAPS = 3
TEAM_SPRINT_TEAMS = ((21, "Red team"), (22, "Green team"))  # home straight, back straight

# Invented riders: (name, nation). Bibs count from 1 in this order.
ROSTER = (
    ("Ana MARTIN", "NED"),
    ("Ben BAKER", "GBR"),
    ("Chloé NOVAK", "CZE"),
    ("Dario ROSSI", "ITA"),
    ("Emma SILVA", "POR"),
    ("Felix KOWALSKI", "POL"),
    ("Greta DUBOIS", "FRA"),
    ("Hugo JANSEN", "NED"),
    ("Ines MÜLLER", "GER"),
    ("Jonas SATO", "JPN"),
    ("Kaja OLSEN", "NOR"),
    ("Luca KIM", "KOR"),
    ("Maya PATEL", "AUS"),
    ("Nico HERRERA", "COL"),
    ("Olivia BROWN", "CAN"),
    ("Pavel IVANOV", "KAZ"),
    ("Quinn WALSH", "IRL"),
    ("Rosa GARCÍA", "ESP"),
    ("Sven LARSSON", "SWE"),
    ("Tomás RIBEIRO", "BRA"),
)
FIRST_TRANSPONDER = 6_100_000  # rider `bib` carries FIRST_TRANSPONDER + bib

# The schedule, microseconds.
F200_FIRST_EFFORT_US = 25 * S  # after the event is armed at 0
F200_EVERY_US = 16 * S  # between two riders' efforts: two riders on the track at once
F200_RUN_UP = (("200m", -18_800_000), ("finish", -3_270_000))  # before the effort's 200 m line
F200_COOL_DOWN = (("200m", 3_500_000), ("finish", 25_000_000))  # after the effort's finish
KM_GATE_AFTER_NAMED_US = 6 * S  # the rider is named, the gate opens this long after
KM_NEXT_AFTER_FINISH_US = 6 * S  # the next rider is named this long after a finish
KEIRIN_START_AFTER_ARM_US = 10 * S
DECISION_US = 3 * S  # provisional this long after an event's last crossing, final as long after
BETWEEN_EVENTS_US = 5 * S
# The points race, by the bunch's passages of the finish line after the flying start (passage
# 0): each lap's time, seconds. The bunch sits up after the photo-finish sprint while the
# breakaway gets away; passage 19 is the lap neutralised after the crash, ridden slowly and not
# counted, so the 20 laps take 21 passages.
BUNCH_LAPS_S = (17,) * 10 + (20,) * 3 + (17,) * 5 + (26, 17, 16)
POINTS_START_AFTER_ARM_US = 25 * S  # the flying start
NEUTRAL_LAP_US = 18 * S  # the riders roll out and ride the neutral lap before it
SLOT_US = 250_000  # the riders in the bunch, one behind the other
SPRINTER_GAP_US = 100_000  # a sprint's four over the line, one after the other
SPRINT_LAP_BEHIND_US = 400_000  # on a sprint lap, the others come this much later
# A sprint race, after its `start`: the riders roll off over the finish line (crossing 1), cross
# it at the end of laps 1 and 2 (crossings 2 and 3), each time the 200 m line 50 m later but
# for the last lap's, the start of the last 200 m (`winner_last_200_us` before the finish,
# crossing 4). The second rider rides SPRINT_BEHIND_US behind until the last 200 m.
SPRINT_START_AFTER_ARM_US = 10 * S
SPRINT_FINISH_CROSSINGS_US = (2 * S, 24 * S, 41 * S)  # crossings 1-3, the leader's
SPRINT_200M_AFTER_LAP_US = 3 * S  # from the finish line to the 200 m line, 50 m on
SPRINT_BEHIND_US = 300_000
SPRINT_COOL_DOWN_US = (("200m", 4 * S),)  # after the rider's finish, slowing down
SPRINT_LOSER_LAST_200_MORE_US = 150_000  # the loser's last 200 m line: just behind the winner
TEAM_SPRINT_GATES_AFTER_ARM_US = 10 * S
TEAM_SPRINT_BACK_GATE_LATE_US = 200  # one release, two Timy channels (uci-rules.md §4.2)


class Rider(NamedTuple):
    bib: int
    name: str
    nation: str
    transponder: int


class Flying200Ride(NamedTuple):
    """One rider's timed 200 m: the photocell on the 200 m line at `line_200_us`, on the finish
    `time_us` later (both to 1/10,000 s); the loops read each crossing a little later."""

    bib: int
    line_200_us: int  # session offset
    time_us: int  # raw, from the photocells
    loop_lag_200_us: int
    loop_lag_finish_us: int

    @property
    def finish_us(self) -> int:
        return self.line_200_us + self.time_us


class KilometreRide(NamedTuple):
    """One rider's kilometre: named at `named_us`, the gate opens at `gate_us`; `cumulative_us`
    holds the raw photocell times after the gate at 250, 500, 750 and 1000 m."""

    bib: int
    named_us: int
    gate_us: int
    cumulative_us: tuple[int, ...]
    loop_lags_us: tuple[int, ...]  # the loop's read after each photocell, per lap

    @property
    def time_us(self) -> int:
        return self.cumulative_us[-1]


class KeirinRace(NamedTuple):
    """The final: `riders` in seeding order; the camera's `order` and each rider's time after
    the start (to 1/10,000 s); the winner crossed the 200 m line `winner_last_200_us` before
    the camera's finish."""

    riders: tuple[int, ...]
    armed_us: int
    start_us: int
    order: tuple[int, ...]
    camera_time_us: dict[int, int]
    loop_lag_us: dict[int, int]  # the finish loop's read after the camera's finish
    winner_last_200_us: int

    @property
    def results_us(self) -> int:
        """When the camera operator sends the results."""
        return self.start_us + max(self.camera_time_us.values()) + 4 * S


class PointsRace(NamedTuple):
    """The points race, each rider by position in the bunch (`riders[i]` rides `i` slots
    behind its head), each sprint's four (the first four over the line, in that order) by
    position:

    - sprint 1 (lap 5): positions 0, 1, 2, 3;
    - sprint 2 (lap 10), a photo finish: the loops read 2 first and 1 ten milliseconds later
      (closer than they can tell apart), then 3 and 0; the camera places 1, 2, 3, 0;
    - the breakaway: position 5 attacks after sprint 2, 16 s laps against the bunch's 20,
      crosses its lap 15 alone, 12 s ahead of the bunch (sprint 3 is its own: first), and
      reaches the back of the bunch on the bunch's 16th passage, a lap up: a lap gained, which
      the loops propose as the bunch crosses again and the desk then confirms;
    - sprint 3 (lap 15): the breakaway first, then positions 0, 3, 4 of the bunch (6 fourth);
    - the crash after the bunch's 18th passage: the desk neutralises one lap, the bunch's
      19th passage (the breakaway's 20th), ridden and not counted;
    - sprint 4 (lap 20, the final, doubled): positions 1, 5 (the breakaway, back in the
      bunch), 0, 2.
    """

    riders: tuple[int, ...]  # bibs by position
    armed_us: int
    start_us: int  # the flying start: the bunch's passage 0

    def head_us(self, passage: int) -> int:
        """When the head of the bunch crosses the finish line at `passage` (session offset)."""
        return self.start_us + sum(BUNCH_LAPS_S[:passage]) * S

    @property
    def breakaway(self) -> int:
        return self.riders[BREAKAWAY]

    @property
    def neutralised_us(self) -> int:
        """The desk's `neutralise`, just after the crash."""
        return self.head_us(CRASH_AFTER_PASSAGE) + 6 * S

    @property
    def camera_us(self) -> int:
        """When the camera operator sends the photo-finish sprint's result."""
        return self.head_us(PHOTO_SPRINT_PASSAGE) + 8 * S

    @property
    def lap_gain_us(self) -> int:
        """The desk confirms the breakaway's lap gain (proposed at the bunch's next passage)."""
        return self.head_us(BREAKAWAY_JOINS_PASSAGE + 1) + 8 * S

    @property
    def last_passage_us(self) -> int:
        return self.head_us(len(BUNCH_LAPS_S))

    def passages_us(self) -> dict[int, list[int]]:
        """Each rider's passages of the finish line (session offsets), from the flying start
        (passage 0; the neutral lap's passage before it is not listed)."""
        out: dict[int, list[int]] = {}
        for position, bib in enumerate(self.riders):
            out[bib] = [
                self.head_us(p) + _bunch_offset_us(position, position * SLOT_US, p)
                for p in range(len(BUNCH_LAPS_S) + 1)
            ]
        # The breakaway: 16 s laps from its sprint-2 passage, then a lap up at the back of the
        # bunch (one slot behind its last rider), the bunch's passage p being its p + 1.
        away = out[self.breakaway][: BREAKAWAY_AFTER_PASSAGE + 1]
        for _ in range(BREAKAWAY_AFTER_PASSAGE, BREAKAWAY_JOINS_PASSAGE):
            away.append(away[-1] + BREAKAWAY_LAP_US)
        back_us = len(self.riders) * SLOT_US
        away += [
            self.head_us(p) + _bunch_offset_us(BREAKAWAY, back_us, p)
            for p in range(BREAKAWAY_JOINS_PASSAGE, len(BUNCH_LAPS_S) + 1)
        ]
        out[self.breakaway] = away
        return out


def _bunch_offset_us(position: int, slot_us: int, passage: int) -> int:
    """After the head of the bunch at `passage`: one of a sprint's four, or the rider's slot
    (a little later on a sprint lap)."""
    four = BUNCH_FOURS.get(passage)
    if four is None:
        return slot_us
    if position not in four:
        return slot_us + SPRINT_LAP_BEHIND_US
    if passage == PHOTO_SPRINT_PASSAGE:
        return PHOTO_LOOP_US[position]
    return four.index(position) * SPRINTER_GAP_US


# The points race's design (`PointsRace`), by bunch position and passage.
BREAKAWAY = 5
BREAKAWAY_AFTER_PASSAGE = 10
BREAKAWAY_JOINS_PASSAGE = 16  # the bunch's passage it reaches the back of, a lap up
BREAKAWAY_LAP_US = 16 * S
CRASH_AFTER_PASSAGE = 18
PHOTO_SPRINT_PASSAGE = 10
SPRINT_PASSAGES = {5: 1, 10: 2, 15: 3, 21: 4}  # the bunch's passage -> the sprint's number
BUNCH_FOURS = {5: (0, 1, 2, 3), 10: (2, 1, 3, 0), 15: (0, 3, 4, 6), 21: (1, 5, 0, 2)}
PHOTO_LOOP_US = {2: 0, 1: 10_000, 3: 100_000, 0: 200_000}  # sprint 2: after the head's passage
PHOTO_CAMERA_US = {1: 5_000, 2: 8_000, 3: 100_000, 0: 200_000}  # the camera's, in its order
# The sprints as judged (positions; the breakaway is BREAKAWAY), from the first place.
SPRINT_PLACINGS = {1: (0, 1, 2, 3), 2: (1, 2, 3, 0), 3: (5, 0, 3, 4), 4: (1, 5, 0, 2)}


class SprintRace(NamedTuple):
    """One race of the sprint final: `riders`, the first on the inside; the desk starts it at
    `start_us`; each rider's finish (`finish_us`, after the start, to 1/10,000 s) as the camera
    gives it when `camera`, else as the finish loop reads it; the loop reads each finish
    `loop_lag_us` after the camera's line; the winner crossed the 200 m line
    `winner_last_200_us` before their finish."""

    event: str
    riders: tuple[int, int]
    armed_us: int
    start_us: int
    winner: int
    finish_us: dict[int, int]
    camera: bool
    loop_lag_us: dict[int, int]
    winner_last_200_us: int

    @property
    def loser(self) -> int:
        return self.riders[1] if self.winner == self.riders[0] else self.riders[0]

    @property
    def last_us(self) -> int:
        """The last crossing: the loser's over the 200 m line, slowing down (session offset)."""
        return self.start_us + self.finish_us[self.loser] + SPRINT_COOL_DOWN_US[-1][1]


class TeamSprintTeam(NamedTuple):
    """A team of the team sprint heat: rider k leads lap k; `laps_us` the raw photocell times
    after the team's gate on its own pursuit line (the leader's front wheel, cumulative),
    `half_laps_us` on the other straight's; the loops read each wheel `loop_lag_us` later."""

    number: int
    name: str
    riders: tuple[int, ...]
    laps_us: tuple[int, ...]
    half_laps_us: tuple[int, ...]
    loop_lag_us: int

    @property
    def time_us(self) -> int:
        return self.laps_us[-1]


class TeamSprintHeat(NamedTuple):
    """The heat: both teams released at `gate_us`, the home team (`teams[0]`) from the home
    gate; the Timy stamps the back gate TEAM_SPRINT_BACK_GATE_LATE_US later (two channels of
    one release: the daemon takes them as one instant, the home gate's)."""

    teams: tuple[TeamSprintTeam, TeamSprintTeam]
    armed_us: int
    gate_us: int

    def team_gate_us(self, side: int) -> int:
        return self.gate_us + side * TEAM_SPRINT_BACK_GATE_LATE_US

    @property
    def last_us(self) -> int:
        return self.gate_us + max(team.time_us for team in self.teams)


class Decisions(NamedTuple):
    """When the desk arms an event, and makes it provisional and final."""

    armed_us: int
    provisional_us: int
    final_us: int


class DemoSession(NamedTuple):
    seed: int
    riders: tuple[Rider, ...]
    flying200: tuple[Flying200Ride, ...]  # in start order
    kilometre: tuple[KilometreRide, ...]  # in start order
    keirin: KeirinRace
    points: PointsRace
    sprint: tuple[SprintRace, ...]  # the final's races, in riding order
    team_sprint: TeamSprintHeat
    desk: dict[str, Decisions]  # event id -> when

    def rider(self, bib: int) -> Rider:
        return self.riders[bib - 1]

    def meet_text(self) -> str:
        """The meet file (docs/meet-format.md)."""
        riders = "".join(
            f'[[riders]]\nbib = {r.bib}\nname = "{r.name}"\nnation = "{r.nation}"\n'
            f"transponders = [{r.transponder}]\n\n"
            for r in self.riders
        )
        teams = "".join(
            f'[[events.teams]]\nnumber = {team.number}\nname = "{team.name}"\n'
            f"riders = {_list(team.riders)}\n"
            for team in self.team_sprint.teams
        )
        return f"""# The meet of `velotime demo --seed {self.seed}` (generated).
[meet]
id = "{MEET_ID}"
name = "velotime demo"

{riders}[[events]]
id = "{FLYING200}"
discipline = "flying200"
category = "Open"
round = "qualifying"
name = "{EVENT_NAMES[FLYING200]}"
start_order = {_list(ride.bib for ride in self.flying200)}
qualify = {QUALIFY}

[[events]]
id = "{KILOMETRE}"
discipline = "time_trial"
category = "Open"
round = "final"
name = "{EVENT_NAMES[KILOMETRE]}"
distance_m = 1000
start_order = {_list(ride.bib for ride in self.kilometre)}

[[events]]
id = "{KEIRIN}"
discipline = "keirin"
category = "Open"
round = "final"
name = "{EVENT_NAMES[KEIRIN]}"
riders = {_list(self.keirin.riders)}

[[events]]
id = "{POINTS}"
discipline = "points_race"
category = "Open"
round = "final"
name = "{EVENT_NAMES[POINTS]}"
riders = {_list(sorted(self.points.riders))}
laps = {POINTS_LAPS}
sprint_every = {SPRINT_EVERY}

[[events]]
id = "{TEAM_SPRINT}"
discipline = "team_sprint"
category = "Open"
round = "final"
name = "{EVENT_NAMES[TEAM_SPRINT]}"
match = true
{teams}
[[competitions]]
id = "{SPRINT}"
discipline = "sprint"
category = "Open"
name = "Sprint"
qualifying = "{FLYING200}"
qualifiers = {SPRINT_QUALIFIERS}
laps = {SPRINT_LAPS}

[[competitions.sprint_rounds]]
name = "final"
heats = [["q1", "q2"]]
best_of = 3
first_place = 1
"""


def build_session(seed: int) -> DemoSession:
    """The session of `seed`: every random draw in a fixed order."""
    rng = random.Random(f"velotime-demo-{seed}")
    riders = tuple(
        Rider(bib, name, nation, FIRST_TRANSPONDER + bib)
        for bib, (name, nation) in enumerate(ROSTER, start=1)
    )
    desk: dict[str, Decisions] = {}

    # Flying 200 m: every rider, in a drawn start order; distinct official times.
    order = [rider.bib for rider in riders]
    rng.shuffle(order)
    times = _distinct(len(order), lambda: _tenths_of_ms(rng, 9_850_000, 11_150_000), int)
    flying = tuple(
        Flying200Ride(
            bib=bib,
            line_200_us=F200_FIRST_EFFORT_US + index * F200_EVERY_US,
            time_us=time_us,
            loop_lag_200_us=rng.randrange(800, 3_000),
            loop_lag_finish_us=rng.randrange(800, 3_000),
        )
        for index, (bib, time_us) in enumerate(zip(order, times, strict=True))
    )
    last = flying[-1].finish_us + F200_COOL_DOWN[-1][1]
    desk[FLYING200] = _decisions(0, last)

    # Kilometre: eight riders drawn, one at a time.
    armed = desk[FLYING200].final_us + BETWEEN_EVENTS_US
    km_riders = rng.sample([rider.bib for rider in riders], KILOMETRE_RIDERS)
    totals = _distinct(KILOMETRE_RIDERS, lambda: _kilometre(rng), lambda laps: laps[-1])
    named = armed + BETWEEN_EVENTS_US
    kilometre: list[KilometreRide] = []
    for bib, cumulative in zip(km_riders, totals, strict=True):
        gate = named + KM_GATE_AFTER_NAMED_US
        km_lags = tuple(rng.randrange(800, 3_000) for _ in cumulative)
        kilometre.append(KilometreRide(bib, named, gate, cumulative, km_lags))
        named = gate + cumulative[-1] + KM_NEXT_AFTER_FINISH_US
    # The last rider's last read: the 200 m line, slowing down after the finish.
    desk[KILOMETRE] = _decisions(armed, named - KM_NEXT_AFTER_FINISH_US + 4 * S)

    # Keirin final: the six fastest of the qualifying, seeded in that order.
    armed = desk[KILOMETRE].final_us + BETWEEN_EVENTS_US
    fastest = sorted(flying, key=lambda ride: ride.time_us)[:KEIRIN_RIDERS]
    seeded = tuple(ride.bib for ride in fastest)
    finish_order = tuple(rng.sample(seeded, KEIRIN_RIDERS))
    camera: dict[int, int] = {}
    elapsed = _tenths_of_ms(rng, 98_000_000, 101_000_000)
    for place, bib in enumerate(finish_order, start=1):
        if place == 2:  # a photo finish: 0.004-0.015 s behind the winner
            elapsed += rng.randrange(40, 150) * 100
        elif place > 2:
            elapsed += rng.randrange(500, 4_000) * 100
        camera[bib] = elapsed
    winner, second = finish_order[:2]
    second_gap = camera[second] - camera[winner]
    # The loops read the winner late enough to put the second rider first: the camera decides.
    lags = {bib: rng.randrange(500, 3_000) for bib in finish_order}
    lags[second] = rng.randrange(500, 2_000)
    lags[winner] = second_gap + rng.randrange(3_000, 8_000)
    keirin = KeirinRace(
        riders=seeded,
        armed_us=armed,
        start_us=armed + KEIRIN_START_AFTER_ARM_US,
        order=finish_order,
        camera_time_us=camera,
        loop_lag_us=lags,
        winner_last_200_us=rng.randrange(10_050_000, 10_700_000),
    )
    desk[KEIRIN] = _decisions(armed, keirin.results_us)

    # Points race: eight riders drawn, in a drawn order in the bunch (drawn before the sprint
    # final and the team sprint, though ridden after them: the events keep the draws they had
    # before those were added).
    points_riders = tuple(rng.sample([rider.bib for rider in riders], POINTS_RIDERS))

    # The sprint final, best of three, between the two fastest of the qualifying. The first
    # rides on the inside in
    # races 1 and 3, the second in race 2 (3.2.037); one each, then the decider. Races 1 and 3
    # are decided by the camera, race 2 by the loops.
    first, second = (ride.bib for ride in fastest[:SPRINT_QUALIFIERS])
    sprint: list[SprintRace] = []
    armed = desk[KEIRIN].final_us + BETWEEN_EVENTS_US
    for event, pair, winner, by_camera in (
        (SPRINT_RACES[0], (first, second), first, True),
        (SPRINT_RACES[1], (second, first), second, False),
        (SPRINT_RACES[2], (first, second), first, True),
    ):
        loser = second if winner == first else first
        won_in = _tenths_of_ms(rng, 54_500_000, 56_500_000)
        # By a wheel under the camera (0.005-0.030 s), by more where the loops decide (past
        # the 0.03 s under which they would ask for the photo).
        margin = rng.randrange(50, 300) * 100 if by_camera else rng.randrange(500, 2_500) * 100
        race = SprintRace(
            event=event,
            riders=pair,
            armed_us=armed,
            start_us=armed + SPRINT_START_AFTER_ARM_US,
            winner=winner,
            finish_us={winner: won_in, loser: won_in + margin},
            camera=by_camera,
            loop_lag_us={winner: rng.randrange(800, 3_000), loser: rng.randrange(800, 3_000)},
            winner_last_200_us=rng.randrange(10_150_000, 10_900_000),
        )
        sprint.append(race)
        desk[event] = _decisions(armed, race.last_us)
        armed = desk[event].final_us + BETWEEN_EVENTS_US

    # The team sprint heat: two teams of three drawn from the riders, each timed on its own
    # pursuit line (laps) and the other's (half laps); distinct official times.
    bibs = rng.sample([rider.bib for rider in riders], 2 * TEAM_SPRINT_LAPS)
    team_times = _distinct(2, lambda: _team_sprint(rng), lambda laps: laps[0][-1])
    teams = tuple(
        TeamSprintTeam(
            number=number,
            name=name,
            riders=tuple(bibs[side * TEAM_SPRINT_LAPS : (side + 1) * TEAM_SPRINT_LAPS]),
            laps_us=laps,
            half_laps_us=half_laps,
            loop_lag_us=rng.randrange(800, 3_000),
        )
        for side, ((number, name), (laps, half_laps)) in enumerate(
            zip(TEAM_SPRINT_TEAMS, team_times, strict=True)
        )
    )
    team_sprint = TeamSprintHeat(
        teams=(teams[0], teams[1]), armed_us=armed, gate_us=armed + TEAM_SPRINT_GATES_AFTER_ARM_US
    )
    desk[TEAM_SPRINT] = _decisions(armed, team_sprint.last_us)

    # The points race last: after it, only the loops and the desk. The Timy and the camera
    # stamp their records with the session's time of day, which runs ahead of the real clock
    # as fast as the demo plays; their last records stay within the daemon's half hour of
    # tolerance (`[venue] clock_tolerance_s`) at any speed.
    armed = desk[TEAM_SPRINT].final_us + BETWEEN_EVENTS_US
    points = PointsRace(
        riders=points_riders, armed_us=armed, start_us=armed + POINTS_START_AFTER_ARM_US
    )
    # The last read: the 200 m line after the finish, slowing down.
    desk[POINTS] = _decisions(armed, points.last_passage_us + 4 * S)
    return DemoSession(
        seed, riders, flying, tuple(kilometre), keirin, points, tuple(sprint), team_sprint, desk
    )


def _decisions(armed_us: int, last_us: int) -> Decisions:
    return Decisions(armed_us, last_us + DECISION_US, last_us + 2 * DECISION_US)


def _tenths_of_ms(rng: random.Random, low_us: int, high_us: int) -> int:
    """A time in [low, high) to 1/10,000 s, as a photocell or the camera gives it."""
    return rng.randrange(low_us // 100, high_us // 100) * 100


def _kilometre(rng: random.Random) -> tuple[int, ...]:
    """Cumulative times at each lap: a standing first lap, then three flying ones."""
    laps = (
        _tenths_of_ms(rng, 17_900_000, 19_100_000),
        _tenths_of_ms(rng, 13_400_000, 14_100_000),
        _tenths_of_ms(rng, 13_500_000, 14_300_000),
        _tenths_of_ms(rng, 13_800_000, 14_900_000),
    )
    cumulative: list[int] = []
    for lap in laps:
        cumulative.append((cumulative[-1] if cumulative else 0) + lap)
    return tuple(cumulative)


def _team_sprint(rng: random.Random) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A team's cumulative times on its own line after each lap (a standing first lap, then two
    flying ones) and on the other straight's half a lap before each (the first half lap, from
    a standstill, more than half the first lap's time)."""
    laps = (
        _tenths_of_ms(rng, 17_000_000, 17_600_000),
        _tenths_of_ms(rng, 13_200_000, 13_700_000),
        _tenths_of_ms(rng, 13_200_000, 13_900_000),
    )
    cumulative: list[int] = []
    half_laps: list[int] = []
    for lap in laps:
        before = cumulative[-1] if cumulative else 0
        half = _tenths_of_ms(rng, 9_700_000, 10_100_000) if not cumulative else lap // 200 * 100
        half_laps.append(before + half)
        cumulative.append(before + lap)
    return tuple(cumulative), tuple(half_laps)


def _distinct(count: int, draw: Callable[[], _T], total: Callable[[_T], int]) -> list[_T]:
    """`count` draws whose official times (truncated to the thousandth) all differ: the demo
    shows rankings, not the draws of lots that equal times would call for."""
    seen: set[int] = set()
    drawn: list[_T] = []
    while len(drawn) < count:
        value = draw()
        official = total(value) // 1_000
        if official not in seen:
            seen.add(official)
            drawn.append(value)
    return drawn


def _list(bibs: Iterable[int]) -> str:
    return "[" + ", ".join(str(bib) for bib in bibs) + "]"
