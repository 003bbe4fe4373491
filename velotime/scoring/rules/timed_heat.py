"""What a heat of a pursuit or a team sprint gives the rounds built on it (uci-rules.md §2.11,
§2.12): each entrant's official time, its last lap for ties, and who won the match.

The heat scorers (individual pursuit, team pursuit, team sprint) each produce a
`TimedHeatResult`; the competitions that draw up the next rounds read only this, so they need
not know which of the three they run.
"""

import msgspec

from velotime.wire.results import Status


class TimedLine(msgspec.Struct, frozen=True, kw_only=True):
    """One entrant of a heat: a rider's bib (individual pursuit) or a team's number."""

    entrant: int
    side: int  # 0: started on the home straight (red), 1: on the back straight (green)
    # The official time over the whole distance, truncated to the thousandth; None without one
    # (not finished, caught in a race a catch ends, not started)
    time_us: int | None
    last_lap_us: int | None  # the last lap, official (3.2.061, 3.2.147: ties)
    status: Status  # RANKED, DNF, DNS, DSQ, REL (team sprint changeover, 3.2.153)
    caught: bool = False  # caught by the other (3.2.057, 3.2.081)
    won: bool = False  # a match heat (MeetEvent.match): the winner, by a catch or by time


class TimedHeatResult(msgspec.Struct, frozen=True, kw_only=True):
    """A heat's entrants in start-list order (home side first); empty before any timing."""

    lines: tuple[TimedLine, ...] = ()
