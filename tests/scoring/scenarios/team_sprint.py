"""A team sprint heat (a first-round match, uci-rules.md §2.11) as a capture of real-world
timing.

**The venue.** A 250 m track. The two pursuit lines in the middle of the straights, half a lap
apart: the home team starts and finishes on the home straight's, the back team on the back
straight's. On each line a P3 loop (each decoder with its own clock: the daemon learns it from
GET_TIME) and a photocell; an ALGE Timy (local time, Europe/Amsterdam, 1/10,000 s) takes the
home gate on C0, the back gate on C1, the home line's photocell on C2 and the back line's on C3.

**The teams.** 10, Netherlands (riders 1, 2, 3, in riding order), on the home straight; 20,
Great Britain (4, 5, 6), on the back straight. Rider k leads lap k and swings up after it.

**The ride.** Both gates are released together: the home gate's impulse at GATE, the back
gate's 0.0002 s later (two Timy channels taking one release, uci-rules.md §4.2). As they leave,
each rider's front wheel cuts the team's own beam (rider 1 at 0.2 s, 2 at 0.6 s, 3 at 0.9 s) and
the loop reads them 0.15 s later: not laps (under 5 s from the start). At every lap and half
lap the riders still in the team cross in riding order, each front wheel 0.12 s behind the one
before (a bike length and a little); every wheel cuts the beam, and the loop reads each
transponder 1.337 ms after its wheel. After leading, a rider rolls round and crosses the
team's line again slowly.

Raw times after the team's own gate impulse, the leader's front wheel (the photocell):

    team 10 (home)  own line:   17.1234   30.4567   43.6789      back line: 9.8765 23.7777 37.0001
    team 20 (back)  own line:   17.2001   30.6543   44.0124      home line: 9.9001 23.8888 37.1111

**What goes wrong.**

- Rider 1's transponder is not read at lap 1: rider 2's read 0.12 s later identifies the
  passage, whose first impulse from half a second before that read is rider 1's wheel: timed
  as usual, no problem.
- Rider 6's transponder is not read at the finish (the last lap has no follower): the first
  back line impulse that no read explains, from 5 s after lap 2's first read (rider 5,
  30.6556) to 1.5 times the lap before (13.4542 s = 30.6556 - 17.2014, first reads) after it
  (50.8369), is 44.0124 (team 10's 2.5 laps at 37.0001 is explained by rider 3's read, rider
  4's slow crossing at 38.6001 by 4's): it times the finish, said in the problems.
- The home line's photocell misses team 20's 1.5 laps (riders 5 and 6): rider 5's read times
  it, 23.8888 + 0.001337 = 23.890137 -> 23.890, said in the problems.

**The results, by hand.** Official cumulative times truncated, laps their differences:

    team 10: 17.123, 30.456, 43.678; laps 17.123, 13.333, 13.222 (sum 43.678)
             half laps 9.876, 23.777, 37.000
    team 20: 17.200, 30.654, 44.012; laps 17.200, 13.454, 13.358 (sum 44.012)
             half laps 9.900, 23.890 (the transponder), 37.111

Team 10 wins the match, 43.678 against 44.012 (+0.334). Speeds on 750 m: 2700 / 43.678 =
61.8160.. -> 61.816; 2700 / 44.012 = 61.3469.. -> 61.346. Gaps at each point, team 10's time
less team 20's: 9.876 - 9.900 = -0.024, 17.123 - 17.200 = -0.077, 23.777 - 23.890 = -0.113,
30.456 - 30.654 = -0.198, 37.000 - 37.111 = -0.111, 43.678 - 44.012 = -0.334 (team 20's: the
same with "+").
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
from velotime.wire.commands import Arm, Command, Final, Provisional

EVENT = "team-sprint-m-round-1-1"
TEAMS = {10: ("Netherlands", "NED", (1, 2, 3)), 20: ("Great Britain", "GBR", (4, 5, 6))}
TRANSPONDER = {bib: 7_300_000 + bib for bib in range(1, 7)}
TRACK_M = 250
# The timing lines, as the venue names them: their roles say which are the pursuit lines (the
# home one 15 m before the finish, the back one half a lap on); the gates are Timy channels.
HOME_LINE, BACK_LINE = "red", "green"
LINES = {"finish": 0.0, HOME_LINE: 15.0, BACK_LINE: 140.0}
ROLES = {HOME_LINE: "pursuit-home", BACK_LINE: "pursuit-back"}
HOME_GATE, BACK_GATE = "gate-home", "gate-back"
GATE_HOME_CH, GATE_BACK_CH, HOME_BEAM_CH, BACK_BEAM_CH = 0, 1, 2, 3

GATE = venue_us(2026, 11, 21, 15, 0) + 60_012_300  # the home gate's release
BACK_GATE_LATE_US = 200  # the back gate's impulse, of the same release
# Raw times after the team's gate: its laps on its own line, its half laps on the other's.
LAPS = {10: [17_123_400, 30_456_700, 43_678_900], 20: [17_200_100, 30_654_300, 44_012_400]}
HALF_LAPS = {10: [9_876_500, 23_777_700, 37_000_100], 20: [9_900_100, 23_888_800, 37_111_100]}
LEAVING_GATE_US = (200_000, 600_000, 900_000)  # each rider's wheel cuts the beam at the start
READ_AT_START_US = 150_000  # ... and the loop reads it this long after
FOLLOW_US = 120_000  # each front wheel behind the one before: 2 m at 60 km/h
LOOP_LAG_US = 1_337
# After leading lap k, rider k crosses the team's line again this long after it, slowly.
ROLLING_ROUND_US = (21_400_000, 22_000_000, 20_000_000)
MISSED_READS = {(10, 1, 1), (20, 3, 6)}  # (team, lap, bib): the loop does not read them
MISSED_BEAM = (20, 2)  # (team, half lap): the home photocell misses 1.5 laps of team 20
HOME_DECODER = ("p3-home", 268310, 3_600_000_000 + 4_321)
BACK_DECODER = ("p3-back", 268311, 3_600_000_000 - 77_000)


def meet_text() -> str:
    riders = riders_toml(
        {
            bib: (f"Rider {bib}", nation, TRANSPONDER[bib])
            for _, nation, bibs in TEAMS.values()
            for bib in bibs
        }
    )
    teams = "".join(
        f'[[events.teams]]\nnumber = {number}\nname = "{name}"\nnation = "{nation}"\n'
        f"riders = {list(bibs)}\n"
        for number, (name, nation, bibs) in TEAMS.items()
    )
    return f"""[meet]
id = "scenario-team-sprint"
name = "Team sprint scenario"
{riders}
[[events]]
id = "{EVENT}"
discipline = "team_sprint"
name = "Team sprint, first round, heat 1"
category = "Men Elite"
round = "first round"
match = true
{teams}"""


def write_meet(directory: Path) -> Path:
    path = directory / "team_sprint.meet.toml"
    path.write_text(meet_text())
    return path


def write_capture(directory: Path) -> Path:
    home = Decoder(HOME_DECODER[0], HOME_LINE, HOME_DECODER[1], HOME_DECODER[2])
    back = Decoder(BACK_DECODER[0], BACK_LINE, BACK_DECODER[1], BACK_DECODER[2])
    timy = Timy(
        "timy",
        {GATE_HOME_CH: HOME_GATE, GATE_BACK_CH: BACK_GATE, HOME_BEAM_CH: HOME_LINE,
         BACK_BEAM_CH: BACK_LINE},
    )  # fmt: skip
    opened = GATE - 300_000_000
    chunks: list[Chunk] = [*home.connect(opened), *back.connect(opened), *timy.connect(opened)]

    def at(at_us: int, value: Command) -> None:
        chunks.append(command(at_us, value))

    def wheel(line: Decoder, beam: int, t_us: int, bib: int | None, *, cut: bool = True) -> None:
        if cut:
            chunks.append(timy.impulse(t_us, beam))
        if bib is not None:
            chunks.extend(line.passing(t_us + LOOP_LAG_US, TRANSPONDER[bib]))

    at(GATE - 120_000_000, Arm(event=EVENT))
    chunks.append(timy.impulse(GATE, GATE_HOME_CH))
    chunks.append(timy.impulse(GATE + BACK_GATE_LATE_US, GATE_BACK_CH))
    sides = {10: (GATE, home, HOME_BEAM_CH, back, BACK_BEAM_CH),
             20: (GATE + BACK_GATE_LATE_US, back, BACK_BEAM_CH, home, HOME_BEAM_CH)}  # fmt: skip
    for number, (_, _, riders) in TEAMS.items():
        gate, own, own_beam, other, other_beam = sides[number]
        for bib, leaving in zip(riders, LEAVING_GATE_US, strict=True):
            chunks.append(timy.impulse(gate + leaving, own_beam))
            chunks.extend(own.passing(gate + leaving + READ_AT_START_US, TRANSPONDER[bib]))
        for k in range(1, 4):
            lap = gate + LAPS[number][k - 1]
            half = gate + HALF_LAPS[number][k - 1]
            for i, bib in enumerate(riders[k - 1 :]):
                read = None if (number, k, bib) in MISSED_READS else bib
                wheel(own, own_beam, lap + i * FOLLOW_US, read)
                wheel(other, other_beam, half + i * FOLLOW_US, bib, cut=(number, k) != MISSED_BEAM)
            wheel(own, own_beam, lap + ROLLING_ROUND_US[k - 1], riders[k - 1])
    at(GATE + 120_000_000, Provisional(event=EVENT))
    at(GATE + 240_000_000, Final(event=EVENT))
    return devices.write_capture(
        directory / "team_sprint.capture.jsonl",
        venue="velodrome-test",
        sources={
            home.source: home.description(),
            back.source: back.description(),
            timy.source: timy.description(),
        },
        lines=LINES,
        roles=ROLES,
        track_length_m=TRACK_M,
        chunks=chunks,
    )


def team_line(
    rank: int,
    number: int,
    time: str,
    speed_kmh: str,
    gap: str | None,
    cumulative: tuple[str, str, str],
    laps: tuple[str, str, str],
) -> dict[str, Any]:
    name, nation, _ = TEAMS[number]
    return result_line(
        rank,
        number,
        (name, nation),
        time=time,
        time_us=int(time.replace(".", "")) * 1000,
        speed_kmh=speed_kmh,
        gap=gap,
        splits=list(zip((250, 500, 750), cumulative, laps, strict=True)),
    )


EXPECTED: list[dict[str, Any]] = [
    team_line(
        1, 10, "43.678", "61.816", None,
        ("17.123", "30.456", "43.678"), ("17.123", "13.333", "13.222"),
    ),
    team_line(
        2, 20, "44.012", "61.346", "+0.334",
        ("17.200", "30.654", "44.012"), ("17.200", "13.454", "13.358"),
    ),
]  # fmt: skip


def point(
    half_laps: int, rider: int, cumulative: str, gap: str, lap: str | None = None
) -> dict[str, Any]:
    """A point of the board: a half lap (odd `half_laps`, no lap time) or a lap."""
    return {
        "half_laps": half_laps,
        "rider": rider,
        "cumulative": cumulative,
        "lap": lap,
        "gap": gap,
    }


EXPECTED_BOARD: dict[str, Any] = {
    "laps": 3,
    "teams": [
        {
            "team": 10, "side": 0, "riders": [1, 2, 3], "starts": 1,
            "points": [
                point(1, 1, "9.876", "-0.024"),
                point(2, 1, "17.123", "-0.077", "17.123"),
                point(3, 2, "23.777", "-0.113"),
                point(4, 2, "30.456", "-0.198", "13.333"),
                point(5, 3, "37.000", "-0.111"),
                point(6, 3, "43.678", "-0.334", "13.222"),
            ],
        },
        {
            "team": 20, "side": 1, "riders": [4, 5, 6], "starts": 1,
            "points": [
                point(1, 4, "9.900", "+0.024"),
                point(2, 4, "17.200", "+0.077", "17.200"),
                point(3, 5, "23.890", "+0.113"),
                point(4, 5, "30.654", "+0.198", "13.454"),
                point(5, 6, "37.111", "+0.111"),
                point(6, 6, "44.012", "+0.334", "13.358"),
            ],
        },
    ],
}  # fmt: skip

EXPECTED_PROBLEMS = [
    "team 20: lap 3 (bib 6 leading): no rider of the team read: timed by the photocell impulse "
    "at 44.012, which no transponder identifies",
    "team 20: 1.5 laps (bib 5 leading): no photocell impulse within 100 ms of the read: timed "
    "by bib 5's transponder",
]
