"""A points race of 24 riders over 80 laps and a tempo race of 8 riders over 12 laps, as a capture
of real-world timing (uci-rules.md §2.6, §2.9, §2.1 3.2.017 bis to quater).

**The venue.** As the scratch scenario's (scenarios/scratch.py): a 250 m track, a P3 loop on
the finish line, the 200 m line (50 m after it) and the 100 m line (150 m after it), each
decoder with its own clock; every rider is read at the finish line, then a fifth of their lap
later at the 200 m line and three fifths later at the 100 m line, on every lap, unless said
below. And a FinishLynx camera on the finish line, started with the points race.

**The points race** (`POINTS`; times in seconds after the flying start S; 80 laps, a sprint
every 10 laps (the meet's `sprint_every`): 8 sprints, at laps 10, 20, ... 80, the 8th the
final, 5-3-2-1 and 10-6-4-2 (3.2.116-3.2.119)). The riders roll out at S - 18 s; the desk's
`start` comes at S + 1 s. The bunch rides 16 s laps, its passage p at H(p) = 16p; rider b
keeps a slot 0.2 (b - 1) s behind the head (rider 1). On a sprint lap the sprint's four
(`SPRINTS`) cross at +0.0, +0.1, +0.2, +0.3 and every other rider at their slot + 0.4 s.

- **Sprint 4, a photo finish.** The loop reads 10 at 640.000 and 11 at 640.010 (10 ms: less
  than the 30 ms the loop can part, photo required), 12 at 640.100, 13 at 640.200. The camera
  (its block at S + 650 s) places 11, 10, 12, 13: the camera decides, 11 wins. The judges
  confirm the sprint at S + 660 s.
- **Sprint 7, a missed read.** 5, 3, 18, 19 cross at +0.0 to +0.3, but the finish loop misses
  rider 3 (its 200 m read after recovers the lap). The loops propose 5, 18, 19, 1 (rider 1 at
  its slot + 0.4 = 0.4 s), and tell the judges 3 was not read; they place 5, 3, 18, 19 (the
  video), with the reason, at S + 1135 s. The loop also misses rider 3 at p = 5 (80.4 s).
- **A lap gained.** Rider 7 (slot 1.2 s) crosses lap 20 at 321.6 (a sprint lap: 1.2 + 0.4) and
  breaks away on 14.2 s laps: its lap 20 + k at 321.6 + 14.2k. Its lap 27 at 421.0 is 0.4 s
  behind the bunch's tail (rider 24, 420.6) on the bunch's lap 26: +1 proposed at lap 26,
  confirmed at S + 440 s. Then it rides at the back, lap p + 1 at H(p) + 5.0 (5.4 on a sprint
  lap). From sprint 3 on it contests with its bunch crossing (its lap p + 1): never in the
  first four again but in sprint 6, second.
- **A lap lost.** Rider 15 (slot 2.8) crosses lap 40 at 643.2 (a sprint lap) and drops back
  on 17 s laps: its lap 40 + k at 643.2 + 17k. Its lap 52 at 847.2 is 0.8 s ahead of the
  bunch's head on lap 53 (848.0), in its group, a lap behind: -1 proposed at lap 53, confirmed
  at S + 870 s. Then it rides at the back, lap p - 1 at H(p) + 5.4 (5.8 on a sprint lap). Its
  lap 50 (sprint 5) at 813.2, alone, 8 s behind the bunch: last in the sprint.
- **An abandon.** Rider 22 crosses the line for the last time at p = 33 (532.2 s) and the 200
  m line after it, then stops; DNF at S + 560 s. It keeps its 5 points of sprint 2 on the
  sheet and is not classified.
- **The judges.** They confirm sprints 1, 2, 3, 5 and 6 (15 s after each), sprint 4 after the
  camera, correct sprint 7; they try sprint 9 at S + 1140 s, refused (the race has 8).
  Sprint 8, the final one, is confirmed by the event's `final` (S + 1400 s).

**The points race result, by hand** (`EXPECTED`; points by sprint from `SPRINTS`, 20 a lap):
1: 5 + 2 + 1 + 5 (S1, S2, S3, S6) + 4 (S8, 3rd) = 17; 2: 3 + 5 + 3 + 2 = 13; 3: 2 + 3 = 5;
4: 1 + 5 + 6 = 12; 5: 3 + 5 = 8; 6: 1; 7: 3 + 20 = 23; 8: 3 + 10 = 13; 9: 2 + 2 = 4;
10: 3; 11: 5; 12: 2; 13: 1; 14: 2; 15: -20; 16: 1; 17: 1; 18: 2; 19: 1; 22: 5 (DNF);
20, 21, 23, 24: 0. The final sprint (lap 80, `FINAL_ORDER`) is judged for every place across
the line (3.2.119: it ranks riders level on points): 8, 4, 1, 9 at +0.0 to +0.3; every other
bunch rider b at its slot + 0.4 = 0.2 b + 0.2 s, so by bib: 2 (0.6), 3, 5, 6, 10, 11, 12, 13,
14, 16, 17, 18, 19, 20, 21, 23, 24 (5.0); then 7 (+5.4, on its lap 81) and 15 (+5.8, on its
lap 79); 22 is out. Places: 8 1st, 4 2nd, 1 3rd, 9 4th, 2 5th, 3 6th, 5 7th, 6 8th, 10 9th,
11 10th, 12 11th, 13 12th, 14 13th, 16 14th, 17 15th, 18 16th, 19 17th, 20 18th, 21 19th,
23 20th, 24 21st, 7 22nd, 15 23rd (no two riders closer than 0.2 s: no photo required).
Ranked by points, ties by the final sprint's place (3.2.119): 7 (23) 1st, 1 (17) 2nd, 8 and 2
(13: 8 1st, 2 5th in the final sprint) 3rd and 4th, 4 (12) 5th, 5 (8) 6th, 3 and 11 (5: 6th
and 10th) 7th and 8th, 9 (4) 9th, 10 (3) 10th, 12, 14, 18 (2: 11th, 13th, 16th) 11th to 13th,
6, 13, 16, 17, 19 (1: 8th, 12th, 14th, 15th, 17th) 14th to 18th, 20, 21, 23, 24 (0: 18th,
19th, 20th, 21st) 19th to 22nd, 15 (-20) 23rd; 22 DNF, not classified. Laps at the finish (the
bunch's lap 80): 80; 81 for 7, 79 for 15; 33 for 22.

**The tempo race** (`TEMPO`; times in seconds after its flying start T; 12 laps, a sprint at
every lap from the 5th, 1 point to the first (3.2.261-3.2.262)). The meet gives it one neutral
lap and the desk sends no `start`: the riders roll out at T - 18 s, and the race starts as the
first of them completes the neutral lap (rider 31, at T). Slots: rider b at 0.2 (b - 31) s.
Rider 31 breaks away at once on 14 s laps: lap k at 14k. It leads the bunch over the line on
its laps 5 and 6 (70 s, 84 s; the bunch's at 80.2 s and 96.2 s): sprints 1 and 2 are its. Its
lap 7 at 98.0 is 0.6 s behind the bunch's tail on its lap 6 (rider 38, 97.4): +1 proposed at
lap 6, confirmed at T + 106 s; then it rides at the back, lap p + 1 at H(p) + 1.6. With its lap
confirmed, it contests sprint 3 (lap 7) in the bunch, not with its own lap 7 of 98 s. The
bunch's sprints: 33 (lap 7), 34 (8), 32 (9), 33 (10), 35 (11), 34 (12, the final), each at
H(p) + 0.0. The `final` confirms all eight.

**The tempo result, by hand** (`EXPECTED_TEMPO`): 31: 2 + 20 = 22, first; 33 and 34: 2 each;
32 and 35: 1 each; 36, 37, 38: 0. The final sprint (lap 12) is judged for every place across
the line (§2.9: it ranks riders level on points): 34 at H(12) + 0.0, then by slot 32 (0.2), 33
(0.4), 35 (0.8), 36 (1.0), 37 (1.2), 38 (1.4), and 31 on its lap 13 at H(12) + 1.6: places 34
1st, 32 2nd, 33 3rd, 35 4th, 36 5th, 37 6th, 38 7th, 31 8th. Ranked: 31 first; 34 (final 1st)
second, 33 (3rd) third; 32 (2nd) fourth, 35 (4th) fifth; 36, 37, 38 (5th, 6th, 7th) sixth,
seventh, eighth. Laps at the finish: 12, 13 for 31.
"""

from collections.abc import Collection
from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.scenarios import devices
from tests.scoring.scenarios.devices import (
    ZONE,
    Chunk,
    Decoder,
    command,
    riders_toml,
    venue_us,
)
from velotime.families.lynx.source import LynxDescription
from velotime.protocols import lynx
from velotime.times import local_time_of_day
from velotime.wire.commands import (
    Arm,
    Command,
    Final,
    LapChangeDecision,
    Provisional,
    SetStatus,
    SprintDecision,
    Start,
)

POINTS = "points-m"
TEMPO = "tempo-w"
SECOND = 1_000_000
S = venue_us(2026, 11, 21, 16, 0)  # the points race's flying start
T = S + 1600 * SECOND  # the tempo race's
BIBS = list(range(1, 25))
TEMPO_BIBS = list(range(31, 39))
TRANSPONDER = {bib: 7_500_000 + bib for bib in BIBS + TEMPO_BIBS}
GAINS, LOSES, ABANDONS, MISSES = 7, 15, 22, 3
TEMPO_GAINS = 31
LAPS, TEMPO_LAPS = 80, 12
# The points race's sprints by the bunch's lap: the four, in the order they cross.
SPRINTS = {
    10: [1, 2, 3, 4],
    20: [22, 5, 1, 6],
    30: [2, 8, 9, 1],
    40: [10, 11, 12, 13],  # the loops' order; the camera's is CAMERA
    50: [4, 2, 14, 16],
    60: [1, 7, 2, 17],
    70: [5, 3, 18, 19],  # 3's finish read missed
    80: [8, 4, 1, 9],
}
SPRINT_4 = {10: 0, 11: 10_000, 12: 100_000, 13: 200_000}  # us after H(40) at the loop
CAMERA = [(11, 5_000), (10, 8_000), (12, 100_000), (13, 200_000)]  # us after H(40)
TEMPO_SPRINTS = {7: 33, 8: 34, 9: 32, 10: 33, 11: 35, 12: 34}  # the bunch's winners by lap
DECODERS = [
    ("p3-finish", "finish", 300301, 3_600_000_000 + 4_321),
    ("p3-200m", "200m", 300302, 3_600_000_000 - 21_000),
    ("p3-100m", "100m", 300303, 5_000_000),
]


def _ms(value: float) -> int:
    return round(value * 1000) * 1000


def head_us(p: int) -> int:
    """H(p): the head of the bunch at its passage p, after the start (16 s laps)."""
    return 16 * SECOND * p


def _offset(bib: int, p: int) -> int:
    """A bunch rider's passage p: after the head by its slot, or as one of a sprint's four."""
    four = SPRINTS.get(p)
    if p == 40 and bib in SPRINT_4:
        return SPRINT_4[bib]
    if four is not None and bib in four:
        return four.index(bib) * 100_000
    slot = _ms(0.2 * (bib - 1))
    return slot + (_ms(0.4) if four is not None else 0)


def _back(bib: int, p: int, base: float) -> int:
    """A rider at the back of the bunch at its passage p: `base` s after the head, 0.4 s more
    on a sprint lap, unless one of the sprint's four."""
    four = SPRINTS.get(p)
    if four is not None and bib in four:
        return head_us(p) + four.index(bib) * 100_000
    return head_us(p) + _ms(base) + (_ms(0.4) if four is not None else 0)


def points_passages() -> dict[int, list[int]]:
    """Each rider's passages of the finish line (passage q: lap q), after the start."""
    out: dict[int, list[int]] = {}
    for bib in BIBS:
        last = 33 if bib == ABANDONS else LAPS
        out[bib] = [head_us(p) + _offset(bib, p) for p in range(last + 1)]
    gain = out[GAINS][:21]  # to its lap 20 at 321.6 s
    gain += [gain[20] + k * 14_200_000 for k in range(1, 8)]  # its laps 21-27, the last at 421.0
    gain += [_back(GAINS, q - 1, 5.0) for q in range(28, LAPS + 2)]
    out[GAINS] = gain
    lose = out[LOSES][:41]  # to its lap 40 at 643.2 s
    lose += [lose[40] + k * 17 * SECOND for k in range(1, 13)]  # laps 41-52, the last at 847.2
    lose += [_back(LOSES, q + 1, 5.4) for q in range(53, LAPS)]
    out[LOSES] = lose
    for bib in out:
        if bib != ABANDONS:
            out[bib].append(out[bib][-1] + 20 * SECOND)  # the cool-down lap
    return out


def tempo_passages() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for bib in TEMPO_BIBS:
        if bib == TEMPO_GAINS:
            continue
        slot = _ms(0.2 * (bib - 31))
        out[bib] = [
            head_us(p) + (0 if TEMPO_SPRINTS.get(p) == bib else slot) for p in range(TEMPO_LAPS + 1)
        ]
    gain = [k * 14 * SECOND for k in range(8)]  # laps 0-7, the last at 98.0
    gain += [head_us(q - 1) + _ms(1.6) for q in range(8, TEMPO_LAPS + 2)]
    out[TEMPO_GAINS] = gain
    for bib in out:
        out[bib].append(out[bib][-1] + 20 * SECOND)
    return out


def loop_reads(
    start_us: int, passages: dict[int, list[int]], stops: Collection[int] = ()
) -> list[tuple[int, str, int]]:
    """Every read of a loop, venue clock: (time, line, bib), from each rider's finish-line
    passages after the start (a neutral lap's passage 18 s before the first). The riders
    `stops` are not read at the 100 m line after their last passage (they leave the track)."""
    out: list[tuple[int, str, int]] = []
    for bib, times in passages.items():
        ridden = [times[0] - 18 * SECOND, *times]  # the neutral lap's passage first
        for i, t in enumerate(ridden):
            lap = ridden[i + 1] - t if i + 1 < len(ridden) else 16 * SECOND
            out.append((start_us + t, "finish", bib))
            out.append((start_us + t + lap // 5, "200m", bib))
            if not (bib in stops and i + 1 == len(ridden)):
                out.append((start_us + t + lap * 3 // 5, "100m", bib))
    return out


def reads() -> list[tuple[int, str, int]]:
    """Both races' reads, the points race's misses left out."""
    points = points_passages()
    missed = {
        (S + points[MISSES][5], "finish", MISSES),
        (S + points[MISSES][70], "finish", MISSES),
    }
    out = [read for read in loop_reads(S, points, {ABANDONS}) if read not in missed]
    return sorted(out + loop_reads(T, tempo_passages()))


def meet_text() -> str:
    riders = riders_toml(
        {bib: (f"Rider {bib}", "NED", TRANSPONDER[bib]) for bib in BIBS + TEMPO_BIBS}
    )
    return f"""[meet]
id = "scenario-points"
name = "Points and tempo race scenario"
{riders}
[[events]]
id = "{POINTS}"
discipline = "points_race"
name = "Points race"
category = "Men Elite"
riders = {BIBS}
laps = {LAPS}
sprint_every = 10

[[events]]
id = "{TEMPO}"
discipline = "tempo"
name = "Tempo race"
category = "Women Elite"
riders = {TEMPO_BIBS}
laps = {TEMPO_LAPS}
neutral_laps = 1
"""


def _confirm(number: int) -> SprintDecision:
    return SprintDecision(event=POINTS, number=number)


COMMANDS: list[tuple[int, Command]] = [
    (S - 120 * SECOND, Arm(event=POINTS)),
    (S + 1 * SECOND, Start(event=POINTS)),
    (S + 175 * SECOND, _confirm(1)),
    (S + 335 * SECOND, _confirm(2)),
    (S + 440 * SECOND, LapChangeDecision(event=POINTS, bib=GAINS, change=1, reason="lapped")),
    (S + 495 * SECOND, _confirm(3)),
    (S + 560 * SECOND, SetStatus(event=POINTS, bib=ABANDONS, status="DNF", reason="abandoned")),
    (S + 660 * SECOND, _confirm(4)),
    (S + 820 * SECOND, _confirm(5)),
    (S + 870 * SECOND, LapChangeDecision(event=POINTS, bib=LOSES, change=-1, reason="caught")),
    (S + 975 * SECOND, _confirm(6)),
    (
        S + 1135 * SECOND,
        SprintDecision(
            event=POINTS,
            number=7,
            placings=[[5], [3], [18], [19]],
            reason="the video: 3 second, the loop missed it",
        ),
    ),
    (S + 1140 * SECOND, _confirm(9)),  # refused: 8 sprints
    (S + 1330 * SECOND, Provisional(event=POINTS)),
    (S + 1400 * SECOND, Final(event=POINTS)),
    (T - 120 * SECOND, Arm(event=TEMPO)),
    (T + 106 * SECOND, LapChangeDecision(event=TEMPO, bib=TEMPO_GAINS, change=1, reason="lap")),
    (T + 240 * SECOND, Provisional(event=TEMPO)),
    (T + 300 * SECOND, Final(event=TEMPO)),
]


def camera_messages() -> list[tuple[int, list[lynx.LynxRecord]]]:
    """What the camera sends, by when (venue clock): armed, the running time from the start,
    and sprint 4's block of results."""
    start_tod = local_time_of_day(S, ZONE)
    sprint_4 = head_us(40)
    rows = [
        lynx.Result(place=place, id=str(bib), name=f"Rider {bib}", affiliation="NED",
                    time_us=sprint_4 + after, time_digits=4)
        for place, (bib, after) in enumerate(CAMERA, 1)
    ]  # fmt: skip
    header = lynx.ResultsHeader(
        official=False, event_name="Points race", event="12", round=1, heat=1, count=4,
        start_time_of_day_us=start_tod,
    )  # fmt: skip
    running = lynx.RunningTime(time_us=100_000, time_digits=1, start_time_of_day_us=start_tod)
    return [
        (S - 60 * SECOND, [lynx.Armed(event="12", round=1, heat=1, event_name="Points race")]),
        (S + 100_000, [running]),
        (S + 650 * SECOND, [header, *rows, lynx.ResultsComplete()]),
    ]


def _camera_chunks() -> list[Chunk]:
    connected = Chunk(S - 300 * SECOND, "lynx", b"")
    return [connected] + [
        Chunk(t_us, "lynx", b"".join(lynx.encode(record) for record in records))
        for t_us, records in camera_messages()
    ]


def write_capture(directory: Path, event: str = POINTS) -> Path:
    """The capture; `event`: the id the desk's commands for the points race name (an omnium's
    points race's)."""
    decoders = {line: Decoder(source, line, id_, clock) for source, line, id_, clock in DECODERS}
    opened = S - 300 * SECOND
    chunks: list[Chunk] = [chunk for d in decoders.values() for chunk in d.connect(opened)]
    for t, line, bib in reads():
        chunks += decoders[line].passing(t, TRANSPONDER[bib])
    chunks += [
        command(t, msgspec.structs.replace(value, event=event) if value.event == POINTS else value)
        for t, value in COMMANDS
    ]
    chunks += _camera_chunks()
    sources = {d.source: d.description() for d in decoders.values()}
    sources["lynx"] = LynxDescription(timezone=devices.TIMEZONE, endpoint="tcp://10.0.0.9:5000")
    return devices.write_capture(
        directory / "points.capture.jsonl",
        venue="velodrome-test",
        sources=sources,
        lines={"finish": 0, "200m": 200, "100m": 100},
        track_length_m=250,
        chunks=chunks,
    )


def write_meet(directory: Path) -> Path:
    path = directory / "points.meet.toml"
    path.write_text(meet_text())
    return path


# (rank, bib, points, sprint points by sprint, laps, laps gained, final sprint place, status),
# worked out in the module docstring.
Line = tuple[int | None, int, int, list[int], int, int, int | None, str]


def _sprint_points(bib: int) -> list[int]:
    """The bib's points in each sprint of the points race as the judges stand by them (S4 the
    camera's, S7 the judges')."""
    stood = {**SPRINTS, 40: [b for b, _ in CAMERA], 70: [5, 3, 18, 19]}
    out = []
    for lap, four in sorted(stood.items()):
        table = (10, 6, 4, 2) if lap == LAPS else (5, 3, 2, 1)
        out.append(table[four.index(bib)] if bib in four else 0)
    return out


def _line(rank: int | None, bib: int, points: int, laps: int = 80, gained: int = 0,
          final: int | None = None, status: str = "") -> Line:  # fmt: skip
    return (rank, bib, points, _sprint_points(bib), laps, gained, final, status)


# The final sprint's order across the line (the module docstring).
FINAL_ORDER = [8, 4, 1, 9, 2, 3, 5, 6, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 23, 24, 7, 15]
EXPECTED: list[Line] = [
    _line(1, 7, 23, laps=81, gained=1, final=22),
    _line(2, 1, 17, final=3),
    _line(3, 8, 13, final=1),
    _line(4, 2, 13, final=5),
    _line(5, 4, 12, final=2),
    _line(6, 5, 8, final=7),
    _line(7, 3, 5, final=6),
    _line(8, 11, 5, final=10),
    _line(9, 9, 4, final=4),
    _line(10, 10, 3, final=9),
    _line(11, 12, 2, final=11),
    _line(12, 14, 2, final=13),
    _line(13, 18, 2, final=16),
    _line(14, 6, 1, final=8),
    _line(15, 13, 1, final=12),
    _line(16, 16, 1, final=14),
    _line(17, 17, 1, final=15),
    _line(18, 19, 1, final=17),
    _line(19, 20, 0, final=18),
    _line(20, 21, 0, final=19),
    _line(21, 23, 0, final=20),
    _line(22, 24, 0, final=21),
    _line(23, 15, -20, laps=79, gained=-1, final=23),
    _line(None, 22, 5, laps=33, status="DNF"),
]
EXPECTED_SPRINTS = [
    {"number": number, "lap": lap, "final": lap == LAPS, "confirmed": True,
     "placings": [[bib] for bib in four], "photo_required": [], "attention": []}
    for number, (lap, four) in enumerate(
        sorted({**SPRINTS, 40: [b for b, _ in CAMERA], 70: [5, 3, 18, 19],
                LAPS: FINAL_ORDER}.items()), 1
    )
]  # fmt: skip
EXPECTED_PROBLEMS = ["bib 3: 2 finish-line read(s) missed, recovered from the other loops"]

TempoLine = tuple[int | None, int, int, int, int, int | None]  # rank, bib, points, laps, gained,
# final sprint place
EXPECTED_TEMPO: list[TempoLine] = [
    (1, 31, 22, 13, 1, 8),
    (2, 34, 2, 12, 0, 1),
    (3, 33, 2, 12, 0, 3),
    (4, 32, 1, 12, 0, 2),
    (5, 35, 1, 12, 0, 4),
    (6, 36, 0, 12, 0, 5),
    (7, 37, 0, 12, 0, 6),
    (8, 38, 0, 12, 0, 7),
]
# The tempo race's sprints: 31 in the first two (its laps 5 and 6 ahead of the bunch).
EXPECTED_TEMPO_WINNERS = [31, 31, 33, 34, 32, 33, 35, 34]


def line_of(line: dict[str, Any]) -> Line:
    return (line["rank"], line["bib"], line["points"], line["sprint_points"], line["laps"],
            line.get("laps_gained", 0), line.get("final_sprint_place"),
            line.get("status", ""))  # fmt: skip


def tempo_line_of(line: dict[str, Any]) -> TempoLine:
    return (line["rank"], line["bib"], line["points"], line["laps"], line.get("laps_gained", 0),
            line.get("final_sprint_place"))  # fmt: skip
