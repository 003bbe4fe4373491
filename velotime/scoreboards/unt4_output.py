"""The I/O half of a UNT4 board: connect, write the page's changes, reconnect.

velotime connects to the board (a DHI board listens on TCP 1946; a serial board is a port we
open) and writes what `Unt4Page` says, each time the scoreboard state changes and each tenth
of a second while a clock runs. The board's state is unknown after every (re)connect (it may
have been switched off and on), so the whole page is drawn again then. A board that goes
away is noticed by reading from it (end of stream, a serial port's error) or by a write that
does not drain; velotime then retries with jittered exponential backoff. Whatever the board
sends is ignored.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import msgspec

from velotime.backoff import Backoff
from velotime.drivers.endpoints import SerialEndpoint, TcpEndpoint
from velotime.drivers.transports import open_stream
from velotime.protocols.unt4 import encode
from velotime.scoreboards.state import ScoreboardState, Snapshot
from velotime.scoreboards.unt4 import Unt4Page
from velotime.times import now_us

log = logging.getLogger("velotime.boards")

WRITE_TIMEOUT_S = 5.0  # a board that takes no bytes for this long is presumed gone
GOODBYE_TIMEOUT_S = 1.0  # how long a clean stop waits to leave the board marked offline
READ_SIZE = 4096


class Unt4Output:
    def __init__(
        self,
        name: str,
        endpoint: TcpEndpoint | SerialEndpoint,
        state: ScoreboardState,
        page: Unt4Page,
        *,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 10.0,
        clock: Callable[[], int] = now_us,
        write_timeout_s: float = WRITE_TIMEOUT_S,
    ) -> None:
        self.name = name
        self.endpoint = endpoint
        self.state = state
        self.page = page
        self.write_timeout_s = write_timeout_s
        self._clock = clock
        self._backoff = Backoff(reconnect_min_s, reconnect_max_s)
        self.connections = 0  # successful connects so far
        self.messages_sent = 0
        self.connected = False
        self._reported_down = False  # one warning per outage, not one per attempt

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: keep the board connected and up to date. On a clean stop the
        board is left marked offline, with no clock running."""
        while not stop.is_set():
            try:
                reader, writer = await open_stream(self.endpoint, timeout_s=self.write_timeout_s)
            except OSError as exc:
                self._down(f"cannot connect: {exc or type(exc).__name__}")
            else:
                try:
                    reason = await self._serve(reader, writer, stop)
                except Exception:  # a bug must not end the board: log, reconnect
                    log.exception("board %s: unexpected error; reconnecting", self.name)
                    reason = "unexpected error"
                finally:
                    writer.close()
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(writer.wait_closed(), GOODBYE_TIMEOUT_S)
                if not stop.is_set():
                    self._down(reason)
            if stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._backoff.next_delay())

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> str:
        """Keep the board up to date until it goes away (returns why) or `stop`."""
        self.connections += 1
        self.connected = True
        self._reported_down = False
        self._backoff.reset()
        log.info("board %s: connected (%s), drawing the page", self.name, self.endpoint)
        self.page.forget()
        closed = asyncio.create_task(_until_closed(reader))
        stopping = asyncio.create_task(stop.wait())
        try:
            while True:
                version = self.state.version
                now = self._clock()
                failure = await self._send(writer, self.state.snapshot(), now)
                if failure:
                    return failure
                tick = self.page.next_tick_us(now)
                timeout = None if tick is None else max(0, tick - self._clock()) / 1e6
                changed = asyncio.create_task(self.state.wait_for_change(version))
                try:
                    done, _ = await asyncio.wait(
                        {changed, closed, stopping},
                        timeout=timeout,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    changed.cancel()
                if closed in done:
                    return closed.result()
                if stopping in done:
                    # Mark the board offline before leaving it: its clock must not seem live.
                    offline = msgspec.structs.replace(self.state.snapshot(), live=False)
                    await self._send(writer, offline, self._clock(), GOODBYE_TIMEOUT_S)
                    return "velotime stopping"
        finally:
            closed.cancel()
            stopping.cancel()
            self.connected = False

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        snapshot: Snapshot,
        now: int,
        timeout_s: float | None = None,
    ) -> str | None:
        """Write the page's changes; why the board is gone, or None."""
        records = self.page.update(snapshot, now)
        if not records:
            return None
        try:
            writer.write(b"".join(encode(record) for record in records))
            await asyncio.wait_for(writer.drain(), timeout_s or self.write_timeout_s)
        except TimeoutError:
            return f"the board took no bytes for {timeout_s or self.write_timeout_s} s"
        except (OSError, RuntimeError) as exc:  # RuntimeError: a transport already closed
            return f"connection lost: {exc}"
        self.messages_sent += len(records)
        return None

    def _down(self, reason: str) -> None:
        if self._reported_down:
            log.debug("board %s: %s (%s)", self.name, reason, self.endpoint)
            return
        self._reported_down = True
        log.warning("board %s: %s (%s); retrying", self.name, reason, self.endpoint)


async def _until_closed(reader: asyncio.StreamReader) -> str:
    """Read (and drop) what the board sends until its end of stream: why it went."""
    while True:
        try:
            data = await reader.read(READ_SIZE)
        except Exception as exc:  # a serial port's SerialException, a reset connection
            return f"connection lost: {exc or type(exc).__name__}"
        if not data:
            return "connection closed by the board"
