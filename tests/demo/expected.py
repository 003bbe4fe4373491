"""The results a demo session must give, worked out from its designed times by the UCI rules:
official times truncated to the thousandth (velotime.times), speeds from the official time
truncated to three decimals, gaps as differences of official times, lap splits as differences
of truncated cumulative times; the points race from its sprints as designed (`PointsRace`) by
uci-rules.md §2.9: 5-3-2-1 in each sprint, 10-6-4-2 in the final one (3.2.116-3.2.117), 20 for
a lap gained (3.2.118), ranked by points, then by the final sprint's place (3.2.119), riders
equal on both sharing the place. The final sprint is judged for every place across the line
(`FINAL_ORDER`). A sprint race (uci-rules.md §2.2, §4.3) is the camera's order where it
decides, else the finish loop's; the loser's gap is the difference of the two riders' times at
the line (the camera's, else the loops' reads), truncated; the winner's last 200 m runs from
their 200 m line read to their finish (the camera's, else the loop's read). A team sprint
(§2.11) is ranked by the official time of each team's third rider after 3 laps, its lap splits
the differences of truncated cumulative times, its speed over 750 m. Nothing here runs the
scoring engine.
"""

from typing import Any

from velotime.demo.script import (
    FLYING200,
    KEIRIN,
    KILOMETRE,
    POINTS,
    POINTS_LAPS,
    QUALIFY,
    SPRINT_EVERY,
    SPRINT_PLACINGS,
    TEAM_SPRINT,
    DemoSession,
    SprintRace,
)
from velotime.times import format_duration, truncate_to_ms

LAP_M = 250
# The final sprint's order across the line, by bunch position (velotime.demo.script.PointsRace):
# its four (1, 5, 0, 2) 0.1 s apart from the head, then the others at their slot (0.25 s a
# position) + 0.4 s: 3 at 1.15 s, 4 at 1.4, 6 at 1.9, 7 at 2.15 (the breakaway, 5, is in the four).
FINAL_ORDER = (1, 5, 0, 2, 3, 4, 6, 7)


def speed(distance_m: int, official_us: int) -> str:
    """km/h = 3.6 * d / t, truncated to the thousandth: in thousandths, 3600 * d * 10^6 / t_us."""
    milli_kmh = 3_600 * distance_m * 1_000_000 // official_us
    return f"{milli_kmh // 1000}.{milli_kmh % 1000:03d}"


def _line(session: DemoSession, rank: int, bib: int, **values: Any) -> dict[str, Any]:
    rider = session.rider(bib)
    line = {"rank": rank, "bib": bib, "name": rider.name, "nation": rider.nation, **values}
    return {key: value for key, value in line.items() if value not in (None, [], "")}


def flying200(session: DemoSession) -> list[dict[str, Any]]:
    """Every rider ranked by the official time of their photocell-timed 200 m."""
    official = {ride.bib: truncate_to_ms(ride.time_us) for ride in session.flying200}
    ranked = sorted(official, key=official.__getitem__)
    leader = official[ranked[0]]
    return [
        _line(
            session,
            rank,
            bib,
            time=format_duration(official[bib]),
            time_us=official[bib],
            speed_kmh=speed(200, official[bib]),
            gap=None if rank == 1 else "+" + format_duration(official[bib] - leader),
            flags=["qualified"] if rank <= QUALIFY else [],
        )
        for rank, bib in enumerate(ranked, start=1)
    ]


def kilometre(session: DemoSession) -> list[dict[str, Any]]:
    rides = sorted(session.kilometre, key=lambda ride: truncate_to_ms(ride.time_us))
    leader = truncate_to_ms(rides[0].time_us)
    lines = []
    for rank, ride in enumerate(rides, start=1):
        cumulative = [truncate_to_ms(t) for t in ride.cumulative_us]
        laps = [t - previous for t, previous in zip(cumulative, [0, *cumulative], strict=False)]
        time_us = cumulative[-1]
        splits = [
            {"distance_m": LAP_M * n, "cumulative": format_duration(c), "lap": format_duration(lap)}
            for n, (c, lap) in enumerate(zip(cumulative, laps, strict=True), start=1)
        ]
        lines.append(
            _line(
                session,
                rank,
                ride.bib,
                time=format_duration(time_us),
                time_us=time_us,
                speed_kmh=speed(1000, time_us),
                gap=None if rank == 1 else "+" + format_duration(time_us - leader),
                splits=splits,
            )
        )
    return lines


def keirin(session: DemoSession) -> list[dict[str, Any]]:
    """The camera's order; gaps from the camera's times."""
    race = session.keirin
    winner = race.camera_time_us[race.order[0]]
    return [
        _line(
            session,
            rank,
            bib,
            gap=None
            if rank == 1
            else "+" + format_duration(truncate_to_ms(race.camera_time_us[bib] - winner)),
        )
        for rank, bib in enumerate(race.order, start=1)
    ]


def keirin_last_200(session: DemoSession) -> tuple[str, str]:
    """The winner's last 200 m, from the 200 m loop to the camera's finish, and its speed."""
    official = truncate_to_ms(session.keirin.winner_last_200_us)
    return format_duration(official), speed(200, official)


def points_sprints(session: DemoSession) -> list[dict[str, Any]]:
    """The sprints as judged: one bib a place, every one confirmed (sprints 1-3 by the judges,
    the last by the `final`); the final one every rider across the line (`FINAL_ORDER`)."""
    riders = session.points.riders
    last = max(SPRINT_PLACINGS)
    judged = {**SPRINT_PLACINGS, last: FINAL_ORDER}
    return [
        {"number": number, "lap": number * SPRINT_EVERY, "final": number == last,
         "confirmed": True, "placings": [[riders[position]] for position in placings],
         "photo_required": [], "attention": []}
        for number, placings in sorted(judged.items())
    ]  # fmt: skip


def points_race(session: DemoSession) -> list[dict[str, Any]]:
    """Points from the sprints (the final one doubled) and 20 for the breakaway's lap gained,
    ranked by points, then by place in the final sprint."""
    race = session.points
    last = max(SPRINT_PLACINGS)
    sprint_points = {bib: [0] * last for bib in race.riders}
    for number, placings in SPRINT_PLACINGS.items():
        table = (10, 6, 4, 2) if number == last else (5, 3, 2, 1)
        for position, points in zip(placings, table, strict=True):
            sprint_points[race.riders[position]][number - 1] = points
    final_place = {race.riders[p]: place for place, p in enumerate(FINAL_ORDER, 1)}
    gained = {bib: int(bib == race.breakaway) for bib in race.riders}
    total = {bib: sum(sprint_points[bib]) + 20 * gained[bib] for bib in race.riders}

    def key(bib: int) -> tuple[int, int]:
        return (-total[bib], final_place.get(bib, len(race.riders) + 1))

    ranked = sorted(race.riders, key=lambda bib: (key(bib), bib))
    lines = []
    for bib in ranked:
        rank = 1 + sum(key(other) < key(bib) for other in race.riders)
        rider = session.rider(bib)
        line: dict[str, Any] = {
            "rank": rank, "bib": bib, "name": rider.name, "nation": rider.nation,
            "laps": POINTS_LAPS + gained[bib], "laps_gained": gained[bib], "points": total[bib],
            "sprint_points": sprint_points[bib], "lap_points": 20 * gained[bib],
            "final_sprint_place": final_place.get(bib),
        }  # fmt: skip
        lines.append({k: v for k, v in line.items() if v is not None and (k != "laps_gained" or v)})
    return lines


def _at_the_line_us(race: SprintRace, bib: int) -> int:
    """A rider's finish after the start as the race is judged: the camera's time, else the
    finish loop's read (the camera's line plus the loop's lag)."""
    return race.finish_us[bib] + (0 if race.camera else race.loop_lag_us[bib])


def sprint_race(session: DemoSession, race: SprintRace) -> list[dict[str, Any]]:
    """The winner first, the loser second with the gap at the line, truncated."""
    gap_us = _at_the_line_us(race, race.loser) - _at_the_line_us(race, race.winner)
    return [
        _line(session, 1, race.winner),
        _line(session, 2, race.loser, gap="+" + format_duration(truncate_to_ms(gap_us))),
    ]


def sprint_last_200(race: SprintRace) -> tuple[str, str]:
    """From the winner's 200 m read (`winner_last_200_us` before the camera's line) to their
    finish: the camera's line, or the loop's read `loop_lag_us` after it."""
    official = truncate_to_ms(race.winner_last_200_us + _at_the_line_us(race, race.winner)
                              - race.finish_us[race.winner])  # fmt: skip
    return format_duration(official), speed(200, official)


def team_sprint(session: DemoSession) -> list[dict[str, Any]]:
    """Each team by the official time on its own line after 3 laps; a team's line has no
    nation (its riders' differ)."""
    teams = sorted(session.team_sprint.teams, key=lambda team: truncate_to_ms(team.time_us))
    leader = truncate_to_ms(teams[0].time_us)
    lines = []
    for rank, team in enumerate(teams, start=1):
        cumulative = [truncate_to_ms(t) for t in team.laps_us]
        laps = [t - previous for t, previous in zip(cumulative, [0, *cumulative], strict=False)]
        time_us = cumulative[-1]
        line = {
            "rank": rank, "bib": team.number, "name": team.name,
            "time": format_duration(time_us), "time_us": time_us,
            "speed_kmh": speed(LAP_M * len(laps), time_us),
            "gap": None if rank == 1 else "+" + format_duration(time_us - leader),
            "splits": [
                {"distance_m": LAP_M * n, "cumulative": format_duration(c),
                 "lap": format_duration(lap)}
                for n, (c, lap) in enumerate(zip(cumulative, laps, strict=True), start=1)
            ],
        }  # fmt: skip
        lines.append({key: value for key, value in line.items() if value is not None})
    return lines


def sprint_match(session: DemoSession) -> tuple[list[int], list[int], list[int]]:
    """The final's riders (q1, q2), its places and the races each won: race 1 to the first
    qualifier, race 2 to the second, the decider to the first: 2-1."""
    races = session.sprint
    riders = list(races[0].riders)
    wins = [sum(race.winner == bib for race in races) for bib in riders]
    order = sorted(riders, key=lambda bib: -wins[riders.index(bib)])
    return riders, order, wins


def results(session: DemoSession) -> dict[str, list[dict[str, Any]]]:
    """Every event's lines, in riding order."""
    return {
        FLYING200: flying200(session),
        KILOMETRE: kilometre(session),
        KEIRIN: keirin(session),
        **{race.event: sprint_race(session, race) for race in session.sprint},
        TEAM_SPRINT: team_sprint(session),
        POINTS: points_race(session),
    }
