"""UNT4 boards in software, for tests: a `Screen` applies the records it receives to a grid of
characters, as a board shows them; the board's end of a pseudo-terminal; a board on TCP."""

import asyncio
import contextlib
import os
import tty
from collections.abc import Callable, Iterator

from velotime.localvenue import free_port
from velotime.protocols.unt4 import ClearAll, Text, Unt4Error, Unt4Record, Unt4Stream

TIMEOUT_S = 5.0


class Screen:
    def __init__(self, rows: int, columns: int) -> None:
        self.rows = rows
        self.columns = columns
        self.cells = [[" "] * columns for _ in range(rows)]
        self.stream = Unt4Stream()
        self.received: list[Unt4Record] = []

    def feed(self, data: bytes) -> None:
        """Bytes from the wire: every record is applied, and nothing else may arrive."""
        for item in self.stream.feed(data):
            assert not isinstance(item, Unt4Error), item
            self.apply(item)

    def apply(self, record: Unt4Record) -> None:
        self.received.append(record)
        if isinstance(record, ClearAll):
            self.cells = [[" "] * self.columns for _ in range(self.rows)]
            return
        assert isinstance(record, Text), f"a board row is a Text, got {record!r}"
        row = self.cells[record.row]
        for i, char in enumerate(record.text):
            assert record.column + i < self.columns, f"{record!r} overflows the row"
            row[record.column + i] = char
        if record.erase_line:
            for i in range(record.column + len(record.text), self.columns):
                row[i] = " "

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]


@contextlib.contextmanager
def board_pty() -> Iterator[tuple[int, str]]:
    """The board's end (master fd) and the serial port velotime opens (slave path)."""
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


async def read_pty_until(master: int, screen: Screen, done: Callable[[], bool]) -> None:
    """Feed what the board's end of the pty receives to `screen` until `done()`."""
    async with asyncio.timeout(TIMEOUT_S):
        while not done():
            try:
                screen.feed(os.read(master, 4096))
            except BlockingIOError:
                await asyncio.sleep(0.01)


class Board:
    """A DHI-style board on TCP: it listens, velotime connects; `unplug` drops the link."""

    def __init__(self) -> None:
        self.port = free_port()
        self.screens: list[Screen] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        screen = Screen(3, 24)  # a board switched on again shows nothing
        self.screens.append(screen)
        self.writers.append(writer)
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(4096):
                screen.feed(data)

    async def unplug(self) -> None:
        writer = self.writers[-1]
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.writers:
            writer.close()

    def shows(self, lines: list[str], connection: int = 0) -> bool:
        return len(self.screens) > connection and self.screens[connection].lines() == lines

    async def wait_for(self, done: Callable[[], bool], timeout_s: float = TIMEOUT_S) -> None:
        async with asyncio.timeout(timeout_s):
            while not done():
                await asyncio.sleep(0.01)
