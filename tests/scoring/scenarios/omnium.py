"""An omnium of 12 riders through its four races (uci-rules.md §2.10, the `uci` table), every
figure worked out by hand here.

The scratch race comes from device bytes, the other three are result lines made by hand: what
they hold (a rider taken off two laps down, a DNS in the elimination, a lap lost and an abandon
in the points race) the omnium races scenario (scenarios/omnium_races.py, all four races from
one capture) does not ride.

**The riders**: bibs 1 to 12, those of the scratch race scenario (tests/scoring/scenarios/
scratch.py), lined up for the scratch in bib order (the omnium's `riders`). Points for a place
(3.2.250): 42 - 2k for place k: 1st 40, 2nd 38, 3rd 36, 4th 34, 5th 32, 6th 30, 7th 28, 8th 26,
9th 24, 10th 22, 11th 20.

**The scratch race** is the scratch scenario's, from its device bytes: 5 (a lap up), 7, 2, 1, 9,
3, 4, 6, 10, 8, then 11 (a lap down: one lap, not pulled), 12 abandoned (DNF: out of the
omnium, 3.2.251 bis). Points: 5 40, 7 38, 2 36, 1 34, 9 32, 3 30, 4 28, 6 26, 10 24, 8 22,
11 20. Standings: the same order, ranks 1 to 11; 12 listed after them, DNF, 0.

**The tempo race** (11 riders, lined up by those standings: 5 7 2 1 9 3 4 6 10 8 11): 7, 5,
1, 3, 2, 9, 6, 4, 8, 10, then 11, two laps down: taken off, placed 11th with 11 still racing,
20 - 40 = -20 (3.2.251 bis). Totals: 5 40+38 = 78, 7 38+40 = 78, 1 34+36 = 70, 2 36+32 = 68,
3 30+34 = 64, 9 32+30 = 62, 4 28+26 = 54, 6 26+28 = 54, 10 24+22 = 46, 8 22+24 = 46,
11 20-20 = 0. Standings: 5 and 7 share 1st (no final sprint yet to part them), 1 3rd, 2 4th,
3 5th, 9 6th, 4 and 6 share 7th, 8 and 10 share 9th, 11 11th; 12 DNF.

**The elimination race** (line-up by those standings, level riders by bib: 5 7 1 2 3 9 4 6 8
10 11): 10 does not start (DNS: out of the omnium, 3.2.249, listed DNF after those who
abandoned). Order: 1, 5, 7, 2, 9, 3, 6, 4, 8, 11. Totals: 5 78+38 = 116, 7 78+36 = 114,
1 70+40 = 110, 2 68+34 = 102, 3 64+30 = 94, 9 62+32 = 94, 6 54+28 = 82, 4 54+26 = 80,
8 46+24 = 70, 11 0+22 = 22. Standings: 5, 7, 1, 2, 3 and 9 sharing 5th, 6 7th, 4 8th, 8 9th,
11 10th; then 12 (abandoned), 10 (did not start), both DNF.

**The points race** (line-up 5 7 1 2 3 9 6 4 8 11): its sprint points added, 20 a lap gained
or lost (3.2.251).

- *Live, mid-race*: 1 has gained a lap, no points: 110 + 20 = 130; 5 3 points: 119; 7 5
  points: 119; 2 5: 107; 9 2: 96; 3 0: 94; 6 0: 82; 4 0: 80; 8 0: 70; 11 0: 22. Standings: 1,
  then 5 and 7 sharing 2nd (the final sprint not ridden), 2 4th, 9 5th, 3 6th, 6 7th, 4 8th,
  8 9th, 11 10th.
- *At the end*: 1 3 points and its lap: 110 + 3 + 20 = 133; 7 8 points: 122; 5 6 points: 122;
  2 10 points: 112; 9 5 points: 99; 3 2 points: 96; 4 1 point: 81; 6 no points and a lap lost:
  82 - 20 = 62; 11 no points: 22; 8 abandons (DNF, out). Final sprint: 2, 7, 9, 5, 4, 3, 1, 6
  (11 not placed). **The tie-break** (3.2.252): 7 and 5 level on 122; 7 2nd in the final sprint,
  5 4th: 7 2nd overall, 5 3rd.

**Final standings**: 1 133, 7 122, 5 122, 2 112, 9 99, 3 96, 4 81, 6 62, 11 22; then the riders
out of the omnium, DNF: 8 and 12 (abandoned), then 10 (did not start).
"""

from pathlib import Path

from tests.scoring.scenarios import points_race, scratch
from velotime.wire.results import ResultLine, Status

OMNIUM = "omnium-m"
BIBS = list(range(1, 13))
RACES = [f"{OMNIUM}-scratch", f"{OMNIUM}-tempo", f"{OMNIUM}-elimination", f"{OMNIUM}-points-race"]
LAPS = "laps = { scratch = 20, tempo = 20, points-race = 40 }"


def meet_text(table: str = "", format_name: str = "uci", laps: str = "") -> str:
    """The scratch scenario's riders (their transponders), entered in an omnium; `laps`: its
    races' distances (by default the scenario's, or the scratch's alone for another table)."""
    riders = scratch.meet_text().split("[[events]]")[0]
    laps = laps or (LAPS if format_name == "uci" else "laps = { scratch = 20 }")
    return (
        f'{riders}{table}\n[[omniums]]\nid = "{OMNIUM}"\ncategory = "Men Elite"\n'
        f'name = "Omnium"\nriders = {BIBS}\nformat = "{format_name}"\n{laps}\n'
    )


def write_capture(directory: Path) -> Path:
    """The scratch scenario's capture, the desk's commands naming the omnium's scratch race."""
    return scratch.write_capture(directory, event=RACES[0])


def placed(
    order: list[int], out: dict[int, Status] | None = None, laps: dict[int, int] | None = None
) -> list[ResultLine]:
    """A race's result lines: `order` ranked 1, 2, ..., then the riders `out`."""
    laps = laps or {}
    lines = [
        ResultLine(rank=rank, bib=bib, laps_gained=laps.get(bib, 0))
        for rank, bib in enumerate(order, 1)
    ]
    return lines + [ResultLine(rank=None, bib=bib, status=s) for bib, s in (out or {}).items()]


def points(
    rows: list[tuple[int, int, int, int | None]], out: dict[int, Status] | None = None
) -> list[ResultLine]:
    """The points race's lines: (bib, sprint points, laps gained less lost, final sprint
    place); the rank is the race's own, which the omnium does not read."""
    lines = [
        ResultLine(
            rank=rank, bib=bib, points=sprints + 20 * laps, sprint_points=[sprints],
            lap_points=20 * laps, laps_gained=laps, final_sprint_place=final,
        )
        for rank, (bib, sprints, laps, final) in enumerate(rows, 1)
    ]  # fmt: skip
    return lines + [ResultLine(rank=None, bib=bib, status=s) for bib, s in (out or {}).items()]


SCRATCH = placed([5, 7, 2, 1, 9, 3, 4, 6, 10, 8, 11], {12: Status.DNF}, laps={5: 1, 11: -1})
TEMPO = placed([7, 5, 1, 3, 2, 9, 6, 4, 8, 10, 11], laps={11: -2})
ELIMINATION = placed([1, 5, 7, 2, 9, 3, 6, 4, 8, 11], {10: Status.DNS})
POINTS_LIVE = points(
    [(1, 0, 1, None), (7, 5, 0, None), (2, 5, 0, None), (5, 3, 0, None), (9, 2, 0, None),
     (3, 0, 0, None), (6, 0, 0, None), (4, 0, 0, None), (8, 0, 0, None), (11, 0, 0, None)]
)  # fmt: skip
POINTS_FINAL = points(
    [(1, 3, 1, 7), (2, 10, 0, 1), (7, 8, 0, 2), (5, 6, 0, 4), (9, 5, 0, 3), (3, 2, 0, 6),
     (4, 1, 0, 5), (6, 0, -1, 8), (11, 0, 0, None)],
    {8: Status.DNF},
)  # fmt: skip

# The line-ups (3.2.249 bis), and the standings after each race: (rank, bib, total, status).
LINE_UPS = {
    "tempo": [5, 7, 2, 1, 9, 3, 4, 6, 10, 8, 11],
    "elimination": [5, 7, 1, 2, 3, 9, 4, 6, 8, 10, 11],
    "points race": [5, 7, 1, 2, 3, 9, 6, 4, 8, 11],
}
Row = tuple[int | None, int, int, str]
AFTER_SCRATCH: list[Row] = [
    (1, 5, 40, ""), (2, 7, 38, ""), (3, 2, 36, ""), (4, 1, 34, ""), (5, 9, 32, ""),
    (6, 3, 30, ""), (7, 4, 28, ""), (8, 6, 26, ""), (9, 10, 24, ""), (10, 8, 22, ""),
    (11, 11, 20, ""), (None, 12, 0, "DNF"),
]  # fmt: skip
AFTER_TEMPO: list[Row] = [
    (1, 5, 78, ""), (1, 7, 78, ""), (3, 1, 70, ""), (4, 2, 68, ""), (5, 3, 64, ""),
    (6, 9, 62, ""), (7, 4, 54, ""), (7, 6, 54, ""), (9, 8, 46, ""), (9, 10, 46, ""),
    (11, 11, 0, ""), (None, 12, 0, "DNF"),
]  # fmt: skip
AFTER_ELIMINATION: list[Row] = [
    (1, 5, 116, ""), (2, 7, 114, ""), (3, 1, 110, ""), (4, 2, 102, ""), (5, 3, 94, ""),
    (5, 9, 94, ""), (7, 6, 82, ""), (8, 4, 80, ""), (9, 8, 70, ""), (10, 11, 22, ""),
    (None, 12, 0, "DNF"), (None, 10, 46, "DNF"),
]  # fmt: skip
LIVE: list[Row] = [
    (1, 1, 130, ""), (2, 5, 119, ""), (2, 7, 119, ""), (4, 2, 107, ""), (5, 9, 96, ""),
    (6, 3, 94, ""), (7, 6, 82, ""), (8, 4, 80, ""), (9, 8, 70, ""), (10, 11, 22, ""),
    (None, 12, 0, "DNF"), (None, 10, 46, "DNF"),
]  # fmt: skip
FINAL: list[Row] = [
    (1, 1, 133, ""), (2, 7, 122, ""), (3, 5, 122, ""), (4, 2, 112, ""), (5, 9, 99, ""),
    (6, 3, 96, ""), (7, 4, 81, ""), (8, 6, 62, ""), (9, 11, 22, ""),
    (None, 8, 70, "DNF"), (None, 12, 0, "DNF"), (None, 10, 46, "DNF"),
]  # fmt: skip


# -- the points race of an omnium, from the points race scenario's bytes --------------------------

POINTS_ONLY = """
[[omnium_formats]]
name = "points-only"
races = [{ name = "points race", kind = "points_race" }]
points_after = 1
"""
POINTS_RACE = f"{OMNIUM}-points-race"


def points_meet_text() -> str:
    """The points race scenario's riders (tests/scoring/scenarios/points_race.py), entered in
    an omnium of the points race alone (same distance, sprints every 10 laps: the default on a
    250 m track, 3.2.116); its tempo race kept as an event of the meet."""
    riders, _, tempo = points_race.meet_text().split("[[events]]")
    return (
        f'{riders}[[events]]{tempo}{POINTS_ONLY}\n[[omniums]]\nid = "{OMNIUM}"\n'
        f'name = "Omnium"\nriders = {points_race.BIBS}\nformat = "points-only"\n'
        f"laps = {{ points-race = {points_race.LAPS} }}\n"
    )


def points_final() -> list[Row]:
    """The standings once the points race is final, by rule from the points race scenario's
    result (worked out by hand there): one race adding its own points, 20 a lap as the race
    counts them (3.2.251), ties parted by the final sprint as the race parts them (3.2.252,
    3.2.119; every rider who finished is placed in it): the race's own ranks and points;
    22, who abandoned, out of the omnium (DNF), its points race not counted (0)."""
    return [
        (rank, bib, points, "") if rank is not None else (None, bib, 0, "DNF")
        for rank, bib, points, *_ in points_race.EXPECTED
    ]


def write_points_capture(directory: Path) -> Path:
    """The points race scenario's capture, the desk's commands naming the omnium's points race."""
    return points_race.write_capture(directory, event=POINTS_RACE)


def write_points_meet(directory: Path) -> Path:
    path = directory / "omnium-points.meet.toml"
    path.write_text(points_meet_text())
    return path
