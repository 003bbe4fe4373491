"""A flying 200 m qualifying from device bytes to results: Timy impulse lines through the
daemon's Timy session into the scoring engine. Every expected figure is worked out by hand."""

from zoneinfo import ZoneInfo

from tests.scoring import events
from velotime.daemon.sources import photocell_lines
from velotime.drivers.timy.session import Channel, TimySession
from velotime.families.timy.source import TimyDescription
from velotime.protocols.timy import Impulse, encode
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final, NextRider, SetStatus
from velotime.wire.events import Event

MIDNIGHT_US = 1_795_219_200_000_000  # 2026-11-21 00:00 UTC
TEN_OCLOCK = 36_000_000_000  # 10:00:00.0000 as a time of day

# bib: (total raw time, time over the first 100 m), microseconds. Times are to 1/10,000 s, as
# the Timy writes them, so that truncation to the thousandth shows.
RIDES = {
    101: (10_724_600, 5_500_000),  # 10.7246 -> 10.724, the rules' own example
    102: (10_800_100, 5_599_200),  # 10.800; last 100 m 5.2009 -> 5.200
    103: (10_800_900, 5_610_400),  # 10.800; last 100 m 5.1905 -> 5.190: beats 102
    104: (10_900_000, 5_650_000),  # 10.900; last 100 m 5.2500
    105: (10_900_400, 5_650_000),  # 10.900; last 100 m 5.2504 -> 5.250: a draw with 104
    **{bib: (11_000_000 + 50_000 * (bib - 106), 5_700_000) for bib in range(106, 123)},
    124: (10_950_000, 5_700_000),  # rides, then is disqualified
}
START_ORDER = [101, 106, 102, 107, 103, 108, 104, 109, 105, *range(110, 123), 123, 124]
DNS = 123


def meet_text() -> str:
    riders = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in START_ORDER)
    return f"""
[meet]
id = "test"
{riders}
[[events]]
id = "f200"
discipline = "flying200"
start_order = {START_ORDER}
qualify = 12
"""


def timy_bytes() -> list[tuple[int, bytes]]:
    """The Timy's lines, in time order: the next rider crosses the 200 m line 8 s after the one
    before, while that one is still riding (two riders on the track, 3.2.024)."""
    impulses = []
    riding = [bib for bib in START_ORDER if bib != DNS]
    for position, bib in enumerate(riding):
        total, first_100 = RIDES[bib]
        start = TEN_OCLOCK + position * 8_000_000
        for channel, at in ((4, start), (3, start + first_100), (1, start + total)):
            impulses.append((at, channel))
    impulses.sort()
    return [
        (MIDNIGHT_US + at, encode(Impulse(number=0, channel=channel, time_of_day_us=at)))
        for at, channel in impulses
    ]


def test_a_flying_200_qualifying_from_timy_impulses() -> None:
    meet = parse_meet(meet_text())
    engine = ScoringEngine(meet, {"finish": 0, "100m": 100, "200m": 200})
    timy = TimySession(
        "timy",
        {4: Channel(line="200m"), 3: Channel(line="100m"), 1: Channel(line="finish")},
        ZoneInfo("UTC"),
    )
    engine.command(Arm(event="f200"))
    engine.command(SetStatus(event="f200", bib=DNS, status="DNS"))
    for received_us, line in timy_bytes():
        for event in timy.feed(received_us, line).events:
            engine.feed(event)
    engine.command(SetStatus(event="f200", bib=124, status="DSQ", reason="rode off the track"))
    published = engine.command(Final(event="f200"))

    result = events.payload(published[0])
    assert published[0].key == "results/f200"
    assert result["status"] == "final"
    lines = result["lines"]
    order = [line["bib"] for line in lines]
    assert order == [101, 103, 102, 104, 105, *range(106, 123), DNS, 124]
    by_bib = {line["bib"]: line for line in lines}
    # The fastest: 10.7246 truncates to 10.724, 720 / 10.724 = 67.139.
    assert (by_bib[101]["rank"], by_bib[101]["time"], by_bib[101]["speed_kmh"]) == (
        1, "10.724", "67.139",
    )  # fmt: skip
    assert "gap" not in by_bib[101]
    # 102 and 103 both 10.800; 103's last 100 m (5.190) beats 102's (5.200). 720/10.8 = 66.666.
    assert (by_bib[103]["rank"], by_bib[103]["gap"], by_bib[103]["speed_kmh"]) == (
        2, "+0.076", "66.666",
    )  # fmt: skip
    assert (by_bib[102]["rank"], by_bib[102]["time"]) == (3, "10.800")
    # 104 and 105: 10.900 and 5.250 over the last 100 m both: a draw, rank 4 twice.
    for bib in (104, 105):
        assert by_bib[bib]["rank"] == 4
        assert "draw required" in by_bib[bib]["flags"]
        assert "qualified" in by_bib[bib]["flags"]  # the draw lies inside the cut of 12
    # 106 rides 11.000: rank 6 after the two 4th places; 720 / 11 = 65.454; +0.276.
    assert (by_bib[106]["rank"], by_bib[106]["speed_kmh"], by_bib[106]["gap"]) == (
        6, "65.454", "+0.276",
    )  # fmt: skip
    qualified = [line["bib"] for line in lines if "qualified" in line.get("flags", [])]
    assert qualified == [101, 103, 102, 104, 105, *range(106, 113)]  # ranks 1-12
    assert (by_bib[122]["rank"], by_bib[122]["time"]) == (22, "11.800")
    assert (by_bib[DNS]["rank"], by_bib[DNS]["status"]) == (None, "DNS")
    assert (by_bib[124]["rank"], by_bib[124]["status"]) == (None, "DSQ")
    assert result["audit"][-1]["reason"] == "rode off the track"


def test_timing_counts_only_while_an_event_is_running() -> None:
    meet = parse_meet(meet_text())
    engine = ScoringEngine(meet, {"finish": 0, "200m": 200})

    # The same impulse given again each time, under another id: not a repeat of the one before.
    def impulse(event_id: str) -> Event:
        return events.impulse("200m", 1, channel="C4", event_id=event_id)

    assert engine.feed(impulse("i1")) == []  # nothing armed
    engine.command(Arm(event="f200"))
    assert engine.feed(impulse("i2")) != []
    engine.command(Final(event="f200"))
    assert engine.feed(impulse("i3")) == []
    refused = engine.command(SetStatus(event="f200", bib=101, status="DSQ"))
    assert [publication.key for publication in refused] == ["results/f200"]  # its audit only
    assert engine.skipped_commands  # a final result is not changed by a late command


def test_the_venues_photocell_lines_are_known_before_any_impulse() -> None:
    # Rider 101 (transponder 5101) rides a slow run-up pass seen by the loops only: 15.000 s.
    meet = parse_meet(
        meet_text().replace('name = "Rider 101"\n', 'name = "Rider 101"\ntransponders = [5101]\n')
    )
    run_up = [events.passing(line, t, 5101) for line, t in [("200m", 0), ("finish", 15_000_000)]]
    shown = {}
    for photocells in ((), ("200m", "finish")):
        source = TimyDescription(
            channels={f"C{i}": Channel(line=ln) for i, ln in enumerate(photocells)}
        )
        engine = ScoringEngine(
            meet, {"finish": 0, "200m": 200}, photocell_lines=photocell_lines([source])
        )
        engine.command(Arm(event="f200"))
        for envelope in run_up:
            engine.feed(envelope)
        shown[bool(photocells)] = [line.get("time") for line in engine.results("f200")["lines"]]
    # A venue with photocells shows no time until they time the effort; a venue without them
    # shows the pass the loops saw (its fastest pass so far).
    assert shown == {True: [], False: ["15.000"]}


def test_a_rider_named_again_restarts_and_only_the_new_attempt_counts() -> None:
    meet = parse_meet(
        meet_text().replace('name = "Rider 101"\n', 'name = "Rider 101"\ntransponders = [5101]\n')
    )
    engine = ScoringEngine(meet, {"finish": 0, "200m": 200})
    engine.command(Arm(event="f200"))
    count = iter(range(100))

    def ride(*crossings: tuple[str, int]) -> None:
        for line, t in crossings:
            engine.feed(events.passing(line, t, 5101, event_id=f"p{next(count)}"))

    def times() -> list[str]:
        return [line["time"] for line in engine.results("f200")["lines"] if line["bib"] == 101]

    engine.command(NextRider(event="f200", bib=101))
    ride(("200m", 0), ("finish", 10_300_000))  # 10.300, then a crash: a restart is allowed
    assert times() == ["10.300"]
    published = engine.command(NextRider(event="f200", bib=101))  # named again: the restart
    assert [events.payload(p)["on_track"] for p in published if p.key == "current"] == [101]
    assert times() == []  # the voided attempt no longer counts; nothing ridden since
    ride(("200m", 60_000_000), ("finish", 75_000_000), ("200m", 80_000_000), ("finish", 90_500_000))
    assert times() == ["10.500"]  # the fastest pass of the new attempt (a 15.000 run-up first)
