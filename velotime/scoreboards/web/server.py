"""The web scoreboard running in the current event loop: the MQTT mirror and uvicorn, side by
side, until a stop event (`velotime scoreboard`, or `velotime run` with `[scoreboard] listen`).

uvicorn is driven as a task (`Server.serve`), never with threads or a loop of its own, and it
does not touch the signal handlers: the program that runs it owns SIGINT and SIGTERM and sets
the stop event. On stop the open SSE streams end first, so that the server's graceful shutdown
has no never-ending response to wait for.
"""

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from velotime.config import Config
from velotime.mqtt.client import BrokerSettings, broker_settings
from velotime.scoreboards.state import ScoreboardState, mirror
from velotime.scoreboards.web.app import Board, Meta, create_app
from velotime.scoring.meet import MeetError, load_meet
from velotime.wire.topics import Topics

log = logging.getLogger("velotime.scoreboards.web")

SHUTDOWN_TIMEOUT_S = 3  # what uvicorn waits for open requests at shutdown
SEND_BUFFER = 256 * 1024  # per connection: 5 MB/s at a 50 ms round trip


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn would take over SIGINT and SIGTERM; velotime's own loop handles them.
        yield


class _Protocol(H11Protocol):
    """HTTP/1.1 whose writes wait until the previous one reached the socket: an SSE stream to
    a slow client blocks, and the next message it gets is the state of that moment, instead of
    a backlog of states piling up in the transport's 64 KiB buffer."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        transport.set_write_buffer_limits(high=0)
        super().connection_made(transport)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; OSError (the port is taken...) before anything else starts."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    sock = socket.create_server((host, port), family=family, backlog=128)
    # Accepted connections inherit it: a bounded kernel buffer instead of autotuning up to
    # megabytes, so that a stalled client holds at most a state or two, never a backlog.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    sock.setblocking(False)
    return sock


def meta_from(config: Config, meet: Path | None) -> Meta:
    """The names the pages show: the venue's, and the meet's with its riders when there is a
    meet file (a bad one is logged: the scoreboard still shows what the results say)."""
    riders: dict[int, tuple[str, str]] = {}
    meet_name = ""
    if meet is not None:
        try:
            loaded = load_meet(meet)
        except MeetError as exc:
            log.warning("scoreboard: the meet's names are not shown: %s", exc)
        else:
            meet_name = loaded.meet.name or loaded.meet.id
            riders = {rider.bib: (rider.name, rider.nation) for rider in loaded.riders}
    return Meta(
        venue=config.venue.name or config.venue.id,
        meet=meet_name,
        timezone=config.venue.timezone,
        zone=config.venue.zone,
        riders=riders,
    )


class WebScoreboard:
    """The scoreboard's state, its mirror of the broker and its web server."""

    def __init__(
        self,
        broker: BrokerSettings,
        topics: Topics,
        meta: Meta,
        host: str,
        port: int,
        *,
        board: Board | None = None,
    ) -> None:
        self.broker = broker
        self.topics = topics
        self.host = host
        self.port = port  # the bound port once `listening` is set (port 0: the system's choice)
        self.board = board or Board(ScoreboardState(), meta)
        self.state = self.board.state
        self.app = create_app(self.board)
        self.listening = asyncio.Event()

    @classmethod
    def from_config(
        cls,
        config: Config,
        listen: tuple[str, int],
        *,
        venue: str | None = None,
        meet: Path | None = None,
    ) -> "WebScoreboard":
        topics = Topics(config.mqtt.topic_prefix, venue or config.venue.id)
        meta = meta_from(config, meet or config.scoring.meet)
        return cls(broker_settings(config), topics, meta, *listen)

    @property
    def url(self) -> str:
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    async def run(self, stop: asyncio.Event) -> None:
        sock = bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,  # velotime's logging, as set up by the command
            access_log=False,
            lifespan="off",
            http=_Protocol,
            ws="none",
            timeout_graceful_shutdown=SHUTDOWN_TIMEOUT_S,
        )
        # uvicorn says "Started server process" and the like at INFO on "uvicorn.error": not
        # news in velotime's log. Its warnings and errors still show.
        uvicorn_log = logging.getLogger("uvicorn.error")
        if uvicorn_log.level == logging.NOTSET:
            uvicorn_log.setLevel(logging.WARNING)
        server = _Server(config)
        async with asyncio.TaskGroup() as group:
            mirroring = group.create_task(mirror(self.broker, self.topics, self.state))
            serving = group.create_task(server.serve(sockets=[sock]))
            stopping = group.create_task(stop.wait())
            while not server.started and not serving.done():
                await asyncio.sleep(0.01)
            log.info("scoreboard: %s (venue %s)", self.url, self.topics.venue)
            self.listening.set()
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            self.board.close()  # the SSE streams end, so the shutdown waits for nothing
            server.should_exit = True
            await serving
            mirroring.cancel()
            stopping.cancel()
