"""What a text board shows, from the scoreboard state: the event on the track (or the latest
result), its lines as strings, and when the race started. The terminal view and the UNT4 boards
render this; the web page does the same in the browser from the same snapshot."""

from typing import Any

import msgspec


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


def board_view(snapshot: dict[str, Any]) -> EventView | None:
    """The event on the track, else the latest result; None when there is neither."""
    current = snapshot.get("current") or {}
    event_id = current.get("event")
    on_track = event_id is not None
    if not on_track:
        event_id = snapshot.get("latest")
    if event_id is None:
        return None
    result: dict[str, Any] = snapshot.get("results", {}).get(event_id) or {}
    lines = [
        LineView(
            rank="" if line.get("rank") is None else str(line["rank"]),
            bib=line["bib"],
            name=line.get("name", ""),
            nation=line.get("nation", ""),
            time=line.get("time") or line.get("status", ""),
            gap=line.get("gap") or "",
            speed=line.get("speed_kmh") or "",
            flags=list(line.get("flags", [])),
        )
        for line in result.get("lines", [])
    ]
    note = ""
    if result.get("winner_last_200"):
        note = f"Last 200 m {result['winner_last_200']} ({result['winner_last_200_kmh']} km/h)"
    source = current if on_track else result
    return EventView(
        event=event_id,
        title=source.get("name") or event_id,
        discipline=source.get("discipline", ""),
        status=result.get("status", ""),
        on_track=on_track,
        start_us=current.get("start_us") if on_track else None,
        rider_on_track=current.get("on_track") if on_track else None,
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
