"""A serial port for a simulated device: a raw pseudo-terminal, and a symbolic link that always
points at the current one (as udev's /dev/serial/by-id links do for a real USB adapter).

A pty cannot come back under the same path once closed, so a device plugged in again gets a new
one; a host configured with the link finds it again by itself.
"""

import contextlib
import os
import termios
import tty
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
