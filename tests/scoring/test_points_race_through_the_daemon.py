"""The points race of scenarios/points_race.py scored live through every real part
(tests/scoring/through_the_daemon.py): three P3 decoders (the finish, 200 m and 100 m loops) and
a FinishLynx camera over TCP -> the daemon (in this process, as `velotime run` runs it, on a
test clock) -> a real Mosquitto -> the scoring service (in this process), with the desk's and
the judges' commands typed into `velotime ctl` (its `main`, in this process) at their places in
the race. What the scoring leaves retained is the hand-worked result of the scenario, and byte
for byte what `velotime replay <the daemon's capture> --offline --results` writes.

Time. The race lasts 23 minutes; the test takes seconds. The daemon stamps what it receives with
its own clock, and a scorer reads those stamps: the desk's `start` starts the lap count when the
daemon received it, and the camera's block is matched with the sprint it judged by when it
arrived; a decoder's clock is learnt from the stamp of its answer to GET_TIME. So the daemon
reads a test clock, set to the capture's receive time of each chunk as it is sent: the daemon
sees the race as it happened, sent as fast as it takes it. Each chunk is sent once the daemon
has recorded the one before, so the three decoders' passings, the camera's blocks and the
commands reach it in the order they came in on the track.
"""

from pathlib import Path

import msgspec
import pytest

from tests.scoring.live import offline_files
from tests.scoring.scenarios import points_race as scenario
from tests.scoring.through_the_daemon import Venue, results_and_standings
from velotime.localvenue import LocalBroker
from velotime.wire.commands import Final, SprintDecision

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def test_the_points_race_through_the_daemon_leaves_the_offline_replay_retained(
    tmp_path: Path, broker: LocalBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture, meet = scenario.write_capture(tmp_path), scenario.write_meet(tmp_path)
    # The points race alone, up to its final: the tempo race comes after.
    (final_us,) = [t_us for t_us, command in scenario.COMMANDS
                   if isinstance(command, Final) and command.event == scenario.POINTS]  # fmt: skip
    directory = tmp_path / "live"
    async with Venue(capture, meet, directory, broker, monkeypatch, until_us=final_us) as venue:
        await venue.play()
    venue.check_recorded()
    live = venue.retained

    # The desk's words made the scenario's commands, published to the scoring in that order;
    # only the 9th sprint of an 8-sprint race was refused (exit status 1).
    typed = [command for command, _ in venue.desk]
    assert typed == [command for t_us, command in scenario.COMMANDS if t_us <= final_us]
    assert venue.published_commands == typed
    assert [command for command, status in venue.desk if status == 1] == [
        SprintDecision(event=scenario.POINTS, number=9)
    ]

    result = msgspec.json.decode(live[f"results/{scenario.POINTS}"])
    assert result["status"] == "final"
    assert [scenario.line_of(line) for line in result["lines"]] == scenario.EXPECTED
    assert result["sprints"] == scenario.EXPECTED_SPRINTS
    assert result["problems"] == scenario.EXPECTED_PROBLEMS

    assert venue.daemon_capture is not None
    offline = offline_files(venue.daemon_capture, meet, tmp_path / "offline")
    assert set(offline) == {f"results/{scenario.POINTS}"}
    assert results_and_standings(live) == offline
