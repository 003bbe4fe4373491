"""Telling systemd how the daemon is doing (sd_notify), without libsystemd.

The protocol is one datagram per notification to the AF_UNIX socket named by `$NOTIFY_SOCKET`:
newline-separated `VAR=value` assignments such as `READY=1` or `STATUS=...`. A name starting with
`@` is in the Linux abstract namespace (a leading NUL byte instead of a file). Outside systemd
the variable is unset and every call here does nothing, so the daemon runs the same anywhere.

Sending never blocks and never raises: a lost notification must not stop the timing, and
systemd notices missing READY or WATCHDOG messages by itself.
"""

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("velotime.systemd")

# systemd ignores a notification longer than this (NOTIFY_BUFFER_MAX, PIPE_BUF on Linux).
MAX_MESSAGE_BYTES = 4096

# A newline would start a new assignment (text could forge READY=1 or WATCHDOG=1); NUL ends it.
_UNSAFE = str.maketrans({"\n": " ", "\r": " ", "\0": " "})


def _socket_address(value: str) -> bytes | None:
    """The sockaddr_un path for a `$NOTIFY_SOCKET` value, or None if it is not one we support."""
    if value.startswith("@") and len(value) > 1:
        return b"\0" + os.fsencode(value[1:])
    if value.startswith("/"):
        return os.fsencode(value)
    return None  # relative paths are invalid; vsock: addresses (systemd 254+) are not handled


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else 0
    except ValueError:
        return None
    return number if number > 0 else None


def _encode(assignments: tuple[str, ...]) -> bytes:
    data = "\n".join(a.translate(_UNSAFE) for a in assignments).encode("utf-8", "replace")
    if len(data) > MAX_MESSAGE_BYTES:
        # Cut the tail (the STATUS text comes last) and any UTF-8 sequence the cut split.
        data = data[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore").encode("utf-8")
    return data


class SystemdNotifier:
    """Sends sd_notify messages to the service manager named in the environment.

    `env` is read once, here; None means `os.environ`. Every method returns True when the
    datagram was handed to the socket and False otherwise: not under systemd, or the send failed
    (which is logged, not raised).
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        notify_socket = env.get("NOTIFY_SOCKET", "")
        self._address = _socket_address(notify_socket) if notify_socket else None
        if notify_socket and self._address is None:
            # Under Type=notify systemd would wait for READY=1 in vain: say why.
            log.warning("NOTIFY_SOCKET=%r is not a path or @name; not notifying", notify_socket)
        self._watchdog_usec = _positive_int(env.get("WATCHDOG_USEC"))
        watchdog_pid = env.get("WATCHDOG_PID")
        # A WATCHDOG_PID we cannot read is treated like another process's (sd_watchdog_enabled).
        self._watchdog_pid: int | None = (
            None if watchdog_pid is None else (_positive_int(watchdog_pid) or -1)
        )
        self._socket: socket.socket | None = None
        self._failing = False

    @property
    def enabled(self) -> bool:
        """Whether a notification socket is configured (the process runs under systemd)."""
        return self._address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to send WATCHDOG=1: half of WatchdogSec, or None if there is no watchdog.

        The watchdog is ours only if WATCHDOG_PID is unset or is this process: a child that
        inherited the environment must not ping on its parent's behalf.
        """
        if self._address is None or self._watchdog_usec is None:
            return None
        if self._watchdog_pid is not None and self._watchdog_pid != os.getpid():
            return None
        return self._watchdog_usec / 2_000_000

    def notify(self, *assignments: str) -> bool:
        """Send `VAR=value` assignments in one datagram. Newlines in them become spaces."""
        if self._address is None:
            return False
        data = _encode(assignments)
        try:
            if self._socket is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                sock.setblocking(False)  # a full receive queue gives EAGAIN, not a stalled loop
                self._socket = sock
            self._socket.sendto(data, self._address)
        except OSError as error:
            # Warn once per run of failures: the watchdog would otherwise repeat it every ping.
            level = logging.DEBUG if self._failing else logging.WARNING
            log.log(level, "systemd notification %r failed: %s", data[:40], error)
            self._failing = True
            return False
        self._failing = False
        return True

    def ready(self, status: str | None = None) -> bool:
        """Startup is complete (READY=1), with an optional status line."""
        if status is None:
            return self.notify("READY=1")
        return self.notify("READY=1", f"STATUS={status}")

    def status(self, text: str) -> bool:
        """A one-line status shown by `systemctl status`."""
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        """Shutdown has begun (STOPPING=1)."""
        return self.notify("STOPPING=1")

    def watchdog(self) -> bool:
        """The service is alive (WATCHDOG=1)."""
        return self.notify("WATCHDOG=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


async def run_watchdog(notifier: SystemdNotifier) -> None:
    """Send WATCHDOG=1 every `notifier.watchdog_interval_s` until cancelled.

    Run it as a task beside the real work in the daemon's event loop: if the loop stalls, the
    pings stop and systemd kills and restarts the service. Returns at once without a watchdog.
    """
    interval = notifier.watchdog_interval_s
    if interval is None:
        return
    log.debug("pinging the systemd watchdog every %.3f s", interval)
    while True:
        notifier.watchdog()
        await asyncio.sleep(interval)
