"""A serial port for a simulated device: a raw pseudo-terminal, and a symbolic link that always
points at the current one (as udev's /dev/serial/by-id links do for a real USB adapter).

A pty cannot come back under the same path once closed, so a device plugged in again gets a new
one; a host configured with the link finds it again by itself.
"""

import asyncio
import contextlib
import os
import termios
import tty
from collections.abc import Callable
from pathlib import Path


def termios_speed(baudrate: int) -> int:
    """The termios constant of a baud rate; ValueError if there is none."""
    speed = getattr(termios, f"B{baudrate}", None)
    if not isinstance(speed, int) or baudrate <= 0:
        raise ValueError(f"{baudrate} is not a serial baud rate")
    return speed


def open_raw_pty(speed: int) -> tuple[int, int, str]:
    """A new pty in raw mode both ways (no echo, no CR/LF translation: binary protocols pass
    untouched), at `speed` (a `termios_speed`). Returns (master, slave, slave path); the master
    is non-blocking. The caller keeps the slave open, so that the master never reads EIO while no
    host has the port open (the pty would otherwise hang up between hosts)."""
    master, slave = os.openpty()
    try:
        tty.setraw(slave)
        attributes = termios.tcgetattr(slave)
        attributes[4] = attributes[5] = speed  # ispeed, ospeed
        termios.tcsetattr(slave, termios.TCSANOW, attributes)
        os.set_blocking(master, False)
        path = os.ttyname(slave)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    return master, slave, path


def point_link(link: Path, path: str) -> None:
    """Make `link` point at `path`, atomically: a host never sees it missing mid-swap."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(path)
    temporary.replace(link)


def remove_link(link: Path) -> None:
    """The device is unplugged: its link goes away."""
    with contextlib.suppress(FileNotFoundError):
        link.unlink()


class PtyPort:
    """A simulated serial device's port, plugged in and out: while plugged, a raw pty (`master`,
    `path`) with `link` pointing at it, and what the host writes handed to `on_data`. Unplugging
    closes the pty (the host's reads fail), removes the link and then calls `on_unplug` (the
    device drops what it cannot send any more). Once stopped it cannot be plugged again. Needs a
    running event loop."""

    READ_SIZE = 4096

    def __init__(
        self,
        *,
        speed: int,
        link: Path | None,
        on_data: Callable[[bytes], None],
        on_unplug: Callable[[], None] = lambda: None,
    ) -> None:
        self.speed = speed  # a `termios_speed`
        self.link = link
        self.master: int | None = None
        self.path: str | None = None
        self.stopped = False
        self._slave: int | None = None
        self._on_data = on_data
        self._on_unplug = on_unplug

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def start(self) -> str:
        """Plug in the first time: a new pty, whose path the host opens."""
        if self.stopped or self.master is not None:
            raise RuntimeError("the simulator is already started (or was stopped)")
        return self._plug()

    def unplug(self) -> bool:
        """Pull the cable; False if already unplugged."""
        if self.master is None:
            return False
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.master)
        loop.remove_writer(self.master)
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = self.path = None
        if self.link is not None:
            remove_link(self.link)
        self._on_unplug()
        return True

    def replug(self) -> str:
        """Plug in again (unplugging first if need be): a new pty, whose path is returned."""
        if self.stopped:
            raise RuntimeError("the simulator was stopped")
        self.unplug()
        return self._plug()

    def stop(self) -> None:
        """Unplug for good."""
        self.stopped = True
        self.unplug()

    def _plug(self) -> str:
        loop = asyncio.get_running_loop()
        master, slave, path = open_raw_pty(self.speed)
        try:
            loop.add_reader(master, self._read)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self.master, self._slave, self.path = master, slave, path
        if self.link is not None:
            point_link(self.link, path)
        return path

    def _read(self) -> None:
        if self.master is None:
            return
        try:
            data = os.read(self.master, self.READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # Cannot happen while we hold the slave; stop watching rather than spin on it.
            asyncio.get_running_loop().remove_reader(self.master)
            return
        self._on_data(data)
