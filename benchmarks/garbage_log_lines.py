"""How many log lines a flood of garbage from a P3 decoder makes (issue 12: 120 pieces of garbage
gave 4,602 warnings).

A source driver is fed what its reader would read: 120 passings, each followed by a piece of
random bytes (seeded), one piece every `--every` seconds of a test clock (0: all at once), then
a minute of quiet; the driver's periodic report runs after each piece, as it does every 2 s.

    python -m benchmarks.garbage_log_lines [--size 4096] [--every 1]
    PYTHONPATH=OLD_TREE python benchmarks/garbage_log_lines.py ...   # another tree's code

Where the driver takes no test clock (code before the rate-limited log), the clock is moot:
every skipped piece is a line of its own.
"""

import argparse
import inspect
import logging
import random
from typing import Any

from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import TcpEndpoint
from velotime.drivers.p3.session import P3Session
from velotime.protocols.p3 import Passing, encode

PIECES = 120


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def measure(size: int, every_s: float, seed: int = 12) -> tuple[int, int]:
    """(log lines, of which warnings) for PIECES pieces of `size` random bytes."""
    counter = _Count()
    logger = logging.getLogger("velotime")
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    rng = random.Random(seed)
    now = [0.0]
    options: dict[str, Any] = {}
    if "clock" in inspect.signature(SourceDriver).parameters:
        options["clock"] = lambda: now[0]
    driver = SourceDriver(
        P3Session("p3-finish", lambda decoder_id: "finish", "decoder"),
        TcpEndpoint("127.0.0.1", 5403),
        capture=None,
        deliver=lambda session, events: None,
        status_changed=lambda name, status: None,
        **options,
    )
    report = getattr(driver, "report", lambda: None)
    try:
        driver._start("connected", None)
        for number in range(1, PIECES + 1):
            record = Passing(
                passing_number=number, transponder=1001, rtc_time_us=number * 17_000_000
            )
            driver.received(encode(record), None)
            driver.received(rng.randbytes(size), None)
            now[0] += every_s
            report()
        now[0] += 60.0
        report()
    finally:
        logger.removeHandler(counter)
    warnings = sum(record.levelno >= logging.WARNING for record in counter.records)
    return len(counter.records), warnings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096, help="bytes a piece (%(default)s)")
    parser.add_argument("--every", type=float, default=1.0, help="seconds apart (%(default)s)")
    args = parser.parse_args(argv)
    lines, warnings = measure(args.size, args.every)
    print(
        f"{PIECES} pieces of {args.size} random bytes, {args.every:g} s apart: "
        f"{lines} log lines, {warnings} of them warnings"
    )


if __name__ == "__main__":
    main()
