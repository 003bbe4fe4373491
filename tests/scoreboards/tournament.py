"""The sprint tournament of tests/scoring/scenarios/sprint.py as the scoring publishes it (every
race's `results/<event>` and `standings/sprint-m`), replayed from its device bytes: the real
payloads the sheets are made from."""

from pathlib import Path

import msgspec

from tests.scoring.live import offline_files
from tests.scoring.scenarios import sprint
from velotime.wire.results import EventResult, Standings


def sprint_tournament(directory: Path) -> tuple[Standings, dict[str, EventResult]]:
    """The tournament's standings, and every result (the qualifying's and each race's) by
    event."""
    capture, meet = sprint.write_capture(directory), sprint.write_meet(directory)
    files = offline_files(capture, meet, directory / "results")
    standings = msgspec.json.decode(files[f"standings/{sprint.COMPETITION}"], type=Standings)
    results = {
        key.removeprefix("results/"): msgspec.json.decode(data, type=EventResult)
        for key, data in files.items()
        if key.startswith("results/")
    }
    return standings, results
