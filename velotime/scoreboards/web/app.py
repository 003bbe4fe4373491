"""The web scoreboard's HTTP side: pages, JSON snapshots, the Server-Sent Events stream and the
sheets (results and start lists, HTML and PDF), all read from one `ScoreboardState`
(docs/scoreboards.md).

Nothing here talks to the broker: `mirror` keeps the state, this serves it. Every response is
built from the state as it is at that moment, so a client never gets a backlog: the SSE stream
sends the whole state once on connect and then again after each change, and when changes come
faster than a client reads, the changes in between are folded into the next message.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from html import escape
from pathlib import Path
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from velotime.scoreboards.state import ScoreboardState, Snapshot
from velotime.scoreboards.web.pdf import PdfError, sheet_pdf
from velotime.scoreboards.web.sheets import (
    result_sheet_html,
    sheets_index_html,
    standings_sheet_html,
    start_list_html,
)
from velotime.scoring.export import result_csv
from velotime.times import now_us
from velotime.wire.results import EventResult, OmniumStandings, Standings, StartList
from velotime.wire.retained import Retained
from velotime.wire.status import ScoringOnline

log = logging.getLogger("velotime.scoreboards.web")

STATIC = Path(__file__).parent / "static"
HEARTBEAT_S = 10.0  # an idle stream gets a comment (and a ping) this often
MIN_INTERVAL_S = 0.05  # at most 20 state messages a second to each client; the latest wins
RETRY_MS = 2000  # what the stream tells EventSource to wait before reconnecting

Endpoint = Callable[[Request], Awaitable[Response]]

_json = msgspec.json.Encoder()
_NO_STORE = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class Meta:
    """What the pages show beside the retained state: names from the configuration and the
    meet file (results carry bibs, names and nations, but current and standings only bibs)."""

    venue: str = ""  # the venue's name, else its id
    meet: str = ""  # the meet's name, else its id; "" if the scoreboard has no meet file
    timezone: str = "UTC"  # for times of day on result sheets
    zone: tzinfo = UTC
    riders: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # bib -> name, nation

    def to_json(self) -> "MetaJson":
        return MetaJson(
            venue=self.venue,
            meet=self.meet,
            timezone=self.timezone,
            riders={str(bib): RiderJson(name=n, nation=c) for bib, (n, c) in self.riders.items()},
        )


class RiderJson(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    nation: str


class MetaJson(msgspec.Struct, frozen=True, kw_only=True):
    """`meta` in `/api/state` and the SSE messages."""

    venue: str
    meet: str
    timezone: str
    riders: dict[str, RiderJson]  # by bib


class Document(Snapshot, frozen=True, kw_only=True):
    """`/api/state` and each SSE message: the snapshot, the server's clock and `meta`."""

    now_us: int
    meta: MetaJson


class Board:
    """The state and what the web side adds to it; `close()` ends every open stream."""

    def __init__(
        self,
        state: ScoreboardState,
        meta: Meta,
        *,
        heartbeat_s: float = HEARTBEAT_S,
        min_interval_s: float = MIN_INTERVAL_S,
    ) -> None:
        self.state = state
        self.meta = meta
        self.heartbeat_s = heartbeat_s
        self.min_interval_s = min_interval_s
        self.closing = asyncio.Event()
        self.streams = 0  # open SSE streams
        self._meta_json = meta.to_json()

    def close(self) -> None:
        self.closing.set()

    def document(self) -> Document:
        """`/api/state` and each SSE message: the snapshot, the server's clock (the page runs
        the race clock from `current.start_us` against it) and `meta`."""
        snapshot = msgspec.structs.asdict(self.state.snapshot())
        return Document(**snapshot, now_us=now_us(), meta=self._meta_json)

    def payload(self, key: str) -> Retained | None:
        return self.state.payloads.get(key)

    def meet_name(self) -> str:
        if self.meta.meet:
            return self.meta.meet
        scoring = self.payload("status/scoring")
        return scoring.meet if isinstance(scoring, ScoringOnline) else ""

    async def stream(self) -> AsyncIterator[bytes]:
        """The SSE stream: `state` on connect and after each change, at most one per
        `min_interval_s`; when idle, a comment and a `ping` every `heartbeat_s`."""
        self.streams += 1
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            loop = asyncio.get_running_loop()
            seen = -1
            while not self.closing.is_set():
                if self.state.version != seen:
                    document = self.document()
                    seen = document.version
                    yield b"event: state\ndata: " + _json.encode(document) + b"\n\n"
                    # Changes in this pause are not queued: the next message has them all.
                    await self._pause(loop.time() + self.min_interval_s)
                elif not await self._changed(seen):
                    ping = _json.encode({"now_us": now_us()})
                    yield b": heartbeat\nevent: ping\ndata: " + ping + b"\n\n"
        finally:
            self.streams -= 1

    async def _pause(self, until: float) -> None:
        delay = until - asyncio.get_running_loop().time()
        if delay > 0:
            try:
                async with asyncio.timeout(delay):
                    await self.closing.wait()
            except TimeoutError:
                pass

    async def _changed(self, seen: int) -> bool:
        """Wait for a change (True), or the heartbeat or closing (False)."""
        change = asyncio.ensure_future(self.state.wait_for_change(seen))
        closing = asyncio.ensure_future(self.closing.wait())
        try:
            done, _ = await asyncio.wait(
                {change, closing}, timeout=self.heartbeat_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            change.cancel()
            closing.cancel()
        return change in done


def create_app(board: Board) -> Starlette:
    def json_response(value: Any, status_code: int = 200) -> Response:
        return Response(
            _json.encode(value),
            status_code=status_code,
            media_type="application/json",
            headers=_NO_STORE,
        )

    def retained(key: str) -> Response:
        value = board.payload(key)
        if value is None:
            return json_response({"error": f"nothing retained on {key}"}, 404)
        return json_response(value)

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def overlay(request: Request) -> Response:
        return FileResponse(STATIC / "overlay.html", headers={"Cache-Control": "no-cache"})

    async def state(request: Request) -> Response:
        return json_response(board.document())

    async def current(request: Request) -> Response:
        return retained("current")

    async def results(request: Request) -> Response:
        return retained(f"results/{request.path_params['event']}")

    async def standings(request: Request) -> Response:
        return retained(f"standings/{request.path_params['competition']}")

    async def start_list(request: Request) -> Response:
        return retained(f"startlists/{request.path_params['event']}")

    async def events(request: Request) -> Response:
        return StreamingResponse(
            board.stream(),
            media_type="text/event-stream; charset=utf-8",
            headers={**_NO_STORE, "X-Accel-Buffering": "no"},  # nginx: do not buffer it
        )

    def sheet_result(request: Request) -> tuple[str, EventResult | None]:
        event = request.path_params["event"]
        result = board.payload(f"results/{event}")
        return event, result if isinstance(result, EventResult) else None

    def result_html(request: Request) -> str | None:
        _, result = sheet_result(request)
        if result is None:
            return None
        return result_sheet_html(
            result,
            meet=board.meet_name(),
            venue=board.meta.venue,
            zone=board.meta.zone,
            generated_us=now_us(),
        )

    def start_list_page(request: Request) -> str | None:
        found = board.payload(f"startlists/{request.path_params['event']}")
        if not isinstance(found, StartList):
            return None
        return start_list_html(
            found,
            meet=board.meet_name(),
            venue=board.meta.venue,
            zone=board.meta.zone,
            generated_us=now_us(),
        )

    def standings_page(request: Request) -> str | None:
        found = board.payload(f"standings/{request.path_params['event']}")
        if not isinstance(found, Standings | OmniumStandings):
            return None
        return standings_sheet_html(
            found,
            results=board.state.snapshot().results,
            riders=board.meta.riders,
            meet=board.meet_name(),
            venue=board.meta.venue,
            zone=board.meta.zone,
            generated_us=now_us(),
        )

    def html_sheet(make: Callable[[Request], str | None], what: str) -> Endpoint:
        async def serve(request: Request) -> Response:
            html = make(request)
            if html is None:
                return HTMLResponse(_not_found(what, request.path_params["event"]), 404)
            return HTMLResponse(html, headers={"Cache-Control": "no-store"})

        return serve

    def pdf_sheet(make: Callable[[Request], str | None], what: str) -> Endpoint:
        async def serve(request: Request) -> Response:
            event = request.path_params["event"]
            html = make(request)
            if html is None:
                return HTMLResponse(_not_found(what, event), 404)
            try:
                # Off the event loop: a long sheet takes a good part of a second to lay out.
                pdf = await asyncio.to_thread(sheet_pdf, html)
            except PdfError as exc:
                log.warning("scoreboard: no PDF of %s: %s", event, exc)
                return Response(str(exc), 503, media_type="text/plain; charset=utf-8")
            return Response(
                pdf,
                media_type="application/pdf",
                headers={
                    "Cache-Control": "no-store",
                    "Content-Disposition": f'inline; filename="{event}.pdf"',
                },
            )

        return serve

    async def sheet_csv(request: Request) -> Response:
        event, result = sheet_result(request)
        if result is None:
            return json_response({"error": f"nothing retained on results/{event}"}, 404)
        return Response(
            result_csv(result.lines),
            media_type="text/csv; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'attachment; filename="{event}.csv"',
            },
        )

    async def sheets(request: Request) -> Response:
        snapshot = board.state.snapshot()
        html = sheets_index_html(
            snapshot.results,
            snapshot.startlists,
            standings=snapshot.standings,
            meet=board.meet_name(),
            venue=board.meta.venue,
            zone=board.meta.zone,
            generated_us=now_us(),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/overlay", overlay),
            Route("/api/state", state),
            Route("/api/current", current),
            Route("/api/results/{event}", results),
            Route("/api/standings/{competition}", standings),
            Route("/api/startlists/{event}", start_list),
            Route("/api/events", events),
            Route("/sheets/", sheets),
            Route("/sheets/index.html", sheets),
            Route("/sheets/{event}.html", html_sheet(result_html, "result")),
            Route("/sheets/{event}.pdf", pdf_sheet(result_html, "result")),
            Route("/sheets/{event}.csv", sheet_csv),
            Route("/sheets/start/{event}.html", html_sheet(start_list_page, "start list")),
            Route("/sheets/start/{event}.pdf", pdf_sheet(start_list_page, "start list")),
            Route("/sheets/standings/{event}.html", html_sheet(standings_page, "standings")),
            Route("/sheets/standings/{event}.pdf", pdf_sheet(standings_page, "standings")),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
    )


def _not_found(what: str, event: str) -> str:
    return (
        f"<!doctype html><meta charset=utf-8><title>No {escape(what)}</title>"
        f"<p>No {escape(what)} for event <code>{escape(event)}</code> yet. "
        '<a href="/sheets/">All sheets</a></p>'
    )
