"""Three pursuit heats as a capture of real-world timing: an individual pursuit qualifying heat
with a catch ridden on, a final with a false start and a catch that ends it, and a team
pursuit qualifying heat with a rider dropped.

**The venue.** A 250 m track with its two pursuit lines: "red" in the middle of the home
straight (15 m before the finish, role pursuit-home) and "green" half a lap on (140 m, role
pursuit-back). An ALGE Timy (local time, Europe/Amsterdam, to 1/10,000 s) takes the home gate
on C1 ("gate-home"), the back gate on C2 ("gate-back") and a photocell on each pursuit line (C3
red, C4 green). A P3 loop on each pursuit line reads the transponders, on its own clock, 1.3 ms
after the beam is cut.

**Individual pursuit** (4000 m: 32 half laps). The home rider's odd half laps end on the green
line, the even ones on red; the back rider's the other way round. Both ride at an even pace:

- home (1 in qualifying, 3 in the final): 11.0 s to the first line, then 7.5 s a half lap:
  half lap n at 11.0 + 7.5 (n - 1) s; the 32nd at 243.5 s;
- back (2, 4): 11.4 s, then 8.5 s: half lap n at 11.4 + 8.5 (n - 1); the 32nd at 274.9 s,
  whose impulse comes 0.0007 s late: 274.9007.

Gap at half lap n: (11.4 + 8.5 (n - 1)) - (11.0 + 7.5 (n - 1)) = 0.4 + (n - 1) s, home ahead.
The catch: home's half lap k before back's half lap k - 1 on the same line, when 11.0 + 7.5
(k - 1) < 11.4 + 8.5 (k - 2), 3.5 + 7.5 k < -5.6 + 8.5 k, k > 9.1: at home's 10th half lap,
78.5 s (red line), back's 9th is at 79.4. (Half lap 9: home 71.0 on green, back's 8th 70.9 on
green too, 0.1 s before: not yet; the impulses go to the side due there, nearer its expected
time: 70.9 back's, 71.0 home's.)

- **Qualifying** ("ip-q"): both ride on for a time. 1: 243.500 = 4:03.500; 14400 / 243.5 =
  59.1375... -> 59.137 km/h. 2: 274.9007 truncated, 4:34.900 (not .901), +31.400; 14400 / 274.9
  = 52.3826... -> 52.382. Last laps: 1: 243.5 - 228.5 = 15.000; 2: 274.900 - 257.900 = 17.000.
- **Final** ("ip-f", match, catch ends): at the first gates 4 goes early and the desk recalls
  (`next_rider ip-f 4`); both roll back across the lines (void: before the new start). At the
  second gates they ride as above: 3 catches 4 at half lap 10, 78.5 s; the race ends: 3 wins,
  4 caught, no times; the board stops at 3's 10 half laps and 4's 8 (its 9th, 79.4, is after
  the catch); both sit up and roll on, crossings nobody's.

**Team pursuit** ("tp-q", qualifying, 4000 m). Team 1 (11-14) from the home straight, team 2
(21-24) from the back. In each team the riders cross 0.12 s apart, the leader changing every
lap (the order rotates), and each loop read is 987 us after its rider's wheel:

- team 1's front at half lap n: 10.0 + 7.2 (n - 1) s; its third rider 0.24 s later;
- team 2's front: 10.3 + 7.4 (n - 1); third 0.24 later.

Rider 14 pulls off the track after half lap 20: from half lap 21 team 1 is three, its third
rider still the one 0.24 s behind the front. The loops see 14 missing half lap 21 when the
front crosses half lap 22 (10.0 + 151.2 = 161.2 s): dropped. The desk confirms at half lap 24
(`status tp-q 14 DNF`).

Team 1: 10.0 + 223.2 + 0.24 + 0.000987 = 233.440987 -> 3:53.440 (truncated); 14400 / 233.44
= 61.6860... -> 61.686. Team 2: 10.3 + 229.4 + 0.24 + 0.000987 -> 3:59.940, +6.500; 14400 /
239.94 = 60.0150... -> 60.015. Gap at half lap n: 0.3 + 0.2 (n - 1). Last laps: 14.400, 14.800.
"""

from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.scenarios.devices import (
    TIMEZONE,
    Chunk,
    Decoder,
    Timy,
    command,
    riders_toml,
    venue_us,
)
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.daemon.sources import ControlDescription
from velotime.wire.commands import Arm, Command, Final, NextRider, Provisional, SetStatus

assert TIMEZONE  # the Timy's clock is on the venue's local time (devices.Timy)

LINES = {"finish": 0.0, "red": 15.0, "green": 140.0}
ROLES = {"red": "pursuit-home", "green": "pursuit-back"}
HOME_LINE, BACK_LINE = "red", "green"
GATE_HOME, GATE_BACK, RED, GREEN = 1, 2, 3, 4  # Timy channels
TIMY_CHANNELS = {GATE_HOME: "gate-home", GATE_BACK: "gate-back", RED: "red", GREEN: "green"}
PHOTOCELL = {HOME_LINE: RED, BACK_LINE: GREEN}
DECODERS = [("p3-red", "red", 268310, 3_600_000_000 + 4_321), ("p3-green", "green", 268311, 77)]
LOOP_LAG_US = 1_300  # the loop reads 1.3 ms after the beam
TEAM_LOOP_LAG_US = 987
S = 1_000_000
HALF_LAPS = 32

QUALIFYING, FINAL, TEAMS_EVENT = "ip-q", "ip-f", "tp-q"
RIDERS = {
    1: ("Ann Red", "GBR"), 2: ("Bea Green", "NZL"), 3: ("Cat Red", "AUS"), 4: ("Dee Green", "ITA"),
}  # fmt: skip
TEAMS = {1: ("Italy", (11, 12, 13, 14)), 2: ("Denmark", (21, 22, 23, 24))}
TEAM_RIDERS = {bib: (f"Rider {bib}", "ITA" if bib < 20 else "DEN") for bib in range(11, 25)}
TEAM_RIDERS = {b: r for b, r in TEAM_RIDERS.items() if b % 10 in (1, 2, 3, 4)}
TRANSPONDER = {bib: 7_300_000 + bib for bib in [*RIDERS, *TEAM_RIDERS]}
DROPPED, DROPPED_AFTER = 14, 20  # rider 14 rides half laps 1-20, then leaves the track

FIRST_US = venue_us(2026, 11, 21, 15, 0)
Q_GATE_US = FIRST_US + 60 * S
F_FALSE_GATE_US = FIRST_US + 600 * S
F_GATE_US = F_FALSE_GATE_US + 180 * S
TP_GATE_US = FIRST_US + 1500 * S


def home_us(n: int) -> int:
    """The home rider's half lap n after the gate: 11.0 + 7.5 (n - 1) s."""
    return 11 * S + 7_500_000 * (n - 1)


def back_us(n: int) -> int:
    """The back rider's half lap n: 11.4 + 8.5 (n - 1) s; the 32nd impulse 0.0007 s late."""
    return 11_400_000 + 8_500_000 * (n - 1) + (700 if n == HALF_LAPS else 0)


def line_of(side: int, n: int) -> str:
    """The line a side's n-th half lap ends on: home's odd ones on green, back's on red."""
    return BACK_LINE if (side + n) % 2 == 1 else HOME_LINE


def meet_text() -> str:
    everyone: dict[int, tuple[str, str, int | None]] = {
        bib: (name, nation, TRANSPONDER[bib])
        for bib, (name, nation) in (RIDERS | TEAM_RIDERS).items()
    }
    riders = riders_toml(everyone)
    teams = "".join(
        f'[[events.teams]]\nnumber = {n}\nname = "{name}"\nriders = {list(riders)}\n'
        for n, (name, riders) in TEAMS.items()
    )
    return f"""[meet]
id = "scenario-pursuit"
name = "Pursuit scenario"
{riders}
[[events]]
id = "{QUALIFYING}"
discipline = "individual_pursuit"
name = "Individual pursuit"
round = "qualifying"
distance_m = 4000
riders = [1, 2]

[[events]]
id = "{FINAL}"
discipline = "individual_pursuit"
name = "Individual pursuit"
round = "final"
distance_m = 4000
riders = [3, 4]
match = true
catch_ends = true

[[events]]
id = "{TEAMS_EVENT}"
discipline = "team_pursuit"
name = "Team pursuit"
round = "qualifying"
distance_m = 4000
{teams}"""


def write_meet(directory: Path) -> Path:
    path = directory / "pursuit.meet.toml"
    path.write_text(meet_text())
    return path


class _Session:
    def __init__(self) -> None:
        self.timy = Timy("timy", TIMY_CHANNELS)
        self.loops = {line: Decoder(src, line, i, clock) for src, line, i, clock in DECODERS}
        opened = FIRST_US - 300 * S
        self.chunks: list[Chunk] = [*self.timy.connect(opened)]
        for loop in self.loops.values():
            self.chunks += loop.connect(opened)

    def at(self, at_us: int, value: Command) -> None:
        self.chunks.append(command(at_us, value))

    def gates(self, at_us: int) -> None:
        self.chunks += [self.timy.impulse(at_us, GATE_HOME), self.timy.impulse(at_us, GATE_BACK)]

    def beam(self, at_us: int, line: str) -> None:
        self.chunks.append(self.timy.impulse(at_us, PHOTOCELL[line]))

    def read(self, at_us: int, line: str, bib: int) -> None:
        self.chunks += self.loops[line].passing(at_us, TRANSPONDER[bib])

    def crossing(self, at_us: int, line: str, bib: int) -> None:
        """A rider crosses a pursuit line: the beam, then the loop."""
        self.beam(at_us, line)
        self.read(at_us + LOOP_LAG_US, line, bib)


def _individual_heat(session: _Session, gate: int, home: int, back: int, until_us: int) -> None:
    """Both riders from `gate`: the beam cut and the loop read as each wheel leaves its gate on
    its own line, then every half lap up to `until_us` after the gate, then a slower lap."""
    session.gates(gate)
    for side, bib in ((0, home), (1, back)):
        line = HOME_LINE if side == 0 else BACK_LINE
        session.beam(gate + 200_000, line)
        session.read(gate + 350_000, line, bib)
        timing = home_us if side == 0 else back_us
        last = 0
        for n in range(1, HALF_LAPS + 1):
            if timing(n) > until_us:
                break
            session.crossing(gate + timing(n), line_of(side, n), bib)
            last = n
        for k in (1, 2):  # sitting up: two slower half laps, nobody's
            t = (timing(last) if last else 0) + k * 12 * S
            session.crossing(gate + t, line_of(side, last + k), bib)


def _team_heat(session: _Session, gate: int) -> None:
    session.gates(gate)
    for side, (first, half) in enumerate(((10 * S, 7_200_000), (10_300_000, 7_400_000))):
        riders = list(TEAMS[side + 1][1])
        for n in range(1, HALF_LAPS + 1):
            riding = [b for b in riders if not (b == DROPPED and n > DROPPED_AFTER)]
            turn = (n - 1) // 2 % len(riding)  # the leader changes every lap
            order = riding[turn:] + riding[:turn]
            front = gate + first + half * (n - 1)
            for place, bib in enumerate(order):
                session.read(front + 120_000 * place + TEAM_LOOP_LAG_US, line_of(side, n), bib)
    session.at(gate + 10 * S + 7_200_000 * 24, SetStatus(event=TEAMS_EVENT, bib=DROPPED,
               status="DNF", reason="pulled off after his turn"))  # fmt: skip


def write_capture(directory: Path) -> Path:
    session = _Session()
    session.at(Q_GATE_US - 120 * S, Arm(event=QUALIFYING))
    _individual_heat(session, Q_GATE_US, 1, 2, 400 * S)
    session.at(Q_GATE_US + 300 * S, Provisional(event=QUALIFYING))
    session.at(Q_GATE_US + 360 * S, Final(event=QUALIFYING))

    session.at(F_FALSE_GATE_US - 120 * S, Arm(event=FINAL))
    session.gates(F_FALSE_GATE_US)
    session.read(F_FALSE_GATE_US + 350_000, HOME_LINE, 3)
    session.read(F_FALSE_GATE_US + 300_000, BACK_LINE, 4)
    session.at(F_FALSE_GATE_US + 2 * S, NextRider(event=FINAL, bib=4))
    session.crossing(F_FALSE_GATE_US + 25 * S, HOME_LINE, 4)  # rolling back round: void
    _individual_heat(session, F_GATE_US, 3, 4, home_us(10))
    session.at(F_GATE_US + 200 * S, Provisional(event=FINAL))
    session.at(F_GATE_US + 260 * S, Final(event=FINAL))

    session.at(TP_GATE_US - 120 * S, Arm(event=TEAMS_EVENT))
    _team_heat(session, TP_GATE_US)
    session.at(TP_GATE_US + 300 * S, Provisional(event=TEAMS_EVENT))
    session.at(TP_GATE_US + 360 * S, Final(event=TEAMS_EVENT))
    return _write(directory / "pursuit.capture.jsonl", session)


COMMANDS = 11  # 3 arm, the recall, the rider dropped, 3 provisional, 3 final


def _write(path: Path, session: _Session) -> Path:
    described: dict[str, dict[str, Any]] = {
        loop.source: loop.description().to_builtins() for loop in session.loops.values()
    }
    described[session.timy.source] = session.timy.description().to_builtins()
    described[CONTROL_SOURCE] = ControlDescription().to_builtins()
    ordered = sorted(session.chunks, key=lambda chunk: chunk.received_us)
    header = CaptureHeader(
        venue="velodrome-test",
        sources=described,
        started_us=ordered[0].received_us - S,
        lines=LINES,
        track_length_m=250,
        roles=ROLES,
    )
    capture = CaptureWriter(path, header)
    try:
        for chunk in ordered:
            capture.write(chunk.received_us, chunk.source, chunk.data)
    finally:
        capture.close()
    return path


def decoded(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.json.decode(data)
    return result
