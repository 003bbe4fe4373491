"""What a text board shows, from the scoreboard state: the event on the track (or the latest
result), its lines as strings, and when the race started. The terminal view and the UNT4 boards
render this; the web page does the same in the browser from the same snapshot."""

import msgspec

from velotime.scoreboards.state import Snapshot
from velotime.wire.results import OnTrackNow


class LineView(msgspec.Struct, frozen=True, kw_only=True):
    rank: str  # "1", "" when not ranked
    bib: int
    name: str
    nation: str
    time: str  # the official string, or the status (DNF, DSQ...), or ""
    gap: str
    speed: str
    flags: list[str]


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    title: str  # the event's name, else its id
    discipline: str
    status: str  # running, provisional, final ("" for an event with no result yet)
    on_track: bool  # armed now, rather than the latest result shown meanwhile
    start_us: int | None  # the clock runs from here (venue clock, unix microseconds)
    rider_on_track: int | None
    lines: list[LineView]
    note: str  # e.g. a keirin winner's last 200 m: "Last 200 m 9.397 (76.620 km/h)"


def board_view(snapshot: Snapshot) -> EventView | None:
    """The event on the track, else the latest result; None when there is neither."""
    current = snapshot.current if isinstance(snapshot.current, OnTrackNow) else None
    event_id = current.event if current is not None else snapshot.latest
    if event_id is None:
        return None
    result = snapshot.results.get(event_id)
    if current is None and result is None:
        return None
    lines = [
        LineView(
            rank="" if line.rank is None else str(line.rank),
            bib=line.bib,
            name=line.name,
            nation=line.nation,
            time=line.time or line.status.value,
            gap=line.gap or "",
            speed=line.speed_kmh or "",
            flags=[flag.value for flag in line.flags],
        )
        for line in (result.lines if result is not None else [])
    ]
    note = ""
    if result is not None and isinstance(result.winner_last_200, str) and result.winner_last_200:
        kmh = result.winner_last_200_kmh if isinstance(result.winner_last_200_kmh, str) else ""
        note = f"Last 200 m {result.winner_last_200} ({kmh} km/h)"
    source = current or result
    assert source is not None
    return EventView(
        event=event_id,
        title=source.name or event_id,
        discipline=source.discipline,
        status=result.status if result is not None else "",
        on_track=current is not None,
        start_us=current.start_us if current is not None else None,
        rider_on_track=current.on_track if current is not None else None,
        lines=lines,
        note=note,
    )


def running_time(start_us: int | None, now_us: int) -> str:
    """The clock a board shows: tenths while running ("12.3", "1:02.4"), "" before a start."""
    if start_us is None or now_us < start_us:
        return ""
    tenths = (now_us - start_us) // 100_000
    minutes, tenths = divmod(tenths, 600)
    seconds, tenth = divmod(tenths, 10)
    return f"{minutes}:{seconds:02d}.{tenth}" if minutes else f"{seconds}.{tenth}"
