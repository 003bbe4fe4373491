"""`velotime demo`: a session needing no hardware, from device bytes to lap times.

For now: riders lapping a 250 m track past one P3 decoder loop are encoded to AMB P3 wire
bytes, cut into random chunks as a TCP stream would deliver them, decoded back, and their laps
printed. The full demo (daemon, broker, scoring, scoreboard) replaces this as it lands.
"""

import argparse
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from velotime.protocols.p3 import P3Stream, Passing, encode
from velotime.simulators.p3_session import session_records
from velotime.times import format_duration, format_time_of_day

_START_US = (datetime(2026, 11, 21, 14, 0, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // (
    timedelta(microseconds=1)
)
_TRANSPONDERS = (1001001, 1001002, 1001003, 1001004)
_LAP_TIME_US = 17_500_000


def register(commands: Any) -> None:
    parser = commands.add_parser("demo", help="run a session without hardware and print it")
    parser.add_argument("--seed", type=int, default=1, help="the session's random seed")
    parser.add_argument("--laps", type=int, default=5, help="laps per rider")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Every rider crosses the line at the start, then once a lap.
    passings = len(_TRANSPONDERS) * (args.laps + 1)
    records = session_records(
        _TRANSPONDERS, _LAP_TIME_US, passings, rtc_start_us=_START_US, seed=args.seed
    )
    wire = b"".join(encode(record) for record in records)
    chunks = random.Random(args.seed)
    stream = P3Stream()
    print(f"velotime demo: {len(_TRANSPONDERS)} riders, {args.laps} laps each, one AMB P3 decoder")
    print(f"{len(wire)} bytes of P3 decoded in random chunks of 1-64 bytes\n")
    print(f"{'passing':>8}  {'time of day':<12}  {'transponder':>11}  {'lap':>3}  {'lap time':>8}")
    last_seen: dict[int, tuple[int, int]] = {}  # transponder -> (time, laps)
    position = 0
    while position < len(wire):
        size = chunks.randint(1, 64)
        for record in stream.feed(wire[position : position + size]):
            if isinstance(record, Passing):
                _print_passing(record, last_seen)
        position += size
    stats = stream.stats
    print(
        f"\n{stats.frames} records decoded, {stats.bad_crc} CRC errors, "
        f"{stats.bad_frames} bad frames, {stats.garbage_bytes} garbage bytes"
    )
    return 0


def _print_passing(passing: Passing, last_seen: dict[int, tuple[int, int]]) -> None:
    if passing.transponder is None or passing.rtc_time_us is None:
        return  # not a timed crossing (our simulator always sends both)
    previous = last_seen.get(passing.transponder)
    laps = 0 if previous is None else previous[1] + 1
    lap = "" if previous is None else format_duration(passing.rtc_time_us - previous[0])
    last_seen[passing.transponder] = (passing.rtc_time_us, laps)
    print(
        f"{passing.passing_number:>8}  {format_time_of_day(passing.rtc_time_us):<12}  "
        f"{passing.transponder:>11}  {laps if previous else '':>3}  {lap:>8}"
    )
