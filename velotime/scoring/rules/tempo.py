"""The tempo race (uci-rules.md §2.9, UCI 3.2.259-3.2.264): a points race (3.2.260) with a
sprint on every lap after the first 4 and 1 point for the first rider in each, the last sprint
included and not doubled; +20 a lap gained, -20 a lap lost; ties to the better place in the
final sprint. The standings are the points race's (`points_race.standings`) with this scale,
so a sheet shows the same columns and the live table is the same call with the sprints so far.

In the omnium a rider who loses 2 laps of a tempo race is taken off and docked 40 omnium points
(3.2.251 bis): that is the omnium's rule (velotime.scoring.rules.omnium), not this race's.
"""

from collections.abc import Iterable, Mapping, Sequence

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.points_race import PointsScale, SprintSchedule, Standings, standings
from velotime.wire.results import Status

# 3.2.261: no sprint in the first 4 laps; the bell rings as lap 4 is completed.
LAPS_BEFORE_FIRST_SPRINT = 4

# 3.2.262: 1 point to the first over the line in each sprint, the last one too; 20 a lap.
TEMPO = PointsScale(intermediate=(1,), final=(1,), per_lap=20)


def tempo_schedule(laps: int) -> SprintSchedule:
    """A tempo race of `laps` laps (3.2.261): a sprint at the end of every lap from lap 5 to
    the last, which is the final sprint (40 laps: 36 sprints, laps 5 to 40). A race of 4 laps
    or fewer has none."""
    if laps < 1:
        raise ValueError(f"a tempo race needs laps from 1 on, not {laps}")
    return SprintSchedule(tuple(range(LAPS_BEFORE_FIRST_SPRINT + 1, laps + 1)))


def tempo_standings(
    riders: Sequence[int],
    sprints: Iterable[Sprint],
    lap_changes: Iterable[LapChange] = (),
    statuses: Mapping[int, Status] | None = None,
) -> Standings:
    """The tempo race table after `sprints` and `lap_changes` (3.2.262): 1 point for 1st in
    each sprint (riders tied for 1st both get it), 20 a lap, ranked by points, then by the
    better place in the final sprint; riders still level share the place. Each `Sprint` need
    only place its winner; the final sprint's full order, where judged, is what breaks ties.
    Everything else as `points_race.standings`."""
    return standings(riders, sprints, lap_changes, statuses, scale=TEMPO)
