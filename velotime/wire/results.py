"""What the scoring publishes (docs/mqtt.md): each event's result with its lines and audit trail,
what is on the track, each competition's standings, and each event's start list.

The engine and the service build every payload from these types, so the JSON Schemas in
docs/mqtt.md, generated from them (`python -m velotime.docs.schemas`), say what is really
published. velotime only encodes them; a consumer decoding into them gets an error for a key
they do not know. Keys set to `UNSET` are left out of the JSON.
"""

from enum import StrEnum
from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

from velotime.wire.commands import (
    Abandon,
    Command,
    Confirm,
    Correct,
    Eliminate,
    GreenFlag,
    LapChangeDecision,
    Neutralise,
    NextRider,
    Reopen,
    SetLaps,
    SetStatus,
    SprintDecision,
    Start,
)

Discipline = Literal[
    "flying200",
    "time_trial",
    "keirin",
    "scratch",
    "madison",
    "elimination",
    "points_race",
    "tempo",
    "sprint",  # one race of a sprint match (uci-rules.md §2.3)
    "individual_pursuit",  # one heat: two riders from opposite pursuit lines (§2.12)
    "team_pursuit",  # one heat: two teams of four (§2.12)
    "team_sprint",  # one heat: two teams of three (§2.11)
]
EventStatus = Literal["scheduled", "running", "provisional", "final"]


class _Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


# -- the result lines of every discipline, as published and printed ---------------------------


class Status(StrEnum):
    RANKED = ""  # rode and has a place
    DNS = "DNS"  # did not start
    DNF = "DNF"  # did not finish
    DSQ = "DSQ"  # disqualified
    REL = "REL"  # relegated (keirin, sprint): ranked, but after the others of the heat
    # Came down in the scratch race's last kilometre (3.2.251 ter): not classified (3.2.182).
    CRASHED = "crashed"


class Flag(StrEnum):
    DRAW_REQUIRED = "draw required"  # a tie the rules cannot break: the commissaires draw lots
    PHOTO_REQUIRED = "photo required"  # riders too close for transponders to order them
    QUALIFIED = "qualified"
    CORRECTED = "corrected"  # a place or time set by a correction (the audit trail says why)
    # A measured time outside the event's plausible window: not ranked until an official
    # confirms it (`confirm`) or corrects it (`correct --time`).
    CHECK = "check"
    CONFIRMED = "confirmed"  # a time outside the window, confirmed by an official (audit trail)
    # Points race, tempo: the points include a sprint the judges have not confirmed yet.
    UNCONFIRMED = "unconfirmed"


class SplitLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    distance_m: int
    cumulative: str  # official string of the cumulative time
    lap: str  # official string of the lap (cumulative differences: laps add up)


class ResultLine(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    rank: int | None  # None: not ranked (DNS, DNF, DSQ); equal ranks for a draw
    bib: int
    name: str = ""
    nation: str = ""
    time: str | None = None  # the official string: "10.724", "1:00.981"
    time_us: int | None = None  # official, truncated to the thousandth
    speed_kmh: str | None = None  # truncated to three decimals: "67.139"
    gap: str | None = None  # to the leader, "+0.003"; None for the leader
    splits: list[SplitLine] = []
    status: Status = Status.RANKED
    flags: list[Flag] = []
    laps: int | None = None  # bunch races: the laps the rider rode, counted from the start
    laps_gained: int = 0  # bunch races: laps gained (+) or lost (-), as the commissaires confirmed
    # Points race, tempo: the total (sprints and laps), the points of each sprint counted so
    # far (by number: `sprint_points[0]` is sprint 1's), the laps' points (20 a lap gained,
    # -20 a lap lost) and the place in the final sprint (the tie-break, 3.2.119; the omnium's).
    points: int | None = None
    sprint_points: list[int] = []
    lap_points: int | None = None
    final_sprint_place: int | None = None
    # Elimination race: the sprint the rider went out at (the final's number for its riders),
    # and how: "last" over the line, "lapped", "abandoned", "commissaires", or "final".
    eliminated_at: int | None = None
    out_by: Literal["last", "lapped", "abandoned", "commissaires", "final"] | None = None


# -- the audit trail of a result: the operator's commands, as sent, and when --------------------


class NextRiderAudit(NextRider, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET  # when the daemon received the command (unix microseconds)


class SetStatusAudit(SetStatus, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class CorrectAudit(Correct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class ConfirmAudit(Confirm, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET
    time: str  # the official time confirmed, "0.006"


class StartAudit(Start, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class AbandonAudit(Abandon, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET
    discarded: int  # the timing events collected so far, which no longer count


class NeutraliseAudit(Neutralise, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class SetLapsAudit(SetLaps, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class LapChangeAudit(LapChangeDecision, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class EliminateAudit(Eliminate, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class GreenFlagAudit(GreenFlag, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class SprintAudit(SprintDecision, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class ReopenAudit(Reopen, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at_us: int | UnsetType = UNSET


class RefusedAudit(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="refused"
):
    """A command the scoring refused, as sent, with why: it changed nothing."""

    command: Command
    reason: str
    at_us: int | UnsetType = UNSET


AuditEntry = (
    NextRiderAudit
    | SetStatusAudit
    | CorrectAudit
    | ConfirmAudit
    | StartAudit
    | AbandonAudit
    | NeutraliseAudit
    | SetLapsAudit
    | LapChangeAudit
    | SprintAudit
    | EliminateAudit
    | GreenFlagAudit
    | ReopenAudit
    | RefusedAudit
)

_AUDITED: dict[type[Command], type[AuditEntry]] = {
    NextRider: NextRiderAudit,
    SetStatus: SetStatusAudit,
    Correct: CorrectAudit,
    Confirm: ConfirmAudit,
    Start: StartAudit,
    Abandon: AbandonAudit,
    Neutralise: NeutraliseAudit,
    SetLaps: SetLapsAudit,
    LapChangeDecision: LapChangeAudit,
    SprintDecision: SprintAudit,
    Eliminate: EliminateAudit,
    GreenFlag: GreenFlagAudit,
    Reopen: ReopenAudit,
}


def audit_entry(
    command: Command, at_us: int | None, discarded: int | None = None, time: str | None = None
) -> AuditEntry:
    """A command in a result's audit trail: every key as sent, with when the daemon received
    it (`at_us`, when known), for an Abandon how many timing events it `discarded`, for a
    Confirm the `time` it confirmed."""
    fields = msgspec.structs.asdict(command)
    if at_us is not None:
        fields["at_us"] = at_us
    if discarded is not None:
        fields["discarded"] = discarded
    if time is not None:
        fields["time"] = time
    return _AUDITED[type(command)](**fields)


# -- results/<event> ----------------------------------------------------------------------------


class OnTrackLine(ResultLine, frozen=True, kw_only=True, omit_defaults=True):
    """A time trial's rider riding now: their result line so far, and their ride."""

    restarts: int  # starts voided by a restart
    started: bool  # the counting start is made
    crossings: int  # finish line crossings since that start
    expected: int  # the crossings of the whole distance


class LapBoard(_Payload, frozen=True, kw_only=True):
    """A bunch race's lap board: what the officials show the riders (3.2.017 bis, ter)."""

    distance: int  # the race's distance in laps
    started: bool  # the flying start was given (before it, the laps ridden are neutral)
    leader_laps: int  # laps completed by the leader of the race, laps gained not counted
    laps_to_go: int
    bell: bool  # one lap to go: the bell has rung
    finished: bool
    neutralised: int  # laps of a neutralisation still to ride; 0 when racing


class LapChangeLine(_Payload, frozen=True, kw_only=True):
    """A lap gained (+1) or lost (-1) by a rider, at the bunch's `lap`."""

    bib: int
    change: Literal[1, -1]
    lap: int


class SprintLine(_Payload, frozen=True, kw_only=True):
    """One sprint of a points race, a tempo race or a Madison: the judged places, from the
    first (each the bibs, a Madison's team numbers, sharing it), as proposed from the loops and
    the camera or as the judges confirmed them."""

    number: int  # from 1
    lap: int  # the leader's laps completed at it
    final: bool  # the final sprint (doubled in a points race)
    confirmed: bool  # by the judges (`sprint`), or by the event's `final`
    placings: list[list[int]]
    # Proposals: the riders the loops cannot order (closer than they can tell apart), and what
    # the judges must look at, one sentence each.
    photo_required: list[int] = []
    attention: list[str] = []


class SprintBoard(_Payload, frozen=True, kw_only=True):
    """Where a points race, a tempo race or a Madison stands in its sprints."""

    sprints: int  # in the race
    contested: int  # whose lap the leader has completed
    sprints_to_go: int
    next_sprint: int | None  # its number; None after the final sprint
    next_sprint_lap: int | None  # the leader's laps completed at it


class EliminationSprintLine(_Payload, frozen=True, kw_only=True):
    """An elimination sprint ridden and not yet decided by the commissaires (`eliminate`,
    `green_flag`; the final is decided by its judged order): what the devices propose."""

    sprint: int
    lap: int  # the leader's laps at the sprint
    final: bool  # the last riders' sprint for the places, by the front wheel
    # Who the devices say goes out: the last over the line (rear wheel), or the riders lapped
    # or abandoning since the previous sprint; the final: its order, from first. Empty: the
    # devices cannot say yet.
    proposed: list[int]
    photo_required: list[int]  # riders the loops cannot part at the judged wheel
    attention: list[str]  # what the commissaires must look at, in words


class EliminationBoard(_Payload, frozen=True, kw_only=True):
    """An elimination race as it stands: who is still in, the sprints to go (the final
    included), and the sprints ridden awaiting the commissaires."""

    still_in: list[int]  # start-list order
    due: list[int]  # lapped or abandoning since the last sprint: out at the next
    sprints_to_go: int  # 0 once the final is ridden
    next_sprint: int | None  # the number of the next sprint to ride; None once all are ridden
    next_sprint_lap: int | None  # the leader's lap it is contested on
    pending: list[EliminationSprintLine]


class PursuitSplit(_Payload, frozen=True, kw_only=True):
    """One half lap of a pursuit side (uci-rules.md §4.5: cumulative truncated first, half laps
    and laps as differences of those); None where the lines missed the crossing."""

    half_lap: int  # from 1
    distance_m: int  # from the start, to the nearest metre: 125, 250, ... (167, 333 on 333.33)
    cumulative: str | None  # official string
    half: str | None  # since the half lap before
    lap: str | None  # the last full lap (two half laps), from half lap 2 on


class PursuitGap(_Payload, frozen=True, kw_only=True):
    """The gap at one half lap both sides have crossed (3.2.067): a difference of official
    times, "+0.077" to the side ahead."""

    half_lap: int
    ahead: int | None  # the entrant ahead (a bib, a team's number); None: level
    gap: str  # "+0.077"; "+0.000" when level


class PursuitSide(_Payload, frozen=True, kw_only=True):
    """One side of a pursuit heat: its entrant and its half laps so far."""

    side: Literal["home", "back"]  # home straight (red) or back straight (green)
    entrant: int  # the rider's bib, or the team's number
    name: str
    nation: str
    riders: list[int] = []  # team pursuit: the team's riders still counting
    dropped: list[int] = []  # team pursuit: riders dropped (off the back, or by command)
    started: bool  # its start (gate impulse, or the desk's start) is known
    half_laps: int  # half laps ridden
    laps_to_go: float  # 15.5: laps of the distance still to ride
    splits: list[PursuitSplit]
    finished: bool  # the whole distance ridden
    caught: bool  # caught by the other side (3.2.057, 3.2.081)
    false_starts: int  # recalls charged to it (3.2.021 ter: two at most)
    time: str | None  # official, over the whole distance
    status: Status
    won: bool  # a match heat: the winner, by a catch or by time


class PursuitBoard(_Payload, frozen=True, kw_only=True):
    """A pursuit heat side by side (individual or team): both sides' half laps and the gap at
    each, for the scoreboards (3.2.067: order, laps, times, the gap every half lap)."""

    half_laps: int  # of the distance: 32 for 4 km on a 250 m track
    match: bool  # won by time or catch (finals); else each rides for a time (qualifying)
    catch_ends: bool  # a catch ends the race for both
    sides: list[PursuitSide]  # home first
    gaps: list[PursuitGap]  # every half lap both sides crossed, in order
    leader: int | None  # the entrant ahead at the last gap; None: level or none yet
    catch_half_lap: int | None  # the catcher's half lap at whose line the catch was seen
    finished: bool  # the heat is over: both done, or ended by a catch


class TeamSprintPoint(_Payload, frozen=True, kw_only=True):
    """A team sprint team at a half lap or a lap (uci-rules.md §2.11): official figures."""

    half_laps: int  # from the start: 1 is half a lap (the other team's line), 2 the first lap
    rider: int  # the bib leading: rider k leads lap k
    cumulative: str  # official, from the start
    lap: str | None = None  # laps only: the lap's time (differences of cumulative times)
    # This team's cumulative time minus the other team's at the same point, "+0.123" behind,
    # "-0.123" ahead; None while the other has not reached it (or rides alone).
    gap: str | None = None


class TeamSprintTeam(_Payload, frozen=True, kw_only=True):
    team: int  # the team's number
    side: int  # 0: home straight, 1: back straight
    riders: list[int]  # in riding order
    starts: int  # gate releases seen (a restart makes two; the last counts)
    points: list[TeamSprintPoint]  # half laps and laps timed so far, in order


class TeamSprintBoard(_Payload, frozen=True, kw_only=True):
    """A team sprint heat as it stands: each team's splits per rider and the gap at each."""

    laps: int
    teams: list[TeamSprintTeam]  # home side first


class EventResult(_Payload, frozen=True, kw_only=True):
    """`results/<event>`: one event of the meet as it stands, the whole result each time.

    The optional keys are a discipline's (`Scored.extra`): `on_track` and `problems` a time
    trial's, `winner_last_200` and `winner_last_200_kmh` a keirin heat's once both crossings
    are known; `lap_board`, `lap_changes`, `lap_proposals` and `problems` (the loops' missed
    and double reads) a bunch race's; `elimination` an elimination race's; `pursuit` (with
    `problems`) a pursuit heat's; `team_sprint` (with `problems`) a team sprint heat's.
    """

    v: Literal[1] = 1
    event: str
    discipline: Discipline
    name: str
    category: str
    round: str
    status: EventStatus  # "scheduled": a command came for an event not armed yet
    lines: list[ResultLine]
    on_track: OnTrackLine | UnsetType | None = UNSET  # time trial: the rider named last
    problems: list[str] | UnsetType = UNSET  # time trial, bunch races: timing it could not use
    winner_last_200: str | UnsetType = UNSET  # keirin: official string, "9.397"
    winner_last_200_kmh: str | UnsetType = UNSET  # keirin: "76.620"
    lap_board: LapBoard | UnsetType = UNSET  # bunch races
    lap_changes: list[LapChangeLine] | UnsetType = UNSET  # bunch races: confirmed
    # Bunch races: lap changes the loops propose, awaiting the commissaires (`lap_change`).
    lap_proposals: list[LapChangeLine] | UnsetType = UNSET
    sprints: list[SprintLine] | UnsetType = UNSET  # points race, tempo, Madison: contested
    sprint_board: SprintBoard | UnsetType = UNSET  # points race, tempo, Madison
    elimination: EliminationBoard | UnsetType = UNSET  # elimination race
    pursuit: PursuitBoard | UnsetType = UNSET  # individual and team pursuit heats
    team_sprint: TeamSprintBoard | UnsetType = UNSET  # team sprint heat
    audit: list[AuditEntry]


# -- current ------------------------------------------------------------------------------------


class NothingOnTrack(_Payload, frozen=True, kw_only=True):
    """`current` when no event is on the track (none armed, or the last one made final)."""

    v: Literal[1] = 1
    event: None = None


class OnTrackNow(_Payload, frozen=True, kw_only=True):
    """`current`: the event armed last, for scoreboards (they run the clock from `start_us`)."""

    v: Literal[1] = 1
    event: str
    name: str
    discipline: Discipline
    category: str
    round: str
    status: EventStatus
    riders: list[int]  # the start order, or a keirin heat's riders in seeding order
    on_track: int | None  # a time trial: the rider named last (next_rider)
    start_us: int | None  # when the race, or the rider on the track, started (venue clock)


Current = NothingOnTrack | OnTrackNow


# -- standings/<competition> --------------------------------------------------------------------


class StandingsEntrant(_Payload, frozen=True, kw_only=True, omit_defaults=True):
    """A rider or team in a pursuit or team sprint heat, as the heat's result has them."""

    entrant: int  # the rider's bib (individual pursuit) or the team's number
    time: str | None = None  # the official time over the distance; None without one
    time_us: int | None = None
    status: Status = Status.RANKED
    won: bool = False  # a match: the winner, by time or by a catch
    caught: bool = False


class StandingsRace(_Payload, frozen=True, kw_only=True):
    """A sprint: one race of a match (its results/<event>)."""

    event: str
    status: EventStatus
    winner: int | None  # once the race has an official order
    winner_last_200: str | None  # the winner's last 200 m, "10.512"


class StandingsHeat(_Payload, frozen=True, kw_only=True):
    event: str  # the heat's event id (its results/<event>); a sprint: the match's id
    status: EventStatus  # a sprint match: "final" once decided
    # the start list, in seeding order (a sprint: in slot order; a pursuit or team sprint:
    # home side first, the riders' bibs or the teams' numbers)
    riders: list[int]
    # the official order, once the heat has one; a sprint match: its places once decided
    order: list[int]
    # A sprint match: the races won by each of `riders` ([1, 1] before a decider), and its
    # races so far (race 2 once race 1 is final, race 3 only at 1-1).
    wins: list[int] | UnsetType = UNSET
    races: list[StandingsRace] | UnsetType = UNSET
    # A pursuit or team sprint heat: each entrant's time, in start-list order, once timed;
    # in a match (first round, finals) its winner, null until decided
    entrants: list[StandingsEntrant] | UnsetType = UNSET
    winner: int | UnsetType | None = UNSET


class StandingsRank(_Payload, frozen=True, kw_only=True, omit_defaults=True):
    """A place in a pursuit or team sprint round's ranking by time (the qualifying; the first
    round of a team pursuit or team sprint, by group)."""

    rank: int  # within its group; equal for equal time and last lap (then `tied`)
    entrant: int  # the rider's bib (individual pursuit) or the team's number
    # The part of the round it is ranked in: "qualifying"; a team pursuit's first round "gold"
    # (the winners of heats 3 and 4) and "rest"; a team sprint's "winners" and "losers"
    group: str
    time: str | None = None  # the official time; None: ranked without one (a catch)
    time_us: int | None = None
    # to the group's fastest, a difference of official times, "+0.500"; None for the fastest
    # and without a time
    gap: str | None = None
    status: Status = Status.RANKED  # REL after the ranked, DNS placed last (3.2.148 bis)
    tied: bool = False  # equal in time and last lap with another: a commissaire orders them
    # Where the ranking sends it, once drawn: "final 1-2", "first round, heat 4"; "out": in no
    # later round; None: not drawn yet
    to: str | None = None


class StandingsRound(_Payload, frozen=True, kw_only=True):
    name: str
    heats: list[StandingsHeat]  # once the rounds feeding this one are all final
    # A pursuit or team sprint round ranked by time (qualifying; a team event's first round):
    # its final heats ranked so far, best first by group; complete once every heat is final
    ranking: list[StandingsRank] | UnsetType = UNSET
    # A sprint: best of 1 or 3, and where each heat's riders come from, from the start (for a
    # bracket): "q5" the 5th qualifier, "1/8:3" the winner of heat 3 of 1/8, "1/8:3:2" its 2nd.
    best_of: int | UnsetType = UNSET
    slots: list[list[str]] | UnsetType = UNSET


class Standings(_Payload, frozen=True, kw_only=True):
    """`standings/<competition>`: a keirin competition from round 1 to the finals, a sprint
    tournament from the qualifying to the finals, or the qualifying, first round and finals of
    a pursuit or team sprint."""

    v: Literal[1] = 1
    competition: str
    discipline: Literal["keirin", "sprint", "individual_pursuit", "team_pursuit", "team_sprint"]
    name: str
    category: str
    # The progression table: keirin "10-14", "15-20"... or the competition's id; pursuits,
    # team sprint "uci" or "olympic"
    format: str
    status: Literal["running", "final"]
    rounds: list[StandingsRound]  # every round of the table, in riding order
    classification: list[ResultLine]  # the final classification; empty until it is made
    problems: list[str]  # why the next round cannot be drawn up yet
    # A sprint: the qualifiers, best first (slot "q1" first); empty until the qualifying is final
    qualifiers: list[int] | UnsetType = UNSET


# -- standings/<omnium> ---------------------------------------------------------------------------


class OmniumRaceScore(_Payload, frozen=True, kw_only=True):
    """What one race gave a rider in the omnium (velotime.scoring.rules.omnium.RaceScore)."""

    place: int | None  # the place its points are for; None in the points race, or when out
    points: int  # the omnium points it gave (the -40 for two laps lost included)
    # "lapped": taken off after losing a second lap (3.2.251 bis); "crashed": in the scratch
    # race's last km (3.2.251 ter); "DNS", "DNF", "DSQ": out of the omnium from this race on.
    status: Literal["", "DNS", "DNF", "DSQ", "lapped", "crashed"]
    laps: int  # the points race: laps gained less lost (each worth the table's lap points)


class OmniumStandingsLine(_Payload, frozen=True, kw_only=True):
    """A rider in the omnium's standings."""

    rank: int | None  # None: out of the omnium; riders level (no tie-break yet) share a rank
    bib: int
    name: str
    nation: str
    total: int  # the omnium points so far, every race below added up
    races: list[OmniumRaceScore | None]  # one per race of `races`; null: not counted (yet)
    status: Literal["", "DNF", "DSQ"]  # DNF: did not start or abandoned a race (3.2.249)


class OmniumStandingsRace(_Payload, frozen=True, kw_only=True):
    """One race of the omnium, in riding order, and whether the standings count it yet."""

    name: str  # as the format names it: "scratch", "points race"
    event: str  # its event id (results/<event>, startlists/<event>)
    kind: str  # scratch, tempo, elimination, points_race, ... (the format's `kind`)
    status: EventStatus  # its result's status
    counted: bool  # in the standings: provisional or final, or the points race live


class OmniumStandings(_Payload, frozen=True, kw_only=True):
    """`standings/<omnium>`: an omnium's standings, after every race and live during the
    points race (uci-rules.md §2.10)."""

    v: Literal[1] = 1
    competition: str  # the omnium's id
    discipline: Literal["omnium"]
    name: str
    category: str
    format: str  # the scoring table: "uci", "uci-2014", "uci-2010" or the meet's own
    # "running"; "live" while the points race is counted as it is ridden; "final" once every
    # race is final.
    status: Literal["running", "live", "final"]
    races: list[OmniumStandingsRace]
    lines: list[OmniumStandingsLine]  # ranked riders by rank, then those out (DNF, DSQ)
    problems: list[str]  # a race's result the standings cannot read, and why


# -- startlists/<event> -------------------------------------------------------------------------


class StartListRider(_Payload, frozen=True, kw_only=True):
    bib: int
    name: str
    nation: str  # or team, as the meet file has it


class StartList(_Payload, frozen=True, kw_only=True):
    """`startlists/<event>`: who rides an event, in start order, from before it is armed: every
    event of the meet from the start, a keirin competition's heats once they are drawn."""

    v: Literal[1] = 1
    event: str
    discipline: Discipline
    name: str
    category: str
    round: str
    heat: str  # a keirin heat's number in its round; "" for an event of one heat
    competition: str  # the keirin competition a heat belongs to; "" for an event of the meet
    programme: int  # its place in the programme: the meet's events in order, then heats drawn
    riders: list[StartListRider]  # the start order; a keirin heat's riders in seeding order
