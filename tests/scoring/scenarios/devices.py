"""The bytes a scenario's devices send, and the capture file the daemon would write from them.

- `Decoder`: an AMB/MYLAPS P3 decoder with its own real-time clock (not the venue clock): it
  answers GET_TIME, numbers its passings and sends each one a moment after the read; now and
  then a record arrives split over two reads of the socket.
- `Timy`: an ALGE Timy whose clock shows the venue's local time of day, to 1/10,000 s.
- `Recorder`: every chunk with its receive time and source, operator commands included, written
  in receive order under a header that describes the sources as the daemon does (each
  protocol family's `SourceDescription`).
- `replay_twice`: a capture replayed offline twice, as the replay tests read its result.
"""

from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from tests.cli.helpers import velotime
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.daemon.sources import ControlDescription
from velotime.drivers.timy.session import Channel
from velotime.families.base import SourceDescription
from velotime.families.p3.source import P3Description
from velotime.families.timy.source import TimyDescription
from velotime.protocols import p3, timy
from velotime.times import local_time_of_day
from velotime.wire.commands import Command

TIMEZONE = "Europe/Amsterdam"
ZONE = ZoneInfo(TIMEZONE)
P3_DELAY_US = 150_000  # a decoder sends a passing once the transponder has left the loop
TIMY_DELAY_US = 4_000  # the Timy prints its line at once; the serial line takes a moment
SPLIT_EVERY = 5  # every fifth record of a decoder arrives in two reads of the socket


def riders_toml(riders: dict[int, tuple[str, str, int | None]]) -> str:
    """The meet file's [[riders]]: bib -> (name, nation, transponder or None)."""
    out = ""
    for bib, (name, nation, transponder) in riders.items():
        out += f'[[riders]]\nbib = {bib}\nname = "{name}"\nnation = "{nation}"\n'
        if transponder is not None:
            out += f"transponders = [{transponder}]\n"
    return out


def venue_us(year: int, month: int, day: int, hour: int, minute: int) -> int:
    """An instant on the venue clock (unix microseconds) from the local time of day."""
    local = datetime(year, month, day, hour, minute, tzinfo=ZONE)
    return int(local.timestamp()) * 1_000_000


class Chunk(NamedTuple):
    received_us: int
    source: str
    data: bytes


class Decoder:
    """A P3 decoder on one timing line. Its clock reads `rtc_minus_venue_us` more than the venue
    clock; the daemon learns the difference from its answer to GET_TIME."""

    def __init__(
        self, source: str, line: str, decoder_id: int, rtc_minus_venue_us: int, first: int = 1
    ) -> None:
        self.source = source
        self.line = line
        self.decoder_id = decoder_id
        self.rtc_minus_venue_us = rtc_minus_venue_us
        self.number = first
        self._records = 0

    def description(self) -> SourceDescription:
        return P3Description(
            line=self.line,
            clock="get_time",
            endpoint=f"tcp://10.0.0.{self.decoder_id % 100}:5403",
        )

    def connect(self, at_us: int) -> list[Chunk]:
        """The daemon connects (an empty chunk) and asks GET_TIME; the answer comes 20 ms later,
        read at once: the decoder clock then was (venue clock + rtc_minus_venue_us)."""
        answered = at_us + 20_000
        answer = p3.GetTime(
            rtc_time_us=answered + self.rtc_minus_venue_us,
            unknown_04=0,
            decoder_id=self.decoder_id,
        )
        return [Chunk(at_us, self.source, b""), Chunk(answered, self.source, p3.encode(answer))]

    def passing(self, at_us: int, transponder: int) -> list[Chunk]:
        """A read of `transponder` at `at_us` on the venue clock, as the decoder sends it."""
        record = p3.Passing(
            passing_number=self.number,
            transponder=transponder,
            rtc_time_us=at_us + self.rtc_minus_venue_us,
            strength=120 + self.number % 80,
            hits=20 + self.number % 40,
            flags=0,
            decoder_id=self.decoder_id,
        )
        self.number += 1
        self._records += 1
        data = p3.encode(record)
        sent = at_us + P3_DELAY_US
        if self._records % SPLIT_EVERY:
            return [Chunk(sent, self.source, data)]
        half = len(data) // 2
        return [
            Chunk(sent, self.source, data[:half]),
            Chunk(sent + 1_000, self.source, data[half:]),
        ]


class Timy:
    """An ALGE Timy: `channels` maps channel number -> timing line."""

    def __init__(self, source: str, channels: dict[int, str]) -> None:
        self.source = source
        self.channels = channels
        self.number = 0

    def description(self) -> SourceDescription:
        return TimyDescription(
            channels={f"C{n}": Channel(line=line) for n, line in self.channels.items()},
            timezone=TIMEZONE,
            endpoint="serial:///dev/ttyUSB0",
        )

    def connect(self, at_us: int) -> list[Chunk]:
        return [Chunk(at_us, self.source, b"")]

    def impulse(self, at_us: int, channel: int) -> Chunk:
        """An impulse at `at_us` on the venue clock (a multiple of 100 us: the Timy's 1/10,000 s)
        as the Timy prints it: local time of day."""
        if at_us % 100:
            raise ValueError(f"{at_us}: a Timy time has four decimals")
        self.number += 1
        line = timy.Impulse(
            number=self.number, channel=channel, time_of_day_us=local_time_of_day(at_us, ZONE)
        )
        return Chunk(at_us + TIMY_DELAY_US, self.source, timy.encode(line))


def command(at_us: int, value: Command) -> Chunk:
    """An operator command (`velotime ctl`) as the daemon records it."""
    return Chunk(at_us, CONTROL_SOURCE, msgspec.json.encode(value))


def write_capture(
    path: Path,
    *,
    venue: str,
    sources: dict[str, SourceDescription],
    lines: dict[str, float],
    track_length_m: float,
    chunks: list[Chunk],
    roles: dict[str, str] | None = None,
) -> Path:
    """The capture file: the header, then every chunk in the order it was received. `roles`:
    the lines that have one (name -> "pursuit-home", "pursuit-back")."""
    described: dict[str, dict[str, Any]] = {
        name: description.to_builtins() for name, description in sources.items()
    }
    described[CONTROL_SOURCE] = ControlDescription().to_builtins()
    ordered = sorted(chunks, key=lambda chunk: chunk.received_us)  # stable: a split stays whole
    header = CaptureHeader(
        venue=venue,
        sources=described,
        started_us=ordered[0].received_us - 1_000_000,
        lines=lines,
        track_length_m=track_length_m,
        roles=roles or {},
    )
    capture = CaptureWriter(path, header)
    try:
        for chunk in ordered:
            capture.write(chunk.received_us, chunk.source, chunk.data)
    finally:
        capture.close()
    return path


def write_loop_capture(
    path: Path,
    decoders: list[tuple[str, str, int, int]],
    reads: list[tuple[int, str, int]],
    transponder: dict[int, int],
    commands: list[Chunk],
    opened_us: int,
) -> Path:
    """The capture of a 250 m track with a P3 decoder on each of its loops (`decoders`:
    (source, line, decoder id, its clock less the venue clock)), connected at `opened_us`:
    every read (venue clock, line, bib) as its decoder sends it, and the desk's `commands`."""
    by_line = {line: Decoder(source, line, id_, clock) for source, line, id_, clock in decoders}
    chunks = [chunk for decoder in by_line.values() for chunk in decoder.connect(opened_us)]
    for t_us, line, bib in reads:
        chunks += by_line[line].passing(t_us, transponder[bib])
    return write_capture(
        path,
        venue="velodrome-test",
        sources={decoder.source: decoder.description() for decoder in by_line.values()},
        lines={"finish": 0, "200m": 200, "100m": 100},
        track_length_m=250,
        chunks=chunks + commands,
    )


def result_line(
    rank: int | None,
    bib: int,
    rider: tuple[str, str],
    *,
    time: str | None = None,
    time_us: int | None = None,
    speed_kmh: str | None = None,
    gap: str | None = None,
    splits: list[tuple[int, str, str]] | None = None,
    status: str = "",
    flags: list[str] | None = None,
) -> dict[str, Any]:
    """A line of a result file as a user reads it (keys with no value are left out)."""
    name, nation = rider
    line: dict[str, Any] = {"rank": rank, "bib": bib, "name": name, "nation": nation}
    optional: dict[str, Any] = {
        "time": time,
        "time_us": time_us,
        "speed_kmh": speed_kmh,
        "gap": gap,
        "splits": [
            {"distance_m": distance, "cumulative": cumulative, "lap": lap}
            for distance, cumulative, lap in splits or []
        ],
        "status": status,
        "flags": flags or [],
    }
    line.update({key: value for key, value in optional.items() if value not in (None, "", [])})
    return line


def heat_order(result: dict[str, Any]) -> list[tuple[int | None, int, str, list[str]]]:
    """A heat's or race's result file as its order: rank, bib, status and flags of each line."""
    return [
        (line["rank"], line["bib"], line.get("status", ""), line.get("flags", []))
        for line in result["lines"]
    ]


def replay_twice(directory: Path, capture: Path, meet: Path, event: str, commands: int) -> bytes:
    """The event's result file from two offline replays of the capture (into `directory`/a and
    /b), which must be the same bytes; the replay must read every frame and all `commands`."""
    files = []
    for run in ("a", "b"):
        out = directory / run
        result = velotime("replay", capture, "--offline", "--meet", meet, "--results", out)
        assert result.returncode == 0, result.stderr
        assert "0 frame errors" in result.stderr
        assert f"{commands} commands (0 unreadable)" in result.stderr
        files.append((out / f"{event}.json").read_bytes())
    assert files[0] == files[1]  # byte-identical
    return files[0]
