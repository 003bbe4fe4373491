"""A Madison of 6 teams over 40 laps, sprints every 10, as a capture of real-world timing
(uci-rules.md §2.13, §2.6; the team lap feed of velotime/scoring/disciplines/madison.py).

**The venue.** A 250 m track, one P3 loop on the finish line (its own clock, learnt from
GET_TIME). Every rider wears their own transponder; the loop reads the racing partner and the
resting partner alike.

**The teams.** Team k (1 to 6) is riders 10k + 1 (A) and 10k + 2 (B). A team's laps are
numbered k = 0 (the flying start) to 40 (41 for the team a lap up), T(k) the racing partner's
passage of the line on lap k. The partners change every two laps: A races laps 0-1, B laps
2-3, A laps 4-5... (B when k // 2 is odd). The other partner rests and also crosses the line:

- on every odd lap k, 4.5 s after the racing partner (T(k) + 4.5 s);
- on every lap k a multiple of 4 from 4 on, 1.0 s after the racing partner: the partner just
  relieved, slung in just before the line;
- at the neutral lap before the start: A at T(0) - 18 s, B 5 s later.

Each of those comes less than 10 s (the shortest lap on 250 m at 25 m/s) after the team's
lap, so none counts: 20 + 10 + 1 = 31 partner crossings a team, 32 for team 4 (its lap 41 is
odd: 21). Each rider's own reads stay more than 10 s apart (the closest: a resting crossing
4.5 s into a 15.07 s lap and the same rider's racing passage on the next lap, 10.57 s).

**The race** (times in seconds after the flying start S, 16:00 local time). The bunch's lap p
crosses at H(p) = 16p; in it team 1 at +0.0, 2 at +0.3, 3 at +0.6, 5 at +1.2, 6 at +1.5, on
every lap but the sprints'. The desk's `start` at S + 1 s (a passage from 5 s before counts as
lap 0).

- **A lap gained.** Team 4 crosses at +0.9 at the start, then rides 15.06875 s laps: T(k) =
  0.9 + 15.06875k. Its lap 16 is at 242.0 s, 0.5 s behind the bunch's tail (team 6, 241.5 s)
  on the bunch's lap 15: it has reached the back of the bunch a lap up, +1 proposed at lap 15
  once the group closes (the next team passage 6 s after it: 256.0 s); the commissaires
  confirm it by the team's number at S + 260 s. Then it rides at the back of the bunch: its
  lap p + 1 at H(p) + 2.0. (Its laps 1 and 2, 15.969 and 31.038 s, are within 1 s of the
  bunch's head on the same lap: in its group, nothing to propose.)
- **Sprints** at laps 10, 20, 30, 40 (the last the final), the racing partners across the line
  in this order (seconds after H(p); team 4 on its lap p + 1 from lap 20):
  - lap 10: team 4 alone at its T(10) = 151.5875 s, 8.4 s before the bunch; then 1 +0.0,
    2 +0.1, 3 +0.2, 5 +0.3, 6 +0.4. Placings 4, 1, 2, 3: 5, 3, 2, 1 points.
  - lap 20: 2, 5, 1, 6, 4, 3 (0.1 s apart from +0.0): 2 5 pts, 5 3, 1 2, 6 1.
  - lap 30: 5, 2, 4, 3, 1, 6: 5 5 pts, 2 3, 4 2, 3 1.
  - lap 40, the final (doubled, 10-6-4-2): 1, 5, 2, 4, 6, 3: 1 10, 5 6, 2 4, 4 2.
  The crossings are 0.1 s apart: more than the loops' 30 ms, no photo required.
- The desk sends `provisional` at S + 700 s and `final` at S + 760 s.

**The result, by hand** (3.2.118, 3.2.119, 3.2.156: points, +20 a lap gained, ties by the
final sprint):

| team | sprints        | laps | total | final sprint |
|------|----------------|------|-------|--------------|
| 4    | 5, 0, 2, 2     | +20  | 29    | 4th          |
| 1    | 3, 2, 0, 10    |      | 15    | 1st          |
| 5    | 0, 3, 5, 6     |      | 14    | 2nd          |
| 2    | 2, 5, 3, 4     |      | 14    | 3rd          |
| 3    | 1, 0, 1, 0     |      | 2     | 6th          |
| 6    | 0, 1, 0, 0     |      | 1     | 5th          |

The final sprint is judged for every place across the line (§2.13, 3.2.119: its order ranks
teams level on points), 6 and 3 5th and 6th with no points. Teams 5 and 2 tie on 14: 5 was 2nd
in the final sprint, 2 3rd, so 5 is 3rd and 2 4th. Laps at
the finish (the first passage from the leader's 40th lap, team 1's at 640.0 s): 40, and 41 for
team 4.

**The lap board, by hand** (`BOARDS`, distance 40):

- S - 10 s: not started. S + 2 s: started, 0 laps, 40 to go.
- S + 250 s: team 4 on the road a lap up (its lap 16 at 242.0 s), not yet proposed: the board
  follows it, 16 laps (the bunch has 15), 24 to go.
- S + 257 s: the +1 proposed at lap 15 (group closed at 256.0 s); the bunch's lap 16 at 256.0
  s: 16 laps.
- S + 261 s: confirmed, nothing waiting, 16 laps.
- S + 626.5 s: the bunch's lap 39 at 624.0-625.5, team 4's lap 40 (39 on the bunch) at 626.0:
  39 laps, 1 to go, the bell.
- S + 641 s: 40 laps, finished.
"""

from pathlib import Path
from typing import Any

from tests.scoring.scenarios import devices
from tests.scoring.scenarios.devices import Chunk, Decoder, command, riders_toml, venue_us
from velotime.wire.commands import Arm, Command, Final, LapChangeDecision, Provisional, Start

EVENT = "madison-m"
TEAMS = list(range(1, 7))
NATIONS = ["NED", "GBR", "AUS", "DEN", "FRA", "GER"]
DISTANCE = 40
S = venue_us(2026, 11, 21, 16, 0)  # the flying start
SECOND = 1_000_000
GAINS = 4
BUNCH_OFFSET_MS = {1: 0, 2: 300, 3: 600, 5: 1200, 6: 1500}
BREAKAWAY_LAP_US = 15_068_750
# The sprint laps: the order of the racing partners across the line, 0.1 s apart from H(p).
SPRINTS = {10: [1, 2, 3, 5, 6], 20: [2, 5, 1, 6, 4, 3], 30: [5, 2, 4, 3, 1, 6],
           40: [1, 5, 2, 4, 6, 3]}  # fmt: skip
DECODER = ("p3-finish", "finish", 300301, 3_600_000_000 + 4_321)  # its clock less the venue's


def riders(team: int) -> tuple[int, int]:
    return 10 * team + 1, 10 * team + 2


def transponder(bib: int) -> int:
    return 7_500_000 + bib


def team_laps() -> dict[int, list[int]]:
    """T(k): each team's racing passages, lap k = 0 to the last (the module docstring)."""
    out: dict[int, list[int]] = {}
    for team, offset_ms in BUNCH_OFFSET_MS.items():
        out[team] = [16 * SECOND * p + offset_ms * 1000 for p in range(DISTANCE + 1)]
    out[GAINS] = [900_000 + BREAKAWAY_LAP_US * k for k in range(17)]
    out[GAINS] += [16 * SECOND * p + 2 * SECOND for p in range(16, DISTANCE + 1)]
    for p, order in SPRINTS.items():
        for place, team in enumerate(order):
            lap = p + 1 if team == GAINS else p
            out[team][lap] = 16 * SECOND * p + place * 100_000
    return out


def reads() -> list[tuple[int, int]]:
    """Every read of the finish loop: (time after the start, bib)."""
    out: list[tuple[int, int]] = []
    for team, times in team_laps().items():
        a, b = riders(team)
        out += [(times[0] - 18 * SECOND, a), (times[0] - 13 * SECOND, b)]  # the neutral lap
        for k, t in enumerate(times):
            racing, resting = (b, a) if (k // 2) % 2 else (a, b)
            out.append((t, racing))
            if k % 2:
                out.append((t + 4_500_000, resting))
            elif k % 4 == 0 and k >= 4:
                out.append((t + 1 * SECOND, resting))  # relieved just before the line
    return sorted(out)


def meet_text() -> str:
    listed = riders_toml(
        {
            bib: (f"Rider {bib}", NATIONS[team - 1], transponder(bib))
            for team in TEAMS
            for bib in riders(team)
        }
    )
    teams = "".join(
        f'[[events.teams]]\nnumber = {team}\nname = "Team {NATIONS[team - 1]}"\n'
        f'nation = "{NATIONS[team - 1]}"\nriders = {list(riders(team))}\n'
        for team in TEAMS
    )
    return f"""[meet]
id = "scenario-madison"
name = "Madison scenario"
{listed}
[[events]]
id = "{EVENT}"
discipline = "madison"
name = "Madison"
category = "Men Elite"
laps = {DISTANCE}
sprint_every = 10
{teams}"""


COMMANDS: list[tuple[int, Command]] = [
    (-120 * SECOND, Arm(event=EVENT)),
    (1 * SECOND, Start(event=EVENT)),
    (260 * SECOND, LapChangeDecision(event=EVENT, bib=GAINS, change=1, reason="lapped the field")),
    (700 * SECOND, Provisional(event=EVENT)),
    (760 * SECOND, Final(event=EVENT)),
]


def write_capture(directory: Path) -> Path:
    source, line, id_, clock = DECODER
    decoder = Decoder(source, line, id_, clock)
    chunks: list[Chunk] = list(decoder.connect(S - 300 * SECOND))
    for t, bib in reads():
        chunks += decoder.passing(S + t, transponder(bib))
    chunks += [command(S + t, value) for t, value in COMMANDS]
    return devices.write_capture(
        directory / "madison.capture.jsonl",
        venue="velodrome-test",
        sources={source: decoder.description()},
        lines={"finish": 0},
        track_length_m=250,
        chunks=chunks,
    )


def write_meet(directory: Path) -> Path:
    path = directory / "madison.meet.toml"
    path.write_text(meet_text())
    return path


# (rank, team, laps, laps gained, points, sprint points, lap points, final sprint place): the
# module docstring's table.
EXPECTED: list[tuple[int, int, int, int, int, list[int], int, int | None]] = [
    (1, 4, 41, 1, 29, [5, 0, 2, 2], 20, 4),
    (2, 1, 40, 0, 15, [3, 2, 0, 10], 0, 1),
    (3, 5, 40, 0, 14, [0, 3, 5, 6], 0, 2),
    (4, 2, 40, 0, 14, [2, 5, 3, 4], 0, 3),
    (5, 3, 40, 0, 2, [1, 0, 1, 0], 0, 6),
    (6, 6, 40, 0, 1, [0, 1, 0, 0], 0, 5),
]
EXPECTED_CHANGES = [{"bib": GAINS, "change": 1, "lap": 15}]
EXPECTED_PROBLEMS = [
    f"team {team}: {32 if team == GAINS else 31} crossing(s) of the partner on the team's lap, "
    "not counted"
    for team in TEAMS
]


def line_of(
    line: dict[str, Any],
) -> tuple[int, int, int, int, int, list[int], int, int | None]:
    return (line["rank"], line["bib"], line["laps"], line.get("laps_gained", 0), line["points"],
            line["sprint_points"], line["lap_points"], line.get("final_sprint_place"))  # fmt: skip


def board(leader: int, *, started: bool = True) -> dict[str, Any]:
    """The lap board (with its distance, 40) with the leader on `leader` laps."""
    to_go = DISTANCE - leader
    return {"distance": DISTANCE, "started": started, "leader_laps": leader,
            "laps_to_go": to_go, "bell": started and to_go == 1,
            "finished": started and to_go == 0, "neutralised": 0}  # fmt: skip


PROPOSED = [{"bib": GAINS, "change": 1, "lap": 15}]
# Tenths of a second after the start -> the lap board then, and the proposals waiting.
BOARDS: dict[int, tuple[dict[str, Any], list[dict[str, int]]]] = {
    -100: (board(0, started=False), []),
    20: (board(0), []),
    2500: (board(16), []),
    2570: (board(16), PROPOSED),
    2610: (board(16), []),
    6265: (board(39), []),
    6410: (board(40), []),
}
