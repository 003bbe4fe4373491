"""Timing events and commands as the engine takes them: the wire's typed `Event`s, as the
daemon's stream carries them once decoded (velotime.wire.events). Each has an id made of what
it is, so the same passing given twice is the one event, and two different ones are not."""

from typing import Any

import msgspec

from velotime.scoring.engine import Publication
from velotime.wire.commands import Command
from velotime.wire.events import CommandData, Event, ImpulseData, PassingData, PhotoFinishData


def passing_data(line: str, t_us: int, transponder: int) -> PassingData:
    """A transponder crossing `line` at `t_us` on the venue clock (a decoder with no offset)."""
    return PassingData(
        t_us=t_us,
        line=line,
        transponder=transponder,
        rtc_time_us=t_us,
        clock_offset_us=0,
        received_us=t_us,
        record={},
    )


def passing(line: str, t_us: int, transponder: int, *, event_id: str | None = None) -> Event:
    """The event of that crossing (`passing_data`)."""
    return Event(
        id=event_id or f"p3:{line}:{transponder}:{t_us}",
        src=f"p3-{line}",
        kind="passing",
        data=passing_data(line, t_us, transponder),
    )


def impulse(line: str, t_us: int, *, channel: str = "C0", event_id: str | None = None) -> Event:
    """A photocell (or the start gate, `line` "start") through an impulse timer at `t_us`."""
    data = ImpulseData(
        t_us=t_us, line=line, channel=channel, time_of_day_us=t_us, received_us=t_us, record={}
    )
    return Event(id=event_id or f"timy:{line}:{t_us}", src="timy", kind="impulse", data=data)


def photo_finish(phase: str, t_us: int, *, event_id: str | None = None) -> Event:
    """The photo-finish camera's word on `phase` ("started": the start) at `t_us`."""
    data = PhotoFinishData(phase=phase, t_us=t_us)
    return Event(id=event_id or f"lynx:{phase}:{t_us}", src="lynx", kind="photofinish", data=data)


def command(command: Command, received_us: int, *, event_id: str | None = None) -> Event:
    """An operator command as the daemon sequences it among the timing events."""
    return Event(
        id=event_id or f"control:{received_us}",
        src="control",
        kind="command",
        data=CommandData(command=command, received_us=received_us),
    )


def payload(publication: Publication) -> dict[str, Any]:
    """A publication's message as JSON types (what a consumer of the topic decodes)."""
    message: dict[str, Any] = msgspec.to_builtins(publication.message)
    return message
