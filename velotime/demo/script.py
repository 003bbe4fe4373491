"""The demo's session as designed: who rides what, how fast, and when, from a seed.

Everything here is plain data worked out from `random.Random(seed)`, with no clock and no I/O:
the same seed gives the same session, and so the same results. The times are the ones the
devices will report (photocell times to 1/10,000 s, as an ALGE Timy prints them; transponder
reads to the microsecond; the camera's times to 1/10,000 s); the results follow from them by the
UCI rules (truncation to the thousandth), which is what the tests check.

Instants are offsets in microseconds from the start of the session; `velotime.demo.timeline`
turns them into device messages, and the director puts the session on a real clock.

The session (a 250 m track, loops and photocells on the finish and 200 m lines, the start gate
on the finish line):

- **Flying 200 m qualifying**, 20 riders, 12 qualify. One rider every 16 s, so two are on the
  track at once (3.2.024). Each rider's run-up lap and cool-down are seen by the loops only;
  the photocells, armed for the timed pass, time the effort, and the loops read at the same
  moment name the rider.
- **1 km time trial**, 8 riders one at a time from the start gate: the gate impulse starts the
  clock, each lap is a photocell impulse on the finish line with the loop's read just after.
- **Keirin final**, the six fastest of the qualifying (seeded in that order). The camera's
  result decides the order: its first two are less than 0.02 s apart and the loops read them
  the other way round. The winner's last 200 m runs from the 200 m loop to the camera's finish.
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
EVENT_NAMES = {
    FLYING200: "Flying 200 m qualifying",
    KILOMETRE: "1 km time trial",
    KEIRIN: "Keirin final",
}
QUALIFY = 12
KILOMETRE_RIDERS = 8
KEIRIN_RIDERS = 6
KM_LAPS = 4  # 1000 m on a 250 m track

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
    return DemoSession(seed, riders, flying, tuple(kilometre), keirin, desk)


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
