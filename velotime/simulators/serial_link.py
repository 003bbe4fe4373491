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
from pathlib import Path
from types import TracebackType
from typing import Self


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


class PtyDevice:
    """A simulated serial device, plugged in and out: while plugged, a raw pty (`_master`,
    `path`) with `link` pointing at it, and what the host writes handed to `_received`.
    Unplugging closes the pty (the host's reads fail), removes the link and then calls
    `_unplugged` (the device drops what it cannot send any more). Once stopped it cannot be
    plugged in again. A device subclasses it; needs a running event loop; usable as
    `async with` (the exit stops it)."""

    READ_SIZE = 4096

    def __init__(self, *, speed: int, link: Path | None) -> None:
        self._speed = speed  # a `termios_speed`
        self._link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._path: str | None = None
        self._stopped = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _received(self, data: bytes) -> None:
        """Bytes the host wrote."""
        raise NotImplementedError

    def _unplugged(self) -> None:
        """The cable was pulled (the pty is closed already)."""

    @property
    def link(self) -> Path | None:
        """The symbolic link that follows the pty across replugs, if any."""
        return self._link

    @property
    def path(self) -> str | None:
        """The pty the host opens now; None while unplugged."""
        return self._path

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def start(self) -> str:
        """Plug the device in: a new pty. Returns the path the host opens."""
        if self._stopped or self._master is not None:
            raise RuntimeError("the simulator is already started (or was stopped)")
        return self._plug()

    def unplug(self) -> bool:
        """Pull the cable: close the pty (the host's reads fail); False if already unplugged."""
        if self._master is None:
            return False
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)
        loop.remove_writer(self._master)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = self._path = None
        if self._link is not None:
            remove_link(self._link)
        self._unplugged()
        return True

    def replug(self) -> str:
        """Plug in again (unplugging first if need be): a new pty, whose path is returned."""
        if self._stopped:
            raise RuntimeError("the simulator was stopped")
        self.unplug()
        return self._plug()

    async def stop(self) -> None:
        """Unplug for good."""
        self._stopped = True
        self.unplug()

    def _plug(self) -> str:
        loop = asyncio.get_running_loop()
        master, slave, path = open_raw_pty(self._speed)
        try:
            loop.add_reader(master, self._read)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self._master, self._slave, self._path = master, slave, path
        if self._link is not None:
            point_link(self._link, path)
        return path

    def _read(self) -> None:
        if self._master is None:
            return
        try:
            data = os.read(self._master, self.READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # Cannot happen while we hold the slave; stop watching rather than spin on it.
            asyncio.get_running_loop().remove_reader(self._master)
            return
        self._received(data)
