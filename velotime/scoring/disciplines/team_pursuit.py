"""The team pursuit heat's scorer (uci-rules.md §2.12): the event's `teams` are the home side's
team and the back side's (one team rides alone), four riders each, timed on the third rider's
front wheel from the riders' transponders; the workings are the pursuit heat's
(velotime.scoring.disciplines.pursuit)."""

from velotime.scoring.disciplines.base import Venue
from velotime.scoring.disciplines.pursuit import Entrant, PursuitScorer
from velotime.scoring.meet import Meet, MeetEvent


class TeamPursuitScorer(PursuitScorer):
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        entrants = [Entrant(t.number, t.name, t.nation, t.riders) for t in event.teams]
        super().__init__(event, venue, meet, entrants, team=True)
