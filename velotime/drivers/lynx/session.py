"""What to make of the photo-finish camera's stream (FinishLynx running velotime.lss).

A race goes: armed, running (the first running time fixes the start), results header, one
result per competitor, results complete. FinishLynx sends the whole block again whenever an
operator edits it, and the latest complete block is the camera's word. Each block's results
have ids of their own (the block is named by when its header came), so a resend is never taken
for a repeat of the block before it: its unchanged lines count as much as its corrected ones.
The lines of an earlier block that a resend changes or leaves out are counted (`superseded`)
and told in a notice.

Times of day are local time at the venue. Where the camera does not say when the race started,
the start is the receive time of the first running time minus that running time. Where no
running time came at all (velotime connected after the gun), the results header's start time
of day gives the start, so the finishes keep their times.
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
    block_us: int | None = None  # when the block of results being received began

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
    race: str,
    block_us: int,
    bib: str | None,
    place: int | None,
    status: str | None,
    time_us: int | None,
) -> str:
    """A result of one block of the race (`block_us`: when the live stream's block began, or when
    the result file was written): delivered again, it keeps its id (a repeat); in a later block,
    even unchanged, it has another, as the later block is the camera's latest word."""
    standing = place if place is not None else status or ""
    return f"pf:{race}:block:{block_us}:result:{bib or ''}:{standing}:{time_us}"


Line = tuple[int | None, str | None, int | None]  # a result line's place, status and time


class Blocks:
    """The latest complete block of results of each race, to tell what a later block of the same
    race supersedes: the lines it changes or leaves out."""

    def __init__(self) -> None:
        self._latest: dict[str, dict[str, Line]] = {}  # race -> who (bib, or row) -> line
        self.superseded = 0  # lines of earlier blocks that a later block changed or left out

    def complete(self, race: str, lines: dict[str, Line]) -> str | None:
        """A block of `race` complete: a notice of what it supersedes, if anything. An empty
        block supersedes nothing (a consumer keeps the block before it, as scoring does)."""
        if not lines:
            return None
        earlier = self._latest.get(race)
        self._latest[race] = lines
        if earlier is None:
            return None
        changed = [
            f"{who} {_line_text(line)} -> {_line_text(lines[who]) if who in lines else 'left out'}"
            for who, line in earlier.items()
            if lines.get(who) != line
        ]
        if not changed:
            return None
        self.superseded += len(changed)
        return (
            f"race {race}: a new block of {len(lines)} results supersedes {len(changed)} lines "
            f"of the earlier one ({'; '.join(changed)})"
        )


def block_line_key(bib: str | None, row: int) -> str:
    """Who a line of a block is about: its bib, or for a line without one its row."""
    return f"bib {bib}" if bib else f"row {row}"


def _line_text(line: Line) -> str:
    place, status, time_us = line
    standing = str(place) if place is not None else status or "unplaced"
    return standing if time_us is None else f"{standing} in {time_us} us"


class LynxSession:
    def __init__(self, source: str, zone: tzinfo) -> None:
        self.source = source
        self.zone = zone
        self._stream = LynxStream()
        self._race = _Race()
        self._blocks = Blocks()
        self._block: dict[str, Line] = {}  # the lines of the block being received

    def state(self) -> LynxSessionState:
        return LynxSessionState()

    def poll_command(self) -> bytes | None:
        return None

    def counters(self) -> SessionCounters:
        # Nothing dropped, nothing missing: a resend's block supersedes the earlier one, counted.
        return SessionCounters(superseded=self._blocks.superseded)

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
                self._header(t_us, item, out)
            elif isinstance(item, Result):
                self._result(t_us, item, out)
            elif isinstance(item, ResultsComplete):
                race = self._race
                what = f"pf:{race.key}:complete:{race.results}:{t_us}"
                self._emit(out, what, t_us, phase="complete", results=race.results)
                notice = self._blocks.complete(race.key, self._block)
                if notice is not None:
                    out.notices.append(notice)
                race.block_us, self._block = None, {}
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
        self._started(t_us, start_tod, out)

    def _started(self, t_us: int, start_tod: int, out: SessionOutput) -> None:
        race = self._race
        race.start_time_of_day_us = start_tod
        race.start_us = local_time_of_day_to_unix_us(start_tod, t_us, self.zone)
        what = f"pf:{race.key}:started:{race.start_us}"
        self._emit(out, what, t_us, phase="started", t_us=race.start_us)

    def _header(self, t_us: int, item: ResultsHeader, out: SessionOutput) -> None:
        race = self._race
        key = race_key(item.event, item.round, item.heat)
        if (item.event, item.round, item.heat) != (None, None, None) and key != race.key:
            # Results of another race than the one armed (an operator recalling an old heat).
            race = self._race = _Race(
                event=item.event, round=_text(item.round), heat=_text(item.heat)
            )
        race.event_name = item.event_name or race.event_name
        race.wind = item.wind or race.wind
        race.results = 0
        race.block_us, self._block = t_us, {}
        if item.start_time_of_day_us is not None and race.start_us is None:
            # No running time came (velotime connected after the gun): the header says when the
            # race started, and without it the finishes would have no time on the venue clock.
            self._started(t_us, item.start_time_of_day_us, out)

    def _result(self, t_us: int, item: Result, out: SessionOutput) -> None:
        race = self._race
        race.results += 1
        if race.block_us is None:  # results without their header (it was cut off)
            race.block_us, self._block = t_us, {}
        self._block[block_line_key(item.id, race.results)] = (item.place, item.status, item.time_us)
        finish_us = None
        if race.start_us is not None and item.time_us is not None:
            finish_us = race.start_us + item.time_us
        self._emit(
            out,
            result_id(race.key, race.block_us, item.id, item.place, item.status, item.time_us),
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
