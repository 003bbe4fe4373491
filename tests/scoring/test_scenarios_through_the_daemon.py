"""The sprint tournament, the pursuit heats and the team sprint of tests/scoring/scenarios,
scored live through every real part (tests/scoring/through_the_daemon.py): their P3 decoders
over TCP, their ALGE Timy over a pseudo-terminal, their FinishLynx camera over TCP and the
desk's commands typed into `velotime ctl` -> the daemon, on a test clock -> a real Mosquitto ->
the scoring service. What the scoring leaves retained is each scenario's result worked out by
hand (in its module), and byte for byte what `velotime replay <the daemon's capture> --offline
--results` writes."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scoring import test_scenario_pursuit as pursuit_by_hand
from tests.scoring.live import offline_files
from tests.scoring.scenarios import pursuit, sprint, team_sprint
from tests.scoring.scenarios.devices import heat_order
from tests.scoring.through_the_daemon import Venue, results_and_standings
from velotime.localvenue import LocalBroker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def played(
    capture: Path, meet: Path, tmp_path: Path, broker: LocalBroker, mp: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The scenario played through the daemon; its retained results and standings, decoded.
    Checked here for every scenario: the daemon recorded each device's bytes as the scenario's
    capture has them, the desk's commands were the scenario's and all accepted, and offline
    replay of the daemon's capture writes the retained results and standings byte for byte."""
    async with Venue(capture, meet, tmp_path / "live", broker, mp) as venue:
        await venue.play()
    venue.check_recorded()
    assert [status for _, status in venue.desk] == [0] * len(venue.desk)  # none refused
    assert venue.published_commands == [command for command, _ in venue.desk]

    live = results_and_standings(venue.retained)
    assert venue.daemon_capture is not None
    assert live == offline_files(venue.daemon_capture, meet, tmp_path / "offline")
    return {key: json.loads(payload) for key, payload in live.items()}


async def test_the_sprint_tournament_through_the_daemon(
    tmp_path: Path, broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The qualifying, the 17 races ridden and the standings, as sprint.py works them out."""
    capture, meet = sprint.write_capture(tmp_path), sprint.write_meet(tmp_path)
    results = await played(capture, meet, tmp_path, broker, monkeypatch)

    qualifying = results[f"results/{sprint.QUALIFYING}"]
    assert [(line["rank"], line["bib"], line["time"]) for line in qualifying["lines"]] == (
        sprint.EXPECTED_QUALIFYING
    )
    races = {key.removeprefix("results/") for key in results if sprint.COMPETITION in key}
    assert races - {f"standings/{sprint.COMPETITION}"} == set(sprint.EXPECTED_RACES)
    for event, (lines, last_200) in sprint.EXPECTED_RACES.items():
        result = results[f"results/{event}"]
        assert result["status"] == "final", event
        assert heat_order(result) == lines, event
        assert result["winner_last_200"] == last_200, event
    for event, kmh in sprint.EXPECTED_KMH.items():
        assert results[f"results/{event}"]["winner_last_200_kmh"] == kmh

    standings = results[f"standings/{sprint.COMPETITION}"]
    assert standings["status"] == "final"
    assert standings["problems"] == []
    rounds = {
        r["name"]: [
            (heat["riders"], heat["order"], heat["wins"], [race["event"] for race in heat["races"]])
            for heat in r["heats"]
        ]
        for r in standings["rounds"]
    }
    assert rounds == sprint.EXPECTED_ROUNDS
    assert [(line["rank"], line["bib"]) for line in standings["classification"]] == (
        sprint.EXPECTED_CLASSIFICATION
    )
    # The re-ride: the first attempt's two crossings thrown away, and said so.
    (abandon,) = [e for e in results[f"results/{sprint.BRONZE[0]}"]["audit"]
                  if e["type"] == "abandon"]  # fmt: skip
    assert (abandon["reason"], abandon["discarded"]) == ("fall in lap 1", 2)


async def test_the_pursuit_heats_through_the_daemon(
    tmp_path: Path, broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The individual pursuit qualifying (a catch ridden on), the final (a false start, a catch
    that ends it) and the team pursuit (a rider dropped): the checks of
    test_scenario_pursuit.py, where the figures are worked out by hand, on the live results."""
    capture, meet = pursuit.write_capture(tmp_path), pursuit.write_meet(tmp_path)
    results = await played(capture, meet, tmp_path, broker, monkeypatch)
    by_event = {
        event: results[f"results/{event}"]
        for event in (pursuit.QUALIFYING, pursuit.FINAL, pursuit.TEAMS_EVENT)
    }
    pursuit_by_hand.test_qualifying_both_ride_the_distance_the_caught_one_too(by_event)
    pursuit_by_hand.test_the_final_after_a_false_start_ends_at_the_catch(by_event)
    pursuit_by_hand.test_the_team_pursuit_is_timed_on_the_third_rider_after_a_rider_dropped(
        by_event
    )
    assert all(result["status"] == "final" for result in by_event.values())


async def test_the_team_sprint_through_the_daemon(
    tmp_path: Path, broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The team sprint heat with its lap splits, as team_sprint.py works them out: two missed
    reads and a missed beam, said in the problems."""
    capture, meet = team_sprint.write_capture(tmp_path), team_sprint.write_meet(tmp_path)
    results = await played(capture, meet, tmp_path, broker, monkeypatch)
    result = results[f"results/{team_sprint.EVENT}"]
    assert result["status"] == "final"
    assert result["lines"] == team_sprint.EXPECTED
    assert result["team_sprint"] == team_sprint.EXPECTED_BOARD
    assert result["problems"] == team_sprint.EXPECTED_PROBLEMS
