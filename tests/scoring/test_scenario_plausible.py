"""A flying 200 m of 0.006 s, from device bytes: put under "check", not ranked, until the desk
confirms it or corrects it (issue 13, item 3).

**The venue.** A 250 m track with transponder loops only: a P3 decoder on the 200 m line and one
on the finish, each with its own clock. Qualifying, the best 2 go on.

**The fault.** During the session a technician connects a spare decoder whose loop lies on the
*finish* line, configured as the 200 m line (`line = "200m"`). It reads every finish crossing
6 ms before the finish decoder does. From then on a rider's crossing of the finish is, to the
engine, a 200 m line crossing and a finish 0.006 s later: a "flying 200 m" of 0.006 s at
120,000 km/h, the fastest pass, so the rider's effort by the rules. Before this change 103 was
ranked first with it, "qualified", and printed so on the final sheet.

**The riders** (times worked out by hand from the reads below; official = truncated to the
thousandth, speed 720 / official truncated to three decimals, gap = difference of officials):

- 101: 200 m line at S, finish at S + 10.7246 s -> 10.724, 67.139 km/h (720 / 10.724 =
  67.1391...).
- 102: S + 10.4010 s -> 10.401, 69.224 km/h (720 / 10.401 = 69.2241...). Ranked 1st: 101 is
  2nd at 10.724 - 10.401 = +0.323.
- 103 rides after the spare decoder is connected. Every finish crossing gives a pass of
  0.006 s (6,000 us), speed 720 / 0.006 = 120,000.000 km/h: outside the flying 200 m's window
  (8.500 s to 20.000 s), so flagged "check", rank null, after the ranked riders; 101 and 102,
  1st and 2nd, both qualify.

Each rider: a run-up pass (200 m line 40 s before the effort, finish 19 s before: 21 s), the
effort, a cool-down pass (200 m line 4 s after the finish, finish 25 s after: 21 s). Riders
start 66 s apart.
"""

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.scoring import events
from tests.scoring.scenarios import devices
from tests.scoring.scenarios.devices import (
    Chunk,
    Decoder,
    command,
    result_line,
    riders_toml,
    venue_us,
)
from velotime.scoreboards.web.sheets import result_sheet_html
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Command, Confirm, Correct, Final, Provisional
from velotime.wire.results import EventResult

EVENT = "f200"
RIDERS = {101: ("Rider 101", "NED"), 102: ("Rider 102", "GBR"), 103: ("Rider 103", "AUS")}
TRANSPONDER = {bib: 7_300_000 + bib for bib in RIDERS}
EFFORT_US = {101: 10_724_600, 102: 10_401_000, 103: 10_245_600}
FIRST_US = venue_us(2026, 11, 21, 14, 5)  # 101 crosses the 200 m line at 14:05:00
EVERY_US = 66_000_000
SPARE_AHEAD_US = 6_000  # the spare loop reads a finish crossing this much before the finish's
LOOP = {"finish": ("p3-finish", 268401, 3_600_000_000), "200m": ("p3-200m", 268402, 0)}
SPARE = ("p3-spare", 268403, 3_600_000_000 + 777)


def effort_start_us(bib: int) -> int:
    return FIRST_US + (bib - 101) * EVERY_US


def meet_text() -> str:
    riders = riders_toml({bib: (*RIDERS[bib], TRANSPONDER[bib]) for bib in RIDERS})
    return f"""[meet]
id = "plausible"
{riders}
[[events]]
id = "{EVENT}"
discipline = "flying200"
start_order = [101, 102, 103]
qualify = 2
"""


def write_capture(directory: Path, desk: list[Command]) -> Path:
    """The session, then `desk`'s commands one minute apart after the last rider, then
    provisional and final."""
    loops = {line: Decoder(src, line, id_, clock) for line, (src, id_, clock) in LOOP.items()}
    spare = Decoder(SPARE[0], "200m", SPARE[1], SPARE[2])
    opened = FIRST_US - 600_000_000
    chunks: list[Chunk] = [chunk for loop in loops.values() for chunk in loop.connect(opened)]
    # Connected after 102's last crossing (cool-down finish at 102's start + 35.401 s) and
    # before 103's first finish crossing (103's start - 19 s).
    chunks += spare.connect(effort_start_us(103) - 25_000_000)
    chunks.append(command(FIRST_US - 120_000_000, Arm(event=EVENT)))
    for bib in RIDERS:
        start = effort_start_us(bib)
        finish = start + EFFORT_US[bib]
        crossings = [
            ("200m", start - 40_000_000),
            ("finish", start - 19_000_000),
            ("200m", start),
            ("finish", finish),
            ("200m", finish + 4_000_000),
            ("finish", finish + 25_000_000),
        ]
        for line, at_us in crossings:
            chunks += loops[line].passing(at_us, TRANSPONDER[bib])
            if line == "finish" and bib == 103:
                chunks += spare.passing(at_us - SPARE_AHEAD_US, TRANSPONDER[bib])
    after = effort_start_us(103) + 120_000_000
    for i, value in enumerate([*desk, Provisional(event=EVENT), Final(event=EVENT)]):
        chunks.append(command(after + i * 60_000_000, value))
    sources = {loop.source: loop.description() for loop in [*loops.values(), spare]}
    return devices.write_capture(
        directory / "plausible.capture.jsonl",
        venue="velodrome-test",
        sources=sources,
        lines={"finish": 0, "200m": 200},
        track_length_m=250,
        chunks=chunks,
    )


def replay(directory: Path, desk: list[Command]) -> dict[str, Any]:
    capture = write_capture(directory, desk)
    meet = directory / "plausible.meet.toml"
    meet.write_text(meet_text())
    commands = 1 + len(desk) + 2  # arm, the desk's, provisional, final
    result: dict[str, Any] = json.loads(
        devices.replay_twice(directory, capture, meet, EVENT, commands)
    )
    return result


def line(
    rank: int | None, bib: int, time: str, time_us: int, speed: str, gap: str | None,
    flags: list[str],
) -> dict[str, Any]:  # fmt: skip
    return result_line(
        rank, bib, RIDERS[bib], time=time, time_us=time_us, speed_kmh=speed, gap=gap, flags=flags
    )


def sheet(result: dict[str, Any]) -> str:
    payload = msgspec.convert(result, EventResult)
    return result_sheet_html(payload, meet="", venue="", zone=UTC, generated_us=0)


CHECKED_103 = line(None, 103, "0.006", 6_000, "120000.000", None, ["check"])


def test_a_time_of_0_006_s_is_put_under_check_and_not_ranked(tmp_path: Path) -> None:
    """Nobody at the desk acts: the final sheet ranks 102 and 101 (both qualify, 2 of 2) and
    shows 103's 0.006 s flagged "check", unranked, after them."""
    result = replay(tmp_path, [])
    assert result["status"] == "final"
    assert result["lines"] == [
        line(1, 102, "10.401", 10_401_000, "69.224", None, ["qualified"]),
        line(2, 101, "10.724", 10_724_000, "67.139", "+0.323", ["qualified"]),
        CHECKED_103,
    ]
    # The printed sheet shows the flag as it shows the others.
    assert '<span class="tag">check</span>' in sheet(result)


def test_a_time_confirmed_by_an_official_is_ranked_and_the_confirmation_audited(
    tmp_path: Path,
) -> None:
    """Confirmed, 0.006 ranks 1st (the official's call) and qualifies; 102 2nd at 10.401 -
    0.006 = +10.395, qualifies; 101 3rd at 10.724 - 0.006 = +10.718, no longer qualifies."""
    confirm = Confirm(event=EVENT, bib=103, reason="checked the loops")
    result = replay(tmp_path, [confirm])
    assert result["lines"] == [
        line(1, 103, "0.006", 6_000, "120000.000", None, ["qualified", "confirmed"]),
        line(2, 102, "10.401", 10_401_000, "69.224", "+10.395", ["qualified"]),
        line(3, 101, "10.724", 10_724_000, "67.139", "+10.718", []),
    ]
    (audit,) = result["audit"]
    assert (audit["type"], audit["bib"], audit["reason"]) == ("confirm", 103, "checked the loops")
    assert audit["time"] == "0.006"  # what was confirmed
    assert "time 0.006 confirmed" in sheet(result)  # the sheet's decisions and corrections


def test_a_time_corrected_by_the_commissaires_replaces_the_checked_one(tmp_path: Path) -> None:
    """The backup timing, 10.245: 720 / 10.245 = 70.2781... -> 70.278, 1st; 102 2nd at
    10.401 - 10.245 = +0.156; 101 3rd at 10.724 - 10.245 = +0.479, no longer qualified."""
    correct = Correct(event=EVENT, bib=103, time="10.245", reason="backup timing")
    result = replay(tmp_path, [correct])
    assert result["lines"] == [
        line(1, 103, "10.245", 10_245_000, "70.278", None, ["qualified", "corrected"]),
        line(2, 102, "10.401", 10_401_000, "69.224", "+0.156", ["qualified"]),
        line(3, 101, "10.724", 10_724_000, "67.139", "+0.479", []),
    ]


@pytest.mark.parametrize(
    ("bib", "why"),
    [(102, "bib 102 has no time under check"), (103, "bib 103 has no time under check")],
)
def test_a_confirmation_of_a_time_not_under_check_is_refused_with_its_reason(
    bib: int, why: str
) -> None:
    """102's 10.401 is inside the window: nothing to confirm. 103 before any crossing: no
    time at all. Neither changes the result; its audit trail keeps the refusal with why."""
    engine = ScoringEngine(parse_meet(meet_text()), {"finish": 0, "200m": 200}, 250)
    engine.command(Arm(event=EVENT))
    if bib == 102:
        start = effort_start_us(102)
        for line_, t_us in (("200m", start), ("finish", start + EFFORT_US[102])):
            engine.feed(events.passing(line_, t_us, TRANSPONDER[102]))
    before = engine.results(EVENT)
    engine.command(Confirm(event=EVENT, bib=bib, reason="looks right"))
    assert engine.skipped_commands == [f"{EVENT}: {why} to confirm"]
    after = engine.results(EVENT)
    (refused,) = after.pop("audit")[len(before["audit"]) :]
    assert (refused["type"], refused["reason"]) == ("refused", f"{EVENT}: {why} to confirm")
    assert after == {key: value for key, value in before.items() if key != "audit"}
