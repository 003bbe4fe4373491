"""Plain HTTP/1.1 over a real socket for the scoreboard tests: GET, and a Server-Sent Events
reader that sees the stream as a browser does (chunked transfer, `event:`/`data:` fields and
`:` comments)."""

import asyncio
import json
import socket
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_S = 10.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Message:
    event: str = "message"
    data: str = ""
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


async def _head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


def _request(path: str, port: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    ).encode()


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += body[:size]
        body = body[size + 2 :]
    return out


async def get(port: int, path: str) -> Reply:
    async with asyncio.timeout(TIMEOUT_S):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(_request(path, port))
            status, headers = await _head(reader)
            body = await reader.read()
        finally:
            writer.close()
    if headers.get("transfer-encoding") == "chunked":
        body = _dechunk(body)
    return Reply(status, headers, body)


class EventStream:
    """`async with EventStream(port) as stream: async for message in stream: ...`"""

    def __init__(self, port: int, path: str = "/api/events", *, receive_buffer: int = 0) -> None:
        self.port = port
        self.path = path
        self.receive_buffer = receive_buffer  # > 0: a small window, as a slow client on 3G
        self.status = 0
        self.headers: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._buffer = b""

    async def __aenter__(self) -> "EventStream":
        sock = socket.socket()
        if self.receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
        # A slow client reads little at a time: its reader stops taking from the socket beyond
        # twice this, so the TCP window closes and the server feels it.
        limit = self.receive_buffer or 2**16
        self._reader, self._writer = await asyncio.open_connection(sock=sock, limit=limit)
        self._writer.write(_request(self.path, self.port))
        async with asyncio.timeout(TIMEOUT_S):
            self.status, self.headers = await _head(self._reader)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()

    async def _chunk(self) -> bytes:
        """The next chunk of the body; b"" at its end."""
        assert self._reader is not None
        size_line = await self._reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        data = await self._reader.readexactly(size + 2)
        return data[:-2]

    async def next(self, timeout_s: float = TIMEOUT_S) -> Message | None:
        """The next message (comments alone make one too); None when the stream ends."""
        async with asyncio.timeout(timeout_s):
            while b"\n\n" not in self._buffer:
                chunk = await self._chunk()
                if not chunk:
                    return None
                self._buffer += chunk
        block, _, self._buffer = self._buffer.partition(b"\n\n")
        message = Message()
        data: list[str] = []
        for line in block.decode().split("\n"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                message.comments.append(value)
            elif name == "event":
                message.event = value
            elif name == "data":
                data.append(value)
            elif name == "retry":
                message.retry = int(value)
        message.data = "\n".join(data)
        return message

    async def next_state(self, timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
        """The next `state` message's document (skipping pings and comments)."""
        while True:
            message = await self.next(timeout_s)
            assert message is not None, "the stream ended"
            if message.event == "state":
                document: dict[str, Any] = message.json()
                return document
