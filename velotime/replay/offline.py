"""Replay without a broker: the events as JSON Lines, written as they come, and the results
files of the final scoring.

Memory stays flat in the size of the captures: nothing is held but the sessions' and the
scoring's state. Where the live daemon restarted between two captures, the next capture's
header says which events of the previous one it never published; that header is read before the
previous capture is replayed, so that those events are never written.
"""

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from velotime.replay.replayer import Chunk, DumpSource, Replayer, resumed_seqs
from velotime.replay.report import ReplayReport
from velotime.replay.sinks import JsonLinesSink
from velotime.replay.timeline import Timeline
from velotime.scoring.engine import Publication, command_text
from velotime.scoring.export import result_csv
from velotime.scoring.meet import Meet
from velotime.wire.results import EventResult, RefusedAudit

_json = msgspec.json.Encoder()

# (replayer, the chunk just fed, whether its events were output, (monotonic, t_us) of the first
# output when paced): a progress line's.
Progress = Callable[[Replayer, Chunk, bool, tuple[float, int] | None], None]


def run_offline(
    paths: Sequence[Path],
    output: BinaryIO | None,
    *,
    meet: Meet | None = None,
    results: Path | None = None,
    dump: DumpSource | None = None,
    timeline: Timeline | None = None,
    progress: Progress | None = None,
) -> ReplayReport:
    """Replay `paths` (captures, in order; device dumps with `dump`), writing each event's
    envelope as a line of `output` (None: not written). With `meet` the session is scored, and
    with `results` the final results go to files there (`write_results`). `timeline` limits the
    output to a range of the session. Raises OSError, CaptureFormatError and RangeError."""
    timeline = timeline or Timeline()
    sink = JsonLinesSink(output)
    replayer = Replayer(sink, meet)
    for index, path in enumerate(paths):
        chunks = replayer.file_chunks(path, dump)
        try:
            first = next(chunks, None)  # the header: errors in this file come first
            following = paths[index + 1] if dump is None and index + 1 < len(paths) else None
            sink.take_back_after(resumed_seqs(following) if following else {})
            for chunk in itertools.chain([first] if first else [], chunks):
                admitted = timeline.admit(replayer.stats, chunk.t_us)
                if admitted is None:
                    break
                replayer.feed(chunk, output=admitted)
                if progress is not None:
                    progress(replayer, chunk, admitted, None)
        finally:
            chunks.close()
        if timeline.stopped:
            break
    report = report_of(replayer, timeline, dump, sink.taken_back)
    if results is not None and replayer.engine is not None:
        write_results(report.results, results, report.refused)
    return report


def report_of(
    replayer: Replayer, timeline: Timeline, dump: DumpSource | None, taken_back: int = 0
) -> ReplayReport:
    """What `replayer` did, with the scoring's final snapshot, made once."""
    engine = replayer.engine
    return ReplayReport(
        stats=replayer.stats,
        timeline=timeline,
        dumps=dump is not None,
        meet_id=replayer.meet.meet.id if replayer.meet and engine else None,
        results=engine.snapshot() if engine is not None else [],
        skipped_commands=[
            f"{command_text(refusal.command)}: {refusal.reason}" for refusal in engine.refused
        ]
        if engine is not None
        else [],
        taken_back=taken_back,
        duplicates=engine.duplicates if engine is not None else 0,
        skipped_timing=tuple(engine.skipped_timing) if engine is not None else (),
        refused=tuple(engine.refused) if engine is not None else (),
    )


REFUSED_FILE = "refused-commands.jsonl"


def write_results(
    snapshot: Sequence[Publication], directory: Path, refused: Sequence[RefusedAudit] = ()
) -> None:
    """One file per event that was run, as the results topic carries it, and its CSV; one per
    competition's standings; and, if the scoring refused any command, REFUSED_FILE (one JSON
    line each, as an audit trail keeps them): the same capture and meet always give the same
    bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    if refused:
        lines = b"".join(_json.encode(refusal) + b"\n" for refusal in refused)
        (directory / REFUSED_FILE).write_bytes(lines)
    for publication in snapshot:
        kind, _, name = publication.key.partition("/")
        message = publication.message
        if kind == "results" and isinstance(message, EventResult):
            path = directory / f"{name}.json"
            path.with_suffix(".csv").write_bytes(result_csv(message.lines).encode("utf-8"))
        elif kind == "standings":
            path = directory / "standings" / f"{name}.json"
        else:
            continue  # "current" is what was on the track, not a result
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(publication.encoded() + b"\n")
