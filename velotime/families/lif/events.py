"""FinishLynx result files (LIF) as the same photo-finish events as the camera's live stream.

A file is one block of the race's results (velotime.drivers.lynx.session): its results have
ids of that version of the file (when it was written), so a file written again after an edit
is the camera's latest word, all of it, and the same version read twice is a repeat.
`velotime import-lif`, the daemon (`families/lif/session.py`) and replay read them.
"""

from datetime import tzinfo

import msgspec

from velotime.drivers.lynx.session import race_key, result_id
from velotime.families.family import FileRead
from velotime.protocols.lif import LifHeat, parse_lif
from velotime.times import local_time_of_day_to_unix_us
from velotime.wire.events import Event, PhotoFinishData


def heat_events(heat: LifHeat, source: str, zone: tzinfo, written_us: int) -> list[Event]:
    """The heat's start, its results in file order, and completion. `written_us` (when the
    file was written) dates the start time of day and names this version of the file."""
    race = race_key(heat.event, heat.round, heat.heat)
    start_us = None
    if heat.start_time_of_day_us is not None:
        start_us = local_time_of_day_to_unix_us(heat.start_time_of_day_us, written_us, zone)

    race_data = PhotoFinishData(
        phase="",
        event=heat.event,
        round=heat.round,
        heat=heat.heat,
        event_name=heat.event_name or None,
        start_time_of_day_us=heat.start_time_of_day_us,
        wind=heat.wind,
        distance_m=heat.distance_m,
    )

    def event(id: str, **data: object) -> Event:
        return Event(
            id=id,
            src=source,
            kind="photofinish",
            data=msgspec.structs.replace(race_data, **data),
        )

    events = []
    if start_us is not None:
        events.append(event(f"pf:{race}:started:{start_us}", phase="started", t_us=start_us))
    for row in heat.results:
        status = row.status.value if row.status else None
        events.append(
            event(
                result_id(race, written_us, row.id or None, row.place, status, row.time_us),
                phase="result",
                t_us=None if start_us is None or row.time_us is None else start_us + row.time_us,
                place=row.place,
                status=status,
                bib=row.id or None,
                lane=row.lane,
                competitor=" ".join(n for n in (row.first_name, row.last_name) if n) or None,
                affiliation=row.affiliation or None,
                time_us=row.time_us,
                time_digits=row.time_digits,
                splits_us=[split.cumulative_us for split in row.splits],
            )
        )
    count = len(heat.results)
    events.append(
        event(f"pf:{race}:complete:{count}:{written_us}", phase="complete", results=count)
    )
    return events


def read_file(data: bytes, name: str, source: str, zone: tzinfo, written_us: int) -> FileRead:
    """A result file read whole: its heat's events (none if its header is unusable) and its
    warnings."""
    parsed = parse_lif(data, name)
    events = [] if parsed.heat is None else heat_events(parsed.heat, source, zone, written_us)
    return FileRead(events=events, warnings=tuple(w.format(name) for w in parsed.warnings))
