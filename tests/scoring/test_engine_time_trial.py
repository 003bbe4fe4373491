"""A kilometre time trial from device bytes to results: Timy impulse lines through the daemon's
Timy session into the scoring engine, one rider at a time. Every expected figure is worked out
by hand in the comments."""

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.scoring import events
from tests.scoring.scenarios.devices import riders_toml
from velotime.drivers.timy.session import Channel, TimySession
from velotime.protocols.timy import Impulse, encode
from velotime.scoring.engine import Publication, ScoringEngine
from velotime.scoring.meet import Meet, parse_meet
from velotime.wire.commands import Arm, Command, Confirm, Final, NextRider, SetStatus
from velotime.wire.events import Event

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC
TEN_OCLOCK = 36_000_000_000  # 10:00:00.0000 as a time of day
SLOT_US = 120_000_000  # one rider every two minutes
GATE_US = 5_056_700  # the gate opens at 5.0567 s into the slot: times run from it, not from 0
# The kilometre starts on the finish line of a 250 m track: the finish photocell sees the wheel
# leave the gate. Not a lap.
THROUGH_THE_BEAM_US = 200_000
SLOWING_DOWN_US = 80_000_000  # the rider crosses the line again after the finish: not a lap
START, FINISH = 0, 1  # Timy channels: C0 the start gate, C1 the finish photocell

# bib: raw cumulative times at the line after 250, 500, 750 and 1000 m, to 1/10,000 s as the
# Timy writes them, so that truncation to the thousandth shows.
RIDES = {
    1: [19_000_100, 33_678_900, 48_045_000, 62_345_600],
    3: [18_234_700, 32_111_900, 45_876_000, 59_999_900],  # the restart, then the winner
    4: [18_400_000, 32_300_000, 46_123_900, 60_500_200],
    5: [18_900_000, 33_200_000, 48_100_000, 63_000_000],
    6: [18_500_000, 32_400_000, 46_200_100, 60_500_700],
    7: [18_600_000, 32_700_000, 46_800_000, 61_000_900],
    8: [19_500_000, 34_000_000, 48_900_000, 64_100_000],
}
START_ORDER = [1, 2, 3, 4, 5, 6, 7, 8]
DNS, RESTART = 2, 3

Step = Command | tuple[int, bytes]  # an operator command, or a Timy line as received


def meet_text() -> str:
    riders = riders_toml({bib: (f"Rider {bib}", f"N{bib}", 1000 + bib) for bib in START_ORDER})
    return f"""
[meet]
id = "test"
{riders}
[[events]]
id = "km"
discipline = "time_trial"
start_order = {START_ORDER}
distance_m = 1000
"""


def impulse(at_us: int, channel: int) -> tuple[int, bytes]:
    return MIDNIGHT_US + at_us, encode(Impulse(number=0, channel=channel, time_of_day_us=at_us))


def ride(slot: int, cumulative_us: Sequence[int], *, slows_down: bool = True) -> list[Step]:
    gate = TEN_OCLOCK + slot * SLOT_US + GATE_US
    steps: list[Step] = [impulse(gate, START), impulse(gate + THROUGH_THE_BEAM_US, FINISH)]
    steps += [impulse(gate + t, FINISH) for t in cumulative_us]
    if slows_down:
        steps.append(impulse(gate + SLOWING_DOWN_US, FINISH))
    return steps


def run(engine: ScoringEngine, timy: TimySession, steps: Sequence[Step]) -> list[Publication]:
    """Feed the steps in order; what the last one published."""
    published: list[Publication] = []
    for step in steps:
        if isinstance(step, tuple):
            received_us, line = step
            for event in timy.feed(received_us, line).events:
                published = engine.feed(event)
        else:
            published = engine.command(step)
    return published


def lines_by_bib(result: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {line["bib"]: line for line in result["lines"]}


def splits(line: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(s["distance_m"], s["cumulative"], s["lap"]) for s in line.get("splits", [])]


@pytest.fixture
def meet() -> Meet:
    # The engine's scorers do not know the venue yet: register one for a 250 m track.
    return parse_meet(meet_text())


def test_a_kilometre_from_timy_impulses(meet: Meet) -> None:
    engine = ScoringEngine(meet, {"finish": 0})
    timy = TimySession(
        "timy", {START: Channel(line="start"), FINISH: Channel(line="finish")}, ZoneInfo("UTC")
    )

    # Rider 1, then 2 does not start, then 3 starts, crosses the line once and stops (an
    # incident): named again, 3 restarts in the next slot.
    published = run(engine, timy, [
        Arm(event="km"),
        NextRider(event="km", bib=1),
        *ride(0, RIDES[1]),
        SetStatus(event="km", bib=DNS, status="DNS"),
        NextRider(event="km", bib=RESTART),
        *ride(1, [18_900_000], slows_down=False),
    ])  # fmt: skip
    result = events.payload(published[0])
    # 3 is riding: not ranked, shown with the split so far (18.9000 -> 18.900).
    assert [(line["bib"], line["rank"]) for line in result["lines"]] == [
        (1, 1), (3, None), (DNS, None),
    ]  # fmt: skip
    assert splits(lines_by_bib(result)[3]) == [(250, "18.900", "18.900")]
    assert result["on_track"]["bib"] == 3
    assert (result["on_track"]["crossings"], result["on_track"]["expected"]) == (1, 4)

    published = run(engine, timy, [NextRider(event="km", bib=RESTART)])
    on_track = events.payload(published[0])["on_track"]
    # Back at the gate: the first start is void, its lap gone.
    assert (on_track["bib"], on_track["restarts"], on_track["started"]) == (3, 1, False)
    assert "splits" not in on_track
    assert events.payload(published[1])["on_track"] == 3  # the "current" topic

    published = run(engine, timy, ride(2, RIDES[3]))
    on_track = events.payload(published[0])["on_track"]
    # 59.9999 truncates to 59.999 (rounding would make it 1:00.000): the new leader.
    assert (on_track["rank"], on_track["time"], on_track["restarts"]) == (1, "59.999", 1)

    published = run(engine, timy, [
        NextRider(event="km", bib=4), *ride(3, RIDES[4]),
        NextRider(event="km", bib=5), *ride(4, RIDES[5]),
        NextRider(event="km", bib=6), *ride(5, RIDES[6]),
        NextRider(event="km", bib=7), *ride(6, RIDES[7]),
        NextRider(event="km", bib=8), *ride(7, RIDES[8][:2], slows_down=False),
    ])  # fmt: skip
    result = events.payload(published[0])
    # 8 halfway: the others stay ranked, 8 follows them with two splits (19.500, then
    # 34.000 - 19.500 = 14.500), before the DNS.
    assert [(line["bib"], line["rank"]) for line in result["lines"]] == [
        (3, 1), (6, 2), (4, 3), (7, 4), (1, 5), (5, 6), (8, None), (DNS, None),
    ]  # fmt: skip
    assert "time" not in lines_by_bib(result)[8]
    on_track = result["on_track"]
    assert (on_track["bib"], on_track["started"], on_track["crossings"]) == (8, True, 2)
    assert splits(on_track) == [(250, "19.500", "19.500"), (500, "34.000", "14.500")]
    assert result["problems"] == []

    gate_8 = TEN_OCLOCK + 7 * SLOT_US + GATE_US
    published = run(engine, timy, [
        *[impulse(gate_8 + t, FINISH) for t in RIDES[8][2:]],
        impulse(gate_8 + SLOWING_DOWN_US, FINISH),
        Final(event="km"),
    ])  # fmt: skip
    result = events.payload(published[0])
    assert result["status"] == "final"
    assert result["problems"] == []
    lines = lines_by_bib(result)
    assert [line["bib"] for line in result["lines"]] == [3, 6, 4, 7, 1, 5, 8, DNS]

    # 3, second start: 18.2347 / 32.1119 / 45.8760 / 59.9999 truncate to 18.234 / 32.111 /
    # 45.876 / 59.999; laps 18.234, 32.111 - 18.234 = 13.877, 45.876 - 32.111 = 13.765,
    # 59.999 - 45.876 = 14.123, which add up to 59.999. 3600 / 59.999 = 60.0010 -> 60.001.
    leader = lines[3]
    assert (leader["rank"], leader["time"], leader["speed_kmh"]) == (1, "59.999", "60.001")
    assert "gap" not in leader
    assert splits(leader) == [
        (250, "18.234", "18.234"), (500, "32.111", "13.877"),
        (750, "45.876", "13.765"), (1000, "59.999", "14.123"),
    ]  # fmt: skip

    # 4 and 6 both 1:00.500 officially (4's raw 60.5002 is the faster raw time: it does not
    # count). 3.2.107: the last lap. 6: 60.500 - 46.200 = 14.300; 4: 60.500 - 46.123 = 14.377.
    # 6 is second, 4 third: no draw. 3600 / 60.5 = 59.5041 -> 59.504; gap 60.500 - 59.999.
    for bib, rank in ((6, 2), (4, 3)):
        line = lines[bib]
        assert (line["rank"], line["time"], line["speed_kmh"], line["gap"]) == (
            rank, "1:00.500", "59.504", "+0.501",
        )  # fmt: skip
        assert "flags" not in line
    assert splits(lines[6]) == [
        (250, "18.500", "18.500"), (500, "32.400", "13.900"),
        (750, "46.200", "13.800"), (1000, "1:00.500", "14.300"),
    ]  # fmt: skip
    assert splits(lines[4]) == [
        (250, "18.400", "18.400"), (500, "32.300", "13.900"),
        (750, "46.123", "13.823"), (1000, "1:00.500", "14.377"),
    ]  # fmt: skip

    # 7: 61.0009 -> 61.000; 3600 / 61 = 59.0163 -> 59.016; 61.000 - 59.999 = 1.001.
    assert (lines[7]["time"], lines[7]["speed_kmh"], lines[7]["gap"]) == (
        "1:01.000", "59.016", "+1.001",
    )  # fmt: skip
    # 1: 19.0001 / 33.6789 / 48.0450 / 62.3456 -> 19.000 / 33.678 / 48.045 / 62.345; laps
    # 19.000, 14.678, 14.367, 14.300 (sum 62.345). 3600 / 62.345 = 57.7432 -> 57.743 (62.345 x
    # 57.744 = 3600.05 is over); gap 62.345 - 59.999 = 2.346.
    assert (lines[1]["rank"], lines[1]["time"], lines[1]["speed_kmh"], lines[1]["gap"]) == (
        5, "1:02.345", "57.743", "+2.346",
    )  # fmt: skip
    assert splits(lines[1]) == [
        (250, "19.000", "19.000"), (500, "33.678", "14.678"),
        (750, "48.045", "14.367"), (1000, "1:02.345", "14.300"),
    ]  # fmt: skip
    # 5: 63.000; 3600 / 63 = 57.1428 -> 57.142; gap 3.001.
    assert (lines[5]["rank"], lines[5]["speed_kmh"], lines[5]["gap"]) == (6, "57.142", "+3.001")
    # 8: 64.100; 3600 / 64.1 = 56.1622 -> 56.162; gap 64.100 - 59.999 = 4.101.
    assert (lines[8]["rank"], lines[8]["time"], lines[8]["speed_kmh"], lines[8]["gap"]) == (
        7, "1:04.100", "56.162", "+4.101",
    )  # fmt: skip
    assert (lines[DNS]["rank"], lines[DNS]["status"]) == (None, "DNS")
    assert "splits" not in lines[DNS]
    assert [entry["bib"] for entry in result["audit"]] == [
        1, DNS, RESTART, RESTART, 4, 5, 6, 7, 8,
    ]  # fmt: skip


def passing(t_us: int, transponder: int) -> Event:
    return events.passing("finish", t_us, transponder)


def gate(t_us: int) -> Event:
    return events.impulse("start", t_us)


def test_transponders_time_the_ride_without_a_finish_photocell(meet: Meet) -> None:
    engine = ScoringEngine(meet, {"finish": 0})
    engine.command(Arm(event="km"))
    engine.command(NextRider(event="km", bib=1))
    engine.command(NextRider(event="km", bib=1))  # named twice before leaving: no restart
    start = 36_000_123_400
    for envelope in [
        gate(start),
        passing(start + 300_000, 1001),  # the loop under the gate as the wheel leaves
        passing(start + 10_000_000, 1002),  # rider 2 warming up on the track
        passing(start + 18_123_400, 1001),
        passing(start + 18_140_000, 1001),  # a double read
        passing(start + 32_456_700, 1001),
        passing(start + 40_000_000, 9999),  # nobody's transponder
        passing(start + 46_789_900, 1001),
        passing(start + 61_000_500, 1001),
        passing(start + 80_000_000, 1001),  # slowing down
    ]:
        engine.feed(envelope)
    result = engine.results("km")
    # 18.1234 / 32.4567 / 46.7899 / 61.0005 -> 18.123 / 32.456 / 46.789 / 61.000; laps 18.123,
    # 14.333, 14.333, 14.211. 3600 / 61 = 59.016.
    (line,) = result["lines"]
    assert (line["bib"], line["rank"], line["time"], line["speed_kmh"]) == (
        1, 1, "1:01.000", "59.016",
    )  # fmt: skip
    assert splits(line) == [
        (250, "18.123", "18.123"), (500, "32.456", "14.333"),
        (750, "46.789", "14.333"), (1000, "1:01.000", "14.211"),
    ]  # fmt: skip
    assert result["on_track"]["restarts"] == 0


def test_an_earlier_incomplete_ride_is_shown_and_reported_not_ranked(meet: Meet) -> None:
    engine = ScoringEngine(meet, {"finish": 0})
    engine.command(Arm(event="km"))
    engine.command(NextRider(event="km", bib=1))
    engine.feed(gate(0))
    for t_us in (18_000_000, 32_000_000):  # two reads, then two missed
        engine.feed(passing(t_us, 1001))
    engine.command(NextRider(event="km", bib=2))
    engine.feed(gate(100_000_000))
    for t_us in (18_000_000, 32_000_000, 46_000_000, 60_000_000):
        engine.feed(passing(100_000_000 + t_us, 1002))
    engine.command(SetStatus(event="km", bib=3, status="REL"))  # not a time trial decision

    result = engine.results("km")
    assert [(line["bib"], line["rank"]) for line in result["lines"]] == [(2, 1), (1, None)]
    assert splits(lines_by_bib(result)[1]) == [
        (250, "18.000", "18.000"), (500, "32.000", "14.000"),
    ]  # fmt: skip
    assert result["problems"] == [
        "bib 3: REL does not apply to a time trial, ignored",
        "bib 1: 2 line crossings, 4 expected for 1000 m",
    ]

    engine.command(SetStatus(event="km", bib=1, status="DNF"))  # the commissaires' call
    result = engine.results("km")
    assert [(line["bib"], line["rank"]) for line in result["lines"]] == [(2, 1), (1, None)]
    assert lines_by_bib(result)[1]["status"] == "DNF"
    assert result["problems"] == ["bib 3: REL does not apply to a time trial, ignored"]


def test_a_second_incident_is_dnf(meet: Meet) -> None:
    engine = ScoringEngine(meet, {"finish": 0})
    engine.command(Arm(event="km"))
    for start in (0, 100_000_000):  # two starts, each followed by naming the rider again
        engine.command(NextRider(event="km", bib=1))
        engine.feed(gate(start))
    engine.command(NextRider(event="km", bib=1))
    (line,) = engine.results("km")["lines"]
    assert (line["bib"], line["status"]) == (1, "DNF")

    # Let ride a third time anyway: still DNF (3.2.021 ter), and the operator is told.
    engine.feed(gate(200_000_000))
    for t_us in (18_000_000, 32_000_000, 46_000_000, 60_000_000):
        engine.feed(passing(200_000_000 + t_us, 1001))
    result = engine.results("km")
    assert [(line["bib"], line["status"]) for line in result["lines"]] == [(1, "DNF")]
    assert result["problems"] == [
        "bib 1: 3 starts, at most 2 allowed: DNF after the second incident (3.2.021 ter)"
    ]


def test_a_total_outside_the_meet_files_window_is_checked_until_confirmed() -> None:
    """The meet file puts this kilometre's fastest plausible time at 1:00.000. 3's 59.9999
    truncates to 59.999, under it: "check", not ranked, time and speed as measured (3600 /
    59.999 = 60.0010 -> 60.001); 1's 1:02.3456 -> 1:02.345 is ranked 1st. Confirmed, 3 is 1st
    ("confirmed") and 1 2nd at 62.345 - 59.999 = +2.346."""
    meet = parse_meet(meet_text() + 'plausible = { fastest = "1:00.000" }\n')
    engine = ScoringEngine(meet, {"finish": 0})
    timy = TimySession(
        "timy", {START: Channel(line="start"), FINISH: Channel(line="finish")}, ZoneInfo("UTC")
    )
    published = run(engine, timy, [
        Arm(event="km"),
        NextRider(event="km", bib=1), *ride(0, RIDES[1]),
        NextRider(event="km", bib=RESTART), *ride(1, RIDES[RESTART]),
    ])  # fmt: skip
    result = events.payload(published[0])
    checked = lines_by_bib(result)[RESTART]
    assert [(line["bib"], line["rank"]) for line in result["lines"]] == [(1, 1), (RESTART, None)]
    assert (checked["time"], checked["speed_kmh"], checked["flags"]) == (
        "59.999",
        "60.001",
        ["check"],
    )
    assert result["on_track"]["flags"] == ["check"]

    published = run(engine, timy, [Confirm(event="km", bib=RESTART, reason="photocell checked")])
    result = events.payload(published[0])
    ranking = [
        (line["bib"], line["rank"], line.get("gap"), line.get("flags")) for line in result["lines"]
    ]
    assert ranking == [(RESTART, 1, None, ["confirmed"]), (1, 2, "+2.346", None)]
    assert result["audit"][-1]["time"] == "59.999"


def test_a_start_the_desk_did_not_name_after_one_it_did_goes_by_the_transponders(
    meet: Meet,
) -> None:
    """The desk names 1, who rides while 2 warms up on the track (the desk's mark wins: 2's
    read is not 1's and no problem); then 2's gate opens with no mark: the loop reads 2 alone
    after it, so the start is 2's. 1: 18.1234 / 32.4567 / 46.7899 / 61.0005 -> 1:01.000; 2:
    60.5002 -> 1:00.500, 1st; 1 2nd at +0.500."""
    engine = ScoringEngine(meet, {"finish": 0})
    engine.command(Arm(event="km"))
    engine.command(NextRider(event="km", bib=1))
    first, second = 36_000_123_400, 36_000_123_400 + SLOT_US
    feed = [gate(first), passing(first + 300_000, 1001), passing(first + 10_000_000, 1002)]
    feed += [passing(first + t, 1001) for t in (18_123_400, 32_456_700, 46_789_900, 61_000_500)]
    feed += [gate(second), passing(second + 300_000, 1002)]
    feed += [passing(second + t, 1002) for t in RIDES[4]]  # 4's laps, ridden by 2
    for envelope in feed:
        engine.feed(envelope)
    result = engine.results("km")
    assert [(line["bib"], line["rank"], line["time"]) for line in result["lines"]] == [
        (2, 1, "1:00.500"), (1, 2, "1:01.000"),
    ]  # fmt: skip
    assert result["problems"] == []
    assert result["on_track"]["bib"] == 2
