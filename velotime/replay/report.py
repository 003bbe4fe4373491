"""What a replay read, made and scored: for the summary an official reads, and for tests."""

from dataclasses import dataclass

from velotime.replay.replayer import ReplayStats
from velotime.replay.timeline import Timeline
from velotime.scoring.engine import Publication
from velotime.wire.results import RefusedAudit


@dataclass(frozen=True)
class ReplayReport:
    stats: ReplayStats
    timeline: Timeline  # the venue's clock, and where a range stopped
    dumps: bool  # the files were device dumps, not captures
    meet_id: str | None  # the meet it was scored with; None: not scored
    results: list[Publication]  # the scoring's final snapshot: results, standings, current
    skipped_commands: list[str]  # each command the scoring refused, and why, for a person
    taken_back: int = 0  # events not output: the next capture's header says they never were
    duplicates: int = 0  # events the scoring had already (same id), dropped
    skipped_timing: tuple[str, ...] = ()  # timing the scoring did not use, and why
    refused: tuple[RefusedAudit, ...] = ()  # the refused commands as data, in order
