"""The results a demo session must give, worked out from its designed times by the UCI rules:
official times truncated to the thousandth (velotime.times), speeds from the official time
truncated to three decimals, gaps as differences of official times, lap splits as differences
of truncated cumulative times. Nothing here runs the scoring engine.
"""

from typing import Any

from velotime.demo.script import FLYING200, KEIRIN, KILOMETRE, QUALIFY, DemoSession
from velotime.times import format_duration, truncate_to_ms

LAP_M = 250


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


def results(session: DemoSession) -> dict[str, list[dict[str, Any]]]:
    return {
        FLYING200: flying200(session),
        KILOMETRE: kilometre(session),
        KEIRIN: keirin(session),
    }
