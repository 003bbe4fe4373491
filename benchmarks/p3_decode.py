"""P3 decoding throughput: framing + unescaping + CRC + typed records from one byte stream.

Target (issue 2): at least 500k records/s on one core, aiming for 1M. Runs pinned to one CPU;
prints the median of several runs, with min and max.
"""

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from velotime.protocols.p3 import P3Record, P3Stream, encode
from velotime.protocols.p3.framer import P3Framer
from velotime.protocols.p3.spec import parse_record
from velotime.simulators.p3_session import session_records

REAL_CAPTURE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "p3" / "amb.out"
TARGET_RECORDS = 100_000
RUNS = 7
REPLAY_CHUNK = 1 << 16  # what a replay reads at once
TCP_CHUNK = 1460  # one Ethernet TCP segment, as a live decoder connection delivers


def real_stream() -> bytes | None:
    if not REAL_CAPTURE.is_file():
        return None
    capture = b"".join(bytes.fromhex(line) for line in REAL_CAPTURE.read_text().split())
    return capture * (TARGET_RECORDS // 1388 + 1)


def simulated_stream() -> bytes:
    records = session_records(range(100, 120), 17_000_000, 220, rtc_start_us=1_700_000_000_000_000)
    session = b"".join(encode(record) for record in records)
    return session * (TARGET_RECORDS // 300 + 1)


def decode_all(wire: bytes, chunk: int) -> int:
    stream = P3Stream()
    count = 0
    for start in range(0, len(wire), chunk):
        count += len(stream.feed(wire[start : start + chunk]))
    return count + len(stream.close())


def median_rate(run: Callable[[], int]) -> tuple[float, float, float, int]:
    rates = []
    count = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), min(rates), max(rates), count


def report(name: str, run: Callable[[], int]) -> None:
    median, low, high, count = median_rate(run)
    print(
        f"{name:<46} {median / 1e3:>7.0f}k rec/s median  "
        f"(min {low / 1e3:.0f}k, max {high / 1e3:.0f}k; {count} records, {RUNS} runs)"
    )


def construct_rate(wire: bytes) -> None:
    records = [r for r in P3Framer().feed(wire[:200_000]) if isinstance(r, bytes)]

    def run() -> int:
        decoded: list[P3Record] = [parse_record(r) for r in records]
        return len(decoded)

    report("construct spec parser (reference only)", run)


def main() -> None:
    # Pinned to one core while it runs, then unpinned: the benchmarks after it in the same
    # process (`python -m benchmarks`) start daemons and brokers that must have every core.
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
    if cores is not None:
        os.sched_setaffinity(0, {min(cores)})
    try:
        decode_benchmarks()
    finally:
        if cores is not None:
            os.sched_setaffinity(0, cores)


def decode_benchmarks() -> None:
    print(f"P3 decode, one core, median of {RUNS} runs; target >= 500k rec/s")
    real = real_stream()
    if real is None:
        print(f"(real capture {REAL_CAPTURE} absent: simulated stream only)")
    else:
        report("real AMBrc capture, 64 KiB chunks", lambda: decode_all(real, REPLAY_CHUNK))
        report("real AMBrc capture, 1460 B chunks", lambda: decode_all(real, TCP_CHUNK))
    simulated = simulated_stream()
    report("simulated 20-rider session, 64 KiB chunks", lambda: decode_all(simulated, REPLAY_CHUNK))
    construct_rate(simulated)


if __name__ == "__main__":
    main()
