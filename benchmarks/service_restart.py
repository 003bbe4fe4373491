"""The scoring service restarting from its journal: `velotime score --config ... --meet ...` with
a 100,000-event journal already in `<storage>/scoring/<venue>/<meet id>.journal.jsonl`, against
a real Mosquitto on a free port.

Measured: from the start of the process to the moment a subscriber (subscribed before the start)
has the retained result of every event of the meet as final, i.e. the service's snapshot is on
the broker; and the process's peak RSS (VmHWM) by then. Median of `--runs` runs, each with a
fresh broker (no retained results left from the run before). A run that outlives `--timeout`
is stopped and reported as "> T s". Target (issue 11): under 5 s.

The journal is what the daemon's events were: the envelopes `velotime replay --offline` prints
for a generated session (benchmarks.captures), written by the same tree's code, under a header
naming the meet file's content, as the service writes it.

    python -m benchmarks.service_restart [--tree DIR]... [--events 100000] [--shapes many,one]
"""

import argparse
import asyncio
import hashlib
import json
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import aiomqtt

from benchmarks.captures import Session, generate
from benchmarks.process import (
    add_tree_option,
    chosen_trees,
    peak_rss_mb,
    pycache,
    run_measured,
    tree_env,
    velotime_args,
)
from velotime.localvenue import LocalMosquitto, source_toml, write_local_config

VENUE = "bench"
TIMY_CHANNELS = {"C4": {"line": "200m"}, "C1": {"line": "finish"}}  # as benchmarks.captures


def write_journal(tree: Path, session: Session, state: Path, work: Path, cache: str) -> Path:
    """The journal of a service that has scored every event of `session` (and `tree`'s
    bytecode caches in `cache`, warm for the restarts)."""
    events = work / "events.jsonl"
    replay: list[str | Path] = [
        "replay",
        session.capture,
        "--offline",
        "--output",
        events,
        "--quiet",
    ]
    done = run_measured(tree, replay, work, 600, cache)
    assert done is not None
    meet_id = "bench"  # benchmarks.captures names every meet so
    header = {
        "journal": "velotime-scoring-journal",
        "version": 1,
        "venue": VENUE,
        "meet": meet_id,
        "meet_sha256": hashlib.sha256(session.meet.read_bytes()).hexdigest(),
        "at_us": 0,
    }
    journal = state / "scoring" / VENUE / f"{meet_id}.journal.jsonl"
    journal.parent.mkdir(parents=True, exist_ok=True)
    with journal.open("wb") as out, events.open("rb") as lines:
        out.write(json.dumps(header).encode() + b"\n")
        while block := lines.read(1 << 20):
            out.write(block)
    events.unlink()
    return journal


async def restart_once(
    tree: Path, work: Path, session: Session, broker_dir: Path, timeout_s: float, cache: str
) -> tuple[float, float] | None:
    """(seconds to the whole snapshot on the broker, peak RSS MB), or None after `timeout_s`.
    The service's state (its journal) is under `work`/state."""
    broker = LocalMosquitto(broker_dir)
    timy = source_toml("timy", "timy", "serial:///dev/null", channels=TIMY_CHANNELS)
    config = write_local_config(work, VENUE, broker.url, timy)
    broker.start()
    final: set[str] = set()
    wanted = set(session.event_ids)
    try:
        async with aiomqtt.Client("127.0.0.1", broker.port) as client:
            await client.subscribe(f"velotime/{VENUE}/results/#", qos=1)
            started = time.perf_counter()
            with (broker_dir / "score.log").open("wb") as log:  # the child keeps its own copy
                process = subprocess.Popen(
                    velotime_args("score", "--config", config, "--meet", session.meet),
                    cwd=broker_dir,
                    env=tree_env(tree, cache),
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            try:
                async with asyncio.timeout(timeout_s):
                    async for message in client.messages:
                        payload = message.payload
                        assert isinstance(payload, bytes)
                        result = json.loads(payload)
                        if result["status"] == "final":
                            final.add(result["event"])
                        if final >= wanted:
                            break
                return time.perf_counter() - started, peak_rss_mb(process.pid) or float("nan")
            except TimeoutError:
                return None
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    finally:
        broker.stop()


async def run(args: argparse.Namespace) -> None:
    print(
        f"scoring service restart from a journal, process start -> every result retained on "
        f"the broker, median of {args.runs} runs, the trees in turn (timeout {args.timeout:.0f} s):"
    )
    with tempfile.TemporaryDirectory(prefix="velotime-bench-restart-") as tmp, pycache() as cache:
        root = Path(tmp)
        for shape in args.shapes.split(","):
            session = generate(root / "captures", shape, args.events)
            works = {
                tree: root / f"{index}-{tree.name}-{shape}"
                for index, tree in enumerate(chosen_trees(args))
            }
            for tree, work in works.items():
                work.mkdir(parents=True)
                write_journal(tree, session, work / "state", work, cache)
            times: dict[Path, list[float]] = {tree: [] for tree in works}
            peaks: dict[Path, list[float]] = {tree: [] for tree in works}
            stopped: set[Path] = set()
            for run in range(args.runs):
                for tree, work in works.items():
                    if tree in stopped:
                        continue
                    broker_dir = work / f"broker-{run}"
                    done = await restart_once(tree, work, session, broker_dir, args.timeout, cache)
                    if done is None:
                        stopped.add(tree)
                        continue
                    times[tree].append(done[0])
                    peaks[tree].append(done[1])
            journaled = session.events + session.commands
            for tree in works:
                label = f"  {tree.name:>12}  {shape:4}  journal of {journaled} events"
                if tree in stopped:
                    print(f"{label}  > {args.timeout:.0f} s (stopped)", flush=True)
                else:
                    print(
                        f"{label}  {statistics.median(times[tree]):6.2f} s to the snapshot on the "
                        f"broker ({len(session.event_ids)} results)  "
                        f"peak {statistics.median(peaks[tree]):.1f} MB",
                        flush=True,
                    )
            session.capture.unlink()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tree_option(parser)
    parser.add_argument("--events", type=int, default=100_000, help="timing events")
    parser.add_argument("--shapes", default="many,one", help="benchmarks.captures shapes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    return parser


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parser().parse_args(argv)))


if __name__ == "__main__":
    main()
