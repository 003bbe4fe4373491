"""What text boards show, from the retained state: the event on the track, else the latest
result; the running clock in tenths."""

import asyncio
import json

from tests.scoreboards.payloads import ONLINE
from velotime.scoreboards.state import ScoreboardState
from velotime.scoreboards.view import board_view, running_time

F200 = {"v": 1, "event": "f200", "name": "Sprint qualifying", "discipline": "flying200",
        "category": "", "round": "", "audit": [], "status": "running", "lines": [
            {"rank": 1, "bib": 101, "name": "Ana", "nation": "NED", "time": "10.724",
             "speed_kmh": "67.139", "flags": ["qualified"]},
            {"rank": 2, "bib": 103, "name": "Ben", "nation": "GBR", "time": "10.800",
             "gap": "+0.076", "speed_kmh": "66.666"},
            {"rank": None, "bib": 123, "name": "Cas", "status": "DNS"}]}  # fmt: skip
KEIRIN = {"v": 1, "event": "k1", "name": "Keirin final", "discipline": "keirin",
          "category": "", "round": "", "audit": [], "status": "final",
          "lines": [{"rank": 1, "bib": 3}],
          "winner_last_200": "9.397", "winner_last_200_kmh": "76.620"}  # fmt: skip


async def state_with(*messages: tuple[str, object]) -> ScoreboardState:
    state = ScoreboardState()
    for key, payload in messages:
        await state.update(key, json.dumps(payload).encode())
    assert state.skipped == 0
    return state


def test_the_event_on_the_track_with_its_lines() -> None:
    current = {"v": 1, "event": "f200", "name": "Sprint qualifying", "discipline": "flying200",
               "category": "", "round": "", "status": "running", "riders": [],
               "start_us": 1_000_000, "on_track": None}  # fmt: skip
    state = asyncio.run(state_with(("results/k1", KEIRIN), ("results/f200", F200),
                                   ("current", current)))  # fmt: skip
    view = board_view(state.snapshot())
    assert view is not None
    assert (view.event, view.title, view.on_track, view.start_us) == (
        "f200", "Sprint qualifying", True, 1_000_000,
    )  # fmt: skip
    assert [(x.rank, x.bib, x.time, x.gap) for x in view.lines] == [
        ("1", 101, "10.724", ""), ("2", 103, "10.800", "+0.076"), ("", 123, "DNS", ""),
    ]  # fmt: skip


def test_with_nothing_on_the_track_the_latest_result() -> None:
    state = asyncio.run(state_with(("results/f200", F200), ("results/k1", KEIRIN),
                                   ("current", {"v": 1, "event": None})))  # fmt: skip
    view = board_view(state.snapshot())
    assert view is not None
    assert (view.event, view.on_track, view.start_us) == ("k1", False, None)
    assert view.note == "Last 200 m 9.397 (76.620 km/h)"
    assert board_view(asyncio.run(state_with()).snapshot()) is None


def test_bad_payloads_are_skipped_and_an_empty_one_clears() -> None:
    async def scenario() -> ScoreboardState:
        state = await state_with(("results/f200", F200))
        await state.update("results/x", b"not json")
        await state.update("results/y", b"[1, 2]")
        await state.update("results/z", json.dumps({**F200, "lines": [{"bib": "7"}]}).encode())
        await state.update("results/f200", b"")  # a retained message cleared
        return state

    state = asyncio.run(scenario())
    assert state.skipped == 3
    assert state.snapshot().results == {}
    assert state.snapshot().latest is None


def test_live_only_while_connected_and_the_scoring_service_is_online() -> None:
    async def scenario() -> list[bool]:
        state = await state_with(("status/scoring", ONLINE))
        seen = [state.live]
        await state.set_connected(True)
        seen.append(state.live)
        await state.update("status/scoring", b'{"online": false}')
        seen.append(state.live)
        return seen

    assert asyncio.run(scenario()) == [False, True, False]


def test_the_running_clock_in_tenths_truncated() -> None:
    assert running_time(None, 5) == ""
    assert running_time(10_000_000, 9_000_000) == ""  # not started yet
    assert running_time(0, 12_399_999) == "12.3"
    assert running_time(0, 62_450_000) == "1:02.4"
