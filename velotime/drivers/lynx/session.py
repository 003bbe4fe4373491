"""What to make of the photo-finish camera's stream (FinishLynx running velotime.lss).

A race goes: armed, running (the first running time fixes the start), results header, one
result per competitor, results complete. FinishLynx sends the results again whenever an
operator edits them: a repeated, unchanged result keeps its event id (consumers drop it as a
duplicate), while a corrected one gets a new id and wins by arriving later.

Times of day are local time at the venue. Where the camera does not say when the race started,
the start is the receive time of the first running time minus that running time.
"""

from dataclasses import dataclass
from datetime import tzinfo

import msgspec

from velotime.drivers.session import SessionCounters, SessionOutput
from velotime.protocols.lynx import (
    Armed,
    LynxError,
    LynxStream,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    TimeOfDay,
)
from velotime.times import US_PER_DAY, local_time_of_day, local_time_of_day_to_unix_us
from velotime.wire.events import Event, PhotoFinishData


class LynxSessionState(msgspec.Struct, kw_only=True):
    """Nothing needs carrying across a restart: FinishLynx sends the results again."""


@dataclass
class _Race:
    event: str | None = None
    round: str | None = None
    heat: str | None = None
    event_name: str | None = None
    wind: str | None = None
    start_time_of_day_us: int | None = None
    start_us: int | None = None  # on the venue clock
    results: int = 0

    @property
    def key(self) -> str:
        return race_key(self.event, self.round, self.heat)


def race_key(event: object, round: object, heat: object) -> str:
    """One spelling per race: "017", "17" and 17 are the same event number."""
    return "-".join(_canonical(part) for part in (event, round, heat))


def _canonical(part: object) -> str:
    text = "" if part is None else str(part).strip()
    return str(int(text)) if text.isdigit() else text


def result_id(
    race: str, bib: str | None, place: int | None, status: str | None, time_us: int | None
) -> str:
    """The same result (same competitor, place and time) has the same id, from the live stream
    or from the result file; a corrected result has another."""
    return f"pf:{race}:result:{bib or ''}:{place if place is not None else status or ''}:{time_us}"


class LynxSession:
    def __init__(self, source: str, zone: tzinfo) -> None:
        self.source = source
        self.zone = zone
        self._stream = LynxStream()
        self._race = _Race()

    def state(self) -> LynxSessionState:
        return LynxSessionState()

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        # Nothing dropped, nothing missing: a repeated result keeps its id for consumers to drop.
        return SessionCounters()

    def connected(self, t_us: int) -> SessionOutput:
        """A (re)connected camera: what was cut off is reported, the race goes on."""
        out = SessionOutput()
        out.errors += [e for e in self._stream.close() if isinstance(e, LynxError)]
        return out

    def feed(self, t_us: int, data: bytes) -> SessionOutput:
        out = SessionOutput()
        for item in self._stream.feed(data):
            if isinstance(item, LynxError):
                out.errors.append(item)
            elif isinstance(item, Armed):
                self._race = _Race(
                    event=item.event,
                    round=_text(item.round),
                    heat=_text(item.heat),
                    event_name=item.event_name,
                )
                self._emit(out, f"pf:{self._race.key}:armed:{t_us}", t_us, phase="armed")
            elif isinstance(item, RunningTime):
                self._clock(t_us, item.start_time_of_day_us, item.time_us, out)
                self._running(t_us, item, out)
            elif isinstance(item, TimeOfDay):
                self._clock(t_us, item.time_us, 0, out)
            elif isinstance(item, ResultsHeader):
                self._header(item)
            elif isinstance(item, Result):
                self._result(t_us, item, out)
            elif isinstance(item, ResultsComplete):
                race = self._race
                what = f"pf:{race.key}:complete:{race.results}:{t_us}"
                self._emit(out, what, t_us, phase="complete", results=race.results)
        return out

    def _clock(
        self, t_us: int, time_of_day_us: int | None, after_us: int | None, out: SessionOutput
    ) -> None:
        """The camera's "now" (its clock's time of day, or a start plus the running time since)
        against when it was received: how far off its clock is (velotime.drivers.clock)."""
        if time_of_day_us is not None and after_us is not None:
            now_of_day = (time_of_day_us + after_us) % US_PER_DAY
            out.clock_offsets.append(
                local_time_of_day_to_unix_us(now_of_day, t_us, self.zone) - t_us
            )

    def _running(self, t_us: int, item: RunningTime, out: SessionOutput) -> None:
        race = self._race
        if race.start_us is not None:
            return
        start_tod = item.start_time_of_day_us
        if start_tod is None:
            if item.time_us is None:
                return  # a blank running time (e.g. the clock shown before the start)
            start_tod = local_time_of_day(t_us, self.zone) - item.time_us
        race.start_time_of_day_us = start_tod
        race.start_us = local_time_of_day_to_unix_us(start_tod, t_us, self.zone)
        what = f"pf:{race.key}:started:{race.start_us}"
        self._emit(out, what, t_us, phase="started", t_us=race.start_us)

    def _header(self, item: ResultsHeader) -> None:
        race = self._race
        key = race_key(item.event, item.round, item.heat)
        if (item.event, item.round, item.heat) != (None, None, None) and key != race.key:
            # Results of another race than the one armed (an operator recalling an old heat).
            race = self._race = _Race(
                event=item.event, round=_text(item.round), heat=_text(item.heat)
            )
        race.event_name = item.event_name or race.event_name
        race.wind = item.wind or race.wind
        if item.start_time_of_day_us is not None and race.start_time_of_day_us is None:
            race.start_time_of_day_us = item.start_time_of_day_us
        race.results = 0

    def _result(self, t_us: int, item: Result, out: SessionOutput) -> None:
        race = self._race
        race.results += 1
        finish_us = None
        if race.start_us is not None and item.time_us is not None:
            finish_us = race.start_us + item.time_us
        self._emit(
            out,
            result_id(race.key, item.id, item.place, item.status, item.time_us),
            t_us,
            phase="result",
            t_us=finish_us,
            place=item.place,
            status=item.status,
            bib=item.id,
            lane=item.lane,
            competitor=item.name,
            affiliation=item.affiliation,
            time_us=item.time_us,
            time_digits=item.time_digits,
        )

    def _emit(self, out: SessionOutput, id: str, received_us: int, **data: object) -> None:
        race = self._race
        out.events.append(
            Event(
                id=id,
                src=self.source,
                kind="photofinish",
                data=msgspec.structs.replace(
                    PhotoFinishData(
                        phase="",
                        event=race.event,
                        round=race.round,
                        heat=race.heat,
                        event_name=race.event_name,
                        start_time_of_day_us=race.start_time_of_day_us,
                        wind=race.wind,
                        received_us=received_us,
                    ),
                    **data,
                ),
            )
        )


def _text(value: int | str | None) -> str | None:
    return None if value is None else str(value)
