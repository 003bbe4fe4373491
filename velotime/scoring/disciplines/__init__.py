"""One scorer per discipline: what an event's timing and decisions make of it.

`DISCIPLINES` is the registry the engine makes each event's scorer from: a discipline of the
meet file that is not here is not scored yet.
"""

from collections.abc import Mapping

from velotime.scoring.disciplines.base import Discipline
from velotime.scoring.disciplines.elimination import EliminationScorer
from velotime.scoring.disciplines.flying200 import Flying200Scorer
from velotime.scoring.disciplines.individual_pursuit import IndividualPursuitScorer
from velotime.scoring.disciplines.keirin import KeirinScorer
from velotime.scoring.disciplines.madison import MadisonScorer
from velotime.scoring.disciplines.points_race import PointsRaceScorer
from velotime.scoring.disciplines.scratch import ScratchScorer
from velotime.scoring.disciplines.sprint import SprintScorer
from velotime.scoring.disciplines.team_pursuit import TeamPursuitScorer
from velotime.scoring.disciplines.team_sprint import TeamSprintScorer
from velotime.scoring.disciplines.tempo import TempoScorer
from velotime.scoring.disciplines.time_trial import TimeTrialScorer

DISCIPLINES: Mapping[str, Discipline] = {
    "flying200": Flying200Scorer,
    "time_trial": TimeTrialScorer,
    "keirin": KeirinScorer,
    "scratch": ScratchScorer,
    "madison": MadisonScorer,
    "points_race": PointsRaceScorer,
    "tempo": TempoScorer,
    "elimination": EliminationScorer,
    "sprint": SprintScorer,
    "individual_pursuit": IndividualPursuitScorer,
    "team_pursuit": TeamPursuitScorer,
    "team_sprint": TeamSprintScorer,
}
