"""The standings of a pursuit competition (qualifying heats, then the finals) on the terminal
view and the web page: each heat's entrants home side first with their times, the match's
winner marked; on the page, the qualifying ranked with gaps and the final each goes to.

The payloads are the scoring engine's, as it publishes them, for the individual pursuit
competition of tests/scoring/test_engine_timed_rounds_scored.py (expected values by hand there):
qualifying 1 v 2 in 58.500 and 1:00.200, 3 v 4 in 59.300 and 1:01.100; the bronze final 2 v 4
won by 2 (58.500 to 1:00.200); the gold final 1 v 3 won by 3, on the back straight (58.500), 1
in 1:00.200.
"""

import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from rich.console import Console

from tests.scoreboards.browser import Browser, artifact, require_chromium
from tests.scoreboards.payloads import ONLINE, snapshot_of
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.test_engine_timed_rounds_scored import LINES, MEET, ROLES, T0, S, ride
from velotime.localvenue import LocalBroker
from velotime.scoreboards.terminal import render
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet

NOW_US = 1_795_266_000_000_000


@pytest.fixture(scope="module")
def published() -> list[tuple[str, Any]]:
    """Every payload the engine published over the competition, in order."""
    scoring = ScoringEngine(parse_meet(MEET), LINES, 250, line_roles=ROLES)
    out = []
    for event, start_us, home, back in [
        ("ip-qualifying-1", T0, (1, 9.5, 7.0), (2, 9.8, 7.2)),
        ("ip-qualifying-2", T0 + 300 * S, (3, 9.6, 7.1), (4, 10.0, 7.3)),
        ("ip-final-3-4", T0 + 600 * S, (2, 9.5, 7.0), (4, 9.8, 7.2)),
        ("ip-final-1-2", T0 + 900 * S, (1, 9.8, 7.2), (3, 9.5, 7.0)),
    ]:
        out += [
            (publication.key, msgspec.json.decode(publication.encoded()))
            for publication in ride(scoring, event, start_us, home, back)
        ]
    return [(key, payload) for key, payload in out if key != "current"]


def test_the_terminal_gives_each_heat_its_times_and_winner(
    published: list[tuple[str, Any]],
) -> None:
    """The gold final shown last: beside it the standings, each heat's entrants home first
    with their times; the final's row marked ▶, 3 (the winner) in bold green."""
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(render(snapshot_of(published), NOW_US, venue="vd", width=140))
    text = console.export_text()
    rows = [line[140 - 40 :].replace("│", " ").split() for line in text.splitlines()]
    assert ["heat", "1", "1", "58.500", "2", "1:00.200"] in rows, text
    assert ["heat", "2", "3", "59.300", "4", "1:01.100"] in rows, text
    assert ["heat", "2", "58.500", "4", "1:00.200"] in rows, text
    assert ["▶", "heat", "1", "1:00.200", "3", "58.500"] in rows, text


CARDS = """JSON.stringify(Array.from(document.querySelectorAll('#standings-body .heat')).map(
  (card) => Array.from(card.querySelectorAll('li')).map((li) =>
    (li.classList.contains('is-winner') ? '*' : '') + li.dataset.bib + ' ' +
    li.querySelector('.heat-time').textContent)))"""


RANKING = """JSON.stringify(Array.from(document.querySelectorAll(
  '#standings-body .round-ranking tr[data-bib]')).map((tr) => ['c-rank', 'c-bib', 'c-time', 'c-gap',
  'c-to'].map((name) => tr.querySelector('.' + name).textContent)))"""


@pytest.mark.timeout(60)
async def test_the_page_gives_each_heat_its_times_and_winner(
    tmp_path: Path, broker: LocalBroker, published: list[tuple[str, Any]]
) -> None:
    require_chromium()
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        latest = dict(published)
        for key, payload in latest.items():
            await web.put(key, payload)
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        want = json.dumps([["1 58.500", "2 1:00.200"], ["3 59.300", "4 1:01.100"],
                           ["*2 58.500", "4 1:00.200"], ["1 1:00.200", "*3 58.500"]],
                          separators=(",", ":"))  # fmt: skip
        await page.wait_for(f"{CARDS} === '{want}'", "the heats' times")
        # The qualifying ranked: 1 58.500, 3 59.300 (+0.800 = 59.300 - 58.500), 2 1:00.200
        # (+1.700), 4 1:01.100 (+2.600); the two fastest to the gold final, the next two to
        # the bronze final (3.2.053).
        want = json.dumps([["1", "1", "58.500", "", "final 1-2"],
                           ["2", "3", "59.300", "+0.800", "final 1-2"],
                           ["3", "2", "1:00.200", "+1.700", "final 3-4"],
                           ["4", "4", "1:01.100", "+2.600", "final 3-4"]],
                          separators=(",", ":"))  # fmt: skip
        await page.wait_for(f"{RANKING} === '{want}'", "the qualifying ranking")
        await page.screenshot(artifact("pursuit-standings-1920x1080.png"))
        await page.evaluate(
            "document.querySelector('#standings-body .round-ranking').scrollIntoView()"
        )
        await page.screenshot(artifact("pursuit-qualifying-ranking-1920x1080.png"))
