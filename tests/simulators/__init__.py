"""Helpers for talking to simulated devices over real sockets (also used by the CLI tests)."""

import asyncio
import contextlib
import time
from collections.abc import Callable

from velotime.protocols.p3 import FrameError, P3Record, P3Stream, Passing, Status, encode

_READ_SIZE = 1 << 16


class P3Host:
    """One host's TCP connection to a P3 decoder: everything it received, decoded."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.stream = P3Stream()
        self.records: list[P3Record] = []
        self.errors: list[FrameError] = []
        self.eof = False

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> "P3Host":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    @property
    def passings(self) -> list[Passing]:
        return [r for r in self.records if isinstance(r, Passing)]

    @property
    def statuses(self) -> list[Status]:
        return [r for r in self.records if isinstance(r, Status)]

    def send(self, record: P3Record) -> None:
        self.writer.write(encode(record))

    async def receive_until(self, done: Callable[[], bool], timeout_s: float = 3.0) -> None:
        """Read until `done()` holds; fail on timeout or if the connection ends first."""
        deadline = time.monotonic() + timeout_s
        while not done():
            if self.eof:
                raise AssertionError(f"connection closed; got {len(self.records)} records")
            remaining = deadline - time.monotonic()
            try:
                data = await asyncio.wait_for(self.reader.read(_READ_SIZE), max(remaining, 0))
            except TimeoutError:
                raise AssertionError(
                    f"timed out after {timeout_s} s; got {len(self.records)} records"
                ) from None
            self._take(data)

    async def receive_for(self, seconds: float) -> bytes:
        """Everything that arrives within `seconds` (less if the connection ends)."""
        deadline = time.monotonic() + seconds
        received = bytearray()
        while not self.eof and (remaining := deadline - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(self.reader.read(_READ_SIZE), remaining)
            except TimeoutError:
                break
            received += data
            self._take(data)
        return bytes(received)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):  # the other side may have aborted already
            await self.writer.wait_closed()

    def _take(self, data: bytes) -> None:
        if not data:
            self.eof = True
            return
        for item in self.stream.feed(data):
            if isinstance(item, FrameError):
                self.errors.append(item)
            else:
                self.records.append(item)


async def eventually(condition: Callable[[], bool], timeout_s: float = 3.0) -> None:
    """Wait until `condition()` holds, polling; fail after the timeout."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.002)
