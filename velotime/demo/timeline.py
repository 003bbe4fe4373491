"""The designed session (`script`) as what each device sends, and the desk's commands, each at
its instant on the session's virtual clock.

- the P3 decoders on the finish and 200 m lines read every crossing of every rider (run-up and
  cool-down laps too) and send each read a moment later;
- the Timy prints a line per impulse: the start gate on C0, the finish photocell on C1, the
  200 m photocell on C4, with the venue's local time of day to 1/10,000 s;
- the FinishLynx camera sends the keirin's armed, running, stopped and results messages, and
  the points race's armed and running messages and its photo-finish sprint's results;
- a sprint final, best of three: the desk starts each race, the loops read both riders, the
  camera decides races 1 and 3;
- the team sprint heat: the gates on C2 (home) and C3 (back), the pursuit lines' photocells on
  C5 and C6 and their loops;
- the desk arms each event, names each kilometre rider, starts the points race, neutralises a
  lap of it and confirms its lap gain, the judges confirm its sprints, and the desk makes
  results provisional and final.

`build_timeline(session, t0_us, zone)` puts the session's offsets on the venue clock from `t0_us`
(unix microseconds, a whole second, so that the photocells' times keep four decimals), sorted
by when each message is sent. Nothing here reads a clock.
"""

from datetime import tzinfo
from typing import NamedTuple

from velotime.demo.script import (
    EVENT_NAMES,
    F200_COOL_DOWN,
    F200_RUN_UP,
    KEIRIN,
    KILOMETRE,
    NEUTRAL_LAP_US,
    PHOTO_CAMERA_US,
    PHOTO_SPRINT_PASSAGE,
    POINTS,
    SPRINT_200M_AFTER_LAP_US,
    SPRINT_BEHIND_US,
    SPRINT_COOL_DOWN_US,
    SPRINT_FINISH_CROSSINGS_US,
    SPRINT_LOSER_LAST_200_MORE_US,
    SPRINT_PASSAGES,
    DemoSession,
    KeirinRace,
    S,
    SprintRace,
)
from velotime.protocols.lynx import (
    Armed,
    LynxRecord,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    Stopped,
)
from velotime.times import local_time_of_day
from velotime.wire.commands import (
    Arm,
    Command,
    Final,
    LapChangeDecision,
    Neutralise,
    NextRider,
    Provisional,
    SprintDecision,
    Start,
)

START, FINISH, LINE_200 = 0, 1, 4  # Timy channels: start gate, finish and 200 m photocells
GATE_HOME, GATE_BACK, PURSUIT_HOME, PURSUIT_BACK = 2, 3, 5, 6  # the pursuit gates and lines'
PURSUIT_LINES = ("pursuit-home", "pursuit-back")  # the decoders on them, home straight first
P3_SEND_DELAY_US = 100_000  # a decoder sends a read once the transponder has left the loop
THROUGH_THE_BEAM_US = 200_000  # the wheel leaving the gate on the finish line cuts the beam
UNDER_THE_GATE_US = 350_000  # ... and the loop reads the transponder
TO_THE_200M_LINE_US = 3_800_000  # from the finish line to the 200 m line, 50 m on
CAMERA_EVENT = "3"  # FinishLynx's event number for the keirin final
POINTS_CAMERA_EVENT = "4"  # ... for the points race
SPRINT_CAMERA_EVENT = "5"  # ... for the sprint final (its heat: the race)
# A team sprint: the riders leave the gate one behind the other, each front wheel cutting the
# beam on the team's line (and read by its loop) this long after the release (by side); then at
# every lap and half lap each wheel FOLLOW_US behind the one before. The Timy prints the
# leader's wheel only: the others come within the photocell's dead time (0.2 s).
LEAVING_GATE_US = ((200_000, 600_000, 900_000), (250_000, 640_000, 960_000))
READ_LEAVING_GATE_US = 150_000
FOLLOW_US = 120_000
JUDGES_AFTER_SPRINT_US = 12 * S  # the judges confirm a sprint this long after it
TIME_DIGITS = 4


class Read(NamedTuple):
    """A P3 decoder on `line` reads `transponder` at `t_us` (its clock is the venue clock)."""

    at_us: int
    line: str
    transponder: int
    t_us: int


class Impulse(NamedTuple):
    """The Timy prints an impulse on `channel` at `time_of_day_us`, start number `number`."""

    at_us: int
    channel: int
    number: int
    time_of_day_us: int


class Camera(NamedTuple):
    at_us: int
    record: LynxRecord


class Desk(NamedTuple):
    at_us: int
    command: Command


Action = Read | Impulse | Camera | Desk


def build_timeline(session: DemoSession, t0_us: int, zone: tzinfo) -> list[Action]:
    """Every message of the session, in sending order (equal instants keep the order made)."""
    actions: list[Action] = []

    def read(line: str, bib: int, offset_us: int) -> None:
        t_us = t0_us + offset_us
        rider = session.rider(bib)
        actions.append(Read(t_us + P3_SEND_DELAY_US, line, rider.transponder, t_us))

    def impulse(channel: int, bib: int, offset_us: int) -> None:
        t_us = t0_us + offset_us
        actions.append(Impulse(t_us, channel, bib, local_time_of_day(t_us, zone)))

    def desk(offset_us: int, command: Command) -> None:
        actions.append(Desk(t0_us + offset_us, command))

    for event, decisions in session.desk.items():
        desk(decisions.armed_us, Arm(event=event))
        desk(decisions.provisional_us, Provisional(event=event))
        desk(decisions.final_us, Final(event=event))

    # Flying 200 m: the loops see every crossing; the photocells time the effort only.
    for ride in session.flying200:
        for line, after in F200_RUN_UP:
            read(line, ride.bib, ride.line_200_us + after)
        impulse(LINE_200, ride.bib, ride.line_200_us)
        read("200m", ride.bib, ride.line_200_us + ride.loop_lag_200_us)
        impulse(FINISH, ride.bib, ride.finish_us)
        read("finish", ride.bib, ride.finish_us + ride.loop_lag_finish_us)
        for line, after in F200_COOL_DOWN:
            read(line, ride.bib, ride.finish_us + after)

    # Kilometre: named, the gate, four laps, then on to the 200 m line slowing down.
    for km in session.kilometre:
        desk(km.named_us, NextRider(event=KILOMETRE, bib=km.bib))
        impulse(START, km.bib, km.gate_us)
        impulse(FINISH, km.bib, km.gate_us + THROUGH_THE_BEAM_US)
        read("finish", km.bib, km.gate_us + UNDER_THE_GATE_US)
        previous = 0
        for after, lag in zip(km.cumulative_us, km.loop_lags_us, strict=True):
            # 50 m into the lap, the 200 m line: a fifth of the lap's time.
            read("200m", km.bib, km.gate_us + previous + (after - previous) // 5)
            impulse(FINISH, km.bib, km.gate_us + after)
            read("finish", km.bib, km.gate_us + after + lag)
            previous = after
        read("200m", km.bib, km.gate_us + km.time_us + TO_THE_200M_LINE_US)

    actions += _keirin(session, t0_us, zone)
    actions += _points_race(session, t0_us, zone)
    for race in session.sprint:
        actions += _sprint_race(session, race, t0_us, zone)
    actions += _team_sprint(session, t0_us, zone)
    order = {Read: 0, Impulse: 0, Camera: 0, Desk: 1}  # at one instant the devices come first
    return sorted(actions, key=lambda action: (action.at_us, order[type(action)]))


def _keirin(session: DemoSession, t0_us: int, zone: tzinfo) -> list[Action]:
    race = session.keirin
    start_us = t0_us + race.start_us
    start_tod = local_time_of_day(start_us, zone)
    actions: list[Action] = []

    def read(line: str, bib: int, t_us: int) -> None:
        transponder = session.rider(bib).transponder
        actions.append(Read(t_us + P3_SEND_DELAY_US, line, transponder, t_us))

    def camera(at_us: int, record: LynxRecord) -> None:
        actions.append(Camera(at_us, record))

    name = EVENT_NAMES[KEIRIN]
    camera(t0_us + race.armed_us + 2 * S, Armed(event=CAMERA_EVENT, round=1, heat=1,
                                               event_name=name))  # fmt: skip
    # The running time from the start, every 10 s (FinishLynx sends it ten times a second;
    # the first one gives the start).
    winner_us = race.camera_time_us[race.order[0]]
    for elapsed in range(100_000, winner_us, 10 * S):
        running = RunningTime(time_us=elapsed, time_digits=1, start_time_of_day_us=start_tod)
        camera(start_us + elapsed, running)
    camera(start_us + winner_us, Stopped(time_us=winner_us, time_digits=TIME_DIGITS))

    for line, bib, t_us in _keirin_crossings(race, start_us):
        read(line, bib, t_us)

    at = t0_us + race.results_us
    header = ResultsHeader(
        official=False, event_name=name, event=CAMERA_EVENT, round=1, heat=1,
        count=len(race.order), start_time_of_day_us=start_tod,
    )  # fmt: skip
    camera(at, header)
    lanes = {bib: lane for lane, bib in enumerate(race.riders, start=1)}
    for place, bib in enumerate(race.order, start=1):
        rider = session.rider(bib)
        time_us = race.camera_time_us[bib]
        camera(at, Result(
            place=place, id=str(bib), lane=lanes[bib], name=rider.name,
            affiliation=rider.nation, time_us=time_us, time_digits=TIME_DIGITS,
            delta_us=None if place == 1 else time_us - winner_us, laps_to_go=0,
        ))  # fmt: skip
    camera(at, ResultsComplete())
    return actions


def _points_race(session: DemoSession, t0_us: int, zone: tzinfo) -> list[Action]:
    """The points race's reads, camera messages and commands (`script.PointsRace`)."""
    race = session.points
    actions: list[Action] = []

    def read(line: str, bib: int, offset_us: int) -> None:
        t_us = t0_us + offset_us
        actions.append(Read(t_us + P3_SEND_DELAY_US, line, session.rider(bib).transponder, t_us))

    def desk(offset_us: int, command: Command) -> None:
        actions.append(Desk(t0_us + offset_us, command))

    # Every rider over both loops on every lap, the 200 m line a fifth of the lap after the
    # finish line; the neutral lap before the flying start; after the last lap, the 200 m line
    # slowing down.
    for bib, passages in race.passages_us().items():
        ridden = [passages[0] - NEUTRAL_LAP_US, *passages]
        for t_us, next_us in zip(ridden, [*ridden[1:], ridden[-1] + 20 * S], strict=True):
            read("finish", bib, t_us)
            read("200m", bib, t_us + (next_us - t_us) // 5)

    desk(race.start_us + S, Start(event=POINTS))
    for passage, number in SPRINT_PASSAGES.items():
        if number < len(SPRINT_PASSAGES):  # the last, the final sprint: the event's `final`
            after_us = race.head_us(passage) + JUDGES_AFTER_SPRINT_US
            if passage == PHOTO_SPRINT_PASSAGE:  # the judges wait for the camera
                after_us = race.camera_us + 6 * S
            desk(after_us, SprintDecision(event=POINTS, number=number))
    desk(race.lap_gain_us, LapChangeDecision(event=POINTS, bib=race.breakaway, change=1,
                                             reason="gained a lap"))  # fmt: skip
    desk(race.neutralised_us, Neutralise(event=POINTS, laps=1, reason="a crash"))

    # The camera: armed, started with the race (its running time), then the photo-finish
    # sprint's result, its times from the start.
    start_us = t0_us + race.start_us
    start_tod = local_time_of_day(start_us, zone)
    name = EVENT_NAMES[POINTS]
    actions.append(Camera(t0_us + race.armed_us + 2 * S, Armed(
        event=POINTS_CAMERA_EVENT, round=1, heat=1, event_name=name)))  # fmt: skip
    running = RunningTime(time_us=100_000, time_digits=1, start_time_of_day_us=start_tod)
    actions.append(Camera(start_us + 100_000, running))
    at = t0_us + race.camera_us
    header = ResultsHeader(
        official=False, event_name=name, event=POINTS_CAMERA_EVENT, round=1, heat=1,
        count=len(PHOTO_CAMERA_US), start_time_of_day_us=start_tod,
    )  # fmt: skip
    actions.append(Camera(at, header))
    sprint_us = race.head_us(PHOTO_SPRINT_PASSAGE) - race.start_us
    for place, (position, after_us) in enumerate(PHOTO_CAMERA_US.items(), start=1):
        rider = session.rider(race.riders[position])
        actions.append(Camera(at, Result(
            place=place, id=str(rider.bib), name=rider.name, affiliation=rider.nation,
            time_us=sprint_us + after_us, time_digits=TIME_DIGITS,
        )))  # fmt: skip
    actions.append(Camera(at, ResultsComplete()))
    return actions


# A keirin of six laps: the riders behind the derny, then the sprint. The finish line
# crossings at the end of laps 1-4 after the start (the bell lap is the rider's own).
_KEIRIN_LAPS_US = (21_500_000, 40_500_000, 58_500_000, 74_000_000)
_BELL_BEFORE_FINISH_US = 13_000_000
_PACK_GAP_US = 180_000  # between riders in the line behind the derny


def _keirin_crossings(race: KeirinRace, start_us: int) -> list[tuple[str, int, int]]:
    """(line, bib, venue time) of every loop read of the final."""
    crossings: list[tuple[str, int, int]] = []
    winner = race.order[0]
    for position, bib in enumerate(race.riders):
        pack_us = position * _PACK_GAP_US
        crossings.append(("200m", bib, start_us + 8 * S + pack_us))
        for lap_us in _KEIRIN_LAPS_US:
            crossings.append(("finish", bib, start_us + lap_us + pack_us))
            crossings.append(("200m", bib, start_us + lap_us + pack_us + TO_THE_200M_LINE_US))
        finish_us = start_us + race.camera_time_us[bib]
        crossings.append(("finish", bib, finish_us - _BELL_BEFORE_FINISH_US + pack_us // 3))
        last_200 = race.winner_last_200_us + (0 if bib == winner else 150_000 + pack_us)
        crossings.append(("200m", bib, finish_us - last_200))
        crossings.append(("finish", bib, finish_us + race.loop_lag_us[bib]))
    return crossings


def _sprint_race(session: DemoSession, race: SprintRace, t0_us: int, zone: tzinfo) -> list[Action]:
    """A race of the sprint final: the desk's start, both riders over both loops (the second
    SPRINT_BEHIND_US behind until the last 200 m), and, for a race the camera decides, its
    armed, running, stopped and results messages (times after the start)."""
    start_us = t0_us + race.start_us
    actions: list[Action] = [Desk(start_us, Start(event=race.event))]

    def read(line: str, bib: int, t_us: int) -> None:
        transponder = session.rider(bib).transponder
        actions.append(Read(t_us + P3_SEND_DELAY_US, line, transponder, t_us))

    for bib in race.riders:
        behind_us = 0 if bib == race.riders[0] else SPRINT_BEHIND_US
        for crossing, crossing_us in enumerate(SPRINT_FINISH_CROSSINGS_US, start=1):
            read("finish", bib, start_us + crossing_us + behind_us)
            if crossing < len(SPRINT_FINISH_CROSSINGS_US):  # the last lap's: its last 200 m
                read("200m", bib, start_us + crossing_us + behind_us + SPRINT_200M_AFTER_LAP_US)
        finish_us = start_us + race.finish_us[bib]
        last_200 = race.winner_last_200_us
        if bib != race.winner:
            last_200 += SPRINT_LOSER_LAST_200_MORE_US
        read("200m", bib, finish_us - last_200)
        read("finish", bib, finish_us + race.loop_lag_us[bib])
        for line, after in SPRINT_COOL_DOWN_US:
            read(line, bib, finish_us + after)
    if not race.camera:
        return actions

    def camera(at_us: int, record: LynxRecord) -> None:
        actions.append(Camera(at_us, record))

    number = int(race.event.rsplit("-r", 1)[1])
    name = EVENT_NAMES[race.event]
    start_tod = local_time_of_day(start_us, zone)
    camera(t0_us + race.armed_us + 2 * S, Armed(event=SPRINT_CAMERA_EVENT, round=1, heat=number,
                                               event_name=name))  # fmt: skip
    running = RunningTime(time_us=100_000, time_digits=1, start_time_of_day_us=start_tod)
    camera(start_us + 100_000, running)
    winner_us = race.finish_us[race.winner]
    camera(start_us + winner_us, Stopped(time_us=winner_us, time_digits=TIME_DIGITS))
    at = start_us + max(race.finish_us.values()) + 4 * S
    header = ResultsHeader(
        official=False, event_name=name, event=SPRINT_CAMERA_EVENT, round=1, heat=number,
        count=len(race.riders), start_time_of_day_us=start_tod,
    )  # fmt: skip
    camera(at, header)
    order = sorted(race.riders, key=race.finish_us.__getitem__)
    for place, bib in enumerate(order, start=1):
        rider = session.rider(bib)
        time_us = race.finish_us[bib]
        camera(at, Result(
            place=place, id=str(bib), lane=race.riders.index(bib) + 1, name=rider.name,
            affiliation=rider.nation, time_us=time_us, time_digits=TIME_DIGITS,
            delta_us=None if place == 1 else time_us - winner_us, laps_to_go=0,
        ))  # fmt: skip
    camera(at, ResultsComplete())
    return actions


def _team_sprint(session: DemoSession, t0_us: int, zone: tzinfo) -> list[Action]:
    """The team sprint heat: both gates of one release, then each team's wheels on its own
    pursuit line (laps) and on the other's (half laps), the photocell and the loop."""
    heat = session.team_sprint
    actions: list[Action] = []

    def wheel(line: int, t_us: int, bib: int, lag_us: int, *, beam: bool) -> None:
        """A front wheel over the pursuit line of side `line` (0 home, 1 back)."""
        if beam:
            channel = (PURSUIT_HOME, PURSUIT_BACK)[line]
            actions.append(Impulse(t_us, channel, number, local_time_of_day(t_us, zone)))
        read_us = t_us + lag_us
        transponder = session.rider(bib).transponder
        actions.append(Read(read_us + P3_SEND_DELAY_US, PURSUIT_LINES[line], transponder, read_us))

    number = 0  # the Timy's start number: the team's
    release_us = t0_us + heat.gate_us  # both teams leave at once; the back gate's channel
    for side, team in enumerate(heat.teams):  # stamps it a little late
        number = team.number
        stamped_us = t0_us + heat.team_gate_us(side)
        gate = (GATE_HOME, GATE_BACK)[side]
        actions.append(Impulse(stamped_us, gate, number, local_time_of_day(stamped_us, zone)))
        gate_us = release_us
        for bib, leaving_us in zip(team.riders, LEAVING_GATE_US[side], strict=True):
            wheel(side, gate_us + leaving_us, bib, READ_LEAVING_GATE_US, beam=True)
        for k, (lap_us, half_us) in enumerate(zip(team.laps_us, team.half_laps_us, strict=True)):
            # Half lap k+1 on the other straight, then lap k+1 on the team's own: rider k+1
            # leads, the riders after it follow (the riders before have swung up).
            for i, bib in enumerate(team.riders[k:]):
                follow_us = i * FOLLOW_US
                wheel(1 - side, gate_us + half_us + follow_us, bib, team.loop_lag_us, beam=not i)
                wheel(side, gate_us + lap_us + follow_us, bib, team.loop_lag_us, beam=not i)
    return actions
