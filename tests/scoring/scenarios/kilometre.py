"""A kilometre time trial, 8 entrants one at a time, as a capture of real-world timing.

**The venue.** A 250 m track: 4 laps, the start gate on the finish line. An ALGE Timy (clock on
local time, Europe/Amsterdam) takes the gate's release on C0 (line "start": it starts the
clock, 3.2.016) and the finish photocell on C1; a P3 loop on the finish line reads the riders'
transponders on every lap, with its own clock (the daemon learns it from GET_TIME).

**Each ride.** The desk names the rider (NextRider) a minute before the gate opens. As the gate
opens the wheel cuts the finish beam (0.2 s) and the loop reads the transponder (0.35 s): not
laps. Then four laps, each cut by the beam and read by the loop 1.337 ms later, then a slower
lap after the finish (beam and loop again: not a lap).

**What happens.**

- 2 makes a false start: the gate opens, the rider is called back and rolls across the line
  40 s later. The desk names 2 again (the restart, 3.2.021 ter): only the second start counts.
- 3 abandons after two laps: the commissaires set DNF.
- 4 and 5 ride the same official time, 1:01.234; 4 has the better last lap (3.2.107).
- 6's lap-2 beam is missed; the loop's read makes up that lap.
- 8 does not start (DNS).

**The results, by hand** (`EXPECTED`): official cumulative times are the raw times after the
gate truncated to the thousandth; lap times are differences of those (so they add up exactly
to the total); speed 3600 / official time truncated to 3 decimals; gap = difference of
official times.
"""

from pathlib import Path
from typing import Any

from tests.scoring.scenarios import devices
from tests.scoring.scenarios.devices import (
    Chunk,
    Decoder,
    Timy,
    command,
    result_line,
    riders_toml,
    venue_us,
)
from velotime.wire.commands import Arm, Command, Final, NextRider, Provisional, SetStatus

EVENT = "kilo"
START_ORDER = [1, 2, 3, 4, 5, 6, 7, 8]
RESTART, DNF, DNS, MISSED_BEAM = 2, 3, 8, 6
NATIONS = ["NED", "GBR", "AUS", "JPN", "GER", "FRA", "NZL", "CAN"]
RIDERS = {bib: (f"Rider {bib}", NATIONS[bib - 1]) for bib in START_ORDER}
TRANSPONDER = {bib: 7_200_000 + bib for bib in START_ORDER}
TRACK_M = 250
START, FINISH = 0, 1  # Timy channels

# bib: raw times after the gate's release at the line after 250, 500, 750 and 1000 m, in
# microseconds: the photocell's, to 1/10,000 s. 6's lap 2 is the loop's read (the beam missed).
RIDES = {
    1: [18_456_700, 32_512_900, 46_339_800, 60_421_500],
    2: [18_600_000, 32_654_300, 46_721_800, 60_987_600],  # the second start
    3: [18_800_000, 33_200_000],  # then abandons
    4: [18_900_000, 33_100_000, 46_900_100, 61_234_700],
    5: [18_500_000, 32_700_000, 46_800_000, 61_234_100],
    6: [18_700_000, 32_902_437, 47_100_000, 61_500_000],
    7: [18_100_200, 31_890_500, 45_500_000, 59_555_700],
}
FALSE_START_BACK_US = 40_000_000  # 2 rolls back across the line after the recall
THROUGH_THE_BEAM_US = 200_000  # the wheel leaving the gate cuts the finish beam...
UNDER_THE_GATE_US = 350_000  # ... and the loop reads it
LOOP_LAG_US = 1_337  # the loop reads a crossing this long after the beam is cut
SLOWING_DOWN_US = 20_000_000  # one slower lap after the finish

SLOT_US = 180_000_000  # one start every three minutes
GATE_AFTER_US = 60_012_300  # the gate opens this long after the rider is named
FIRST_SLOT_US = venue_us(2026, 11, 21, 15, 0)  # 15:00 local time
# The slots: who is named, and whether this start is voided by a restart.
SLOTS = [1, RESTART, RESTART, 3, 4, 5, 6, 7]
DECODER = ("p3-finish", 268310, 3_600_000_000 + 4_321)  # a decoder clock on local time


def meet_text() -> str:
    riders = riders_toml(
        {bib: (name, nation, TRANSPONDER[bib]) for bib, (name, nation) in RIDERS.items()}
    )
    return f"""[meet]
id = "scenario-kilo"
name = "Kilometre scenario"
{riders}
[[events]]
id = "{EVENT}"
discipline = "time_trial"
name = "1 km time trial"
category = "Men Elite"
start_order = {START_ORDER}
distance_m = 1000
"""


MEET_TEXT = meet_text()


def write_meet(directory: Path) -> Path:
    path = directory / "kilometre.meet.toml"
    path.write_text(MEET_TEXT)
    return path


# `write_capture(..., intruder=True)`: 6 rolls onto the track during 5's ride and crosses the
# finish line (beam and loop) this long after 5's gate opens.
INTRUDER, INTRUDED, INTRUDER_AFTER_US = 6, 5, 30_000_000


def write_capture(directory: Path, *, desk_names: bool = True, intruder: bool = False) -> Path:
    """The session; without `desk_names` the desk names nobody (no NextRider): the
    transponders tell who rides. `intruder`: 6 crosses the line during 5's ride."""
    source, decoder_id, clock = DECODER
    loop = Decoder(source, "finish", decoder_id, clock)
    timy = Timy("timy", {START: "start", FINISH: "finish"})
    opened = FIRST_SLOT_US - 300_000_000
    chunks: list[Chunk] = [*loop.connect(opened), *timy.connect(opened)]

    def at(at_us: int, value: Command) -> None:
        chunks.append(command(at_us, value))

    def crossing(beam_us: int, bib: int, *, beam: bool = True) -> None:
        if beam:
            chunks.append(timy.impulse(beam_us, FINISH))
        chunks.extend(loop.passing(beam_us + LOOP_LAG_US, TRANSPONDER[bib]))

    at(FIRST_SLOT_US - 120_000_000, Arm(event=EVENT))
    for slot, bib in enumerate(SLOTS):
        named = FIRST_SLOT_US + slot * SLOT_US
        gate = named + GATE_AFTER_US
        if desk_names:
            at(named, NextRider(event=EVENT, bib=bib))
        chunks.append(timy.impulse(gate, START))
        if intruder and bib == INTRUDED:
            crossing(gate + INTRUDER_AFTER_US, INTRUDER)
        chunks.append(timy.impulse(gate + THROUGH_THE_BEAM_US, FINISH))
        chunks.extend(loop.passing(gate + UNDER_THE_GATE_US, TRANSPONDER[bib]))
        if bib == RESTART and SLOTS[slot + 1 :].count(RESTART):  # the false start
            crossing(gate + FALSE_START_BACK_US, bib)
            continue
        laps = RIDES[bib]
        for lap, after in enumerate(laps, start=1):
            if bib == MISSED_BEAM and lap == 2:
                crossing(gate + after - LOOP_LAG_US, bib, beam=False)  # read at `after`
            else:
                crossing(gate + after, bib)
        if bib == DNF:
            at(gate + 90_000_000, SetStatus(event=EVENT, bib=DNF, status="DNF", reason="abandoned"))
            continue
        crossing(gate + laps[-1] + SLOWING_DOWN_US, bib)
    end = FIRST_SLOT_US + len(SLOTS) * SLOT_US
    at(end, SetStatus(event=EVENT, bib=DNS, status="DNS", reason="not at the start"))
    at(end + 60_000_000, Provisional(event=EVENT))
    at(end + 180_000_000, Final(event=EVENT))
    return devices.write_capture(
        directory / "kilometre.capture.jsonl",
        venue="velodrome-test",
        sources={loop.source: loop.description(), timy.source: timy.description()},
        lines={"finish": 0},
        track_length_m=TRACK_M,
        chunks=chunks,
    )


def line(
    rank: int,
    bib: int,
    time: str,
    time_us: int,
    speed_kmh: str,
    gap: str | None,
    cumulative: tuple[str, str, str, str],
    laps: tuple[str, str, str, str],
) -> dict[str, Any]:
    """A ranked rider's line; splits at 250, 500, 750 and 1000 m."""
    distances = (250, 500, 750, 1000)
    return result_line(
        rank,
        bib,
        RIDERS[bib],
        time=time,
        time_us=time_us,
        speed_kmh=speed_kmh,
        gap=gap,
        splits=list(zip(distances, cumulative, laps, strict=True)),
    )


EXPECTED: list[dict[str, Any]] = [
    # 7: 18.1002 / 31.8905 / 45.5000 / 59.5557 -> 18.100 / 31.890 / 45.500 / 59.555; laps
    # 18.100, 31.890 - 18.100 = 13.790, 45.500 - 31.890 = 13.610, 59.555 - 45.500 = 14.055.
    # 3600 / 59.555 = 60.4483 -> 60.448.
    line(
        1,
        7,
        "59.555",
        59_555_000,
        "60.448",
        None,
        ("18.100", "31.890", "45.500", "59.555"),
        ("18.100", "13.790", "13.610", "14.055"),
    ),
    # 1: 18.4567 / 32.5129 / 46.3398 / 60.4215 -> 18.456 / 32.512 / 46.339 / 1:00.421; laps
    # 18.456, 14.056, 13.827, 14.082: they add up to 60.421. Truncating each raw lap instead
    # (18.4567, 14.0562, 13.8269, 14.0817 -> 18.456 + 14.056 + 13.826 + 14.081) gives 60.419,
    # 0.002 short of the time. 3600 / 60.421 = 59.5819 -> 59.581; 60.421 - 59.555 = +0.866.
    line(
        2,
        1,
        "1:00.421",
        60_421_000,
        "59.581",
        "+0.866",
        ("18.456", "32.512", "46.339", "1:00.421"),
        ("18.456", "14.056", "13.827", "14.082"),
    ),
    # 2, the second start (the first is void, 3.2.021 ter): 18.6000 / 32.6543 / 46.7218 /
    # 60.9876 -> 18.600 / 32.654 / 46.721 / 1:00.987; laps 18.600, 14.054, 14.067, 14.266.
    # 3600 / 60.987 = 59.0289 -> 59.028; 60.987 - 59.555 = +1.432.
    line(
        3,
        2,
        "1:00.987",
        60_987_000,
        "59.028",
        "+1.432",
        ("18.600", "32.654", "46.721", "1:00.987"),
        ("18.600", "14.054", "14.067", "14.266"),
    ),
    # 4 and 5: 61.2347 and 61.2341 both -> 1:01.234 (5's raw time was the faster: it does not
    # count). 3.2.107, the last lap: 4 61.234 - 46.900 = 14.334, 5 61.234 - 46.800 = 14.434:
    # 4 fourth, 5 fifth, no draw. 3600 / 61.234 = 58.7908 -> 58.790; 61.234 - 59.555 = +1.679.
    line(
        4,
        4,
        "1:01.234",
        61_234_000,
        "58.790",
        "+1.679",
        ("18.900", "33.100", "46.900", "1:01.234"),
        ("18.900", "14.200", "13.800", "14.334"),
    ),
    line(
        5,
        5,
        "1:01.234",
        61_234_000,
        "58.790",
        "+1.679",
        ("18.500", "32.700", "46.800", "1:01.234"),
        ("18.500", "14.200", "14.100", "14.434"),
    ),
    # 6: lap 2 from the loop, 32.902437 -> 32.902; the beams 18.7000, 47.1000, 61.5000. Laps
    # 18.700, 14.202, 14.198, 14.400. 3600 / 61.5 = 58.5365 -> 58.536; 61.500 - 59.555 = +1.945.
    line(
        6,
        6,
        "1:01.500",
        61_500_000,
        "58.536",
        "+1.945",
        ("18.700", "32.902", "47.100", "1:01.500"),
        ("18.700", "14.202", "14.198", "14.400"),
    ),
    # Unranked: DNF, then DNS.
    result_line(None, DNF, RIDERS[DNF], status="DNF"),
    result_line(None, DNS, RIDERS[DNS], status="DNS"),
]
