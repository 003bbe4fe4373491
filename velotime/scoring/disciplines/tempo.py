"""The tempo race's scorer (uci-rules.md §2.9): the points race's (`SprintRaceScorer`, whose
docstring says how the sprints are judged and confirmed) with a sprint at the end of every lap
from lap 5 to the last (`tempo_schedule`, 3.2.261), the first rider's point in each (3.2.262),
20 points a lap gained or lost."""

from velotime.scoring.disciplines.base import Venue
from velotime.scoring.disciplines.points_race import SprintRaceScorer
from velotime.scoring.meet import Meet, MeetEvent
from velotime.scoring.rules.sprints import TEMPO_SPRINT
from velotime.scoring.rules.tempo import TEMPO, tempo_schedule


class TempoScorer(SprintRaceScorer):
    judged = TEMPO_SPRINT
    scale = TEMPO

    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        assert event.laps is not None  # the meet check requires it
        super().__init__(event, meet, venue, tempo_schedule(event.laps))
