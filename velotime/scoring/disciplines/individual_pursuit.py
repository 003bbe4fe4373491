"""The individual pursuit heat's scorer (uci-rules.md §2.12): the event's `riders` are the
home side's rider and the back side's (one rider rides alone); the workings are the pursuit
heat's (velotime.scoring.disciplines.pursuit)."""

from velotime.scoring.disciplines.base import Venue
from velotime.scoring.disciplines.pursuit import Entrant, PursuitScorer
from velotime.scoring.meet import Meet, MeetEvent


class IndividualPursuitScorer(PursuitScorer):
    def __init__(self, event: MeetEvent, meet: Meet, venue: Venue) -> None:
        entrants = [
            Entrant(bib, rider.name, rider.nation, (bib,))
            for bib in event.riders
            for rider in [meet.rider(bib)]
        ]
        super().__init__(event, venue, meet, entrants, team=False)
