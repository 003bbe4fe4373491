"""Result sheets over HTTP, from what is retained: the flying 200 m scenario's result as the
scoring scores it (lines in order, DNS and DSQ with their reasons), a keirin heat with its
winner's last 200 m and a place correction, the CSV, and text that must stay text; the PDFs of a
result and of a start list."""

import html
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.scoreboards.http import get
from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.pdf_text import page_lines, pdf_pages
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import offline_results
from tests.scoring.scenarios import flying200
from velotime.localvenue import LocalBroker
from velotime.scoring.export import result_csv
from velotime.wire.results import EventResult, ResultLine

pytestmark = pytest.mark.timeout(60)

KEIRIN: dict[str, Any] = {
    "v": 1, "event": "keirin-final", "discipline": "keirin", "name": "Keirin, final 1-6",
    "category": "Women Elite", "round": "final 1-6", "status": "provisional",
    "winner_last_200": "10.404", "winner_last_200_kmh": "69.204",
    "lines": [
        {"rank": 1, "bib": 3, "name": "Rider <3>", "nation": "NED"},
        {"rank": 2, "bib": 1, "name": "Rider 1", "nation": "GBR", "gap": "+0.002",
         "flags": ["corrected"]},
        {"rank": None, "bib": 5, "name": "Rider 5", "nation": "AUS", "status": "REL"},
    ],
    "audit": [
        {"type": "start", "event": "keirin-final", "at_us": 1_795_271_400_000_000},
        {"type": "correct", "event": "keirin-final", "bib": 1, "place": 2,
         "reason": "photo-finish: <2nd> by a tyre", "at_us": 1_795_271_460_000_000},
        {"type": "status", "event": "keirin-final", "bib": 5, "status": "REL",
         "reason": "dangerous riding in the last lap", "at_us": 1_795_271_470_000_000},
        {"type": "reopen", "event": "keirin-final", "reason": "protest upheld",
         "at_us": 1_795_271_480_000_000},
        {"type": "refused", "command": {"type": "correct", "event": "keirin-final", "bib": 9,
         "place": 9, "reason": "typo?"}, "reason": "place 9 in a heat of 6 riders",
         "at_us": 1_795_271_490_000_000},
    ],
}  # fmt: skip


def rows(page: str) -> list[str]:
    """The bibs of the result table's rows, in order."""
    table = page.split('<table class="result">')[1].split("</table>")[0]
    return re.findall(r'<tr data-bib="(\d+)"', table)


async def test_the_sheet_of_the_flying_200_as_scored(tmp_path: Path, broker: LocalBroker) -> None:
    capture, meet = flying200.write_capture(tmp_path), flying200.write_meet(tmp_path)
    scored = offline_results([capture], meet, tmp_path / "results")[flying200.EVENT]
    result = msgspec.json.decode(scored)
    async with running_scoreboard(broker) as web:
        await web.put("status/scoring", ONLINE)
        await web.put(f"results/{flying200.EVENT}", result)

        reply = await get(web.port, f"/sheets/{flying200.EVENT}.html")
        assert reply.status == 200
        assert reply.headers["content-type"].startswith("text/html")
        page = reply.body.decode()
        assert rows(page) == [str(line["bib"]) for line in result["lines"]]
        # Each line's figures, in result order.
        position = 0
        for line in result["lines"]:
            for figure in (line.get("time"), line.get("speed_kmh"), line.get("gap")):
                if figure:
                    position = page.index(html.escape(figure), position)
        assert '<span class="badge final" id="status">FINAL</span>' in page
        assert "Sprint qualifying" in page
        assert "Men Elite" in page
        assert "Test meet" in page
        # The 100 m split, and the last 100 m rather than the 200 m time again.
        assert '<th class="num">100 m</th>' in page
        assert "Last 100 m" in page
        assert "Decisions and corrections" in page
        for entry in result["audit"]:
            assert html.escape(entry["reason"]) in page
        assert "status DNS" in page
        assert "status DSQ" in page
        assert re.search(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
        assert "size: A4;" in page

        csv = await get(web.port, f"/sheets/{flying200.EVENT}.csv")
        assert csv.status == 200
        assert csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert csv.body.decode() == result_csv(msgspec.convert(result, EventResult).lines)

        index = (await get(web.port, "/sheets/")).body.decode()
        assert f'href="{flying200.EVENT}.html"' in index
        assert f'href="{flying200.EVENT}.csv"' in index


async def test_a_keirin_sheet_with_its_corrections_and_text_kept_as_text(
    broker: LocalBroker,
) -> None:
    async with running_scoreboard(broker) as web:
        await web.put("results/keirin-final", KEIRIN)
        page = (await get(web.port, "/sheets/keirin-final.html")).body.decode()
        assert rows(page) == ["3", "1", "5"]
        assert "PROVISIONAL" in page
        assert "Winner's last 200 m: <strong>10.404</strong> (69.204 km/h)" in page
        assert "place set to 2" in page
        assert "race started" in page
        assert "photo-finish: &lt;2nd&gt; by a tyre" in page
        assert "Rider &lt;3&gt;" in page
        assert "<3>" not in page
        assert "dangerous riding in the last lap" in page
        # A reopened result and a refused command are on the sheet, each with its reason.
        assert "result reopened" in page
        assert "protest upheld" in page
        assert '<td class="num">9</td><td>refused: correct place 9 (typo?)</td>' in page
        assert "place 9 in a heat of 6 riders" in page
        # Audit times of day on the venue clock: 2026-11-21 14:30:00 UTC is the start.
        assert "14:30:00" in page
        assert "14:31:00" in page
        # No time or speed columns for a keirin: its result is an order.
        assert '<th class="num">Time</th>' not in page

        lines = msgspec.convert(KEIRIN["lines"], list[ResultLine])
        assert (await get(web.port, "/sheets/keirin-final.csv")).body.decode() == result_csv(lines)
        missing = await get(web.port, "/sheets/nope.html")
        assert missing.status == 404
        assert (await get(web.port, "/sheets/nope.csv")).status == 404


START_LIST: dict[str, Any] = {
    "v": 1, "event": "keirin-m-round-1-2", "discipline": "keirin",
    "name": "Keirin, round 1, heat 2", "category": "Men Elite", "round": "round 1", "heat": "2",
    "competition": "keirin-m", "programme": 3,
    "riders": [
        {"bib": 34, "name": "Dirk <D>", "nation": "GER"},
        {"bib": 31, "name": "Aart A", "nation": "NED"},
        {"bib": 38, "name": "Hugo H", "nation": "FRA"},
    ],
}  # fmt: skip


@pytest.mark.slow  # WeasyPrint renders two sheets
async def test_the_pdf_sheets_and_start_lists_served(broker: LocalBroker) -> None:
    """The PDF of a result and of a start list, as the scoreboard serves them, say what their
    payloads say (by hand from KEIRIN and START_LIST above); the index links both."""
    async with running_scoreboard(broker) as web:
        await web.put("results/keirin-final", KEIRIN)
        await web.put("startlists/keirin-m-round-1-2", START_LIST)

        reply = await get(web.port, "/sheets/keirin-final.pdf")
        assert reply.status == 200
        assert reply.headers["content-type"] == "application/pdf"
        lines = page_lines(pdf_pages(reply.body)[0])
        assert "Test meet · Test velodrome Keirin, final 1-6 — PROVISIONAL" in lines
        assert lines[lines.index("RANK BIB NAME NATION GAP NOTES") + 1 :][:3] == [
            "1 3 Rider <3> NED",
            "2 1 Rider 1 GBR +0.002 CORRECTED",
            "5 Rider 5 AUS REL",
        ]

        page = (await get(web.port, "/sheets/start/keirin-m-round-1-2.html")).body.decode()
        assert rows(page) == ["34", "31", "38"]
        assert "Dirk &lt;D&gt;" in page
        assert "Men Elite · round 1 · Heat 2 · Keirin" in page
        reply = await get(web.port, "/sheets/start/keirin-m-round-1-2.pdf")
        assert reply.headers["content-type"] == "application/pdf"
        lines = page_lines(pdf_pages(reply.body)[0])
        assert "Riders in seeding order" in lines
        assert lines[lines.index("# BIB NAME NATION NOTES") + 1 :][:3] == [
            "1 34 Dirk <D> GER",
            "2 31 Aart A NED",
            "3 38 Hugo H FRA",
        ]
        api = await get(web.port, "/api/startlists/keirin-m-round-1-2")
        assert api.json() == START_LIST
        state = (await get(web.port, "/api/state")).json()
        assert state["startlists"] == {"keirin-m-round-1-2": START_LIST}

        index = (await get(web.port, "/sheets/index.html")).body.decode()
        for link in ("keirin-final.pdf", "start/keirin-m-round-1-2.html",
                     "start/keirin-m-round-1-2.pdf"):  # fmt: skip
            assert f'href="{link}"' in index
        assert "3 riders" in index
        for missing in ("/sheets/nope.pdf", "/sheets/start/nope.html", "/sheets/start/nope.pdf"):
            assert (await get(web.port, missing)).status == 404, missing
        assert (await get(web.port, "/api/startlists/nope")).status == 404
