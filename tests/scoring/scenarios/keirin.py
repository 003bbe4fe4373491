"""A keirin competition of 12 riders from round 1 to the finals, as a capture: P3 passings at
the finish and 200 m lines, the FinishLynx camera for three of the four heats, and the desk's
commands. Every expected figure below is worked out by hand from uci-rules.md §2.5 and the
conventions of velotime.scoring.rules.keirin_progression.

The competition (12 entrants: the 10-14 table, uci-rules.md §2.5): two heats of round 1, places
1-3 to the final 1-6, places 4-6 to the final 7-12.

Round 1, serpentine seeding of bibs 1..12 (seeds 1, 2 to heats 1, 2; seeds 3, 4 back from heat
2 to heat 1; and so on): heat 1 = 1, 4, 5, 8, 9, 12; heat 2 = 2, 3, 6, 7, 10, 11.

- Heat 1, with the camera. The loop has 4 crossing 0.010 s before 1 (less than 0.03 s: photo
  required); the camera puts 1 first, and it decides. 5, third on the line, is relegated (REL):
  after the five classified riders. Order 1, 4, 9, 8, 12, 5 (REL 6th).
  Winner 1's last 200 m: the camera's finish 100.1080 s after the start - the 200 m line at
  90.7000 s = 9.408 s; 720 / 9.408 = 76.5306... -> "76.530" km/h (truncated).
- Heat 2, no camera. The first start is abandoned (a crash in the first lap, the heat is run
  again): the crossings before it no longer count. 10 crashes on the last lap: DNF; until the
  commissaires say so, 10's last crossing (the bell) would rank them. Order 3, 2, 7, 6, 11; 10
  DNF. Winner 3's last 200 m: 100.000000 - 89.876544 = 10.123456 -> "10.123"; 720 / 10.123 =
  71.1251... -> "71.125".
- Final 1-6, seeded from round 1: place 1 of heat 1 (1), place 1 of heat 2 (3), then places 2
  (4, 2), then places 3 (9, 7): start list 1, 3, 4, 2, 9, 7. The loop has 1 0.005 s ahead of
  3; the camera puts 3 first. Order 3, 1, 2, 4, 7, 9. Winner 3: 100.0040 - 90.6000 = 9.404 s;
  720 / 9.404 = 76.5631... -> "76.563".
- Final 7-12: places 4 (8, 6), 5 (12, 11), 6 (5, the relegated rider): 8, 6, 12, 11, 5. The
  camera failed; the loop has 8 0.020 s ahead of 6 (photo required); the commissaires, from the
  video, put 6 first: a place correction with its reason. Order 6, 8, 12, 11, 5.

Final classification: the final 1-6 gives places 1-6 (3, 1, 2, 4, 7, 9), the final 7-12 places
7-11 (6, 8, 12, 11, 5); 10, DNF in round 1, unranked at the foot.
"""

from pathlib import Path

import msgspec

from tests.scoring.scenarios.devices import riders_toml
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.protocols import lynx, p3
from velotime.wire.commands import (
    Abandon,
    Arm,
    Command,
    Correct,
    Final,
    Provisional,
    SetStatus,
    Start,
)

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC; the venue clock is UTC here
FINISH_DECODER, LINE_200_DECODER = 300101, 300102
COMPETITION = "keirin-m"
BIBS = list(range(1, 13))
TRANSPONDER = {bib: 7_000_000 + bib for bib in BIBS}

R1H1, R1H2 = "keirin-m-round-1-1", "keirin-m-round-1-2"
FINAL_1_6, FINAL_7_12 = "keirin-m-final-1-6", "keirin-m-final-7-12"

# Expected (rank, bib, status, flags) per heat, and the final classification (rank, bib,
# status), worked out in the module docstring.
EXPECTED_HEATS: dict[str, list[tuple[int | None, int, str, list[str]]]] = {
    R1H1: [(1, 1, "", []), (2, 4, "", []), (3, 9, "", []), (4, 8, "", []), (5, 12, "", []),
           (6, 5, "REL", [])],
    R1H2: [(1, 3, "", []), (2, 2, "", []), (3, 7, "", []), (4, 6, "", []), (5, 11, "", []),
           (None, 10, "DNF", [])],
    FINAL_1_6: [(1, 3, "", []), (2, 1, "", []), (3, 2, "", []), (4, 4, "", []), (5, 7, "", []),
                (6, 9, "", [])],
    FINAL_7_12: [(1, 6, "", ["corrected"]), (2, 8, "", []), (3, 12, "", []), (4, 11, "", []),
                 (5, 5, "", [])],
}  # fmt: skip
EXPECTED_START_LISTS = {
    R1H1: [1, 4, 5, 8, 9, 12],
    R1H2: [2, 3, 6, 7, 10, 11],
    FINAL_1_6: [1, 3, 4, 2, 9, 7],
    FINAL_7_12: [8, 6, 12, 11, 5],
}
EXPECTED_LAST_200 = {
    R1H1: ("9.408", "76.530"),
    R1H2: ("10.123", "71.125"),
    FINAL_1_6: ("9.404", "76.563"),
}
# Gaps to the winner at the line, from the camera where it ranks the heat (heat 1: 4 is 100.1125
# - 100.1080 = 0.0045 -> +0.004 behind 1), else from the loop (heat 2: 100.200 - 100.000). The
# relegated 5 gets none. In the final 7-12 the corrected 6 gets none (its place is the
# commissaires'); the others keep their gaps at the line to the first of them there, 8:
# 12 100.400 - 100.000, 11 100.600 - 100.000, 5 100.800 - 100.000.
EXPECTED_GAPS = {
    R1H1: [None, "+0.004", "+0.393", "+0.591", "+0.893", None],
    R1H2: [None, "+0.200", "+0.400", "+0.600", "+0.800", None],
    FINAL_1_6: [None, "+0.002", "+0.297", "+0.495", "+0.697", "+0.895"],
    FINAL_7_12: [None, None, "+0.400", "+0.600", "+0.800"],
}
EXPECTED_CLASSIFICATION: list[tuple[int | None, int, str]] = [
    (1, 3, ""), (2, 1, ""), (3, 2, ""), (4, 4, ""), (5, 7, ""), (6, 9, ""),
    (7, 6, ""), (8, 8, ""), (9, 12, ""), (10, 11, ""), (11, 5, ""), (None, 10, "DNF"),
]  # fmt: skip


def meet_text() -> str:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", TRANSPONDER[bib]) for bib in BIBS})
    return f"""
[meet]
id = "keirin-scenario"
name = "Keirin scenario"
{riders}
[[competitions]]
id = "{COMPETITION}"
discipline = "keirin"
category = "Men Elite"
name = "Keirin"
seeding = {BIBS}
"""


class _Heat(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    start_tod_us: int  # the start, as a time of day
    # Microseconds after the start: each rider's crossings of the finish line (the bell lap,
    # then the finish) and of the 200 m line (the last lap, then the cool-down).
    bell: dict[int, int]
    finish: dict[int, int]
    last_200: dict[int, int]
    camera: list[tuple[int, int]] | None = None  # (bib, time since the start) in camera order
    decisions: list[Command] = []  # after the finish, before provisional


def _heats() -> list[_Heat]:
    def around(bibs: list[int], at: int) -> dict[int, int]:
        return {bib: at + 40_000 * i for i, bib in enumerate(bibs)}

    h1 = [1, 4, 5, 8, 9, 12]
    h2 = [2, 3, 6, 7, 10, 11]
    f16 = [1, 3, 4, 2, 9, 7]
    f712 = [8, 6, 12, 11, 5]
    return [
        _Heat(
            event=R1H1,
            start_tod_us=50_400_000_000,  # 14:00
            bell=around(h1, 87_000_000),
            finish={
                4: 100_100_000,
                1: 100_110_000,
                5: 100_300_000,
                9: 100_500_000,
                8: 100_700_000,
                12: 101_000_000,
            },
            last_200={**around(h1, 90_750_000), 1: 90_700_000},
            camera=[
                (1, 100_108_000),
                (4, 100_112_500),
                (5, 100_299_000),
                (9, 100_501_000),
                (8, 100_699_000),
                (12, 101_001_000),
            ],
            decisions=[SetStatus(event=R1H1, bib=5, status="REL", reason="irregular sprint")],
        ),
        _Heat(
            event=R1H2,
            start_tod_us=51_300_000_000,  # 14:15, after an abandoned start at 14:10
            bell=around(h2, 87_000_000),
            finish={
                3: 100_000_000,
                2: 100_200_000,
                7: 100_400_000,
                6: 100_600_000,
                11: 100_800_000,
            },
            last_200={**around(h2, 90_000_000), 3: 89_876_544},
            decisions=[SetStatus(event=R1H2, bib=10, status="DNF", reason="crashed, last lap")],
        ),
        _Heat(
            event=FINAL_1_6,
            start_tod_us=52_200_000_000,  # 14:30
            bell=around(f16, 87_000_000),
            finish={
                1: 100_000_000,
                3: 100_005_000,
                2: 100_300_000,
                4: 100_500_000,
                7: 100_700_000,
                9: 100_900_000,
            },
            last_200={**around(f16, 90_700_000), 3: 90_600_000},
            camera=[
                (3, 100_004_000),
                (1, 100_006_000),
                (2, 100_301_000),
                (4, 100_499_000),
                (7, 100_701_000),
                (9, 100_899_000),
            ],
        ),
        _Heat(
            event=FINAL_7_12,
            start_tod_us=52_800_000_000,  # 14:40
            bell=around(f712, 87_000_000),
            finish={
                8: 100_000_000,
                6: 100_020_000,
                12: 100_400_000,
                11: 100_600_000,
                5: 100_800_000,
            },
            last_200=around(f712, 90_700_000),
            decisions=[Correct(event=FINAL_7_12, bib=6, place=1, reason="video: 6 ahead of 8")],
        ),
    ]


def header() -> CaptureHeader:
    return CaptureHeader(
        venue="keirin-track",
        sources={
            "p3": {
                "protocol": "p3",
                "decoder_lines": {str(FINISH_DECODER): "finish", str(LINE_200_DECODER): "200m"},
                "clock": "decoder",
            },
            "lynx": {"protocol": "lynx", "timezone": "UTC"},
        },
        lines={"finish": 0, "200m": 200},
        track_length_m=250,
    )


def write_capture(directory: Path) -> Path:
    """The session as the daemon would have recorded it; returns the capture's path."""
    chunks: list[tuple[int, str, bytes]] = []
    numbers = {FINISH_DECODER: 0, LINE_200_DECODER: 0}

    def command(at_us: int, value: Command) -> None:
        chunks.append((at_us, CONTROL_SOURCE, msgspec.json.encode(value)))

    def passings(start_us: int, decoder: int, crossings: dict[int, int]) -> None:
        for bib, after in sorted(crossings.items(), key=lambda item: item[1]):
            numbers[decoder] += 1
            passing = p3.Passing(
                passing_number=numbers[decoder],
                transponder=TRANSPONDER[bib],
                rtc_time_us=start_us + after,  # the venue clock is the decoder's ("decoder")
                decoder_id=decoder,
            )
            chunks.append((start_us + after + 50_000, "p3", p3.encode(passing)))

    def camera(at_us: int, *records: lynx.LynxRecord) -> None:
        chunks.append((at_us, "lynx", b"".join(lynx.encode(record) for record in records)))

    chunks.append((MIDNIGHT_US + 50_000_000_000, "p3", b""))  # connections open
    chunks.append((MIDNIGHT_US + 50_000_000_000, "lynx", b""))
    for heat in _heats():
        start = MIDNIGHT_US + heat.start_tod_us
        command(start - 420_000_000, Arm(event=heat.event))
        if heat.event == R1H2:
            # The first start, 5 min earlier: a lap, a crash, the heat is stopped and rerun.
            first = start - 300_000_000
            command(first, Start(event=heat.event))
            passings(first, FINISH_DECODER, {bib: 20_000_000 + bib for bib in heat.bell})
            command(first + 60_000_000, Abandon(event=heat.event, reason="crash in lap 1"))
        if heat.camera is not None:
            armed = lynx.Armed(event="7", round=1, heat=1, event_name=heat.event)
            camera(start - 60_000_000, armed)
        command(start, Start(event=heat.event))
        if heat.camera is not None:  # its running time gives the start
            running = lynx.RunningTime(
                time_us=100_000, time_digits=1, start_time_of_day_us=heat.start_tod_us
            )
            camera(start + 100_000, running)
        passings(start, FINISH_DECODER, heat.bell)
        passings(start, LINE_200_DECODER, heat.last_200)
        passings(start, FINISH_DECODER, heat.finish)
        after = start + 130_000_000
        if heat.camera is not None:
            results_header = lynx.ResultsHeader(
                official=False, event_name=heat.event, event="7", round=1, heat=1,
                count=len(heat.camera), start_time_of_day_us=heat.start_tod_us,
            )  # fmt: skip
            rows = [
                lynx.Result(place=place, id=str(bib), name=f"Rider {bib}", affiliation="NED",
                            time_us=time_us, time_digits=4)
                for place, (bib, time_us) in enumerate(heat.camera, 1)
            ]  # fmt: skip
            camera(after, results_header, *rows, lynx.ResultsComplete())
        for i, decision in enumerate(heat.decisions):
            command(after + 10_000_000 * (i + 1), decision)
        command(after + 60_000_000, Provisional(event=heat.event))
        command(after + 180_000_000, Final(event=heat.event))
    chunks.sort(key=lambda chunk: chunk[0])  # stable: chunks of one instant keep their order
    capture = CaptureWriter(directory / "keirin.capture.jsonl", header())
    for t_us, source, data in chunks:
        capture.write(t_us, source, data)
    capture.close()
    return capture.path
