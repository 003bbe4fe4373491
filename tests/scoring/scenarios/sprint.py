"""A sprint tournament of 8 riders, from the flying 200 m qualifying to the gold and bronze
finals, as a capture: P3 passings at the finish, 100 m and 200 m lines, the FinishLynx camera for
some races, and the desk's commands. Every expected figure is worked out by hand from
uci-rules.md §2.2-§2.3 and §4 and the conventions of velotime.scoring.rules.sprint_tournament.

**Qualifying** (`sprint-q`, flying 200 m, loops only, `qualify = 8`): riders 201-208 ride in
bib order; each one's effort is their 200 m line -> finish pass, timed by the loops' reads
(official time = finish - 200 m line, truncated to the thousandth, §4.4):

    205 10.101234 -> 10.101   1st        206 10.512700 -> 10.512   5th
    201 10.250999 -> 10.250   2nd        202 10.600001 -> 10.600   6th
    208 10.333333 -> 10.333   3rd        207 10.755555 -> 10.755   7th
    203 10.400500 -> 10.400   4th        204 10.901999 -> 10.901   8th

**The table** for 8 qualifiers (3.2.031, the knockout of §2.3): quarter-finals 1v8, 2v7, 3v6,
4v5, best of three; semi-finals by slot (not re-seeded): winner of QF1 v winner of QF4, winner of
QF2 v winner of QF3; gold final: the semi-finals' winners; bronze: their losers; all best of
three. A match's race 2 swaps the riders' positions (3.2.037); race 3 only at 1-1.

Every race is 3 laps (`laps = 3`, a 250 m track): each rider crosses the finish line just after
the start, at the end of laps 1 and 2, then at the finish (crossing 4), and once more cooling
down. The winner's last 200 m: the camera's finish (when the camera ranks the race) or the
loop's, less the winner's last 200 m line crossing before it. Loop finishes: the winner at
95.000000 s after the start, the loser 0.200 s later unless said; camera finishes (4 decimals):
the winner at 95.0000 s, the loser 0.1000 s later unless said.

    race                         riders    by      winner  last 200 m (finish - 200 m line)
    QF1 race 1 (1-4-1-r1)        205 204   camera  205     10.345600 -> 10.345
    QF1 race 2                   204 205   loops   205     10.456789 -> 10.456    205 2-0
    QF2 race 1 (1-4-2-r1)        201 207   camera  201     10.567890 -> 10.567
    QF2 race 2                   207 201   loops   207     10.678901 -> 10.678    1-1
    QF2 race 3, the decider      201 207   camera  201     10.789012 -> 10.789    201 2-1
    QF3 race 1 (1-4-3-r1)        208 202   camera  202     10.890123 -> 10.890
        208 crosses first (camera 95.0000, 202 95.0500) and is relegated (REL): 202 wins;
        202's last 200 m from its own camera finish 95.0500 and its 200 m crossing.
    QF3 race 2                   202 208   loops   202     10.901234 -> 10.901    202 2-0
    QF4 race 1 (1-4-4-r1)        203 206   loops   206     11.012345 -> 11.012
        206 at 95.000000, 203 at 95.012000: 0.012 s apart, under 0.03 s (§4.3): both flagged
        "photo required"; the loops' order stands until someone corrects it.
    QF4 race 2                   206 203   camera  206     11.123456 -> 11.123    206 2-0
    SF1 race 1 (1-2-1-r1)        205 206   camera  205     10.234567 -> 10.234
    SF1 race 2                   206 205   loops   205     10.345678 -> 10.345    205 2-0
    SF2 race 1 (1-2-2-r1)        201 202   loops   201     10.456700 -> 10.456
    SF2 race 2                   202 201   camera  201     10.567800 -> 10.567    201 2-0
    bronze race 1                206 202   camera  202     10.678900 -> 10.678
        ridden twice: the first start ends in a fall on lap 1, the commissaires stop the race
        and it is re-ridden (`abandon`): the first attempt's two crossings are thrown away.
    bronze race 2                202 206   loops   202     10.789000 -> 10.789    202 2-0
    final race 1                 205 201   camera  205      9.999900 ->  9.999
        the loops read 201 0.010 s ahead of 205 (94.990000 against 95.000000); the camera puts
        205 first, 201 0.0100 behind: the camera decides (3.6.088), no "photo required".
    final race 2                 201 205   loops   205     10.000001 -> 10.000    205 2-0

Speeds (720 / t truncated, §4.7), two by hand: 720 / 9.999 = 72.0072... -> "72.007";
720 / 11.123 = 64.7307... -> "64.730".

**Classification**: the gold final gives 1 205, 2 201; the bronze 3 202, 4 206; the
quarter-final losers are ranked 5-8 by 200 m time (qualifying rank): 208 (3rd), 203 (4th), 207
(7th), 204 (8th).
"""

from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.scenarios.devices import riders_toml
from tests.scoring.scenarios.flying200 import COOL_DOWN, RUN_UP
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.protocols import lynx, p3
from velotime.wire.commands import Abandon, Arm, Command, Final, Provisional, SetStatus, Start

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC; the venue clock is UTC here
FINISH_DECODER, LINE_100_DECODER, LINE_200_DECODER = 300201, 300202, 300203
QUALIFYING = "sprint-q"
COMPETITION = "sprint-m"
BIBS = list(range(201, 209))
TRANSPONDER = {bib: 7_200_000 + bib for bib in BIBS}

# Qualifying: bib -> (raw 200 m time, first 100 m), microseconds.
EFFORTS = {
    201: (10_250_999, 5_300_000),
    202: (10_600_001, 5_500_000),
    203: (10_400_500, 5_400_000),
    204: (10_901_999, 5_700_000),
    205: (10_101_234, 5_200_000),
    206: (10_512_700, 5_450_000),
    207: (10_755_555, 5_600_000),
    208: (10_333_333, 5_350_000),
}
QUALIFYING_FIRST_US = MIDNIGHT_US + 50_400_000_000  # 14:00:00, 201 crosses the 200 m line
EVERY_US = 66_000_000
EXPECTED_QUALIFYING = [
    (1, 205, "10.101"), (2, 201, "10.250"), (3, 208, "10.333"), (4, 203, "10.400"),
    (5, 206, "10.512"), (6, 202, "10.600"), (7, 207, "10.755"), (8, 204, "10.901"),
]  # fmt: skip


class _Race(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    riders: tuple[int, int]  # the start list
    winner: int
    last_200_us: int  # the winner's finish less their last 200 m line crossing
    camera: bool = False
    loser_gap_us: int | None = None  # loser behind the winner at the line, loops and camera
    first_on_line: int | None = None  # who crosses first, when not the winner (relegated)
    decisions: tuple[Command, ...] = ()
    rerun: bool = False  # a first start abandoned after a fall
    loops_disagree: bool = False  # the loser's loop reads 0.010 s ahead of the winner's


def _race(event: str, riders: tuple[int, int], winner: int, last_200_us: int, **kw: Any) -> _Race:
    return _Race(event=event, riders=riders, winner=winner, last_200_us=last_200_us, **kw)


def qf(heat: int, race: int) -> str:
    return f"{COMPETITION}-1-4-{heat}-r{race}"


def sf(heat: int, race: int) -> str:
    return f"{COMPETITION}-1-2-{heat}-r{race}"


BRONZE = [f"{COMPETITION}-bronze-final-r{race}" for race in (1, 2)]
FINAL = [f"{COMPETITION}-final-r{race}" for race in (1, 2)]

RACES = [
    _race(qf(1, 1), (205, 204), 205, 10_345_600, camera=True),
    _race(qf(2, 1), (201, 207), 201, 10_567_890, camera=True),
    _race(
        qf(3, 1),
        (208, 202),
        202,
        10_890_123,
        camera=True,
        first_on_line=208,
        loser_gap_us=50_000,
        decisions=(
            SetStatus(event=qf(3, 1), bib=208, status="REL", reason="left the sprinters' lane"),
        ),
    ),
    _race(qf(4, 1), (203, 206), 206, 11_012_345, loser_gap_us=12_000),
    _race(qf(1, 2), (204, 205), 205, 10_456_789),
    _race(qf(2, 2), (207, 201), 207, 10_678_901),
    _race(qf(3, 2), (202, 208), 202, 10_901_234),
    _race(qf(4, 2), (206, 203), 206, 11_123_456, camera=True),
    _race(qf(2, 3), (201, 207), 201, 10_789_012, camera=True),
    _race(sf(1, 1), (205, 206), 205, 10_234_567, camera=True),
    _race(sf(2, 1), (201, 202), 201, 10_456_700),
    _race(sf(1, 2), (206, 205), 205, 10_345_678),
    _race(sf(2, 2), (202, 201), 201, 10_567_800, camera=True),
    _race(BRONZE[0], (206, 202), 202, 10_678_900, camera=True, rerun=True),
    _race(
        FINAL[0], (205, 201), 205, 9_999_900, camera=True, loser_gap_us=10_000, loops_disagree=True
    ),
    _race(BRONZE[1], (202, 206), 202, 10_789_000),
    _race(FINAL[1], (201, 205), 205, 10_000_001),
]

# Each race's expected lines (rank, bib, status, flags), winner's last 200 m.
PHOTO = ["photo required"]
EXPECTED_RACES: dict[str, tuple[list[tuple[int | None, int, str, list[str]]], str]] = {
    qf(1, 1): ([(1, 205, "", []), (2, 204, "", [])], "10.345"),
    qf(1, 2): ([(1, 205, "", []), (2, 204, "", [])], "10.456"),
    qf(2, 1): ([(1, 201, "", []), (2, 207, "", [])], "10.567"),
    qf(2, 2): ([(1, 207, "", []), (2, 201, "", [])], "10.678"),
    qf(2, 3): ([(1, 201, "", []), (2, 207, "", [])], "10.789"),
    qf(3, 1): ([(1, 202, "", []), (2, 208, "REL", [])], "10.890"),
    qf(3, 2): ([(1, 202, "", []), (2, 208, "", [])], "10.901"),
    qf(4, 1): ([(1, 206, "", PHOTO), (2, 203, "", PHOTO)], "11.012"),
    qf(4, 2): ([(1, 206, "", []), (2, 203, "", [])], "11.123"),
    sf(1, 1): ([(1, 205, "", []), (2, 206, "", [])], "10.234"),
    sf(1, 2): ([(1, 205, "", []), (2, 206, "", [])], "10.345"),
    sf(2, 1): ([(1, 201, "", []), (2, 202, "", [])], "10.456"),
    sf(2, 2): ([(1, 201, "", []), (2, 202, "", [])], "10.567"),
    BRONZE[0]: ([(1, 202, "", []), (2, 206, "", [])], "10.678"),
    BRONZE[1]: ([(1, 202, "", []), (2, 206, "", [])], "10.789"),
    FINAL[0]: ([(1, 205, "", []), (2, 201, "", [])], "9.999"),
    FINAL[1]: ([(1, 205, "", []), (2, 201, "", [])], "10.000"),
}
EXPECTED_KMH = {FINAL[0]: "72.007", qf(4, 2): "64.730"}
# standings: round -> [(riders in slot order, places, races won per rider, race ids)]
EXPECTED_ROUNDS: dict[str, list[tuple[list[int], list[int], list[int], list[str]]]] = {
    "1/4": [
        ([205, 204], [205, 204], [2, 0], [qf(1, 1), qf(1, 2)]),
        ([201, 207], [201, 207], [2, 1], [qf(2, 1), qf(2, 2), qf(2, 3)]),
        ([208, 202], [202, 208], [0, 2], [qf(3, 1), qf(3, 2)]),
        ([203, 206], [206, 203], [0, 2], [qf(4, 1), qf(4, 2)]),
    ],
    "1/2": [
        ([205, 206], [205, 206], [2, 0], [sf(1, 1), sf(1, 2)]),
        ([201, 202], [201, 202], [2, 0], [sf(2, 1), sf(2, 2)]),
    ],
    "bronze final": [([206, 202], [202, 206], [0, 2], BRONZE)],
    "final": [([205, 201], [205, 201], [2, 0], FINAL)],
}
EXPECTED_CLASSIFICATION = [
    (1, 205), (2, 201), (3, 202), (4, 206), (5, 208), (6, 203), (7, 207), (8, 204)
]  # fmt: skip


def meet_text() -> str:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", TRANSPONDER[bib]) for bib in BIBS})
    return f"""
[meet]
id = "sprint-scenario"
name = "Sprint scenario"
{riders}
[[events]]
id = "{QUALIFYING}"
discipline = "flying200"
name = "Sprint qualifying"
category = "Men Elite"
round = "qualifying"
start_order = {BIBS}
qualify = 8

[[competitions]]
id = "{COMPETITION}"
discipline = "sprint"
category = "Men Elite"
name = "Sprint"
qualifying = "{QUALIFYING}"
laps = 3
"""


def write_meet(directory: Path) -> Path:
    path = directory / "sprint.meet.toml"
    path.write_text(meet_text())
    return path


def header() -> CaptureHeader:
    return CaptureHeader(
        venue="sprint-track",
        sources={
            "p3": {
                "protocol": "p3",
                "decoder_lines": {
                    str(FINISH_DECODER): "finish",
                    str(LINE_100_DECODER): "100m",
                    str(LINE_200_DECODER): "200m",
                },
                "clock": "decoder",
            },
            "lynx": {"protocol": "lynx", "timezone": "UTC"},
        },
        lines={"finish": 0, "100m": 100, "200m": 200},
        track_length_m=250,
    )


DECODER_OF = {"finish": FINISH_DECODER, "100m": LINE_100_DECODER, "200m": LINE_200_DECODER}
RACE_FINISH_US = 95_000_000  # the winner's finish, after the start
SLOT_US = 900_000_000  # a race every 15 minutes
FIRST_RACE_US = QUALIFYING_FIRST_US + 3_600_000_000  # 15:00


def write_capture(directory: Path) -> Path:
    """The session as the daemon would have recorded it; returns the capture's path."""
    chunks: list[tuple[int, str, bytes]] = []
    numbers = dict.fromkeys(DECODER_OF.values(), 0)

    def command(at_us: int, value: Command) -> None:
        chunks.append((at_us, CONTROL_SOURCE, msgspec.json.encode(value)))

    def passing(line: str, bib: int, at_us: int) -> None:
        decoder = DECODER_OF[line]
        numbers[decoder] += 1
        record = p3.Passing(
            passing_number=numbers[decoder],
            transponder=TRANSPONDER[bib],
            rtc_time_us=at_us,  # the venue clock is the decoder's ("decoder")
            decoder_id=decoder,
        )
        chunks.append((at_us + 50_000, "p3", p3.encode(record)))

    def camera(at_us: int, *records: lynx.LynxRecord) -> None:
        chunks.append((at_us, "lynx", b"".join(lynx.encode(record) for record in records)))

    opened = QUALIFYING_FIRST_US - 600_000_000
    chunks.append((opened, "p3", b""))  # connections open
    chunks.append((opened, "lynx", b""))

    # The flying 200 m: each rider's run-up, timed pass and cool-down, one every 66 s.
    command(QUALIFYING_FIRST_US - 120_000_000, Arm(event=QUALIFYING))
    for i, bib in enumerate(BIBS):
        effort = QUALIFYING_FIRST_US + i * EVERY_US
        total, first_100 = EFFORTS[bib]
        for line, at in RUN_UP:
            passing(line, bib, effort + at)
        passing("200m", bib, effort)
        passing("100m", bib, effort + first_100)
        passing("finish", bib, effort + total)
        for line, at in COOL_DOWN:
            passing(line, bib, effort + total + at)
    last = QUALIFYING_FIRST_US + (len(BIBS) - 1) * EVERY_US
    command(last + 60_000_000, Provisional(event=QUALIFYING))
    command(last + 180_000_000, Final(event=QUALIFYING))

    for index, race in enumerate(RACES):
        start = FIRST_RACE_US + index * SLOT_US
        start_tod = start - MIDNIGHT_US
        command(start - 420_000_000, Arm(event=race.event))
        if race.rerun:  # the first start: a lap, a fall, the race is stopped and re-ridden
            first = start - 300_000_000
            command(first, Start(event=race.event))
            for i, bib in enumerate(race.riders):
                passing("finish", bib, first + 2_000_000 + 100_000 * i)
            command(first + 60_000_000, Abandon(event=race.event, reason="fall in lap 1"))
        if race.camera:
            armed = lynx.Armed(event="9", round=1, heat=1, event_name=race.event)
            camera(start - 60_000_000, armed)
        command(start, Start(event=race.event))
        if race.camera:  # its running time gives the start
            running = lynx.RunningTime(
                time_us=100_000, time_digits=1, start_time_of_day_us=start_tod
            )
            camera(start + 100_000, running)
        (loser,) = [bib for bib in race.riders if bib != race.winner]
        first_on_line = race.first_on_line or race.winner
        second_on_line = loser if first_on_line == race.winner else race.winner
        gap = race.loser_gap_us or (100_000 if race.camera else 200_000)
        finish = {first_on_line: RACE_FINISH_US, second_on_line: RACE_FINISH_US + gap}
        # The camera's finish (4 decimals) is the loop's here, but where the loops disagree.
        loop_finish = dict(finish)
        if race.loops_disagree:
            loop_finish = {race.winner: RACE_FINISH_US, loser: RACE_FINISH_US - gap}
        for i, bib in enumerate(race.riders):
            passing("finish", bib, start + 2_000_000 + 100_000 * i)  # just after the start
            passing("finish", bib, start + 35_000_000 + 100_000 * i)  # lap 1
            passing("finish", bib, start + 62_000_000 + 100_000 * i)  # lap 2
            passing("200m", bib, start + 50_000_000 + 100_000 * i)  # lap 2's 200 m line
            last_200 = finish[bib] - (race.last_200_us if bib == race.winner else 11_000_000)
            passing("200m", bib, start + last_200)
            passing("finish", bib, start + loop_finish[bib])  # crossing 4: the finish
            passing("200m", bib, start + finish[bib] + 4_000_000)  # cooling down
            passing("finish", bib, start + finish[bib] + 25_000_000)
        after = start + 130_000_000
        if race.camera:
            results_header = lynx.ResultsHeader(
                official=False, event_name=race.event, event="9", round=1, heat=1, count=2,
                start_time_of_day_us=start_tod,
            )  # fmt: skip
            rows = [
                lynx.Result(place=place, id=str(bib), name=f"Rider {bib}", affiliation="NED",
                            time_us=finish[bib], time_digits=4)
                for place, bib in enumerate((first_on_line, second_on_line), 1)
            ]  # fmt: skip
            camera(after, results_header, *rows, lynx.ResultsComplete())
        for i, decision in enumerate(race.decisions):
            command(after + 10_000_000 * (i + 1), decision)
        command(after + 60_000_000, Provisional(event=race.event))
        command(after + 180_000_000, Final(event=race.event))
    chunks.sort(key=lambda chunk: chunk[0])  # stable: chunks of one instant keep their order
    capture = CaptureWriter(directory / "sprint.capture.jsonl", header())
    for t_us, source, data in chunks:
        capture.write(t_us, source, data)
    capture.close()
    return capture.path
