"""A scratch race of 12 riders over 20 laps, as a capture of real-world timing (uci-rules.md
§2.7, §2.1 3.2.017 bis to quater, 3.2.020 bis).

**The venue.** A 250 m track with a P3 loop on each of three lines, each decoder with its own
clock (the daemon learns each from GET_TIME): the finish line; the 200 m line, 50 m after the
finish; the 100 m line, 150 m after it. Every rider is read at the finish line, then a fifth
of their lap later at the 200 m line and three fifths later at the 100 m line (3.2 s and 9.6 s
of a 16 s lap), on every lap, unless said below.

**The race** (times in seconds after the flying start S, 15:00 local time). The riders roll
out and cross the line into the neutral lap at S - 18 s, then at S, where the starter gives the
flying start; the desk's `start` comes 1 s late, at S + 1 s (a passage up to 5 s before it is
lap 0). The bunch rides 16 s laps: its passage number p (0 at the start) at H(p) = 16p, and,
after the neutral lap ridden in 24 s (below), H(p) = 16p + 8 from p = 15. Each rider keeps a
place in it: rider b crosses 0.3 (b - 1) s after the head (rider 1): 1 at +0.0, 2 +0.3, 3 +0.6,
4 +0.9, 6 +1.5, 7 +1.8, 8 +2.1, 9 +2.4, 10 +2.7; 12 rides at +3.3 until it abandons.

- **A lap gained.** Rider 5 crosses at +1.2 at the start, then breaks away on 14.225 s laps: its
  lap k at 1.2 + 14.225k. Its lap 8 is at 115.0 s, 0.3 s behind the bunch's tail (rider 10,
  114.7 s) on the bunch's lap 7: it has reached the back of the bunch a lap up. The loops
  propose +1 at the bunch's lap 7, once the group is closed (1 s + 5 s after its last passage,
  which the 100 m reads tell at 121.6 s); the commissaires confirm it at S + 130 s. Then it
  rides at the back of the bunch: lap p + 1 at H(p) + 3.0. (Its lap 1 at 15.425 s is 0.575 s
  before the bunch's head, in its group, on the same lap 1: nothing to propose.)
- **A lapped rider.** Rider 11 crosses at +4.3 at the start (1.0 s behind 12: in the bunch),
  then rides 17 s laps: lap k at 4.3 + 17k. Its lap 11 at 191.3 s is 0.7 s ahead of the bunch's
  head on lap 12 (192.0 s): in the bunch's group, a lap behind it: caught, -1 proposed at lap
  12, confirmed at S + 205 s. Then it rides at the back: lap p - 1 at H(p) + 3.3.
- **An abandon.** Rider 12 crosses the line for the last time at p = 6 (99.3 s) and the 200 m
  line after it, then stops; the commissaires record DNF at S + 140 s.
- **Missed reads.** The finish loop misses rider 3 at p = 4 (64.6 s): read at the 100 m line at
  58.2 s and the 200 m line at 67.8 s, so past the finish line at 58.2 + 9.6 x 100/150 =
  64.6 s. At p = 13 it misses rider 3 at the finish line and at the 100 m line before it: read
  at the 200 m line at 195.8 s and again at 211.8 s: the lap is 195.8 + 16 x 200/250 =
  208.6 s.
- **A double read.** The finish loop reads rider 8 twice at p = 6: 98.1 s and 98.4 s; the
  second is dropped.
- **A neutralised lap.** A crash after the bunch's lap 14 (224 s): the desk neutralises the race
  for 1 lap at S + 229 s; the bunch rides the next lap in 24 s (p = 15 at 248 s): not counted.
  From then on counted laps are p - 1.
- **The finish.** Distance 20 laps: the bunch's p = 21, at H(21) = 344 s. The sprint (each
  rider's p = 21 passage): 7 344.000, 2 344.100, 5 344.250, 1 344.400, 9 344.550, 3 344.700,
  11 344.850, 4 345.000, 6 345.200, 10 345.220, 8 345.600. Then a cool-down lap (p = 22, 20 s
  later). The desk sends `provisional` at S + 420 s and `final` at S + 480 s.

**The lap board, by hand** (`BOARDS`, distance 20; leader's laps are laps less laps gained):

- S - 10 s: not started; 0 laps, 20 to go.
- S + 2 s (after the start and the bunch's lap 0): started, 0, 20 to go.
- S + 161 s (the bunch's lap 10 at 160.0-162.7 s; rider 5 on its lap 11 at 163.0 not yet): 10
  laps, 10 to go; rider 5's +1 confirmed, no proposal waiting.
- S + 125 s (before the commissaires' word): rider 5's +1 at lap 7 proposed, not applied (its
  `laps_gained` 0); leader's laps 7 (rider 1 at 112.0 s), 13 to go.
- S + 230 s (neutralised at 229 s, after the bunch's lap 14 at 224 s): 14 laps, 6 to go, 1
  neutral lap to ride.
- S + 250 s (the bunch's neutral lap at 248.0 s): still 14, 6 to go, 0 neutral laps left.
- S + 330 s (p = 20 at 328.0 s: 19 counted): 1 to go, the bell.
- S + 346 s: 20 laps, finished.

**The result, by hand** (`EXPECTED`, 3.2.178): laps gained first: 5 (+1); then the order
across the line: 7, 2, 1, 9, 3, 4, 6, 10, 8 (6 and 10 0.020 s apart: photo required); then 11
(-1), though it crossed before 4; 12 DNF, not classified. Laps at the finish: 20 for the bunch,
21 for 5, 19 for 11; 6 for 12 (its last passage, p = 6). The loops' problems: 3's two missed
finish reads, recovered; 8's double read, dropped.
"""

from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.scenarios import devices
from tests.scoring.scenarios.devices import command, riders_toml, venue_us
from velotime.wire.commands import (
    Arm,
    Command,
    Final,
    LapChangeDecision,
    Neutralise,
    Provisional,
    SetStatus,
    Start,
)

EVENT = "scratch-m"
BIBS = list(range(1, 13))
NATIONS = ["NED", "GBR", "AUS", "JPN", "GER", "FRA", "NZL", "CAN", "ITA", "BEL", "DEN", "SUI"]
RIDERS = {bib: (f"Rider {bib}", NATIONS[bib - 1]) for bib in BIBS}
TRANSPONDER = {bib: 7_400_000 + bib for bib in BIBS}
DISTANCE = 20
S = venue_us(2026, 11, 21, 15, 0)  # the flying start
SECOND = 1_000_000
BUNCH = [1, 2, 3, 4, 6, 7, 8, 9, 10]
GAINS, LAPPED, ABANDONS, MISSES, DOUBLE = 5, 11, 12, 3, 8
SPRINT = {7: 0, 2: 100, 5: 250, 1: 400, 9: 550, 3: 700, 11: 850, 4: 1000, 6: 1200, 10: 1220,
          8: 1600}  # fmt: skip
# (decoder source, line, id, its clock less the venue clock)
DECODERS = [
    ("p3-finish", "finish", 300201, 3_600_000_000 + 1_234),
    ("p3-200m", "200m", 300202, 3_600_000_000 - 52_000),
    ("p3-100m", "100m", 300203, 7_000_000),
]
TO_100_US = 9_600_000  # a 16 s lap's read at the 100 m line


def _ms(value: float) -> int:
    return round(value * 1000) * 1000


def bunch_us(p: int) -> int:
    """H(p): the bunch's head at its passage p, after the start."""
    return 16 * SECOND * p + (8 * SECOND if p >= 15 else 0)


def passages() -> dict[int, list[int]]:
    """Each rider's passages of the finish line, after the start (the module docstring)."""
    out: dict[int, list[int]] = {}
    for bib in [*BUNCH, ABANDONS]:
        offset = _ms(0.3 * (bib - 1))
        last = 6 if bib == ABANDONS else 21
        out[bib] = [bunch_us(p) + offset for p in range(last + 1)]
    out[GAINS] = [_ms(1.2) + k * 14_225_000 for k in range(9)]
    out[GAINS] += [bunch_us(p) + 3 * SECOND for p in range(8, 22)]
    out[LAPPED] = [_ms(4.3) + k * 17 * SECOND for k in range(12)]
    out[LAPPED] += [bunch_us(p) + _ms(3.3) for p in range(13, 22)]
    for bib, after in SPRINT.items():
        out[bib][-1] = bunch_us(21) + after * 1000
    for bib in out:
        if bib != ABANDONS:
            out[bib].append(out[bib][-1] + 20 * SECOND)  # the cool-down lap
    return out


def meet_text() -> str:
    riders = riders_toml(
        {bib: (name, nation, TRANSPONDER[bib]) for bib, (name, nation) in RIDERS.items()}
    )
    return f"""[meet]
id = "scenario-scratch"
name = "Scratch race scenario"
{riders}
[[events]]
id = "{EVENT}"
discipline = "scratch"
name = "Scratch race"
category = "Men Elite"
riders = {BIBS}
laps = {DISTANCE}
"""


def reads() -> list[tuple[int, str, int]]:
    """Every read of a loop: (time after the start, line, bib), the misses left out and the
    double read in."""
    out: list[tuple[int, str, int]] = []
    for bib, times in passages().items():
        ridden = [times[0] - 18 * SECOND, *times]  # the neutral lap's passage first
        for i, t in enumerate(ridden):
            lap = ridden[i + 1] - t if i + 1 < len(ridden) else 16 * SECOND
            out.append((t, "finish", bib))
            out.append((t + lap // 5, "200m", bib))  # a fifth of the lap on: 3.2 s of 16
            if not (bib == ABANDONS and t == times[-1]):
                out.append((t + lap * 3 // 5, "100m", bib))  # three fifths: 9.6 s of 16
    missed = {
        (bunch_us(4) + _ms(0.6), "finish", MISSES),
        (bunch_us(13) + _ms(0.6), "finish", MISSES),
        (bunch_us(12) + _ms(0.6) + TO_100_US, "100m", MISSES),
    }
    out = [read for read in out if read not in missed]
    out.append((bunch_us(6) + _ms(2.4), "finish", DOUBLE))  # 0.3 s after its read at 98.1 s
    return sorted(out)


COMMANDS: list[tuple[int, Command]] = [
    (-120 * SECOND, Arm(event=EVENT)),
    (1 * SECOND, Start(event=EVENT)),
    (130 * SECOND, LapChangeDecision(event=EVENT, bib=GAINS, change=1, reason="lapped the field")),
    (140 * SECOND, SetStatus(event=EVENT, bib=ABANDONS, status="DNF", reason="abandoned")),
    (205 * SECOND, LapChangeDecision(event=EVENT, bib=LAPPED, change=-1, reason="caught")),
    (229 * SECOND, Neutralise(event=EVENT, laps=1, reason="crash in turn 2")),
    (420 * SECOND, Provisional(event=EVENT)),
    (480 * SECOND, Final(event=EVENT)),
]


def write_capture(directory: Path, event: str = EVENT) -> Path:
    """The capture; `event`: the id the desk's commands name (an omnium's scratch race's)."""
    return devices.write_loop_capture(
        directory / "scratch.capture.jsonl",
        DECODERS,
        [(S + t, line, bib) for t, line, bib in reads()],
        TRANSPONDER,
        [command(S + t, msgspec.structs.replace(value, event=event)) for t, value in COMMANDS],
        opened_us=S - 300 * SECOND,
    )


# (rank, bib, laps, laps gained, status, flags), worked out in the module docstring.
EXPECTED: list[tuple[int | None, int, int, int, str, list[str]]] = [
    (1, 5, 21, 1, "", []),
    (2, 7, 20, 0, "", []),
    (3, 2, 20, 0, "", []),
    (4, 1, 20, 0, "", []),
    (5, 9, 20, 0, "", []),
    (6, 3, 20, 0, "", []),
    (7, 4, 20, 0, "", []),
    (8, 6, 20, 0, "", ["photo required"]),
    (9, 10, 20, 0, "", ["photo required"]),
    (10, 8, 20, 0, "", []),
    (11, 11, 19, -1, "", []),
    (None, 12, 6, 0, "DNF", []),
]
EXPECTED_CHANGES = [{"bib": 5, "change": 1, "lap": 7}, {"bib": 11, "change": -1, "lap": 12}]
EXPECTED_PROBLEMS = [
    "bib 3: 2 finish-line read(s) missed, recovered from the other loops",
    "bib 8: 1 double read(s) dropped",
]


def board(leader: int, *, started: bool = True, neutralised: int = 0) -> dict[str, Any]:
    """The lap board (without its distance, 20) with the leader on `leader` laps."""
    to_go = DISTANCE - leader
    return {"started": started, "leader_laps": leader, "laps_to_go": to_go,
            "bell": started and to_go == 1, "finished": started and to_go == 0,
            "neutralised": neutralised}  # fmt: skip


# Seconds after the start -> the lap board then, and the proposals waiting (docstring).
BOARDS: dict[int, tuple[dict[str, Any], list[dict[str, int]]]] = {
    -10: (board(0, started=False), []),
    2: (board(0), []),
    125: (board(7), [{"bib": 5, "change": 1, "lap": 7}]),
    161: (board(10), []),
    230: (board(14, neutralised=1), []),
    250: (board(14), []),
    330: (board(19), []),
    346: (board(20), []),
}


def line_of(result_line: dict[str, Any]) -> tuple[int | None, int, int, int, str, list[str]]:
    line = result_line
    return (line["rank"], line["bib"], line["laps"], line.get("laps_gained", 0),
            line.get("status", ""), line.get("flags", []))  # fmt: skip
