"""PDF sheets as WeasyPrint renders them in-process, read back as text: a flying 200 m scored by
the engine from hand-made passings (its times truncated to the thousandth, a DNS, PROVISIONAL
then FINAL), its start list, and a start list long enough for three pages, each with the
running header and its page number. Expected values by hand from the passings and the meet."""

from datetime import UTC
from functools import partial

import pytest

from tests.scoreboards.pdf_text import page_lines, pdf_pages
from tests.scoring.events import command, passing
from tests.scoring.test_engine_start_lists import MEET
from velotime.scoreboards.web.pdf import sheet_pdf
from velotime.scoreboards.web.sheets import result_sheet_html, start_list_html
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Final, NextRider, Provisional, SetStatus
from velotime.wire.results import EventResult, StartList, StartListRider

# Rendering takes a tenth of a second a page, and importing WeasyPrint most of a second.
pytestmark = pytest.mark.slow

START_US = 1_795_271_400_000_000  # 2026-11-21 14:30:00 UTC
result_page = partial(
    result_sheet_html, meet="Test meet", venue="Test velodrome", zone=UTC, generated_us=START_US
)
start_page = partial(
    start_list_html, meet="Test meet", venue="Test velodrome", zone=UTC, generated_us=START_US
)
HEADER = "Test meet · Test velodrome"


def ride(engine: ScoringEngine, bib: int, start_us: int, took_us: int) -> None:
    """The rider crosses the 200 m line, then the finish `took_us` later (transponders)."""
    engine.feed(command(NextRider(event="sprint-q", bib=bib), start_us))
    engine.feed(passing("200m", start_us + 20_000_000, 1000 + bib))
    engine.feed(passing("finish", start_us + 20_000_000 + took_us, 1000 + bib))


def result_of(engine: ScoringEngine) -> EventResult:
    found = {p.key: p.message for p in engine.snapshot()}["results/sprint-q"]
    assert isinstance(found, EventResult)
    return found


def test_a_result_pdf_with_times_truncated_and_its_status() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    engine.feed(command(Arm(event="sprint-q"), START_US))
    ride(engine, 12, START_US + 60_000_000, 10_724_900)  # 10.7249 s: "10.724", never rounded
    ride(engine, 7, START_US + 120_000_000, 10_725_000)  # 10.725 s
    dns = SetStatus(event="sprint-q", bib=21, status="DNS", reason="ill")
    engine.feed(command(dns, START_US + 150_000_000))
    engine.feed(command(Provisional(event="sprint-q"), START_US + 180_000_000))

    provisional = pdf_pages(sheet_pdf(result_page(result_of(engine))))
    assert len(provisional) == 1
    lines = page_lines(provisional[0])
    # The running header (meet, venue; event and status) and the page number.
    assert f"{HEADER} Sprint qualifying — PROVISIONAL" in lines
    assert "Page 1 of 1" in lines[-1]
    assert "Generated 2026-11-21 14:30:00 UTC" in lines[-1]
    # The sheet itself: the event, the status in large letters, the rows in result order.
    assert "Sprint qualifying" in lines
    assert "Women Elite · Flying 200 m" in lines
    assert "PROVISIONAL" in lines
    rows = [line for line in lines if line.split(" ")[0] in {"1", "2", "21"}]
    assert rows[0].startswith("1 12 Bea Beta GBR 10.724 ")
    assert rows[1].startswith("2 7 Anna Alpha NED 10.725 ")
    assert rows[2].startswith("21 Cleo Gamma AUS")
    assert rows[2].endswith("DNS")
    assert "10.725" not in rows[0]
    assert any(line.endswith("status DNS ill") for line in lines)  # the decision, its reason

    engine.feed(command(Final(event="sprint-q"), START_US + 240_000_000))
    final = page_lines(pdf_pages(sheet_pdf(result_page(result_of(engine))))[0])
    assert "FINAL" in final
    assert "Official result" in final
    assert f"{HEADER} Sprint qualifying — FINAL" in final
    assert not any("PROVISIONAL" in line for line in final)


def test_a_start_list_pdf_in_start_order() -> None:
    engine = ScoringEngine(parse_meet(MEET), {"finish": 0, "200m": 200})
    start_list = {p.key: p.message for p in engine.snapshot()}["startlists/sprint-q"]
    assert isinstance(start_list, StartList)
    pages = pdf_pages(sheet_pdf(start_page(start_list)))
    assert len(pages) == 1
    lines = page_lines(pages[0])
    assert f"{HEADER} Sprint qualifying — START LIST" in lines
    assert "START LIST" in lines
    assert "Riders in start order" in lines
    # By the meet's start_order = [12, 7, 21]: position, bib, name, nation.
    table = lines[lines.index("# BIB NAME NATION NOTES") + 1 :]
    assert table[:3] == ["1 12 Bea Beta GBR", "2 7 Anna Alpha NED", "3 21 Cleo Gamma AUS"]
    assert "Page 1 of 1" in lines[-1]


def test_a_long_start_list_has_the_header_and_its_number_on_every_page() -> None:
    riders = [StartListRider(bib=100 + n, name=f"Rider {n}", nation="NED") for n in range(1, 81)]
    start_list = StartList(
        event="km", discipline="time_trial", name="Kilometre", category="Men Junior", round="",
        heat="", competition="", programme=3, riders=riders,
    )  # fmt: skip
    pages = pdf_pages(sheet_pdf(start_page(start_list)))
    count = len(pages)
    assert count >= 3  # 80 rows: a page holds about 30
    seen = []
    for number, text in enumerate(pages, 1):
        lines = page_lines(text)
        assert f"{HEADER} Kilometre — START LIST" in lines, number
        assert f"Page {number} of {count}" in lines[-1], number
        seen += [int(line.split(" ")[1]) for line in lines if line.endswith(" NED")]
    assert seen == [rider.bib for rider in riders]  # every rider once, in order, across pages
