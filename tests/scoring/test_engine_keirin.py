"""A keirin heat from device bytes to results: P3 passings at the finish and 200 m lines and the
FinishLynx stream, through the daemon's sessions into the scoring engine. Every expected figure
is worked out by hand."""

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.scoring.events import payload
from tests.scoring.scenarios.devices import riders_toml
from velotime.drivers.lynx.session import LynxSession
from velotime.drivers.p3.session import P3Session
from velotime.protocols import lynx, p3
from velotime.scoring.disciplines.keirin import PhotoBlocks
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import Meet, parse_meet
from velotime.scoring.rules.keirin import PhotoPlace
from velotime.wire.commands import Arm, Correct, Final, Provisional, SetStatus, Start
from velotime.wire.events import Event, PhotoFinishData

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC; the venue clock is UTC here
START_TOD = 50_400_000_000  # 14:00:00 as a time of day: the heat's start
START = MIDNIGHT_US + START_TOD
EVENT = "keirin-r1-h1"
RIDERS = [21, 22, 23, 24, 25, 26]  # seeding order
NAMES = {21: "Rider A", 22: "Rider B", 23: "Rider C", 24: "Rider D", 25: "Rider E", 26: "Rider F"}
TRANSPONDER = {bib: 4_100_000 + bib for bib in RIDERS}
FINISH_DECODER, LINE_200_DECODER = 268307, 268308
LINES = {FINISH_DECODER: "finish", LINE_200_DECODER: "200m"}

# Transponder crossings, microseconds after the start.
BELL = {21: 86_800_000, 24: 86_850_000, 22: 86_900_000, 26: 86_950_000, 23: 87_000_000,
        25: 87_050_000}  # fmt: skip
# The finish by the loop: 24 leads 22 by 0.012 s (less than 0.03 s: photo required), 23 leads
# 25 by 0.035 s (far enough apart). 26 crashed on the last lap: no finish crossing.
FINISH = {24: 100_110_000, 22: 100_122_000, 21: 100_400_000, 23: 100_700_000, 25: 100_735_000}
# The 200 m line, on the lap before, on the last lap and on the cool-down lap after the finish.
LAP_BEFORE_200 = {bib: 76_500_000 + 10_000 * i for i, bib in enumerate(RIDERS)}
LAST_LAP_200 = {22: 90_725_500, 24: 90_650_000, 21: 90_700_000, 23: 90_800_000,
                25: 90_850_000, 26: 90_900_000}  # fmt: skip
COOL_DOWN_200 = {bib: 104_000_000 + 100_000 * i for i, bib in enumerate(FINISH)}

# The camera's places (time since the start, 1/10,000 s). Its first block swaps 23 and 25 (the
# operator misread their numbers); the resend after the correction puts 25 fourth. 26 is listed
# without a place: the camera cannot tell a crashed rider's fate, the commissaires do.
CAMERA = [(1, "22", 100_123_400), (2, "24", 100_130_100), (3, "21", 100_395_000)]
FIRST_BLOCK = [*CAMERA, (4, "23", 100_699_000), (5, "25", 100_701_000), (None, "26", None)]
CORRECTED = [*CAMERA, (4, "25", 100_699_000), (5, "23", 100_701_000), (None, "26", None)]


def meet(laps: int | None = None) -> Meet:
    """The heat of `RIDERS`; 31, of another heat, rides in the meet too."""
    riders = riders_toml(
        {bib: (NAMES[bib], "NED", TRANSPONDER[bib]) for bib in RIDERS} | {31: ("Other", "", None)}
    )
    return parse_meet(
        f'[meet]\nid = "test"\n{riders}\n'
        f'[[events]]\nid = "{EVENT}"\ndiscipline = "keirin"\nround = "1"\nheat = "1"\n'
        f"riders = {RIDERS}\n" + ("" if laps is None else f"laps = {laps}\n")
    )


@pytest.fixture
def engine() -> ScoringEngine:
    engine = ScoringEngine(meet(), {"finish": 0, "200m": 200})
    engine.command(Arm(event=EVENT))
    return engine


def feed(engine: ScoringEngine, events: list[Event]) -> None:
    # As the daemon's sessions make them: the camera's corrected resend is a block of its own,
    # whose unchanged lines have ids of their own too (velotime.drivers.lynx.session).
    for event in events:
        engine.feed(event)


def p3_race(crossings: list[tuple[int, int, int]]) -> list[tuple[int, bytes]]:
    """(decoder, bib, microseconds after the start) -> the decoders' passing records in time
    order, each received 50 ms after it happened; passing numbers count per decoder."""
    numbers = dict.fromkeys(LINES, 0)
    records = []
    for decoder, bib, after_start in sorted(crossings, key=lambda c: c[2]):
        numbers[decoder] += 1
        passing = p3.Passing(
            passing_number=numbers[decoder],
            transponder=TRANSPONDER[bib],
            rtc_time_us=START + after_start,  # "decoder" clock: the venue clock is the decoder's
            decoder_id=decoder,
        )
        records.append((START + after_start + 50_000, p3.encode(passing)))
    return records


def camera_results(rows: list[tuple[int | None, str, int | None]]) -> list[lynx.LynxRecord]:
    header = lynx.ResultsHeader(
        official=False, event_name="Keirin Men", event="7", round=1, heat=1, count=6,
        start_time_of_day_us=START_TOD,
    )  # fmt: skip
    results = [
        lynx.Result(
            place=place,
            id=bib,
            name=NAMES[int(bib)],
            affiliation="NED",
            time_us=time_us,
            time_digits=None if time_us is None else 4,
        )
        for place, bib, time_us in rows
    ]
    return [header, *results]


def order(payload: dict[str, Any]) -> list[tuple[int | None, int, str]]:
    return [(line["rank"], line["bib"], line.get("status", "")) for line in payload["lines"]]


def test_a_keirin_heat_photo_finish_over_transponders(engine: ScoringEngine) -> None:
    camera = LynxSession("lynx", ZoneInfo("UTC"))
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")

    def lynx_bytes(at: int, *records: lynx.LynxRecord) -> None:
        feed(engine, camera.feed(at, b"".join(lynx.encode(r) for r in records)).events)

    # The camera is armed before the start; its running time gives the start (14:00:00).
    lynx_bytes(START - 30_000_000, lynx.Armed(event="7", round=1, heat=1, event_name="Keirin"))
    lynx_bytes(START + 100_000, lynx.RunningTime(time_us=100_000, time_digits=1,
                                                 start_time_of_day_us=START_TOD))  # fmt: skip
    assert engine.results(EVENT)["lines"] == []  # no crossing yet: no result, and no error

    crossings = [
        *((FINISH_DECODER, bib, t) for line in (BELL, FINISH) for bib, t in line.items()),
        *((LINE_200_DECODER, bib, t) for line in (LAP_BEFORE_200, LAST_LAP_200, COOL_DOWN_200)
          for bib, t in line.items()),
    ]  # fmt: skip
    for received_us, record in p3_race(crossings):
        feed(engine, decoders.feed(received_us, record).events)
    engine.command(SetStatus(event=EVENT, bib=26, status="DNF", reason="crashed, last lap"))

    # Transponders alone: each rider's last finish crossing, 24 first; 24 and 22 0.012 s apart.
    result = engine.results(EVENT)
    assert order(result) == [(1, 24, ""), (2, 22, ""), (3, 21, ""), (4, 23, ""), (5, 25, ""),
                             (None, 26, "DNF")]  # fmt: skip
    assert [line.get("flags", []) for line in result["lines"]] == [
        ["photo required"], ["photo required"], [], [], [], [],
    ]  # fmt: skip
    # 24's last 200 m: 100.110 - 90.650 = 9.460 (not the lap before, not the cool-down lap);
    # 720 / 9.46 = 76.1099... -> 76.109.
    assert (result["winner_last_200"], result["winner_last_200_kmh"]) == ("9.460", "76.109")

    # The camera's first block: 22 beats 24, and it decides (no more photo-required flags).
    lynx_bytes(START + 160_000_000, *camera_results(FIRST_BLOCK), lynx.ResultsComplete())
    result = engine.results(EVENT)
    assert order(result) == [(1, 22, ""), (2, 24, ""), (3, 21, ""), (4, 23, ""), (5, 25, ""),
                             (None, 26, "DNF")]  # fmt: skip
    assert all("flags" not in line for line in result["lines"])
    # 22's last 200 m from the camera's finish: 100.1234 - 90.7255 = 9.3979 -> 9.397 (the loop's
    # finish would give 9.396); 720 / 9.397 = 76.6201... -> 76.620 (Lavreysen, Paris 2024).
    assert (result["winner_last_200"], result["winner_last_200_kmh"]) == ("9.397", "76.620")

    # The corrected resend: until it is complete, the first block stands.
    lynx_bytes(START + 200_000_000, *camera_results(CORRECTED))
    assert order(engine.results(EVENT))[3:5] == [(4, 23, ""), (5, 25, "")]
    lynx_bytes(START + 200_000_100, lynx.ResultsComplete())
    assert order(engine.results(EVENT))[3:5] == [(4, 25, ""), (5, 23, "")]

    # 21 is relegated: after every classified rider (5th), 25 and 23 move up.
    engine.command(SetStatus(event=EVENT, bib=21, status="REL", reason="irregular sprint"))
    published = engine.command(Final(event=EVENT))
    result = payload(published[0])
    assert published[0].key == f"results/{EVENT}"
    assert result["status"] == "final"
    assert order(result) == [(1, 22, ""), (2, 24, ""), (3, 25, ""), (4, 23, ""), (5, 21, "REL"),
                             (None, 26, "DNF")]  # fmt: skip
    assert (result["lines"][0]["name"], result["lines"][0]["nation"]) == ("Rider B", "NED")
    assert (result["winner_last_200"], result["winner_last_200_kmh"]) == ("9.397", "76.620")
    assert [entry["status"] for entry in result["audit"]] == ["DNF", "REL"]


def test_transponders_alone_flag_riders_too_close_to_order(engine: ScoringEngine) -> None:
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")
    # No camera; only the last lap is recorded. 21 and 22 cross 0.020 s apart, less than the
    # 0.03 s transponders can split: both "photo required", in time order. 24 is 0.030 s behind
    # 23: exactly 0.03 s is far enough apart, no flag.
    finish = {21: 95_000_000, 22: 95_020_000, 23: 95_300_000, 24: 95_330_000, 25: 95_600_000,
              26: 96_000_000}  # fmt: skip
    records = p3_race([(FINISH_DECODER, bib, t) for bib, t in finish.items()])
    for received_us, record in records[:5]:
        feed(engine, decoders.feed(received_us, record).events)
    # 26 has not finished yet: no result, and no error either.
    assert engine.results(EVENT)["lines"] == []
    feed(engine, decoders.feed(*records[5]).events)

    result = engine.results(EVENT)
    assert order(result) == [(1, 21, ""), (2, 22, ""), (3, 23, ""), (4, 24, ""), (5, 25, ""),
                             (6, 26, "")]  # fmt: skip
    assert [line.get("flags", []) for line in result["lines"]] == [
        ["photo required"], ["photo required"], [], [], [], [],
    ]  # fmt: skip
    assert "winner_last_200" not in result  # no 200 m line crossing


def test_the_latest_complete_photo_finish_block_is_the_heats() -> None:
    def result(bib: str, place: int) -> PhotoFinishData:
        return PhotoFinishData(phase="result", bib=bib, place=place)

    entries = [
        PhotoFinishData(phase="armed"),
        PhotoFinishData(phase="started", t_us=START),
        result("22", 1), result("24", 2), result("24", 2),  # a line delivered twice
        PhotoFinishData(phase="complete"),
        # A resend cut off by the camera arming the next heat never counts.
        result("24", 1), result("22", 2),
        PhotoFinishData(phase="armed"),
        # The next heat's results name none of this heat's riders (31, and one not identified
        # yet): they do not replace this heat's block.
        result("31", 1), result("", 2),
        PhotoFinishData(phase="complete"),
    ]  # fmt: skip
    blocks = PhotoBlocks(RIDERS)
    for entry in entries:
        blocks.add(entry)
    assert blocks.latest == [
        PhotoPlace(bib=22, place=1),
        PhotoPlace(bib=24, place=2),
    ]


def test_a_flagged_passing_is_not_scored(engine: ScoringEngine) -> None:
    """26 has not finished; a record of its transponder at the finish comes numbered 2^32-1,
    far beyond the decoder's count. The daemon publishes it flagged; scoring does not take it
    as 26's finish (taken, it would complete the result: 6 lines), and says so."""
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")
    finish = {21: 95_000_000, 22: 95_020_000, 23: 95_300_000, 24: 95_330_000, 25: 95_600_000}
    for received_us, record in p3_race([(FINISH_DECODER, bib, t) for bib, t in finish.items()]):
        feed(engine, decoders.feed(received_us, record).events)
    absurd = p3.Passing(
        passing_number=0xFFFF_FFFF,
        transponder=TRANSPONDER[26],
        rtc_time_us=START + 96_000_000,
        decoder_id=FINISH_DECODER,
    )
    events = decoders.feed(START + 96_050_000, p3.encode(absurd)).events
    assert [getattr(e.data, "flag", None) for e in events] == ["number_jump"]
    feed(engine, events)
    assert engine.results(EVENT)["lines"] == []  # 26 has still not finished: no result yet
    (reason,) = engine.skipped_timing
    assert "flagged number_jump" in reason


def test_a_passing_from_a_decoder_mapped_to_no_line_is_not_scored(engine: ScoringEngine) -> None:
    """The source maps its two decoders and has no line of its own. 26's transponder is read
    by a third decoder on the link, 268399, mapped nowhere: published flagged unknown_decoder,
    it must not become 26's finish (taken, it would complete the result: 6 lines)."""
    # No line for a decoder not in LINES, as for a source without `line`.
    decoders = P3Session("p3", lambda decoder: LINES.get(decoder or 0), "decoder")
    finish = {21: 95_000_000, 22: 95_020_000, 23: 95_300_000, 24: 95_330_000, 25: 95_600_000}
    for received_us, record in p3_race([(FINISH_DECODER, bib, t) for bib, t in finish.items()]):
        feed(engine, decoders.feed(received_us, record).events)
    stray = p3.Passing(
        passing_number=1,
        transponder=TRANSPONDER[26],
        rtc_time_us=START + 96_000_000,
        decoder_id=268399,
    )
    events = decoders.feed(START + 96_050_000, p3.encode(stray)).events
    assert [getattr(e.data, "flag", None) for e in events] == ["unknown_decoder"]
    feed(engine, events)
    assert engine.results(EVENT)["lines"] == []  # 26 has still not finished: no result yet
    (reason,) = engine.skipped_timing
    assert "flagged unknown_decoder" in reason


# A final in the manner of Paris 2024: on the last lap 24 moves down on 25, who falls and brings
# down 26; 24 still crosses the line third. The camera places the four riders who finished (time
# since the start, 1/10,000 s) and lists the two who fell without a place.
CRASH_CAMERA = [(1, "22", 100_123_400), (2, "21", 100_200_100), (3, "24", 100_350_000),
                (4, "23", 100_410_000), (None, "25", None), (None, "26", None)]  # fmt: skip
CRASH_FINISH = {22: 100_124_000, 21: 100_201_000, 24: 100_350_500, 23: 100_410_500}


def crashed_final(engine: ScoringEngine) -> None:
    """The final's device bytes: the loops' bell and finish crossings (25 and 26 have no
    finish), the camera's block; then the commissaires' decisions: 25 and 26 DNF, 24 REL."""
    camera = LynxSession("lynx", ZoneInfo("UTC"))
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")
    camera_records: list[tuple[int, lynx.LynxRecord]] = [
        (START - 30_000_000, lynx.Armed(event="7", round=1, heat=1, event_name="Keirin")),
        (START + 100_000, lynx.RunningTime(time_us=100_000, time_digits=1,
                                           start_time_of_day_us=START_TOD)),
    ]  # fmt: skip
    for at, camera_record in camera_records:
        feed(engine, camera.feed(at, lynx.encode(camera_record)).events)
    crossings = [*((FINISH_DECODER, bib, t) for line in (BELL, CRASH_FINISH)
                   for bib, t in line.items()),
                 *((LINE_200_DECODER, bib, t) for bib, t in LAST_LAP_200.items())]  # fmt: skip
    for received_us, record in p3_race(crossings):
        feed(engine, decoders.feed(received_us, record).events)
    block = b"".join(
        lynx.encode(r) for r in [*camera_results(CRASH_CAMERA), lynx.ResultsComplete()]
    )
    feed(engine, camera.feed(START + 160_000_000, block).events)
    for decision in (
        SetStatus(event=EVENT, bib=25, status="DNF", reason="fell, last lap"),
        SetStatus(event=EVENT, bib=26, status="DNF", reason="brought down"),
        SetStatus(event=EVENT, bib=24, status="REL", reason="moved down on 25"),
    ):
        engine.command(decision)


def test_a_rider_relegated_to_sixth_behind_two_riders_who_crashed(engine: ScoringEngine) -> None:
    """By the camera: 22, 21, 24, 23. 24 relegated: by default (uci-rules.md §2.5) the last of
    the riders who finished, 4th; 23 moves up to 3rd. Gaps at the line from the camera, each
    truncated: 21 100.2001 - 100.1234 = 0.0767 -> +0.076; 23 100.4100 - 100.1234 = 0.2866 ->
    +0.286; 24, relegated, none. 25 and 26 DNF, unranked.

    Then the commissaires put 24 6th, behind the two riders who fell (Paris 2024: Sahrom
    "relegated to sixth"). 24 is 6th, REL and corrected; places 4 and 5 stay empty; every other
    line is as it was, place, gap and all; the winner's last 200 m too: 100.1234 - 90.7255 =
    9.3979 -> 9.397, 720 / 9.397 -> 76.620."""
    crashed_final(engine)
    before = engine.results(EVENT)
    assert [(line["rank"], line["bib"], line.get("status", ""), line.get("gap"))
            for line in before["lines"]] == [
        (1, 22, "", None), (2, 21, "", "+0.076"), (3, 23, "", "+0.286"), (4, 24, "REL", None),
        (None, 25, "DNF", None), (None, 26, "DNF", None),
    ]  # fmt: skip

    engine.command(Correct(event=EVENT, bib=24, place=6, reason="relegated to sixth: video"))
    after = payload(engine.command(Final(event=EVENT))[0])
    assert [(line["rank"], line["bib"], line.get("status", ""), line.get("flags", []))
            for line in after["lines"]] == [
        (1, 22, "", []), (2, 21, "", []), (3, 23, "", []), (6, 24, "REL", ["corrected"]),
        (None, 25, "DNF", []), (None, 26, "DNF", []),
    ]  # fmt: skip
    unchanged = [line for line in after["lines"] if line["bib"] != 24]
    assert unchanged == [line for line in before["lines"] if line["bib"] != 24]
    assert (after["winner_last_200"], after["winner_last_200_kmh"]) == ("9.397", "76.620")
    assert [entry["type"] for entry in after["audit"]] == ["status"] * 3 + ["correct"]
    assert engine.skipped_commands == []


def test_an_impossible_place_is_refused_with_its_reason(engine: ScoringEngine) -> None:
    """A heat of 6 riders has places 1 to 6: place 9 is refused, and says why; so is a
    correction of 31, who rides another heat. None changes the result; its audit trail keeps
    them, marked refused, with the reasons."""
    crashed_final(engine)
    before = engine.results(EVENT)
    engine.command(Correct(event=EVENT, bib=24, place=9, reason="typo"))
    engine.command(Correct(event=EVENT, bib=31, place=2, reason="wrong heat"))
    engine.command(SetStatus(event=EVENT, bib=31, status="DNF", reason="wrong heat"))
    reasons = [
        f"{EVENT}: place 9 in a heat of 6 riders: a place is 1 to 6",
        f"no rider with bib 31 in {EVENT} (its riders: 21, 22, 23, 24, 25, 26)",
        f"no rider with bib 31 in {EVENT} (its riders: 21, 22, 23, 24, 25, 26)",
    ]
    assert engine.skipped_commands == reasons
    after = engine.results(EVENT)
    refused = after.pop("audit")[len(before["audit"]) :]
    assert [(entry["type"], entry["reason"]) for entry in refused] == [
        ("refused", reason) for reason in reasons
    ]
    assert after == {key: value for key, value in before.items() if key != "audit"}


# A keirin of 6 laps timed by the finish loop alone. The riders line up on the pursuit line,
# before the finish line: each crosses it 2.5 s after the start (lap 0), then every 16 s (laps
# 1-5, the bunch in seeding order 0.1 s apart), then at the finish (lap 6), then once more on
# the cool-down lap, slowing down in another order. Before the start they rolled over the line
# once. The loop missed 23's crossing of lap 3. Microseconds after the start.
LAPS = 6
ROLLING = {bib: -20_000_000 + 100_000 * i for i, bib in enumerate(RIDERS)}
LAP_CROSSINGS = [(bib, 2_500_000 + 16_000_000 * lap + 100_000 * i)
                 for lap in range(LAPS) for i, bib in enumerate(RIDERS)
                 if (bib, lap) != (23, 3)]  # fmt: skip
LOOP_FINISH = {24: 98_500_000, 22: 98_540_000, 21: 98_700_000, 23: 98_950_000, 25: 99_300_000,
               26: 99_800_000}  # fmt: skip
COOL_DOWN = {26: 118_000_000, 25: 118_500_000, 23: 119_000_000, 21: 119_500_000,
             22: 120_000_000, 24: 121_000_000}  # fmt: skip


def ride_with_a_cool_down_lap(
    laps: int | None, start_sent_us: int = 0
) -> tuple[list[Any], list[Any]]:
    """The heat's lines once the riders finished and once they rode the cool-down lap too,
    before the operator's `provisional`; the meet gives the heat's `laps` or not; the desk
    sends `start` `start_sent_us` after the gun."""
    engine = ScoringEngine(meet(laps), {"finish": 0, "200m": 200})
    engine.command(Arm(event=EVENT))
    decoders = P3Session("p3", lambda decoder: LINES[decoder or 0], "decoder")
    crossings = [*ROLLING.items(), *LAP_CROSSINGS, *LOOP_FINISH.items(), *COOL_DOWN.items()]
    finished_by = START + max(LOOP_FINISH.values()) + 50_000  # the last finish, received
    lines: list[list[Any]] = []
    started = False
    for received_us, record in p3_race([(FINISH_DECODER, bib, t) for bib, t in crossings]):
        if received_us > START + start_sent_us and not started:
            engine.command(Start(event=EVENT), START + start_sent_us)
            started = True
        if received_us > finished_by and not lines:
            lines.append(engine.results(EVENT)["lines"])
        feed(engine, decoders.feed(received_us, record).events)
    lines.append(engine.results(EVENT)["lines"])
    engine.command(Provisional(event=EVENT))
    assert engine.results(EVENT)["lines"] == lines[-1]
    return lines[0], lines[1]


def test_a_cool_down_lap_before_provisional_keeps_the_finish_order() -> None:
    """With `laps = 6` the finish is each rider's crossing from the first 7th crossing after the
    start on (lap 0 just after the start, then laps 1-6): 24's at 98.500 s; the rolling lap
    20 s before the start does not count, and 23's missed read does not make the cool-down lap 23's
    finish. Order 24, 22, 21, 23, 25, 26; gaps to 24 at the line: 0.040, 0.200, 0.450, 0.800,
    1.300 s. The cool-down lap changes nothing.

    Without `laps` (as before), the latest crossing counts: the cool-down lap replaces the
    finish, 26, 25, 23, 21, 22, 24 by their cool-down crossings."""
    finished, cooled_down = ride_with_a_cool_down_lap(LAPS)
    expected = [(1, 24, None), (2, 22, "+0.040"), (3, 21, "+0.200"), (4, 23, "+0.450"),
                (5, 25, "+0.800"), (6, 26, "+1.300")]  # fmt: skip
    assert [(line["rank"], line["bib"], line.get("gap")) for line in finished] == expected
    assert cooled_down == finished
    # The desk's `start` 4 s late, after the riders' first crossing (2.5-3.0 s): counted all
    # the same (the riders stood on the line before the gun), the same result.
    assert ride_with_a_cool_down_lap(LAPS, start_sent_us=4_000_000) == (finished, finished)

    finished, cooled_down = ride_with_a_cool_down_lap(None)
    assert [line["bib"] for line in finished] == [24, 22, 21, 23, 25, 26]
    assert [line["bib"] for line in cooled_down] == [26, 25, 23, 21, 22, 24]
