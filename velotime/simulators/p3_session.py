"""A deterministic session of P3 records: riders lapping a track past one decoder loop."""

import heapq
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from velotime.protocols.p3 import P3Record, Passing, Status
from velotime.times import US_PER_SECOND

STATUS_INTERVAL_US = 4 * US_PER_SECOND  # the AMBrc capture shows one STATUS about every 4 s


@dataclass(frozen=True)
class Rider:
    transponder: int
    lap_time_us: int  # the rider's mean lap time


@dataclass(frozen=True)
class SessionPlan:
    riders: Sequence[Rider]
    laps: int
    start_us: int  # decoder clock at the start, microseconds since 1970
    decoder_id: int = 268307
    first_passing_number: int = 1
    lap_jitter_us: int = 300_000  # each lap differs from the mean by up to this much


def session_records(plan: SessionPlan, seed: int = 0) -> Iterator[P3Record]:
    """PASSING and STATUS records in time order, as one decoder would send them."""
    rng = random.Random(seed)
    crossings: list[tuple[int, int]] = []  # (time, transponder)
    for rider in plan.riders:
        time_us = plan.start_us + rng.randrange(0, US_PER_SECOND)  # a rolling start
        for _ in range(plan.laps + 1):
            crossings.append((time_us, rider.transponder))
            time_us += rider.lap_time_us + rng.randint(-plan.lap_jitter_us, plan.lap_jitter_us)
    crossings.sort()
    statuses = (
        (plan.start_us + n * STATUS_INTERVAL_US, -1)
        for n in range((crossings[-1][0] - plan.start_us) // STATUS_INTERVAL_US + 1)
    )
    number = plan.first_passing_number
    for time_us, transponder in heapq.merge(statuses, crossings):
        if transponder < 0:
            yield Status(
                noise=rng.randint(33, 58),
                temperature=22,
                input_voltage=118,
                gps=0,
                decoder_id=plan.decoder_id,
            )
            continue
        yield Passing(
            passing_number=number,
            transponder=transponder,
            rtc_time_us=time_us,
            strength=rng.randint(120, 200),
            hits=rng.randint(20, 60),
            flags=0,
            decoder_id=plan.decoder_id,
        )
        number += 1
