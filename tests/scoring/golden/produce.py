"""A golden session's files, as the code at hand produces them."""

import hashlib
from pathlib import Path

from tests.scoring.golden.sessions import SESSIONS
from velotime.capture import read_capture
from velotime.cli import main as velotime
from velotime.daemon.sources import description_from_builtins, photocell_lines
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import load_meet
from velotime.wire.events import decode_event

FILES = Path(__file__).parent / "files"


def produce(name: str, directory: Path) -> dict[str, bytes]:
    """Relative path -> bytes: the result files of an offline replay with `--results`, and the
    digest of the publications of an engine fed the replay's events one by one."""
    capture, meet = SESSIONS[name](directory)
    results, events = directory / "results", directory / "events.jsonl"
    status = velotime(
        ["replay", str(capture), "--meet", str(meet), "--offline", "--quiet",
         "--output", str(events), "--results", str(results)]
    )  # fmt: skip
    assert status == 0, name
    files = {
        path.relative_to(results).as_posix(): path.read_bytes()
        for path in sorted(results.rglob("*.*"))
    }
    files["publications.sha256"] = _publications(capture, meet, events)
    return files


def _publications(capture: Path, meet: Path, events: Path) -> bytes:
    """Every publication of an engine fed the events in order, as the live service makes them."""
    header = read_capture(capture).header
    sources = map(description_from_builtins, header.sources.values())
    engine = ScoringEngine(
        load_meet(meet), header.lines, header.track_length_m or 250, photocell_lines(sources)
    )
    digest = hashlib.sha256()
    count = 0
    with events.open("rb") as lines:
        for line in lines:
            for publication in engine.feed(decode_event(line)):  # as the live service does
                if publication.key.startswith("startlists/"):
                    continue  # new since the golden set (a heat's start list once drawn)
                digest.update(publication.key.encode() + b"\n" + publication.encoded() + b"\n")
                count += 1
    return f"{count} publications, sha256 {digest.hexdigest()}\n".encode()
