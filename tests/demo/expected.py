"""The results a demo session must give, worked out from its designed times by the UCI rules:
official times truncated to the thousandth (velotime.times), speeds from the official time
truncated to three decimals, gaps as differences of official times, lap splits as differences
of truncated cumulative times; the points race from its sprints as designed (`PointsRace`) by
uci-rules.md §2.9: 5-3-2-1 in each sprint, 10-6-4-2 in the final one (3.2.116-3.2.117), 20 for
a lap gained (3.2.118), ranked by points, then by the final sprint's place (3.2.119), riders
equal on both sharing the place. The final sprint is judged for every place across the line
(`FINAL_ORDER`). Nothing here runs the scoring engine.
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
    DemoSession,
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


def results(session: DemoSession) -> dict[str, list[dict[str, Any]]]:
    return {
        FLYING200: flying200(session),
        KILOMETRE: kilometre(session),
        KEIRIN: keirin(session),
        POINTS: points_race(session),
    }
