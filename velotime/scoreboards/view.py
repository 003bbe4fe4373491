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
    """The event on the track, else the latest result; None when there is neither. Payloads
    come from the broker: what is not of the expected type is left out (`clean_snapshot`)."""
    snapshot = clean_snapshot(snapshot)
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


_LINE_TEXT = ("name", "nation", "time", "gap", "speed_kmh", "status")
_RESULT_TEXT = ("name", "discipline", "status", "winner_last_200", "winner_last_200_kmh")
_CURRENT_TEXT = ("name", "discipline", "status")


def clean_snapshot(snapshot: Any) -> dict[str, Any]:
    """The parts of a snapshot a board reads, each of the type `board_view` expects; what is
    of another type is left out (a line without a bib, a name that is not text...)."""
    if not isinstance(snapshot, dict):
        return {}
    current = snapshot.get("current")
    clean_current: dict[str, Any] | None = None
    if isinstance(current, dict) and isinstance(current.get("event"), str):
        clean_current = {"event": current["event"]} | _texts(current, _CURRENT_TEXT)
        clean_current["start_us"] = _int_or_none(current.get("start_us"))
        clean_current["on_track"] = _int_or_none(current.get("on_track"))
    results = snapshot.get("results")
    clean_results = {}
    if isinstance(results, dict):
        for event, result in results.items():
            if isinstance(event, str) and isinstance(result, dict):
                clean_results[event] = _clean_result(result)
    latest = snapshot.get("latest")
    return {
        "current": clean_current,
        "results": clean_results,
        "latest": latest if isinstance(latest, str) and latest in clean_results else None,
    }


def _clean_result(result: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = _texts(result, _RESULT_TEXT)
    lines = result.get("lines")
    clean["lines"] = [
        _clean_line(line)
        for line in (lines if isinstance(lines, list) else [])
        if isinstance(line, dict) and _int_or_none(line.get("bib")) is not None
    ]
    if "winner_last_200" in clean:
        clean.setdefault("winner_last_200_kmh", "")
    return clean


def _clean_line(line: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = _texts(line, _LINE_TEXT)
    clean["bib"] = line["bib"]
    clean["rank"] = _int_or_none(line.get("rank"))
    flags = line.get("flags")
    clean["flags"] = [f for f in flags if isinstance(f, str)] if isinstance(flags, list) else []
    return clean


def _texts(payload: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    return {key: payload[key] for key in keys if isinstance(payload.get(key), str)}


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
