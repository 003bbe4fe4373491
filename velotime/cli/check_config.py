"""`velotime check-config`: validate a configuration file and summarise what it sets up."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from velotime.config import ENV_PREFIX, Config, ConfigError, load_config
from velotime.scoring.meet import MeetError, load_meet
from velotime.scoring.service import venue_engine

_MASK = "******"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check-config",
        description="Validate a velotime configuration file, with the VELOTIME_<SECTION>__<KEY> "
        "overrides from the environment applied. Prints a summary and exits 0 if it is valid; "
        "prints every problem on stderr and exits 2 if not.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="the TOML configuration file")
    parser.add_argument("--broker", metavar="URL", help="override mqtt.url, as the daemon would")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.path
    try:
        config = load_config(path, broker=args.broker)
        # Read the password and TLS files now: a missing secret should fail here, not at race
        # start.
        config.check_files()
        password = config.password()
        # And the meet the scoring service would score with: its mistakes too, at the desk.
        meet = (
            load_meet(config.scoring.meet, f"{path}: scoring.meet")
            if config.scoring.meet is not None
            else None
        )
        if meet is not None:  # and whether this venue can run its events
            venue_engine(config, meet)
    except (ConfigError, MeetError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    overrides = sorted(name for name in os.environ if name.startswith(ENV_PREFIX))
    text = summary(path, config, password is not None, overrides)
    if meet is not None:
        text += (
            f"scoring: meet {meet.meet.id} from {config.scoring.meet}: {len(meet.riders)} riders, "
            f"{len(meet.events)} events, {len(meet.competitions)} competitions\n"
        )
    sys.stdout.write(text)
    return 0


def summary(path: Path, config: Config, has_password: bool, overrides: list[str]) -> str:
    venue = config.venue
    named = f" ({venue.name})" if venue.name else ""
    out = [
        f"{path}: valid",
        f"venue:   {venue.id}{named}, {venue.track_length_m:g} m, {venue.timezone}",
        f"clocks:  a Timy's or camera's clock more than {venue.clock_tolerance_s:g} s from the "
        "venue clock is a fault",
        "lines:",
    ]
    width = max(len(line.name) for line in config.lines)
    for line in config.lines:
        where = "the finish" if line.distance_m == 0 else "before the finish"
        if line.role:
            where += f", the {line.role.removeprefix('pursuit-')} straight's pursuit line"
        out.append(f"  {line.name:<{width}}  {line.distance_m:g} m, {where}")
    out.append("sources:")
    width = max(len(source.name) for source in config.sources)
    for source in config.sources:
        detail = f", {summary}" if (summary := source.summary()) else ""
        out.append(f"  {source.name:<{width}}  {source.protocol} {source.endpoint}{detail}")
    if config.boards:
        width = max(len(board.name) for board in config.boards)
        out.append("boards:")
        out += [
            f"  {b.name:<{width}}  {b.protocol} {b.endpoint}, {b.rows} rows x {b.columns} columns"
            + (f", the standings of {b.standings}" if b.standings else "")
            for b in config.boards
        ]
    mqtt = config.mqtt
    password_from = f", password from {mqtt.password_file}" if mqtt.password_file else ""
    out += [
        f"broker:  {broker_url(config, has_password)} "
        f"(client id {mqtt.client_id}, keepalive {mqtt.keepalive_s} s{password_from})",
        f"topics:  {mqtt.topic_prefix}/{venue.id}/...",
        f"storage: {config.storage.directory}",
    ]
    if config.scoreboard.listen is not None:
        out.append(f"scoreboard: web page, overlay and result sheets on {config.scoreboard.listen}")
    if overrides:
        out.append(f"environment overrides: {', '.join(overrides)}")
    return "\n".join(out) + "\n"


def broker_url(config: Config, has_password: bool) -> str:
    """The broker as a URL with the user name and, if any, a masked password."""
    mqtt = config.mqtt
    user = ""
    if mqtt.username:
        user = quote(mqtt.username, safe="") + (f":{_MASK}" if has_password else "") + "@"
    host = f"[{mqtt.host}]" if ":" in mqtt.host else mqtt.host
    return f"{'mqtts' if mqtt.tls else 'mqtt'}://{user}{host}:{mqtt.port}"
