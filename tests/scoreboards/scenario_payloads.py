"""The payloads the scoring publishes for the scenarios of tests/scoring/scenarios/, replayed
from their device bytes: the real results and standings the sheets are made from. The sprint
tournament of sprint.py (every race's `results/<event>` and `standings/sprint-m`), and the
pursuit heats of pursuit.py, and the team sprint heat of team_sprint.py."""

from pathlib import Path

import msgspec

from tests.scoring.live import offline_files
from tests.scoring.scenarios import pursuit, sprint, team_sprint
from velotime.wire.results import EventResult, Standings


def _results(files: dict[str, bytes]) -> dict[str, EventResult]:
    return {
        key.removeprefix("results/"): msgspec.json.decode(data, type=EventResult)
        for key, data in files.items()
        if key.startswith("results/")
    }


def sprint_tournament(directory: Path) -> tuple[Standings, dict[str, EventResult]]:
    """The tournament's standings, and every result (the qualifying's and each race's) by
    event."""
    capture, meet = sprint.write_capture(directory), sprint.write_meet(directory)
    files = offline_files(capture, meet, directory / "results")
    standings = msgspec.json.decode(files[f"standings/{sprint.COMPETITION}"], type=Standings)
    return standings, _results(files)


def pursuit_heats(directory: Path) -> dict[str, EventResult]:
    """The individual pursuit's qualifying heat and final and the team pursuit's qualifying
    heat, by event ("ip-q", "ip-f", "tp-q")."""
    capture, meet = pursuit.write_capture(directory), pursuit.write_meet(directory)
    return _results(offline_files(capture, meet, directory / "results"))


def team_sprint_heat(directory: Path) -> EventResult:
    """The team sprint's first-round heat of team_sprint.py."""
    capture, meet = team_sprint.write_capture(directory), team_sprint.write_meet(directory)
    return _results(offline_files(capture, meet, directory / "results"))[team_sprint.EVENT]
