"""Generated sessions for the replay and scoring benchmarks: a capture file (the bytes the devices
sent, and the desk's commands, as the daemon records them) and its meet file, of any size.

Two shapes, each sized by the number of timing events it makes (passings and impulses):

- `one`: a single flying 200 m qualifying of as many riders as it takes. Each rider rides the
  lines of a 250 m track (P3 loops on the finish and 200 m lines) twice in the run-up, then the
  timed 200 m, which the Timy's photocells time too, then a cool-down lap: 9 passings and 2
  impulses. A rider rolls off every 5 s, so many riders are on the track at once.
- `many`: a programme of events one after the other: flying 200 m qualifyings of 30 riders,
  each followed by a keirin heat of 8 riders over 10 laps (160 passings).

The desk arms each event, names each flying 200 m rider as they roll off (next_rider), and
makes the event provisional, then final, as `velotime ctl` does. Every time is worked out from
the rider's bib (`flying_time_us`, `keirin_finish_order`) so that a reader can check a result.

    python -m benchmarks.captures DIR --shape one --events 1000   # writes DIR/one-1000.*
"""

import argparse
import json
from pathlib import Path
from typing import NamedTuple

from tests.scoring.scenarios.devices import (
    Chunk,
    Decoder,
    Timy,
    riders_toml,
    venue_us,
    write_capture,
)
from velotime.capture import CONTROL_SOURCE

VENUE = "bench-velodrome"
LINES = {"finish": 0.0, "200m": 200.0}
TRACK_M = 250.0
SHAPES = ("one", "many")

SESSION_START_US = venue_us(2026, 11, 21, 8, 0)
ROLL_OFF_EVERY_US = 5_000_000  # flying 200 m: the next rider's timed 200 m starts 5 s later
LOOP_LAG_US = 1_000  # a loop reads a crossing 1 ms after the photocell's beam is cut
# A flying 200 m rider's crossings, relative to the 200 m line crossing that starts the clock.
RUN_UP = [
    ("finish", -50_300_000),
    ("200m", -44_300_000),
    ("finish", -23_300_000),
    ("200m", -18_800_000),
    ("finish", -3_270_000),
]
COOL_DOWN = [("200m", 3_500_000), ("finish", 20_500_000)]  # after the finish
EVENTS_PER_FLYING_RIDER = len(RUN_UP) + 2 + len(COOL_DOWN) + 2  # passings, then 2 impulses

PROGRAMME_FLYING_RIDERS = 30
KEIRIN_RIDERS = 8
KEIRIN_LAPS = 10
KEIRIN_LAP_US = 18_000_000
EVENTS_PER_KEIRIN = KEIRIN_RIDERS * KEIRIN_LAPS * 2
EVENTS_PER_BLOCK = PROGRAMME_FLYING_RIDERS * EVENTS_PER_FLYING_RIDER + EVENTS_PER_KEIRIN
NOT_BEFORE_US = 120_000_000  # the desk arms an event 2 min before its first timing event


class Session(NamedTuple):
    capture: Path
    meet: Path
    events: int  # timing events (passings and impulses) in the capture
    commands: int
    event_ids: list[str]


def flying_time_us(bib: int) -> int:
    """The raw 200 m time of `bib` on the photocells: 9.7 to 11.2 s, four decimals (Timy)."""
    return 9_700_000 + (bib * 7_919) % 1_500_000 // 100 * 100


def keirin_finish_order(bibs: list[int]) -> list[int]:
    """The order in which a keirin heat's riders cross the finish the last time."""
    return sorted(bibs, key=lambda bib: (bib * 37) % 101)


def transponder(bib: int) -> int:
    return 5_000_000 + bib


class _Builder:
    def __init__(self) -> None:
        self.decoders = {
            "finish": Decoder("p3-finish", "finish", 268301, 3_600_000_000 + 12_345),
            "200m": Decoder("p3-200m", "200m", 268302, -946_684_800_000_000),
        }
        self.timy = Timy("timy", {4: "200m", 1: "finish"})
        self.channel = {"200m": 4, "finish": 1}
        self.chunks: list[Chunk] = []
        opened = SESSION_START_US - 600_000_000
        for decoder in self.decoders.values():
            self.chunks += decoder.connect(opened)
        self.chunks += self.timy.connect(opened)
        self.riders: dict[int, tuple[str, str, int | None]] = {}
        self.meet_events = ""
        self.event_ids: list[str] = []
        self.events = 0
        self.commands = 0
        self.next_bib = 1
        self.reads: list[tuple[int, str, int]] = []  # (venue time, line, bib) of each loop read

    def command(self, at_us: int, kind: str, event: str, **fields: object) -> None:
        """A desk command as the daemon records it from `velotime ctl`."""
        payload = json.dumps({"type": kind, "event": event, **fields}, separators=(",", ":"))
        self.chunks.append(Chunk(at_us, CONTROL_SOURCE, payload.encode()))
        self.commands += 1

    def crossing(self, line: str, beam_us: int, bib: int, photocell: bool) -> None:
        # Passings are made once all are known (`_passings`): a decoder numbers them in the
        # order of their times, and riders on the track at once cross in turn.
        self.reads.append((beam_us + LOOP_LAG_US, line, bib))
        self.events += 1
        if photocell:
            self.timy.number %= 9999  # the Timy numbers its impulses 1-9999, then again from 1
            self.chunks.append(self.timy.impulse(beam_us, self.channel[line]))
            self.events += 1

    def new_riders(self, count: int) -> list[int]:
        bibs = list(range(self.next_bib, self.next_bib + count))
        self.next_bib += count
        for bib in bibs:
            self.riders[bib] = (f"Rider {bib}", "NED", transponder(bib))
        return bibs

    def flying200(self, event: str, riders: int, first_us: int) -> int:
        """A flying 200 m qualifying whose first timed 200 m starts at `first_us`; returns
        when the event is over (made final)."""
        bibs = self.new_riders(riders)
        self.event_ids.append(event)
        self.meet_events += (
            f'[[events]]\nid = "{event}"\ndiscipline = "flying200"\n'
            f"start_order = {bibs}\nqualify = {min(24, riders)}\n\n"
        )
        self.command(first_us + RUN_UP[0][1] - NOT_BEFORE_US, "arm", event)
        for index, bib in enumerate(bibs):
            start = first_us + index * ROLL_OFF_EVERY_US
            total = flying_time_us(bib)
            self.command(start + RUN_UP[0][1] - 1_000_000, "next_rider", event, bib=bib)
            for line, at in RUN_UP:
                self.crossing(line, start + at, bib, photocell=False)
            self.crossing("200m", start, bib, photocell=True)
            self.crossing("finish", start + total, bib, photocell=True)
            for line, at in COOL_DOWN:
                self.crossing(line, start + total + at, bib, photocell=False)
        last = first_us + (riders - 1) * ROLL_OFF_EVERY_US + 12_000_000 + COOL_DOWN[-1][1]
        self.command(last + 10_000_000, "provisional", event)
        self.command(last + 20_000_000, "final", event)
        return last + 20_000_000

    def keirin(self, event: str, start_us: int) -> int:
        """A keirin heat of KEIRIN_RIDERS over KEIRIN_LAPS laps, started at `start_us`; returns
        when it is final."""
        bibs = self.new_riders(KEIRIN_RIDERS)
        self.event_ids.append(event)
        self.meet_events += (
            f'[[events]]\nid = "{event}"\ndiscipline = "keirin"\nriders = {bibs}\n\n'
        )
        self.command(start_us - NOT_BEFORE_US, "arm", event)
        self.command(start_us, "start", event)
        # Each lap the riders cross the 200 m line, then the finish 50 m later, in a bunch that
        # takes its final order on the last lap; before that they ride in bib order.
        final = keirin_finish_order(bibs)
        for lap in range(1, KEIRIN_LAPS + 1):
            order = final if lap == KEIRIN_LAPS else bibs
            for place, bib in enumerate(order):
                finish = start_us + lap * KEIRIN_LAP_US + place * 120_000
                self.crossing("200m", finish - 3_400_000 - place * 7_000, bib, photocell=False)
                self.crossing("finish", finish, bib, photocell=False)
        over = start_us + (KEIRIN_LAPS + 1) * KEIRIN_LAP_US
        self.command(over + 10_000_000, "provisional", event)
        self.command(over + 20_000_000, "final", event)
        return over + 20_000_000

    def _passings(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        for at_us, line, bib in sorted(self.reads):
            chunks += self.decoders[line].passing(at_us, transponder(bib))
        return chunks

    def write(self, directory: Path, name: str) -> Session:
        directory.mkdir(parents=True, exist_ok=True)
        meet = directory / f"{name}.meet.toml"
        meet.write_text(
            f'[meet]\nid = "bench"\nname = "Benchmark"\n\n{riders_toml(self.riders)}\n'
            + self.meet_events
        )
        capture = write_capture(
            directory / f"{name}.capture.jsonl",
            venue=VENUE,
            sources={
                **{decoder.source: decoder.description() for decoder in self.decoders.values()},
                self.timy.source: self.timy.description(),
            },
            lines=dict(LINES),
            track_length_m=TRACK_M,
            chunks=self.chunks + self._passings(),
        )
        return Session(capture, meet, self.events, self.commands, self.event_ids)


def generate(directory: Path, shape: str, events: int) -> Session:
    """A session of about `events` timing events (rounded to whole riders or heats)."""
    builder = _Builder()
    at = SESSION_START_US + NOT_BEFORE_US + 60_000_000
    if shape == "one":
        riders = max(1, round(events / EVENTS_PER_FLYING_RIDER))
        builder.flying200("f200", riders, at)
    elif shape == "many":
        for block in range(1, max(1, round(events / EVENTS_PER_BLOCK)) + 1):
            at = builder.flying200(f"f200-{block}", PROGRAMME_FLYING_RIDERS, at)
            at = builder.keirin(f"keirin-{block}", at + 2 * NOT_BEFORE_US)
            at += 2 * NOT_BEFORE_US + 60_000_000
    else:
        raise ValueError(f"{shape}: not one of {SHAPES}")
    return builder.write(directory, f"{shape}-{events}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--shape", choices=SHAPES, default="one")
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    session = generate(args.directory, args.shape, args.events)
    print(
        f"{session.capture}: {session.events} timing events, {session.commands} commands, "
        f"{len(session.event_ids)} events in {session.meet}"
    )


if __name__ == "__main__":
    main()
