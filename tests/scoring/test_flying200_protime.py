"""A flying 200 m timed by a Tag Heuer / Chronelec Protime decoder alone gives the same result
file, byte for byte, as the same session timed by P3 decoders.

The session is the flying 200 m scenario's transponder-only variant (scenarios/flying200.py):
28 entrants, run-up laps and cool-down, the warm-up before the arm, a coach's transponder, the
desk's DNS, DSQ, provisional and final. A Protime decoder stamps to the millisecond, so every
read here is the scenario's read truncated to the millisecond, and both venues are fed those
same reads:
- P3: one decoder a loop, each with its own clock (the scenario's DECODERS), as in the scenario;
Riders' transponders have 6 digits here (a Protime transponder's), the same at both venues.
- Protime: one decoder, its STA loop on the finish line, its BOX loop on the 200 m line and a
  distant box (B01) on the 100 m line, its clock on the venue's local time (Europe/Amsterdam,
  set by the daemon on connecting), each telegram read 40 ms after the passing; every seventh
  one is sent twice (its ACK lost on the line), and must count once.

By hand, rider 111: the 200 m line read is 1.000 ms after the beam (a whole millisecond), the
finish read 10.7246 s + 1.000 ms after it, truncated to 10.7256 -> 10.725 s after the beam; the
time is 10.725 - 0.001 = 10.724 s (the rules' own example, 3.2.025), 720 / 10.724 = 67.1391...
km/h -> 67.139.
"""

import json
from collections import Counter
from pathlib import Path

from tests.scoring.scenarios import devices, flying200
from tests.scoring.scenarios.devices import TIMEZONE, ZONE, Chunk, command
from tests.scoring.scenarios.flying200 import (
    DECODERS,
    DNS,
    DSQ,
    EVENT,
    FIRST_EFFORT_US,
    LATE_READ,
    LINES,
    LOOP_LAG_US,
    RIDING,
    TRACK_M,
    TRANSPONDER,
    WARM_UP_US,
    crossings,
    effort_start_us,
)
from velotime.families.protime.source import ProtimeDescription
from velotime.protocols import protime
from velotime.times import local_time_of_day
from velotime.wire.commands import Arm, Final, Provisional, SetStatus

COACH = 0  # the coach's "bib" in the reads: no rider of this meet
CHANNEL = {"finish": "STA", "200m": "BOX", "100m": "B01"}
PROTIME_DELAY_US = 40_000  # the telegram follows the passing
RESENT_EVERY = 7  # every seventh telegram's ACK is lost: the decoder sends it again


def reads() -> list[tuple[int, str, int]]:
    """(venue time of the read, line, bib) for every crossing the loops see, as the scenario's
    transponder-only variant reads them, truncated to the millisecond."""
    out: list[tuple[int, str, int]] = []

    def crossed(line: str, beam_us: int, bib: int, timed: bool, lag: int) -> None:
        read_us = beam_us if line == "100m" and timed else beam_us + lag
        out.append((read_us // 1000 * 1000, line, bib))

    for lap in range(2):  # 101 warms up before the event is armed
        for line, at in (("finish", 0), ("200m", 6_000_000), ("100m", 18_000_000)):
            beam = FIRST_EFFORT_US + WARM_UP_US + lap * 30_000_000 + at
            crossed(line, beam, 101, False, LOOP_LAG_US)
    for bib in RIDING:
        for line, beam_us, timed in crossings(bib):
            lag = LATE_READ.get(bib, LOOP_LAG_US) if timed and line == "finish" else LOOP_LAG_US
            crossed(line, beam_us, bib, timed, lag)
    coach = effort_start_us(114) + 40_000_000
    for line, at in (("finish", 0), ("200m", 9_000_000), ("100m", 27_000_000)):
        crossed(line, coach + at, COACH, False, LOOP_LAG_US)
    return sorted(out)


def desk() -> list[Chunk]:
    last = effort_start_us(RIDING[-1])
    return [
        command(FIRST_EFFORT_US - 120_000_000, Arm(event=EVENT)),
        command(
            effort_start_us(107) + 2_000_000,
            SetStatus(event=EVENT, bib=DNS, status="DNS", reason="not at the start"),
        ),
        command(
            effort_start_us(DSQ) + 45_000_000,
            SetStatus(event=EVENT, bib=DSQ, status="DSQ", reason="rode below the measuring line"),
        ),
        command(last + 60_000_000, Provisional(event=EVENT)),
        command(last + 180_000_000, Final(event=EVENT)),
    ]


# A Protime transponder has 6 digits: the scenario's 7_100_1xx become 100_1xx, for both venues.
TRANSPONDERS = {**{bib: t - 7_000_000 for bib, t in TRANSPONDER.items()}, COACH: 999_001}


def write_meet(directory: Path) -> Path:
    """The scenario's meet, its riders on 6-digit transponders."""
    text = flying200.MEET_TEXT
    for bib, transponder in TRANSPONDER.items():
        text = text.replace(
            f"transponders = [{transponder}]", f"transponders = [{TRANSPONDERS[bib]}]"
        )
    path = directory / "flying200.meet.toml"
    path.write_text(text)
    return path


OPENED_US = FIRST_EFFORT_US - 600_000_000


def p3_capture(directory: Path) -> Path:
    decoders = [(source, line, id_, clock) for line, (source, id_, clock) in DECODERS.items()]
    return devices.write_loop_capture(
        directory / "flying200-p3.capture.jsonl",
        decoders,
        reads(),
        TRANSPONDERS,
        desk(),
        OPENED_US,
    )


def protime_capture(directory: Path) -> Path:
    chunks = [Chunk(OPENED_US, "protime", b"")]
    index: Counter[int] = Counter()
    for number, (read_us, line, bib) in enumerate(reads(), start=1):
        index[bib] += 1
        passing = protime.Passing(
            channel=CHANNEL[line],
            transponder=TRANSPONDERS[bib],
            time_of_day_us=local_time_of_day(read_us, ZONE),
            level=40 + number % 50,
            index=index[bib] % 100,
        )
        telegram = protime.encode(passing)
        chunks.append(Chunk(read_us + PROTIME_DELAY_US, "protime", telegram))
        if number % RESENT_EVERY == 0:
            chunks.append(Chunk(read_us + PROTIME_DELAY_US + 300_000, "protime", telegram))
    description = ProtimeDescription(
        line="finish",
        channel_lines={"BOX": "200m", "B01": "100m"},
        timezone=TIMEZONE,
        endpoint="serial:///dev/ttyUSB0?baudrate=19200",
    )
    return devices.write_capture(
        directory / "flying200-protime.capture.jsonl",
        venue="velodrome-test",
        sources={"protime": description},
        lines=dict(LINES),
        track_length_m=TRACK_M,
        chunks=chunks + desk(),
    )


def test_protime_passings_alone_give_the_p3_session_s_result_file(tmp_path: Path) -> None:
    meet = write_meet(tmp_path)
    (tmp_path / "p3").mkdir()
    (tmp_path / "protime").mkdir()
    by_p3 = devices.replay_twice(
        tmp_path / "p3", p3_capture(tmp_path / "p3"), meet, EVENT, commands=5
    )
    by_protime = devices.replay_twice(
        tmp_path / "protime", protime_capture(tmp_path / "protime"), meet, EVENT, commands=5
    )
    assert by_protime == by_p3  # byte for byte
    results = json.loads(by_protime)
    assert results["status"] == "final"
    [rider_111] = [line for line in results["lines"] if line["bib"] == 111]
    assert (rider_111["time"], rider_111["time_us"], rider_111["speed_kmh"]) == (
        "10.724",
        10_724_000,
        "67.139",
    )
    assert len(reads()) > 28 * 10  # every lap of every rider, not only the timed passes
