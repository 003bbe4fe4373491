"""Flying 200 m qualifying (sprint), 28 entrants, as a capture of real-world timing.

**The venue.** A 250 m track. P3 transponder loops on the finish, the 100 m and the 200 m lines
(one decoder each, each with its own clock); an ALGE Timy with photocells on the 200 m line
(C4) and the finish (C1), its clock on local time (Europe/Amsterdam). The photocells time those
two lines, the loop times the 100 m line, and the loops say who crossed.

**The session.** Each rider rolls off half a lap after the finish and rides 3.5 laps (3.2.025),
faster each lap, then cools down for a lap: the loops see every rider cross every line about
four times. The next rider rolls off 3.7 s after the one before has crossed the 200 m line
(3.2.024), so two riders are always on the track. `write_capture` has three variants:

- `photocells="armed"`: the timekeeper arms the photocells for each timed pass only;
- `photocells="every_pass"`: the photocells fire on every crossing, run-up and cool-down too;
- `photocells="none"`: a venue with transponder loops only.

**What the desk does.** Arm; 108 does not come to the start (DNS); 120 rides the third-fastest
time and is disqualified; provisional; final. A transponder that is no rider's of this meet
crosses the lines once (a coach on the track).

**The results, by hand** (`EXPECTED`, the armed and every-pass variants): the effort is each
rider's 200 m line -> finish pass timed by the photocells (rules: velotime.scoring.rules.
flying200, "Which pass is the effort"); 100 m split from the loop. Official time = finish -
200 m line truncated to the thousandth; speed 720 / official time, truncated to 3 decimals; gap
= difference of official times; splits: first 100 m = 100 m read - 200 m line, truncated; last
100 m = time - first 100 m (truncated cumulative times, so they add up). 24 qualify (the
Olympic cut).

- 122 and 119 both 10.152: 122's last 100 m is better (4.978 against 4.985, 3.2.027), so 122
  is 7th although 119's raw time (10.1521) was the faster: only official times count.
- 105 and 112 both 10.847 and both 5.210 over the last 100 m: a draw, both 24th; the draw
  straddles the cut of 24, so neither is marked qualified and the next rank is 26.

`EXPECTED_TRANSPONDERS_ONLY` (variant "none"): the loops read each crossing 1.000 ms after the
beam is cut; 115's finish read came 1.600 ms after it.
"""

from pathlib import Path
from typing import Any, Literal

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
from velotime.wire.commands import Arm, Final, Provisional, SetStatus

Photocells = Literal["armed", "every_pass", "none"]
EVENT = "sprint-q"
QUALIFY = 24
START_ORDER = list(range(101, 129))
DNS, DSQ = 108, 120
NATIONS = ["NED", "GBR", "AUS", "JPN", "GER", "FRA", "NZL", "CAN", "POL", "COL"]
RIDERS = {bib: (f"Rider {bib}", NATIONS[bib % len(NATIONS)]) for bib in START_ORDER}
TRANSPONDER = {bib: 7_100_000 + bib for bib in START_ORDER}
STRANGER = 7_999_001  # a transponder of nobody in this meet
TRACK_M = 250
LINES = {"finish": 0, "100m": 100, "200m": 200}

# bib: (raw 200 m time on the photocells, first 100 m from the 200 m photocell to the 100 m
# loop's read), microseconds. Photocell times have four decimals, as the Timy writes them.
RIDES = {
    101: (11_020_800, 5_770_207),
    102: (10_812_000, 5_660_820),
    103: (10_799_900, 5_654_404),
    104: (10_650_000, 5_575_851),
    105: (10_847_300, 5_636_877),  # the draw, with 112
    106: (10_760_000, 5_633_274),
    107: (10_555_500, 5_526_137),
    109: (10_830_000, 5_669_676),
    110: (10_401_000, 5_445_013),
    111: (10_724_600, 5_614_337),  # the rules' own example: 10.7246 -> 10.724, 67.139 km/h
    112: (10_847_900, 5_637_012),
    113: (10_601_900, 5_550_941),
    114: (10_349_900, 5_418_938),
    115: (10_456_700, 5_474_767),
    116: (10_510_200, 5_502_693),
    117: (10_245_600, 5_364_094),
    118: (10_300_000, 5_392_492),
    119: (10_152_100, 5_166_632),  # the tie broken on the last 100 m, with 122
    120: (9_950_000, 5_209_105),  # disqualified
    121: (10_200_100, 5_339_951),
    122: (10_152_800, 5_173_871),
    123: (10_030_500, 5_251_003),
    124: (9_987_100, 5_229_202),
    125: (9_900_300, 5_183_682),
    126: (9_855_900, 5_160_357),
    127: (9_801_200, 5_131_641),
    128: (9_724_600, 5_091_460),
}
RIDING = [bib for bib in START_ORDER if bib != DNS]

FIRST_EFFORT_US = venue_us(2026, 11, 21, 14, 5)  # 101 crosses the 200 m line at 14:05:00
EVERY_US = 66_000_000  # one timed 200 m every 66 s
LOOP_LAG_US = 1_000  # a loop reads a crossing 1.000 ms after the photocell's beam is cut
LATE_READ = {115: 1_600}  # ... but 115's finish read came 1.600 ms after the beam

# A rider's crossings before and after the timed 200 m, relative to the 200 m line crossing that
# starts the clock: 30 km/h on the first lap, 40 km/h on the second, then the dive.
RUN_UP = [
    ("100m", -62_300_000),  # rolling off, 25 m after the start half a lap out
    ("finish", -50_300_000),
    ("200m", -44_300_000),  # run-up pass 1: 200 m line -> finish in 21.000 s
    ("100m", -32_300_000),
    ("finish", -23_300_000),
    ("200m", -18_800_000),  # run-up pass 2: 15.530 s
    ("100m", -9_800_000),
    ("finish", -3_270_000),
]
COOL_DOWN = [("200m", 3_500_000), ("100m", 11_500_000), ("finish", 20_500_000)]  # after the finish
WARM_UP_US = -200_000_000  # 101 warms up before the event is armed: not counted
DECODERS = {
    "finish": ("p3-finish", 268301, 3_600_000_000 + 12_345),  # decoder clock on local time
    "100m": ("p3-100m", 268302, 3_600_000_000 - 8_765),
    "200m": ("p3-200m", 268303, -946_684_800_000_000),  # counting from 2000-01-01
}
TIMY_CHANNELS = {4: "200m", 1: "finish"}


def meet_text() -> str:
    riders = riders_toml(
        {bib: (name, nation, TRANSPONDER[bib]) for bib, (name, nation) in RIDERS.items()}
    )
    return f"""[meet]
id = "scenario-f200"
name = "Flying 200 m scenario"
{riders}
[[events]]
id = "{EVENT}"
discipline = "flying200"
name = "Sprint qualifying"
category = "Men Elite"
round = "qualifying"
start_order = {START_ORDER}
qualify = {QUALIFY}
"""


MEET_TEXT = meet_text()


def write_meet(directory: Path) -> Path:
    path = directory / "flying200.meet.toml"
    path.write_text(MEET_TEXT)
    return path


def effort_start_us(bib: int) -> int:
    """When `bib` crosses the 200 m line to start the clock."""
    return FIRST_EFFORT_US + RIDING.index(bib) * EVERY_US


def crossings(bib: int) -> list[tuple[str, int, bool]]:
    """Every crossing of `bib`'s run (line, venue time of the beam, timed pass or not)."""
    start = effort_start_us(bib)
    total, first_100 = RIDES[bib]
    run = [(line, start + at, False) for line, at in RUN_UP]
    run += [("200m", start, True), ("100m", start + first_100, True)]
    run += [("finish", start + total, True)]
    run += [(line, start + total + at, False) for line, at in COOL_DOWN]
    return run


def write_capture(directory: Path, photocells: Photocells = "armed") -> Path:
    decoders = {
        line: Decoder(src, line, id_, clock) for line, (src, id_, clock) in DECODERS.items()
    }
    timy = Timy("timy", TIMY_CHANNELS)
    channel = {line: number for number, line in TIMY_CHANNELS.items()}
    opened = FIRST_EFFORT_US - 600_000_000
    chunks: list[Chunk] = []
    for decoder in decoders.values():
        chunks += decoder.connect(opened)
    if photocells != "none":
        chunks += timy.connect(opened)

    def crossed(line: str, beam_us: int, transponder: int, timed: bool, read_lag: int) -> None:
        # On the 100 m line the timed pass's read is given as is (RIDES); others lag the beam.
        read_us = beam_us if line == "100m" and timed else beam_us + read_lag
        chunks.extend(decoders[line].passing(read_us, transponder))
        beam = line in channel and (photocells == "every_pass" or (photocells == "armed" and timed))
        if beam:
            chunks.append(timy.impulse(beam_us, channel[line]))

    # 101 warms up before the event is armed: two slow laps.
    for lap in range(2):
        for line, at in (("finish", 0), ("200m", 6_000_000), ("100m", 18_000_000)):
            beam_us = FIRST_EFFORT_US + WARM_UP_US + lap * 30_000_000 + at
            crossed(line, beam_us, TRANSPONDER[101], False, LOOP_LAG_US)
    for bib in RIDING:
        for line, beam_us, timed in crossings(bib):
            lag = LATE_READ.get(bib, LOOP_LAG_US) if timed and line == "finish" else LOOP_LAG_US
            crossed(line, beam_us, TRANSPONDER[bib], timed, lag)
    # A coach rolls across the lines in the middle of the session.
    coach = effort_start_us(114) + 40_000_000
    for line, at in (("finish", 0), ("200m", 9_000_000), ("100m", 27_000_000)):
        crossed(line, coach + at, STRANGER, False, LOOP_LAG_US)

    last = effort_start_us(RIDING[-1])
    chunks += [
        command(FIRST_EFFORT_US - 120_000_000, Arm(event=EVENT)),
        command(
            effort_start_us(107) + 2_000_000,
            SetStatus(event=EVENT, bib=DNS, status="DNS", reason="not at the start"),
        ),
        command(
            effort_start_us(DSQ) + 45_000_000,
            SetStatus(event=EVENT, bib=DSQ, status="DSQ", reason="rode below the measuring line"),
        ),
        command(last + 60_000_000, Provisional(event=EVENT)),
        command(last + 180_000_000, Final(event=EVENT)),
    ]
    sources = {decoder.source: decoder.description() for decoder in decoders.values()}
    if photocells != "none":
        sources[timy.source] = timy.description()
    return devices.write_capture(
        directory / f"flying200-{photocells}.capture.jsonl",
        venue="velodrome-test",
        sources=sources,
        lines=dict(LINES),
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
    splits: tuple[str, str],
    flags: list[str],
) -> dict[str, Any]:
    first, last = splits
    return result_line(
        rank,
        bib,
        RIDERS[bib],
        time=time,
        time_us=time_us,
        speed_kmh=speed_kmh,
        gap=gap,
        splits=[(100, first, first), (200, time, last)],
        flags=flags,
    )


Q, DRAW = ["qualified"], ["draw required"]

# Worked by hand: raw -> official (truncated); 720 / official -> speed (truncated); official -
# 9.724 -> gap; 100 m read - 200 m line -> first 100 m (truncated), official - that -> last 100 m.
EXPECTED: list[dict[str, Any]] = [
    # 9.7246 -> 9.724; 720 / 9.724 = 74.0436 -> 74.043; 5.091460 -> 5.091, 9.724 - 5.091 = 4.633
    line(1, 128, "9.724", 9_724_000, "74.043", None, ("5.091", "4.633"), Q),
    # 9.8012 -> 9.801; 720 / 9.801 = 73.4618 -> 73.461; 9.801 - 9.724 = 0.077;
    # 5.131641 -> 5.131, 9.801 - 5.131 = 4.670
    line(2, 127, "9.801", 9_801_000, "73.461", "+0.077", ("5.131", "4.670"), Q),
    # 9.8559 -> 9.855; 720 / 9.855 = 73.0593 -> 73.059; +0.131; 5.160357 -> 5.160; 4.695
    line(3, 126, "9.855", 9_855_000, "73.059", "+0.131", ("5.160", "4.695"), Q),
    # 9.9003 -> 9.900; 720 / 9.900 = 72.7272 -> 72.727; +0.176; 5.183682 -> 5.183; 4.717
    line(4, 125, "9.900", 9_900_000, "72.727", "+0.176", ("5.183", "4.717"), Q),
    # 120's 9.950 would have been 5th: disqualified, it ranks nobody out.
    # 9.9871 -> 9.987; 720 / 9.987 = 72.0937 -> 72.093; +0.263; 5.229202 -> 5.229; 4.758
    line(5, 124, "9.987", 9_987_000, "72.093", "+0.263", ("5.229", "4.758"), Q),
    # 10.0305 -> 10.030; 720 / 10.030 = 71.7846 -> 71.784; +0.306; 5.251003 -> 5.251; 4.779
    line(6, 123, "10.030", 10_030_000, "71.784", "+0.306", ("5.251", "4.779"), Q),
    # 122: 10.1528 -> 10.152; 720 / 10.152 = 70.9219 -> 70.921; 10.152 - 9.724 = +0.428;
    # 5.173871 -> 5.173, 10.152 - 5.173 = 4.979. Tie with 119 (10.1521 -> 10.152), broken on
    # the last 100 m (3.2.027), the interval truncated: 122 10.152800 - 5.173871 = 4.978929
    # -> 4.978; 119 10.152100 - 5.166632 = 4.985468 -> 4.985. 122 first.
    line(7, 122, "10.152", 10_152_000, "70.921", "+0.428", ("5.173", "4.979"), Q),
    # 119: 5.166632 -> 5.166, 10.152 - 5.166 = 4.986.
    line(8, 119, "10.152", 10_152_000, "70.921", "+0.428", ("5.166", "4.986"), Q),
    # 10.2001 -> 10.200; 720 / 10.2 = 70.5882 -> 70.588; +0.476; 5.339951 -> 5.339; 4.861
    line(9, 121, "10.200", 10_200_000, "70.588", "+0.476", ("5.339", "4.861"), Q),
    # 10.2456 -> 10.245; 720 / 10.245 = 70.2781 -> 70.278; +0.521; 5.364094 -> 5.364; 4.881
    line(10, 117, "10.245", 10_245_000, "70.278", "+0.521", ("5.364", "4.881"), Q),
    # 10.3000 -> 10.300; 720 / 10.3 = 69.9029 -> 69.902; +0.576; 5.392492 -> 5.392; 4.908
    line(11, 118, "10.300", 10_300_000, "69.902", "+0.576", ("5.392", "4.908"), Q),
    # 10.3499 -> 10.349 (never 10.350); 720 / 10.349 = 69.5719 -> 69.571; +0.625;
    # 5.418938 -> 5.418; 10.349 - 5.418 = 4.931
    line(12, 114, "10.349", 10_349_000, "69.571", "+0.625", ("5.418", "4.931"), Q),
    # 10.4010 -> 10.401; 720 / 10.401 = 69.2241 -> 69.224; +0.677; 5.445013 -> 5.445; 4.956
    line(13, 110, "10.401", 10_401_000, "69.224", "+0.677", ("5.445", "4.956"), Q),
    # 10.4567 -> 10.456; 720 / 10.456 = 68.8599 -> 68.859; +0.732; 5.474767 -> 5.474; 4.982
    line(14, 115, "10.456", 10_456_000, "68.859", "+0.732", ("5.474", "4.982"), Q),
    # 10.5102 -> 10.510; 720 / 10.51 = 68.5061 -> 68.506; +0.786; 5.502693 -> 5.502; 5.008
    line(15, 116, "10.510", 10_510_000, "68.506", "+0.786", ("5.502", "5.008"), Q),
    # 10.5555 -> 10.555; 720 / 10.555 = 68.2141 -> 68.214; +0.831; 5.526137 -> 5.526; 5.029
    line(16, 107, "10.555", 10_555_000, "68.214", "+0.831", ("5.526", "5.029"), Q),
    # 10.6019 -> 10.601; 720 / 10.601 = 67.9181 -> 67.918; +0.877; 5.550941 -> 5.550; 5.051
    line(17, 113, "10.601", 10_601_000, "67.918", "+0.877", ("5.550", "5.051"), Q),
    # 10.6500 -> 10.650; 720 / 10.65 = 67.6056 -> 67.605; +0.926; 5.575851 -> 5.575; 5.075
    line(18, 104, "10.650", 10_650_000, "67.605", "+0.926", ("5.575", "5.075"), Q),
    # 10.7246 -> 10.724 (uci-rules.md §4.4); 720 / 10.724 = 67.1391 -> 67.139 (§4.7);
    # 10.724 - 9.724 = +1.000; 5.614337 -> 5.614; 10.724 - 5.614 = 5.110
    line(19, 111, "10.724", 10_724_000, "67.139", "+1.000", ("5.614", "5.110"), Q),
    # 10.7600 -> 10.760; 720 / 10.76 = 66.9144 -> 66.914; +1.036; 5.633274 -> 5.633; 5.127
    line(20, 106, "10.760", 10_760_000, "66.914", "+1.036", ("5.633", "5.127"), Q),
    # 10.7999 -> 10.799; 720 / 10.799 = 66.6728 -> 66.672; +1.075; 5.654404 -> 5.654; 5.145
    line(21, 103, "10.799", 10_799_000, "66.672", "+1.075", ("5.654", "5.145"), Q),
    # 10.8120 -> 10.812; 720 / 10.812 = 66.5926 -> 66.592; +1.088; 5.660820 -> 5.660; 5.152
    line(22, 102, "10.812", 10_812_000, "66.592", "+1.088", ("5.660", "5.152"), Q),
    # 10.8300 -> 10.830; 720 / 10.83 = 66.4819 -> 66.481; +1.106; 5.669676 -> 5.669; 5.161
    line(23, 109, "10.830", 10_830_000, "66.481", "+1.106", ("5.669", "5.161"), Q),
    # 105: 10.8473 -> 10.847; 720 / 10.847 = 66.3778 -> 66.377; +1.123; 5.636877 -> 5.636,
    # 10.847 - 5.636 = 5.211. 112: 10.8479 -> 10.847 too. Last 100 m (the interval truncated):
    # 105 10.847300 - 5.636877 = 5.210423 -> 5.210; 112 10.847900 - 5.637012 = 5.210888 ->
    # 5.210. Equal: a draw, both 24th, listed in start order. It straddles the cut (24 and 25
    # against 24 places): neither qualifies until the commissaires draw. 105's printed last
    # 100 m (5.211, a difference of truncated cumulative times) is 0.001 more than the 5.210
    # that decides: the rules' convention for splits that add up (flying200.py, "Splits").
    line(24, 105, "10.847", 10_847_000, "66.377", "+1.123", ("5.636", "5.211"), DRAW),
    # 112: 5.637012 -> 5.637, 10.847 - 5.637 = 5.210.
    line(24, 112, "10.847", 10_847_000, "66.377", "+1.123", ("5.637", "5.210"), DRAW),
    # 26th after the draw for 24th. 11.0208 -> 11.020; 720 / 11.02 = 65.3357 -> 65.335;
    # +1.296; 5.770207 -> 5.770; 11.020 - 5.770 = 5.250. Not qualified.
    line(26, 101, "11.020", 11_020_000, "65.335", "+1.296", ("5.770", "5.250"), []),
    # Unranked: DNS, then DSQ (no time shown).
    result_line(None, DNS, RIDERS[DNS], status="DNS"),
    result_line(None, DSQ, RIDERS[DSQ], status="DSQ"),
]


def _ms(text: str) -> int:
    seconds, millis = text.split(".")
    return int(seconds) * 1000 + int(millis)


def _text(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


def _from_loops(expected: dict[str, Any]) -> dict[str, Any]:
    """A line of EXPECTED as the loops time it (variant "none"). Reads lag the beam by exactly
    1.000 ms on the 200 m line and the finish: the 200 m time is unchanged, the first 100 m
    (100 m read - 200 m read) is exactly 1 ms shorter, so truncated 0.001 less, and the last 100
    m 0.001 more. The tie-break intervals all grow by the same 1 ms: 122 4.979 against 119
    4.986, 105 and 112 5.211 both: the same order and the same draw."""
    if "splits" not in expected:
        return expected
    first, whole = expected["splits"]
    cumulative = _text(_ms(first["cumulative"]) - 1)
    lap = _text(_ms(whole["lap"]) + 1)
    return {
        **expected,
        "splits": [
            {**first, "cumulative": cumulative, "lap": cumulative},
            {**whole, "lap": lap},
        ],
    }


EXPECTED_TRANSPONDERS_ONLY: list[dict[str, Any]] = [
    # 115's finish read lags by 1.600 ms: 10.4567 + 0.0006 = 10.4573 -> 10.457 (one thousandth
    # more than the photocells' 10.456); 720 / 10.457 = 68.8533 -> 68.853; 10.457 - 9.724 =
    # +0.733; first 100 m 5.474767 - 0.001 = 5.473767 -> 5.473, 10.457 - 5.473 = 4.984. Still
    # 14th (10.401 < 10.457 < 10.510).
    line(14, 115, "10.457", 10_457_000, "68.853", "+0.733", ("5.473", "4.984"), Q)
    if line_["bib"] == 115
    else _from_loops(line_)
    for line_ in EXPECTED
]
