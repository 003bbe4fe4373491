"""The systemd notify helper, against real AF_UNIX datagram sockets standing in for systemd."""

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from velotime.daemon.systemd import MAX_MESSAGE_BYTES, SystemdNotifier, run_watchdog


class Listener:
    """A bound datagram socket, as systemd holds one, and the NOTIFY_SOCKET value naming it."""

    def __init__(self, notify_socket: str) -> None:
        self.notify_socket = notify_socket
        address = notify_socket.encode()
        if address.startswith(b"@"):
            address = b"\0" + address[1:]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(2.0)

    def receive(self) -> bytes:
        return self.sock.recv(65536)  # larger than any notification, so truncation shows

    def notifier(self, **env: str) -> SystemdNotifier:
        return SystemdNotifier({"NOTIFY_SOCKET": self.notify_socket, **env})


@pytest.fixture(params=["path", "abstract"])
def listener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Listener]:
    if request.param == "path":
        name = str(tmp_path / "notify")
    else:
        name = f"@velotime-test-{uuid.uuid4().hex}"
    server = Listener(name)
    yield server
    server.sock.close()


def test_ready_sends_ready_and_the_status(listener: Listener) -> None:
    notifier = listener.notifier()
    assert notifier.enabled
    assert notifier.ready("3 sources") is True
    assert listener.receive() == b"READY=1\nSTATUS=3 sources"
    assert notifier.ready() is True
    assert listener.receive() == b"READY=1"
    notifier.close()


def test_status_stopping_and_watchdog_send_one_assignment_each(listener: Listener) -> None:
    notifier = listener.notifier()
    assert notifier.status("broker connected")
    assert notifier.stopping()
    assert notifier.watchdog()
    assert listener.receive() == b"STATUS=broker connected"
    assert listener.receive() == b"STOPPING=1"
    assert listener.receive() == b"WATCHDOG=1"
    notifier.close()


def test_a_newline_in_the_status_cannot_add_an_assignment(listener: Listener) -> None:
    notifier = listener.notifier()
    assert notifier.status("lost\nREADY=1\r\n\0x")
    assert listener.receive() == b"STATUS=lost READY=1   x"
    notifier.close()


def test_an_oversized_status_is_cut_to_what_systemd_accepts(listener: Listener) -> None:
    notifier = listener.notifier()
    assert notifier.ready("é" * 5000)  # 10,000 bytes of two-byte characters
    data = listener.receive()
    assert MAX_MESSAGE_BYTES - 1 <= len(data) <= MAX_MESSAGE_BYTES
    assert data.decode("utf-8") == "READY=1\nSTATUS=" + "é" * ((len(data) - 15) // 2)
    notifier.close()


def test_the_default_environment_is_os_environ(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", listener.notify_socket)
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    notifier = SystemdNotifier()
    assert notifier.watchdog_interval_s == 2.0
    assert notifier.stopping()
    assert listener.receive() == b"STOPPING=1"
    notifier.close()


@pytest.mark.parametrize(
    "env",
    [{}, {"NOTIFY_SOCKET": ""}, {"WATCHDOG_USEC": "100000"}],
    ids=["unset", "empty", "watchdog-without-socket"],
)
async def test_without_notify_socket_every_call_is_a_no_op(env: dict[str, str]) -> None:
    notifier = SystemdNotifier(env)
    assert not notifier.enabled
    assert notifier.ready("up") is False
    assert notifier.status("x") is False
    assert notifier.stopping() is False
    assert notifier.watchdog() is False
    assert notifier.watchdog_interval_s is None
    await asyncio.wait_for(run_watchdog(notifier), timeout=1.0)  # returns, does not loop
    notifier.close()


@pytest.mark.parametrize("value", ["vsock:2:1234", "relative/notify", "@"])
def test_an_unsupported_address_is_not_used(value: str, caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": value, "WATCHDOG_USEC": "100000"})
    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.watchdog_interval_s is None
    assert "is not a path or @name" in caplog.text


def test_a_socket_nobody_listens_on_returns_false(tmp_path: Path) -> None:
    closed = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    closed.bind(str(tmp_path / "closed"))
    closed.close()  # the file stays: sending to it is refused rather than not found
    for name in [
        str(tmp_path / "absent"),
        str(tmp_path / "closed"),
        f"@velotime-test-{uuid.uuid4().hex}",
        "/" + "x" * 200,  # longer than sockaddr_un allows
    ]:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": name})
        assert notifier.enabled
        assert notifier.ready("up") is False, name
        assert notifier.watchdog() is False, name
        notifier.close()


def test_a_full_receive_queue_fails_instead_of_blocking(listener: Listener) -> None:
    notifier = listener.notifier()
    started = time.monotonic()
    sent = 0
    while notifier.watchdog():  # nobody reads: a blocking socket would hang here
        sent += 1
        assert sent < 100_000, "the queue never filled"
    assert sent > 0
    assert time.monotonic() - started < 5.0
    assert listener.receive() == b"WATCHDOG=1"  # what was queued is intact
    notifier.close()


@pytest.mark.parametrize(
    ("env", "interval"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "100000"}, 0.05),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}, None),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "not-a-pid"}, None),
        ({}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "30s"}, None),
    ],
)
def test_watchdog_interval_is_half_of_watchdog_usec_for_this_process(
    env: dict[str, str], interval: float | None
) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": "/run/systemd/notify", **env})
    assert notifier.watchdog_interval_s == interval


async def test_run_watchdog_pings_at_the_interval(listener: Listener) -> None:
    notifier = listener.notifier(WATCHDOG_USEC="100000")  # a ping every 0.05 s
    listener.sock.setblocking(False)
    loop = asyncio.get_running_loop()
    pings: list[bytes] = []
    task = asyncio.create_task(run_watchdog(notifier))
    try:
        async with asyncio.timeout(0.5):
            while True:
                pings.append(await loop.sock_recv(listener.sock, 4096))
    except TimeoutError:
        pass
    assert not task.done()  # it loops until cancelled
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    notifier.close()
    assert set(pings) == {b"WATCHDOG=1"}
    # About 10 in 0.5 s: at least 2 even on a loaded machine, and no busy loop.
    assert 2 <= len(pings) <= 15
