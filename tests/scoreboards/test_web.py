"""The web scoreboard over real HTTP on a free port, fed by a real Mosquitto: the snapshot
endpoints mirror what is retained, the SSE stream delivers the latest state (also at 20 updates a
second, to fast and slow clients), the pages and result sheets are served, and it stops cleanly."""

import asyncio
from typing import Any

import pytest

from tests.scoreboards.http import EventStream, get
from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.web_helpers import running_scoreboard, until
from velotime.localvenue import LocalBroker

pytestmark = pytest.mark.timeout(60)

CURRENT = {"v": 1, "event": "f200", "name": "Sprint qualifying", "discipline": "flying200",
           "category": "Men Elite", "round": "qualifying", "status": "running",
           "riders": [101, 102, 103], "on_track": None,
           "start_us": 1_795_000_000_000_000}  # fmt: skip
F200: dict[str, Any] = {
    "v": 1, "event": "f200", "discipline": "flying200", "name": "Sprint qualifying",
    "category": "Men Elite", "round": "qualifying", "status": "running",
    "lines": [
        {"rank": 1, "bib": 102, "name": "Ana", "nation": "NED", "time": "10.724",
         "time_us": 10_724_000, "speed_kmh": "67.139", "flags": ["qualified"]},
        {"rank": 2, "bib": 101, "name": "Ben", "nation": "GBR", "time": "10.800",
         "time_us": 10_800_000, "speed_kmh": "66.666", "gap": "+0.076"},
    ],
    "audit": [],
}  # fmt: skip
STANDINGS = {"v": 1, "competition": "keirin-m", "discipline": "keirin", "name": "Keirin",
             "category": "Men Elite", "format": "keirin-m", "status": "running", "rounds": [],
             "classification": [], "problems": []}  # fmt: skip


def burst_result(n: int) -> dict[str, Any]:
    """Update n of a burst: 28 lines whose order and first time change every time."""
    bibs = list(range(101, 129))
    shift = n % len(bibs)
    order = bibs[shift:] + bibs[:shift]
    lines = [
        {"rank": rank, "bib": bib, "name": f"Rider {bib}", "nation": "NED",
         "time": f"{9 + rank // 10}.{n:03d}", "time_us": 9_000_000 + n * 1000 + rank,
         "speed_kmh": "70.000"}
        for rank, bib in enumerate(order, start=1)
    ]  # fmt: skip
    return {"v": 1, "event": "burst", "discipline": "flying200", "name": "Burst",
            "category": "", "round": f"update {n}", "status": "running", "lines": lines,
            "audit": []}  # fmt: skip


def meet_result(event: str) -> dict[str, Any]:
    """A 1 km time trial of 28 riders with four splits each (about 12 kB of JSON)."""
    lines = [
        {"rank": rank, "bib": 200 + rank, "name": f"Rider {200 + rank}", "nation": "GER",
         "time": f"1:0{rank % 10}.{rank:03d}", "time_us": 60_000_000 + rank * 1000,
         "speed_kmh": "59.581", "gap": f"+{rank}.000",
         "splits": [{"distance_m": d, "cumulative": f"{d // 17}.{rank:03d}",
                     "lap": f"{d // 60}.{rank:03d}"} for d in (250, 500, 750, 1000)]}
        for rank in range(1, 29)
    ]  # fmt: skip
    return {"v": 1, "event": event, "discipline": "time_trial", "name": event,
            "category": "", "round": "", "status": "final", "lines": lines,
            "audit": []}  # fmt: skip


async def test_the_snapshot_endpoints_mirror_the_retained_topics(broker: LocalBroker) -> None:
    async with running_scoreboard(broker) as web:
        for key, payload in [
            ("status/scoring", ONLINE),
            ("current", CURRENT),
            ("results/f200", F200),
            ("standings/keirin-m", STANDINGS),
        ]:
            await web.put(key, payload)

        current = await get(web.port, "/api/current")
        assert (current.status, current.json()) == (200, CURRENT)
        assert current.headers["content-type"] == "application/json"
        assert current.headers["cache-control"] == "no-store"
        assert (await get(web.port, "/api/results/f200")).json() == F200
        assert (await get(web.port, "/api/standings/keirin-m")).json() == STANDINGS

        state = (await get(web.port, "/api/state")).json()
        assert state["current"] == CURRENT
        assert state["results"] == {"f200": F200}
        assert state["standings"] == {"keirin-m": STANDINGS}
        assert state["status"]["scoring"] == ONLINE
        assert (state["live"], state["connected"], state["latest"]) == (True, True, "f200")
        assert state["meta"]["meet"] == "Test meet"
        assert isinstance(state["now_us"], int)

        for path, key in [
            ("/api/results/nope", "results/nope"),
            ("/api/standings/nope", "standings/nope"),
        ]:
            missing = await get(web.port, path)
            assert missing.status == 404
            assert missing.json() == {"error": f"nothing retained on {key}"}

        # A cleared retained topic (an empty payload) is gone from the endpoints too.
        await web.put("current", None)
        assert (await get(web.port, "/api/current")).status == 404


async def test_the_stream_sends_the_whole_state_then_each_change(broker: LocalBroker) -> None:
    async with running_scoreboard(broker, heartbeat_s=0.3) as web:
        await web.put("status/scoring", ONLINE)
        async with EventStream(web.port) as stream:
            assert stream.status == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-store"
            first = await stream.next()
            assert first is not None
            assert first.retry == 2000
            state = await stream.next_state()
            assert state["live"] is True
            assert state["results"] == {}

            await web.publish("results/f200", F200)
            state = await stream.next_state()
            assert state["results"] == {"f200": F200}
            assert state["latest"] == "f200"

            # Idle: a comment keeps proxies from closing the stream, a ping shows the page
            # that the stream is alive (comments never reach its script) and the server time.
            ping = await stream.next(timeout_s=2)
            assert ping is not None
            assert (ping.comments, ping.event) == (["heartbeat"], "ping")
            assert isinstance(ping.json()["now_us"], int)

            # The scoring service goes offline: the state says so (the page shows STALE).
            await web.publish("status/scoring", {"online": False})
            state = await stream.next_state()
            assert state["live"] is False


@pytest.mark.slow
async def test_at_20_updates_a_second_every_client_ends_on_the_last_state(
    broker: LocalBroker,
) -> None:
    async with running_scoreboard(broker) as web:
        await web.put("status/scoring", ONLINE)
        # A meet day's worth of results: each state message is about 100 kB.
        for index in range(10):
            await web.put(f"results/kilo-{index}", meet_result(f"kilo-{index}"))
        assert len((await get(web.port, "/api/state")).body) > 100_000
        fast: list[dict[str, Any]] = []
        slow: list[dict[str, Any]] = []

        async def read(stream: EventStream, into: list[dict[str, Any]], pause_s: float) -> None:
            while True:
                into.append(await stream.next_state(timeout_s=60))
                await asyncio.sleep(pause_s)

        async with (
            EventStream(web.port) as fast_stream,
            EventStream(web.port, receive_buffer=4096) as slow_stream,
            asyncio.TaskGroup() as group,
        ):
            readers = [
                group.create_task(read(fast_stream, fast, 0)),
                group.create_task(read(slow_stream, slow, 0.3)),  # a phone on a bad link
            ]
            updates = 60  # 3 s at 20 a second
            loop = asyncio.get_running_loop()
            started = loop.time()
            for n in range(updates):
                await asyncio.sleep(max(0.0, started + n * 0.05 - loop.time()))
                await web.publish("results/burst", burst_result(n))
            last = burst_result(updates - 1)

            def ends_on_last(messages: list[dict[str, Any]]) -> bool:
                return bool(messages) and messages[-1]["results"].get("burst") == last

            # The latest state reaches both soon after the last change: no backlog to work off.
            await until(lambda: ends_on_last(fast) and ends_on_last(slow), "the last state", 5)
            await asyncio.sleep(0.5)  # nothing comes after it
            for task in readers:
                task.cancel()

        assert ends_on_last(fast)
        assert ends_on_last(slow)
        # The slow client was not sent every change: it got the latest state, not a backlog.
        assert len(slow) < updates / 2
        # In order, never back in time.
        for messages in (fast, slow):
            seen = [
                int(m["results"]["burst"]["round"].removeprefix("update "))
                for m in messages
                if "burst" in m["results"]
            ]
            assert seen == sorted(seen)
        state = (await get(web.port, "/api/state")).json()
        assert state["results"]["burst"] == last
        assert (await get(web.port, "/api/results/burst")).json() == last


async def test_it_stops_cleanly_with_streams_open(broker: LocalBroker) -> None:
    async with running_scoreboard(broker) as web, EventStream(web.port) as stream:
        await stream.next_state()
        scoreboard = web.scoreboard
        assert scoreboard.board.streams == 1
    # running_scoreboard stopped it (within its timeout); the stream was ended by the server.
    assert scoreboard.board.streams == 0
    with pytest.raises(ConnectionRefusedError):
        await get(scoreboard.port, "/api/state")


async def test_the_pages_and_their_files_are_served(broker: LocalBroker) -> None:
    async with running_scoreboard(broker) as web:
        page = await get(web.port, "/")
        assert page.status == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.body.decode()
        for needed in ("static/feed.js", "static/board.js", "static/board.css", 'id="ranking"'):
            assert needed in html
        overlay = await get(web.port, "/overlay")
        assert overlay.status == 200
        assert "static/overlay.js" in overlay.body.decode()
        for name, kind in [
            ("feed.js", "javascript"),
            ("board.js", "javascript"),
            ("overlay.js", "javascript"),
            ("board.css", "text/css"),
            ("overlay.css", "text/css"),
        ]:
            reply = await get(web.port, f"/static/{name}")
            assert reply.status == 200, name
            assert kind in reply.headers["content-type"], name
        # Nothing is loaded from elsewhere: no CDN, no web fonts.
        for name in ("index.html", "overlay.html", "board.css", "overlay.css", "feed.js"):
            text = (await get(web.port, f"/static/{name}")).body.decode()
            for remote in ("http://", "https://", "@import", "@font-face"):
                assert remote not in text, (name, remote)
        # Payload text reaches the page through textContent only.
        for name in ("feed.js", "board.js", "overlay.js"):
            assert "innerHTML" not in (await get(web.port, f"/static/{name}")).body.decode()


def test_the_static_files_are_in_the_package() -> None:
    """The wheel ships velotime/ whole (hatch: packages = ["velotime"]); the files must be where
    the app looks for them, inside the package."""
    from velotime.scoreboards.web.app import STATIC

    names = {path.name for path in STATIC.iterdir()}
    expected = {"index.html", "overlay.html", "feed.js", "board.js", "overlay.js"}
    assert expected | {"board.css", "overlay.css"} <= names
