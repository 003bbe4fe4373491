"""Every session of the golden set, as a capture and a meet file (`SESSIONS`: name -> builder).

The scenario captures the tests build (flying 200 m in its three photocell variants, the
kilometre, the keirin competition, the hand-worked flying 200 m of test_replay_results, the demo
for the seeds its tests use), and larger generated sessions that stress the scoring engine:

- `bunch-flying200` and `bunch-keirin`: a 24-rider, 160-lap bunch race (benchmarks.races) on
  P3 loops on the finish and the 200 m line, scored as a flying 200 m (each rider's fastest
  pass) and as one keirin heat (a rider relegated, one abandoning, a place corrected);
- `field-flying200`: 60 riders, two on the track, photocells armed for the timed pass and
  loops on three lines, with every kind of desk command: DNS, DNF, DSQ, a status cleared, a
  restart, corrected times and places, a correction withdrawn;
- `field-kilometre`: 30 riders one at a time, gate and finish photocell and a loop, with
  restarts, a missed beam, a DNF, a DNS, REL (which a time trial ignores) and corrections.
"""

import random
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from benchmarks.races import bunch_race
from tests.demo.test_timeline import write_capture as write_demo_capture
from tests.scoring import test_engine_flying200, test_replay_results
from tests.scoring.scenarios import devices, flying200, keirin, kilometre
from tests.scoring.scenarios.devices import Chunk, Decoder, Timy, command, riders_toml, venue_us
from velotime.demo.script import POINTS, SPRINT_RACES, build_session
from velotime.families.base import SourceDescription
from velotime.wire.commands import (
    Arm,
    Command,
    Correct,
    Final,
    NextRider,
    Provisional,
    SetStatus,
    Start,
)


class Session(NamedTuple):
    capture: Path
    meet: Path


Builder = Callable[[Path], Session]


def _meet(directory: Path, text: str) -> Path:
    path = directory / "meet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _flying200(photocells: flying200.Photocells) -> Builder:
    def build(directory: Path) -> Session:
        return Session(
            flying200.write_capture(directory, photocells), flying200.write_meet(directory)
        )

    return build


def _kilometre(directory: Path) -> Session:
    return Session(kilometre.write_capture(directory), kilometre.write_meet(directory))


def _keirin(directory: Path) -> Session:
    return Session(keirin.write_capture(directory), _meet(directory, keirin.meet_text()))


def _hand_worked(directory: Path) -> Session:
    capture = test_replay_results.write_capture(directory)
    return Session(capture, _meet(directory, test_engine_flying200.meet_text()))


def _demo(seed: int) -> Builder:
    """The demo's session up to its sprint (it and the points race and team sprint came after
    the code the golden files stand for): its first three events, and the meet without the
    rest (the meet file lists them after the points race)."""

    def build(directory: Path) -> Session:
        session = build_session(seed)
        until_us = session.desk[SPRINT_RACES[0]].armed_us  # the first event after the keirin
        capture = write_demo_capture(seed, directory / "demo.capture.jsonl", until_us)
        meet = session.meet_text().split(f'\n[[events]]\nid = "{POINTS}"')[0] + "\n"
        return Session(capture, _meet(directory, meet))

    return build


def _session(
    directory: Path,
    event: str,
    meet: str,
    chunks: list[Chunk],
    venue: tuple[dict[str, SourceDescription], dict[str, float]],
    desk: tuple[int, list[Command]],
) -> Session:
    """The capture (a 250 m track) with the desk's commands after `desk`'s time, 10 s apart,
    and the meet file."""
    sources, lines = venue
    after_us, commands = desk
    chunks = chunks + [command(after_us + (i + 1) * 10_000_000, c) for i, c in enumerate(commands)]
    capture = devices.write_capture(
        directory / f"{event}.capture.jsonl",
        venue="golden",
        sources=sources,
        lines=lines,
        track_length_m=250,
        chunks=chunks,
    )
    return Session(capture, _meet(directory, meet))


# -- the bunch race ------------------------------------------------------------------------------

BUNCH_RIDERS, BUNCH_LAPS, BUNCH_SEED = 24, 160, 11
BUNCH_START_US = venue_us(2026, 11, 21, 20, 0)
BUNCH_RELEGATED, BUNCH_ABANDONS, BUNCH_CORRECTED = 7, 13, 20
NATIONS = ["NED", "GBR", "AUS", "JPN", "GER", "FRA", "NZL", "CAN", "POL", "COL"]


def _transponder(bib: int) -> int:
    return 9_100_000 + bib


def _riders(bibs: range) -> str:
    return riders_toml(
        {bib: (f"Rider {bib}", NATIONS[bib % len(NATIONS)], _transponder(bib)) for bib in bibs}
    )


def _bunch(discipline: str) -> Builder:
    def build(directory: Path) -> Session:
        bibs = range(1, BUNCH_RIDERS + 1)
        event = f"bunch-{discipline}"
        entrants = (
            f"riders = {list(bibs)}" if discipline == "keirin" else f"start_order = {list(bibs)}"
        )
        meet = f'[meet]\nid = "golden-bunch"\n{_riders(bibs)}\n[[events]]\nid = "{event}"\n'
        meet += f'discipline = "{discipline}"\nname = "Bunch"\n{entrants}\n'
        if discipline == "flying200":
            meet += "qualify = 8\n"
        decoders = {
            "finish": Decoder("p3-finish", "finish", 268401, 3_600_000_000 + 4_321),
            "200m": Decoder("p3-200m", "200m", 268402, -946_684_800_000_000),
        }
        opened = BUNCH_START_US - 600_000_000
        chunks: list[Chunk] = [c for d in decoders.values() for c in d.connect(opened)]
        chunks.append(command(BUNCH_START_US - 300_000_000, Arm(event=event)))
        chunks.append(command(BUNCH_START_US, Start(event=event)))
        race = bunch_race(BUNCH_RIDERS, BUNCH_LAPS, BUNCH_SEED)
        abandoned_us = race[len(race) * 2 // 3].t_us  # a third from the end
        for crossing in race:
            if crossing.bib == BUNCH_ABANDONS and crossing.t_us > abandoned_us:
                continue
            at_us = BUNCH_START_US + crossing.t_us
            chunks += decoders[crossing.line].passing(at_us, _transponder(crossing.bib))
        end = BUNCH_START_US + race[-1].t_us
        desk: list[Command] = [
            SetStatus(event=event, bib=BUNCH_ABANDONS, status="DNF", reason="abandoned"),
            Provisional(event=event),
            SetStatus(event=event, bib=BUNCH_RELEGATED, status="REL", reason="irregular sprint"),
            Correct(event=event, bib=BUNCH_CORRECTED, place=2, reason="video"),
            Final(event=event),
        ]
        sources = {d.source: d.description() for d in decoders.values()}
        lines: dict[str, float] = {"finish": 0, "200m": 200}
        return _session(directory, event, meet, chunks, (sources, lines), (end, desk))

    return build


# -- a field of flying 200 m riders, and every desk command ---------------------------------------

FIELD_F200 = range(1, 61)
F200_EVERY_US = 40_000_000
F200_RUN_UP = [("finish", -26_000_000), ("200m", -20_000_000), ("100m", -8_000_000)]
F200_COOL_DOWN = [("200m", 4_000_000), ("100m", 13_000_000), ("finish", 22_000_000)]


def _field_flying200(directory: Path) -> Session:
    rng = random.Random(2026)
    event = "field-f200"
    first = venue_us(2026, 11, 22, 10, 0)
    meet = f'[meet]\nid = "golden-field"\n{_riders(FIELD_F200)}\n[[events]]\nid = "{event}"\n'
    meet += f'discipline = "flying200"\nstart_order = {list(FIELD_F200)}\nqualify = 24\n'
    decoders = {
        "finish": Decoder("p3-finish", "finish", 268501, 3_600_000_000 + 12_345),
        "100m": Decoder("p3-100m", "100m", 268502, 3_600_000_000 - 8_765),
        "200m": Decoder("p3-200m", "200m", 268503, -946_684_800_000_000),
    }
    timy = Timy("timy", {4: "200m", 1: "finish"})
    channel = {"200m": 4, "finish": 1}
    opened = first - 600_000_000
    chunks: list[Chunk] = [c for d in decoders.values() for c in d.connect(opened)]
    chunks += timy.connect(opened)
    chunks.append(command(first - 120_000_000, Arm(event=event)))
    dns, dnf, dsq, cleared, restart, timed, fault = 5, 17, 23, 31, 12, 40, 44
    slots = [bib for bib in FIELD_F200 if bib != dns]
    slots.insert(slots.index(restart) + 3, restart)  # rides again after an incident
    times = [10_000_000 + rng.randrange(0, 1_500_000) // 100 * 100 for _ in slots]
    times[11] = times[9]  # a draw, the last 100 m too
    for slot, (bib, total) in enumerate(zip(slots, times, strict=True)):
        start = first + slot * F200_EVERY_US
        chunks.append(command(start - 30_000_000, NextRider(event=event, bib=bib)))
        first_100 = total * 52 // 100 + (0 if slot in (9, 11) else rng.randrange(-30_000, 30_000))
        run = [(line, start + at, False) for line, at in F200_RUN_UP]
        run += [("200m", start, True), ("100m", start + first_100, True)]
        fell = bib == dnf or (bib == restart and restart in slots[slot + 1 :])
        if not fell:
            run += [("finish", start + total, True)]
            run += [(line, start + total + at, False) for line, at in F200_COOL_DOWN]
        for line, beam_us, is_timed in run:
            lag = 1_000 if line == "100m" else 1_000 + rng.randrange(0, 900)
            chunks += decoders[line].passing(beam_us + lag, _transponder(bib))
            if line in channel and is_timed and not (bib == fault and line == "finish"):
                chunks.append(timy.impulse(beam_us, channel[line]))
    last = first + len(slots) * F200_EVERY_US
    desk: list[Command] = [
        SetStatus(event=event, bib=dns, status="DNS", reason="not at the start"),
        SetStatus(event=event, bib=dnf, status="DNF", reason="fell"),
        SetStatus(event=event, bib=dsq, status="DSQ", reason="below the line"),
        SetStatus(event=event, bib=cleared, status="DSQ", reason="wrong rider"),
        SetStatus(event=event, bib=cleared, status="", reason="it was 32"),
        Correct(event=event, bib=fault, time="10.555", reason="backup timing"),
        Correct(event=event, bib=timed, time="10.001", reason="keyed wrongly"),
        Correct(event=event, bib=timed, reason="withdrawn"),
        Correct(event=event, bib=slots[11], place=1, reason="draw: lots"),
        Provisional(event=event),
        Final(event=event),
    ]
    sources = {d.source: d.description() for d in decoders.values()}
    sources[timy.source] = timy.description()
    lines: dict[str, float] = {"finish": 0, "100m": 100, "200m": 200}
    return _session(directory, event, meet, chunks, (sources, lines), (last, desk))


# -- a field of kilometre riders ------------------------------------------------------------------

FIELD_KM = range(1, 31)
KM_SLOT_US = 150_000_000


def _field_kilometre(directory: Path) -> Session:
    rng = random.Random(1000)
    event = "field-km"
    first = venue_us(2026, 11, 22, 15, 0)
    meet = f'[meet]\nid = "golden-km"\n{_riders(FIELD_KM)}\n[[events]]\nid = "{event}"\n'
    meet += f'discipline = "time_trial"\nstart_order = {list(FIELD_KM)}\ndistance_m = 1000\n'
    loop = Decoder("p3-finish", "finish", 268601, 3_600_000_000 + 777)
    timy = Timy("timy", {0: "start", 1: "finish"})
    opened = first - 600_000_000
    chunks: list[Chunk] = [*loop.connect(opened), *timy.connect(opened)]
    chunks.append(command(first - 120_000_000, Arm(event=event)))
    dns, dnf, rel, missed, corrected, placed = 3, 9, 14, 21, 25, 27
    restarts = {6: 1, 18: 2}  # 18 has two incidents: DNF
    slots = [bib for bib in FIELD_KM if bib != dns]
    for bib, count in restarts.items():
        for _ in range(count):
            slots.insert(slots.index(bib) + 2, bib)
    for slot, bib in enumerate(slots):
        named = first + slot * KM_SLOT_US
        gate = named + 60_000_000
        chunks.append(command(named, NextRider(event=event, bib=bib)))
        chunks.append(timy.impulse(gate, 0))
        chunks += loop.passing(gate + 350_000, _transponder(bib))  # the wheel leaving the gate
        again = slots[slot + 1 :].count(bib)
        if again:
            chunks.append(timy.impulse(gate + 40_000_000, 1))  # rolls back across the line
            continue
        at = 0
        laps = 2 if bib == dnf else 4
        for lap in range(1, laps + 2):
            at += (18_000_000 if lap == 1 else 14_000_000) + rng.randrange(0, 600_000) // 100 * 100
            if not (bib == missed and lap == 3):
                chunks.append(timy.impulse(gate + at, 1))
            chunks += loop.passing(gate + at + 1_337, _transponder(bib))
    end = first + len(slots) * KM_SLOT_US
    desk: list[Command] = [
        SetStatus(event=event, bib=dnf, status="DNF", reason="abandoned"),
        SetStatus(event=event, bib=dns, status="DNS", reason="not at the start"),
        SetStatus(event=event, bib=rel, status="REL", reason="not in a time trial"),
        Correct(event=event, bib=corrected, time="1:02.345", reason="backup timing"),
        Correct(event=event, bib=placed, place=3, reason="commissaires"),
        Provisional(event=event),
        Final(event=event),
    ]
    sources = {loop.source: loop.description(), timy.source: timy.description()}
    return _session(directory, event, meet, chunks, (sources, {"finish": 0}), (end, desk))


SESSIONS: dict[str, Builder] = {
    "flying200-armed": _flying200("armed"),
    "flying200-every_pass": _flying200("every_pass"),
    "flying200-none": _flying200("none"),
    "kilometre": _kilometre,
    "keirin": _keirin,
    "hand-worked-flying200": _hand_worked,
    "demo-7": _demo(7),
    "demo-2026": _demo(2026),
    "bunch-flying200": _bunch("flying200"),
    "bunch-keirin": _bunch("keirin"),
    "field-flying200": _field_flying200,
    "field-kilometre": _field_kilometre,
}
