"""Deterministic P3 sessions: riders lapping a track past one decoder loop.

`lap_schedule` is the one source of simulated passings: the TCP decoder simulator streams it in
(possibly compressed) real time; `session_records` lays it out as a finished session for the
demo and the benchmarks.
"""

import heapq
import random
from collections.abc import Iterator, Sequence

from velotime.protocols.p3 import P3Record, Passing, Status
from velotime.times import US_PER_SECOND

DEFAULT_DECODER_ID = 268307  # the AMBrc decoder of the public captures
RIDER_SPREAD_PER_MILLE = 20  # each rider's mean lap differs from the given mean by up to 2 %
LAP_JITTER_PER_MILLE = 15  # each lap differs from the rider's mean by up to 1.5 %
STATUS_INTERVAL_US = 4 * US_PER_SECOND  # the AMBrc capture shows one STATUS about every 4 s


def lap_schedule(
    transponders: Sequence[int],
    lap_time_us: int,
    *,
    rtc_start_us: int,
    seed: int = 0,
    first_passing_number: int = 1,
    decoder_id: int = DEFAULT_DECODER_ID,
) -> Iterator[Passing]:
    """Passings in decoder-clock order, forever. Riders start within the first second; every
    random draw is made in a fixed order, so the seed and start time fix every passing."""
    rng = random.Random(seed)
    spread = lap_time_us * RIDER_SPREAD_PER_MILLE // 1000
    riders: list[tuple[int, int, int]] = []  # (next crossing, rider index, mean lap)
    for index in range(len(transponders)):
        mean = lap_time_us + rng.randint(-spread, spread)
        riders.append((rtc_start_us + rng.randrange(US_PER_SECOND), index, mean))
    heapq.heapify(riders)
    number = first_passing_number
    while True:
        time_us, index, mean = riders[0]
        yield Passing(
            passing_number=number,
            transponder=transponders[index],
            rtc_time_us=time_us,
            strength=rng.randint(120, 200),
            hits=rng.randint(20, 60),
            flags=0,
            decoder_id=decoder_id,
        )
        number += 1
        jitter = mean * LAP_JITTER_PER_MILLE // 1000
        lap = max(1, mean + rng.randint(-jitter, jitter))
        heapq.heapreplace(riders, (time_us + lap, index, mean))


def session_records(
    transponders: Sequence[int],
    lap_time_us: int,
    passings: int,
    *,
    rtc_start_us: int,
    seed: int = 0,
    decoder_id: int = DEFAULT_DECODER_ID,
) -> Iterator[P3Record]:
    """The first `passings` passings of the schedule, with a STATUS every 4 s, in time order."""
    schedule = lap_schedule(
        transponders, lap_time_us, rtc_start_us=rtc_start_us, seed=seed, decoder_id=decoder_id
    )
    rng = random.Random(seed)
    next_status_us = rtc_start_us
    for _ in range(passings):
        passing = next(schedule)
        assert passing.rtc_time_us is not None  # the schedule always sets it
        while next_status_us <= passing.rtc_time_us:
            yield Status(
                noise=rng.randint(33, 58),
                temperature=22,
                input_voltage=118,
                gps=0,
                decoder_id=decoder_id,
            )
            next_status_us += STATUS_INTERVAL_US
        yield passing
