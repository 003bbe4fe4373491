"""An omnium of 12 riders ridden race by race, every race scored by the engine from device bytes
(uci-rules.md §2.10, the `uci` table; §2.6-2.9 for the races), one capture.

**The venue.** The scratch scenario's (scenarios/scratch.py): a 250 m track, a P3 loop on the
finish line, the 200 m line and the 100 m line, each decoder with its own clock; its riders,
bibs 1 to 12 with their transponders. Every rider is read at the finish line, a fifth of their
lap later at the 200 m line and three fifths later at the 100 m line (`points_race.loop_reads`),
rolls out through a neutral lap 18 s before the flying start and rides a cool-down lap after.
The bunch rides 16 s laps: its passage p (lap p) at H(p) = 16p s after the race's flying start;
a rider in it keeps a slot 0.3 s per place behind the head, the race's riders in bib order.
Each race is armed 120 s before its start, started by the desk 1 s after it, made provisional
60 s and final 100 s after the bunch's last lap. The distances are the meet's omnium `laps`:
scratch 10, tempo 10, points race 20, with a sprint every 5 laps (its `sprint_every`: laps 5,
10, 15, and 20 the final); the elimination's follow from its riders (3.2.222).

Points for a place (3.2.250): 42 - 2k for place k: 40, 38, 36, 34, 32, 30, 28, 26, 24, 22, 20,
18 for 1st to 12th; riders sharing a place share its points.

**1. The scratch race** (10 laps, 12 riders; start at 15:00). Rider 5 breaks away on 14.3 s
laps from its slot (1.2 s): its lap k at 1.2 + 14.3k; its lap 8 at 115.6 s is 0.3 s behind the
bunch's tail on its lap 7 (12, at 112 + 3.3 = 115.3): a lap gained, confirmed at S + 130 s;
then at the back, its lap p + 1 at H(p) + 3.6. The bunch's sprint at lap 10 (160 s + 0.1 s
each): 7, 2, 1, 9, 3, 4, 6, 10, 8, 11, 12; 5 behind them (163.6). Places (laps gained first,
3.2.178): 5, 7, 2, 1, 9, 3, 4, 6, 10, 8, 11, 12. Points: 5 40, 7 38, 2 36, 1 34, 9 32, 3 30,
4 28, 6 26, 10 24, 8 22, 11 20, 12 18.

**2. The tempo race** (10 laps, a sprint each lap from the 5th, 1 point to the first, 3.2.261-
3.2.262; start 400 s after the scratch's). 12 does not start: `status 12 DNS` before the start,
never read (out of the omnium, 3.2.249). The sprints' winners cross 0.5 s before the bunch's
head: laps 5 to 10: 7, 7, 2, 7, 2, 1. Points: 7 3, 2 2, 1 1, the other 8 none. The final
sprint (lap 10) is judged for every place across the line (§2.9: it ranks riders level on
points, on none included): 1 at H(10) - 0.5, then the bunch by slot, 2, 3, 4, 5, 6, 7, 8, 9,
10, 11: places 1 to 11 by bib. Tempo places: 7 1st (3 points), 2 2nd (2), 1 3rd (1); the
others on 0 by the final sprint: 3 4th, 4 5th, 5 6th, 6 7th, 8 8th, 9 9th, 10 10th, 11 11th.
Totals: 7 38 + 40 = 78, 2 36 + 38 = 74, 1 34 + 36 = 70, 5 40 + 30 = 70, 3 30 + 34 = 64, 4 28 +
32 = 60, 9 32 + 24 = 56, 6 26 + 28 = 54, 8 22 + 26 = 48, 10 24 + 22 = 46, 11 20 + 20 = 40; 12
out, DNF, its 18 kept. Standings: 7, 2; 1 and 5 share 3rd; then 3, 4, 9, 6, 8, 10, 11, 5th to
11th.

**3. The elimination race** (11 riders; a sprint every 2 laps, 3.2.222: 10 sprints, 20 laps;
start 400 s after the tempo's). The bunch's slots, head first: 1, 5, 2, 7, 3, 9, 6, 4, 8, 11,
10: the last rider over the line at lap 2n is the last slot still in, eliminated 8 s later
(`eliminate n bib`): 10, 11, 8, 4, 6, 9, 3, 7, 2; each leaves the track after the 200 m line.
The final (lap 20): 1 at +0.0, 5 at +0.3: 1 wins. Places: 1, 5, 2, 7, 3, 9, 6, 4, 8, 11, 10.
Totals: 7 78 + 34 = 112, 2 74 + 36 = 110, 1 70 + 40 = 110, 5 70 + 38 = 108, 3 64 + 32 = 96,
4 60 + 26 = 86, 9 56 + 30 = 86, 6 54 + 28 = 82, 8 48 + 24 = 72, 10 46 + 20 = 66, 11 40 + 22 =
62. Standings: 7 1st, 1 and 2 2nd, 5 4th, 3 5th, 4 and 9 6th, 6 8th, 8 9th, 10 10th, 11 11th;
12 DNF.

**4. The points race** (20 laps, 11 riders; start 500 s after the elimination's; its own
points added, 20 a lap gained, 3.2.251). On a sprint lap the sprint's first riders cross at
+0.0, +0.1, +0.2, +0.3 and the others at their slot + 0.45 s. Each sprint counts live as the
riders cross (unconfirmed); the judges confirm sprints 1 to 3 (S + 95, 175, 255 s), the
`final` the last. Sprint 1 (lap 5, 5-3-2-1): 7, 9, 3, 6. Sprint 2 (lap 10): 2, 5, 8, 6.
Rider 1 breaks away after it (its lap 10 at 160.45) on 13.8 s laps: its lap 15 at 229.45 s,
alone (the bunch's at 240 s): it wins sprint 3, then 9, 7, 3 of the bunch (240.0-240.2);
2.45 s behind the bunch's tail on its lap 14 (227.0): not with it. Its lap 16 at 243.25 s is
0.25 s behind the tail on its lap 15 (11, at 240 + 3.0): a lap gained, confirmed at S + 260 s;
then at the back, its lap p + 1 at H(p) + 3.5 but for the final sprint (lap 20, 10-6-4-2): 5,
1, 9, 7, in that order at H(20) + 0.0 to + 0.3.

- *Live*, the totals moving rider by rider over the line: sprint 1 7 +5, 9 +3, 3 +2, 6 +1;
  sprint 2 2 +5, 5 +3, 8 +2, 6 +1; sprint 3 1 +5, 9 +3, 7 +2, 3 +1. Then 7 119; 1 and 2 115
  (sharing 2nd); 5 111, 3 99, 9 92, 4 86, 6 84, 8 74, 10 66, 11 62.
- 1's lap confirmed (+20): 1 135 first, 7 119 2nd, 2 115 3rd, the rest as above.
- The final sprint (judged for every place across the line, 3.2.119: 5, 1, 9, 7 at +0.0 to
  +0.3, then the bunch by slot 2, 3, 4, 6, 8, 10, 11: places 1 to 11 in that order): 5 +10,
  1 +6, 9 +4, 7 +2. *At the end*: 1 110 + 5 + 6 + 20 = 141; 5 108 + 3 + 10 = 121; 7 112 + 5 +
  2 + 2 = 121; 2 110 + 5 = 115; 3 96 + 2 + 1 = 99; 9 86 + 3 + 3 + 4 = 96; 4 86; 6 82 + 1 + 1 =
  84; 8 72 + 2 = 74; 10 66; 11 62. **The tie-break** (3.2.252): 5 and 7 level on 121; 5 1st in
  the final sprint, 7 4th: 5 2nd overall, 7 3rd.

**Final standings**: 1 141, 5 121, 7 121, 2 115, 3 99, 9 96, 4 86, 6 84, 8 74, 10 66, 11 62;
then 12 (did not start the tempo), DNF.
"""

from pathlib import Path

from tests.scoring.scenarios import devices, omnium, scratch
from tests.scoring.scenarios.devices import command
from tests.scoring.scenarios.points_race import loop_reads
from velotime.wire import commands
from velotime.wire.commands import Command

SECOND = 1_000_000
LAPS = "laps = { scratch = 10, tempo = 10, points-race = 20 }\nsprint_every = { points-race = 5 }"
SCRATCH, TEMPO, ELIMINATION, POINTS_RACE = omnium.RACES
S = scratch.S  # the scratch race's flying start
STARTS = {
    SCRATCH: S,
    TEMPO: S + 400 * SECOND,
    ELIMINATION: S + 800 * SECOND,
    POINTS_RACE: S + 1300 * SECOND,
}
LAST_LAP = {SCRATCH: 10, TEMPO: 10, ELIMINATION: 20, POINTS_RACE: 20}
GAINS_SCRATCH, DNS_TEMPO, GAINS_POINTS = 5, 12, 1
SCRATCH_SPRINT = [7, 2, 1, 9, 3, 4, 6, 10, 8, 11, 12]
TEMPO_WINNERS = {5: 7, 6: 7, 7: 2, 8: 7, 9: 2, 10: 1}  # by lap
ELIMINATION_SLOTS = [1, 5, 2, 7, 3, 9, 6, 4, 8, 11, 10]  # head first; the last two the final
# The bunch's sprints by lap: the riders who cross first (at lap 15, 1 is a lap ahead of them).
POINTS_SPRINTS = {5: [7, 9, 3, 6], 10: [2, 5, 8, 6], 15: [9, 7, 3], 20: [5, 1, 9, 7]}


def _ms(value: float) -> int:
    return round(value * 1000) * 1000


def head_us(p: int) -> int:
    return 16 * SECOND * p


def _slots(bibs: list[int]) -> dict[int, int]:
    """Each rider's place behind the bunch's head, 0.3 s a place."""
    return {bib: _ms(0.3 * i) for i, bib in enumerate(bibs)}


def _cool_down(passages: dict[int, list[int]]) -> dict[int, list[int]]:
    return {bib: [*times, times[-1] + 20 * SECOND] for bib, times in passages.items()}


def scratch_passages() -> dict[int, list[int]]:
    slot = _slots(omnium.BIBS)
    out = {bib: [head_us(p) + slot[bib] for p in range(10)] for bib in omnium.BIBS}
    for i, bib in enumerate(SCRATCH_SPRINT):
        out[bib].append(head_us(10) + i * 100_000)
    gain = [slot[GAINS_SCRATCH] + k * 14_300_000 for k in range(9)]  # laps 0-8, 8 at 115.6 s
    out[GAINS_SCRATCH] = gain + [head_us(p) + _ms(3.6) for p in range(8, 11)]
    return _cool_down(out)


def tempo_passages() -> dict[int, list[int]]:
    riders = [bib for bib in omnium.BIBS if bib != DNS_TEMPO]
    slot = _slots(riders)
    return _cool_down(
        {
            bib: [
                head_us(p) - _ms(0.5) if TEMPO_WINNERS.get(p) == bib else head_us(p) + slot[bib]
                for p in range(11)
            ]
            for bib in riders
        }
    )


def elimination_passages() -> dict[int, list[int]]:
    """The rider k places behind the head (k from 0) goes out at sprint 11 - k (lap 2(11 - k));
    the first two ride the final at lap 20, then a cool-down lap."""
    slot = _slots(ELIMINATION_SLOTS)
    out: dict[int, list[int]] = {}
    for k, bib in enumerate(ELIMINATION_SLOTS):
        last = min(20, 2 * (11 - k))
        out[bib] = [head_us(p) + slot[bib] for p in range(last + 1)]
        if last == 20:
            out[bib].append(out[bib][-1] + 20 * SECOND)
    return out


def _points_offset(bib: int, p: int, slot: int) -> int:
    """A rider's passage p after the bunch's head: 0.1 s a place among the sprint's first riders,
    else its slot, 0.45 s more on a sprint lap."""
    first = POINTS_SPRINTS.get(p)
    if first is not None and bib in first:
        return first.index(bib) * 100_000
    return slot + (_ms(0.45) if first is not None else 0)


def points_passages() -> dict[int, list[int]]:
    riders = [bib for bib in omnium.BIBS if bib != DNS_TEMPO]
    slot = _slots(riders)
    out = {
        bib: [head_us(p) + _points_offset(bib, p, slot[bib]) for p in range(21)] for bib in riders
    }
    gain = out[GAINS_POINTS][:11]  # to its lap 10 at 160.45 s
    gain += [gain[10] + k * 13_800_000 for k in range(1, 7)]  # laps 11-16, 16 at 243.25 s
    gain += [head_us(q - 1) + _points_offset(GAINS_POINTS, q - 1, _ms(3.5)) for q in range(17, 22)]
    out[GAINS_POINTS] = gain
    return _cool_down(out)


def reads() -> list[tuple[int, str, int]]:
    """Every read of the four races, venue clock: (time, line, bib)."""
    eliminated = set(ELIMINATION_SLOTS[2:])
    return sorted(
        loop_reads(STARTS[SCRATCH], scratch_passages())
        + loop_reads(STARTS[TEMPO], tempo_passages())
        + loop_reads(STARTS[ELIMINATION], elimination_passages(), eliminated)
        + loop_reads(STARTS[POINTS_RACE], points_passages())
    )


def _race(event: str, *during: tuple[int, Command]) -> list[tuple[int, Command]]:
    """A race's commands, venue clock: armed, started, `during` (seconds after the start),
    provisional and final after its last lap."""
    start, end = STARTS[event], STARTS[event] + head_us(LAST_LAP[event])
    return [
        (start - 120 * SECOND, commands.Arm(event=event)),
        (start + 1 * SECOND, commands.Start(event=event)),
        *[(start + at * SECOND, value) for at, value in during],
        (end + 60 * SECOND, commands.Provisional(event=event)),
        (end + 100 * SECOND, commands.Final(event=event)),
    ]


ELIMINATED = ELIMINATION_SLOTS[:1:-1]  # sprint 1's first: 10, 11, 8, ...
COMMANDS: list[tuple[int, Command]] = [
    *_race(SCRATCH, (130, commands.LapChangeDecision(event=SCRATCH, bib=GAINS_SCRATCH, change=1))),
    *_race(
        TEMPO, (-60, commands.SetStatus(event=TEMPO, bib=DNS_TEMPO, status="DNS", reason="ill"))
    ),
    *_race(
        ELIMINATION,
        *[
            (32 * n + 8, commands.Eliminate(event=ELIMINATION, sprint=n, bib=bib))
            for n, bib in enumerate(ELIMINATED, 1)
        ],
    ),
    *_race(
        POINTS_RACE,
        (95, commands.SprintDecision(event=POINTS_RACE, number=1)),
        (175, commands.SprintDecision(event=POINTS_RACE, number=2)),
        (255, commands.SprintDecision(event=POINTS_RACE, number=3)),
        (260, commands.LapChangeDecision(event=POINTS_RACE, bib=GAINS_POINTS, change=1)),
    ),
]


def meet_text() -> str:
    return omnium.meet_text(laps=LAPS)


def write_meet(directory: Path) -> Path:
    path = directory / "omnium-races.meet.toml"
    path.write_text(meet_text())
    return path


def write_capture(directory: Path) -> Path:
    return devices.write_loop_capture(
        directory / "omnium-races.capture.jsonl",
        scratch.DECODERS,
        reads(),
        scratch.TRANSPONDER,
        [command(t, value) for t, value in COMMANDS],
        opened_us=S - 300 * SECOND,
    )


def standings(text: str) -> list[omnium.Row]:
    """Standings as written by hand: "rank bib total" for each rider ranked, "- bib total DNF"
    for each rider out, one after the other."""
    rows: list[omnium.Row] = []
    for rider in text.split(", "):
        rank, bib, total, *status = rider.split()
        rows.append((None if rank == "-" else int(rank), int(bib), int(total), "".join(status)))
    return rows


AFTER_SCRATCH = standings(
    "1 5 40, 2 7 38, 3 2 36, 4 1 34, 5 9 32, 6 3 30, "
    "7 4 28, 8 6 26, 9 10 24, 10 8 22, 11 11 20, 12 12 18"
)
AFTER_TEMPO = standings(
    "1 7 78, 2 2 74, 3 1 70, 3 5 70, 5 3 64, 6 4 60, "
    "7 9 56, 8 6 54, 9 8 48, 10 10 46, 11 11 40, - 12 18 DNF"
)
AFTER_ELIMINATION = standings(
    "1 7 112, 2 1 110, 2 2 110, 4 5 108, 5 3 96, 6 4 86, "
    "6 9 86, 8 6 82, 9 8 72, 10 10 66, 11 11 62, - 12 18 DNF"
)
AFTER_SPRINT_3 = standings(
    "1 7 119, 2 1 115, 2 2 115, 4 5 111, 5 3 99, 6 9 92, "
    "7 4 86, 8 6 84, 9 8 74, 10 10 66, 11 11 62, - 12 18 DNF"
)
AFTER_LAP_GAIN = standings(
    "1 1 135, 2 7 119, 3 2 115, 4 5 111, 5 3 99, 6 9 92, "
    "7 4 86, 8 6 84, 9 8 74, 10 10 66, 11 11 62, - 12 18 DNF"
)
FINAL = standings(
    "1 1 141, 2 5 121, 3 7 121, 4 2 115, 5 3 99, 6 9 96, "
    "7 4 86, 8 6 84, 9 8 74, 10 10 66, 11 11 62, - 12 18 DNF"
)
# The line-ups (3.2.249 bis): the standings' order, riders level by bib, riders out left out.
LINE_UPS = {
    TEMPO: [5, 7, 2, 1, 9, 3, 4, 6, 10, 8, 11, 12],
    ELIMINATION: [7, 2, 1, 5, 3, 4, 9, 6, 8, 10, 11],
    POINTS_RACE: [7, 1, 2, 5, 3, 4, 9, 6, 8, 10, 11],
}
