"""Replay to a broker: the events published under a venue id of their own, never the live one,
as fast as the broker takes them or paced by their receive times."""

import asyncio
import itertools
import time
from collections.abc import Generator, Sequence
from pathlib import Path

from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.replay.offline import Progress, report_of
from velotime.replay.replayer import Chunk, DumpSource, Replayer
from velotime.replay.report import ReplayReport
from velotime.replay.sinks import OutboxSink
from velotime.replay.timeline import Timeline
from velotime.scoring.meet import Meet
from velotime.wire.status import REPLAY_ONLINE
from velotime.wire.topics import Topics


async def run_online(
    paths: Sequence[Path],
    broker: BrokerSettings,
    prefix: str,
    *,
    venue: str | None = None,
    meet: Meet | None = None,
    dump: DumpSource | None = None,
    timeline: Timeline | None = None,
    speed: float | None = None,
    progress: Progress | None = None,
) -> ReplayReport:
    """Publish the events of `paths` under `<prefix>/<venue>` (default: the capture's venue
    with "-replay"), paced at `speed` times real time (None: as fast as possible), and
    return once the broker has them all. Raises OSError, CaptureFormatError, RangeError and
    the publisher's errors."""
    timeline = timeline or Timeline()
    outbox = Outbox(":memory:")
    sink = OutboxSink(outbox, Topics(prefix, venue or "replay"))
    replayer = Replayer(sink, meet)
    chunks = _chunks(replayer, paths, dump)
    first = next(chunks, None)  # reads the first header, which names the venue
    if first is not None:
        timeline.admit(replayer.stats, first.t_us)  # a range that is none fails here
    if not venue:
        sink.topics = Topics(prefix, f"{replayer.venue}-replay")
    publisher = Publisher(broker, outbox, sink.topics.daemon_status, lambda: REPLAY_ONLINE)
    stop = asyncio.Event()
    async with asyncio.TaskGroup() as group:
        task = group.create_task(publisher.run(stop))
        paced: tuple[float, int] | None = None  # (monotonic, t_us) of the first output
        try:
            for chunk in itertools.chain([first] if first else [], chunks):
                admitted = timeline.admit(replayer.stats, chunk.t_us)
                if admitted is None:
                    break
                if admitted and speed:  # what comes before --from is not waited for
                    if paced is None:
                        paced = (time.monotonic(), chunk.t_us)
                    due = paced[0] + (chunk.t_us - paced[1]) / 1e6 / speed
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                else:
                    await asyncio.sleep(0)  # let the publisher drain as we go
                replayer.feed(chunk, output=admitted)
                if progress is not None:
                    progress(replayer, chunk, admitted, paced)
        finally:
            chunks.close()
        while len(outbox) and not task.done():
            await asyncio.sleep(0.05)
        stop.set()
    return report_of(replayer, timeline, dump)


def _chunks(
    replayer: Replayer, paths: Sequence[Path], dump: DumpSource | None
) -> Generator[Chunk, None, None]:
    for path in paths:
        yield from replayer.file_chunks(path, dump)
