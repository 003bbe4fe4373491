"""The flying 200 m qualifying of tests/scoring/scenarios/flying200.py on a venue with loops
only, timed by Race Result decoders instead of P3 ones: the same crossings, each decoder on its
own clock, the passings pushed as `#P;` lines. Scored from Race Result passings alone, it gives
the same result file, byte for byte, as the same session timed by P3.

A Race Result decoder gives its times in whole milliseconds; the P3 decoders of the scenario
read to the microsecond. "The same session" is then the same reads, each to the millisecond it
falls in, seen by either decoder. What the milliseconds change against the scenario's own
(microsecond) result is worked out below (`EXPECTED_MS`)."""

import json
from pathlib import Path
from typing import Any, Protocol

from tests.scoring.scenarios import devices, flying200
from tests.scoring.scenarios.devices import Chunk, Decoder
from tests.scoring.scenarios.flying200 import (
    DNS,
    DSQ,
    EVENT,
    EXPECTED_TRANSPONDERS_ONLY,
    FIRST_EFFORT_US,
    LATE_READ,
    LOOP_LAG_US,
    RIDING,
    STRANGER,
    TRANSPONDER,
    WARM_UP_US,
    crossings,
    effort_start_us,
    line,
)
from velotime.families.base import SourceDescription
from velotime.families.raceresult.source import RaceResultDescription
from velotime.protocols import raceresult as rr
from velotime.simulators.raceresult import passing_line_fields
from velotime.wire.commands import Arm, Final, Provisional, SetStatus

MS = 1_000
# Each decoder's clock less the venue clock: the venue's local time (Amsterdam, November: UTC+1)
# and a few milliseconds of its own, within the second the session sets a clock by.
CLOCKS = {
    "finish": ("finish-loop", 4711, 3_600_000_000 + 12 * MS),
    "100m": ("100m-loop", 4712, 3_600_000_000 - 8 * MS),
    "200m": ("200m-loop", 4713, 3_600_000_000),
}
PUSH_DELAY_US = 150_000  # sent once the transponder has left the loop, as P3's


class Loop(Protocol):
    source: str

    def description(self) -> SourceDescription: ...

    def connect(self, at_us: int) -> list[Chunk]: ...

    def passing(self, at_us: int, transponder: int) -> list[Chunk]: ...


class RaceResultDecoder:
    """A Race Result decoder on one timing line: answers GETTIME, numbers its passings and
    pushes each one a moment after the read; every fifth line arrives in two reads."""

    def __init__(self, source: str, line_name: str, box_id: int, clock_minus_venue_us: int):
        self.source = source
        self.line = line_name
        self.box_id = box_id
        self.clock_minus_venue_us = clock_minus_venue_us
        self.number = 1

    def description(self) -> SourceDescription:
        return RaceResultDescription(
            line=self.line,
            timezone=devices.TIMEZONE,
            endpoint=f"tcp://10.0.0.{self.box_id % 100}:3601",
        )

    def connect(self, at_us: int) -> list[Chunk]:
        answered = at_us + 20_000
        day, time_of_day_us = passing_line_fields(answered + self.clock_minus_venue_us)
        answer = rr.command("GETTIME", day, rr.format_time(time_of_day_us))
        return [Chunk(at_us, self.source, b""), Chunk(answered, self.source, answer)]

    def passing(self, at_us: int, transponder: int) -> list[Chunk]:
        day, time_of_day_us = passing_line_fields(at_us + self.clock_minus_venue_us)
        record = rr.Passing(
            pushed=True,
            passing_number=self.number,
            code=str(transponder),
            date=day,
            time_of_day_us=time_of_day_us,
            hits=20 + self.number % 40,
            max_rssi=0x40 + self.number % 0x30,
            loop_id=1,
            box_name=self.source,
            box_id=str(self.box_id),
        )
        data = rr.encode(record)
        sent = at_us + PUSH_DELAY_US
        self.number += 1
        if self.number % 5:
            return [Chunk(sent, self.source, data)]
        half = len(data) // 2
        return [Chunk(sent, self.source, data[:half]), Chunk(sent + MS, self.source, data[half:])]


def p3_loops() -> dict[str, Loop]:
    return {ln: Decoder(src, ln, box, clock) for ln, (src, box, clock) in CLOCKS.items()}


def raceresult_loops() -> dict[str, Loop]:
    return {ln: RaceResultDecoder(src, ln, box, clock) for ln, (src, box, clock) in CLOCKS.items()}


def write_capture(path: Path, loops: dict[str, Loop]) -> Path:
    """flying200.write_capture's loops-only session: every read to the millisecond it falls in."""
    chunks: list[Chunk] = []
    opened = FIRST_EFFORT_US - 600_000_000
    for loop in loops.values():
        chunks += loop.connect(opened)

    def read(line_name: str, read_us: int, transponder: int) -> None:
        chunks.extend(loops[line_name].passing(read_us - read_us % MS, transponder))

    for lap in range(2):  # 101 warms up before the event is armed
        for line_name, at in (("finish", 0), ("200m", 6_000_000), ("100m", 18_000_000)):
            beam = FIRST_EFFORT_US + WARM_UP_US + lap * 30_000_000 + at
            read(line_name, beam + LOOP_LAG_US, TRANSPONDER[101])
    for bib in RIDING:
        for line_name, beam, timed in crossings(bib):
            late = timed and line_name == "finish"
            lag = LATE_READ.get(bib, LOOP_LAG_US) if late else LOOP_LAG_US
            read(line_name, beam if line_name == "100m" and timed else beam + lag, TRANSPONDER[bib])
    coach = effort_start_us(114) + 40_000_000
    for line_name, at in (("finish", 0), ("200m", 9_000_000), ("100m", 27_000_000)):
        read(line_name, coach + at + LOOP_LAG_US, STRANGER)
    last = effort_start_us(RIDING[-1])
    chunks += [
        devices.command(FIRST_EFFORT_US - 120_000_000, Arm(event=EVENT)),
        devices.command(
            effort_start_us(107) + 2_000_000,
            SetStatus(event=EVENT, bib=DNS, status="DNS", reason="not at the start"),
        ),
        devices.command(
            effort_start_us(DSQ) + 45_000_000,
            SetStatus(event=EVENT, bib=DSQ, status="DSQ", reason="rode below the measuring line"),
        ),
        devices.command(last + 60_000_000, Provisional(event=EVENT)),
        devices.command(last + 180_000_000, Final(event=EVENT)),
    ]
    return devices.write_capture(
        path,
        venue="velodrome-test",
        sources={loop.source: loop.description() for loop in loops.values()},
        lines=dict(flying200.LINES),
        track_length_m=flying200.TRACK_M,
        chunks=chunks,
    )


def _with_ms_reads(expected: dict[str, Any]) -> dict[str, Any]:
    """What reads to the millisecond change against the scenario's microsecond reads: only the
    tie between 105 and 112. Official times, speeds, gaps and printed splits are unchanged (the
    200 m reads fall on whole ms, so truncating a read or the interval is the same). The
    tie-break (last 100 m, the interval finish read - 100 m read, truncated): 105's finish read
    10.8473 + 0.0010 -> 10.848, its 100 m read 5.636877 -> 5.636: 10.848 - 5.636 = 5.212; 112's
    10.8479 + 0.0010 = 10.8489 -> 10.848, 5.637012 -> 5.637: 5.211. No longer a draw: 112 is
    24th and qualifies (the 24th place is the last), 105 is 25th and does not. The first 100 m
    is 0.001 less than the photocells' (the 200 m read lags 1 ms): 112 5.636, 105 5.635, last
    100 m printed 10.847 - 5.636 = 5.211 and 10.847 - 5.635 = 5.212."""
    if expected["bib"] == 112:
        return line(
            24, 112, "10.847", 10_847_000, "66.377", "+1.123", ("5.636", "5.211"), ["qualified"]
        )
    if expected["bib"] == 105:
        return line(25, 105, "10.847", 10_847_000, "66.377", "+1.123", ("5.635", "5.212"), [])
    return expected


_BY_BIB = {entry["bib"]: _with_ms_reads(entry) for entry in EXPECTED_TRANSPONDERS_ONLY}
_ORDER = [entry["bib"] for entry in EXPECTED_TRANSPONDERS_ONLY]
_AT_105, _AT_112 = _ORDER.index(105), _ORDER.index(112)
_ORDER[_AT_105], _ORDER[_AT_112] = 112, 105
EXPECTED_MS = [_BY_BIB[bib] for bib in _ORDER]


def test_race_result_passings_alone_score_the_same_file_as_p3(tmp_path: Path) -> None:
    meet = flying200.write_meet(tmp_path)
    files = {}
    for name, loops in (("p3", p3_loops()), ("raceresult", raceresult_loops())):
        capture = write_capture(tmp_path / f"{name}.capture.jsonl", loops)
        files[name] = devices.replay_twice(tmp_path / name, capture, meet, EVENT, commands=5)
    assert files["raceresult"] == files["p3"]  # byte for byte
    results = json.loads(files["raceresult"])
    assert results["status"] == "final"
    assert results["lines"] == EXPECTED_MS
