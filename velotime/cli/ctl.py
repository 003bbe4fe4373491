"""`velotime ctl`: the operator's commands to the scoring engine, over MQTT.

Each command is published once at QoS 1 on `<prefix>/<venue>/control/scoring`, the same JSON the
engine reads (`velotime.wire.commands`), so a desk tool or a script can send the same. Over MQTT 5
(the default) a command the broker refuses (its ACL: the user may not publish there) is one line
with the broker's reason and exit status 1; over 3.1.1 the broker drops it without a word.
"""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any, Literal

import aiomqtt
import msgspec

from velotime.config import ConfigError, load_config, parse_mqtt_url
from velotime.mqtt.client import (
    BrokerSettings,
    PublishRefusedError,
    broker_settings,
    mqtt_client,
    publish_checked,
)
from velotime.wire.commands import (
    Abandon,
    Arm,
    Command,
    Confirm,
    Correct,
    Decision,
    Final,
    LapChangeDecision,
    Neutralise,
    NextRider,
    Provisional,
    SetLaps,
    SetStatus,
    Start,
)
from velotime.wire.topics import Topics

_STATUSES: dict[str, Decision] = {
    "DNS": "DNS",
    "DNF": "DNF",
    "DSQ": "DSQ",
    "REL": "REL",
    "clear": "",
}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "ctl",
        description="Publish one command for the scoring engine on <prefix>/<venue>/control/"
        "scoring (QoS 1). The broker and venue come from --config, or --broker and --venue.",
    )
    parser.add_argument("--config", type=Path, help="the venue's config")
    parser.add_argument("--broker", help="MQTT broker URL (with --venue, or over --config's)")
    parser.add_argument("--venue", help="venue id (default: the config's)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="COMMAND")
    arm = actions.add_parser("arm", help="this event is on the track now")
    arm.add_argument("event")
    rider = actions.add_parser("next-rider", help="this rider rides now (named again: a restart)")
    rider.add_argument("event")
    rider.add_argument("bib", type=int)
    status = actions.add_parser("status", help="a commissaires' decision about a rider")
    status.add_argument("event")
    status.add_argument("bib", type=int)
    status.add_argument("status", choices=tuple(_STATUSES))
    status.add_argument("--reason", default="", help="kept in the result's audit trail")
    correct = actions.add_parser(
        "correct", help="a manual place or time, with its reason (kept in the audit trail)"
    )
    correct.add_argument("event")
    correct.add_argument("bib", type=int)
    what = correct.add_mutually_exclusive_group(required=True)
    what.add_argument("--place", type=int, help="put the rider at this place")
    what.add_argument("--time", help='replace the measured time: "10.724", "1:00.981"')
    what.add_argument("--withdraw", action="store_true", help="undo the rider's corrections")
    correct.add_argument("--reason", required=True, help="why: kept in the result")
    confirm = actions.add_parser(
        "confirm", help='rank a time held under "check" (outside the plausible window)'
    )
    confirm.add_argument("event")
    confirm.add_argument("bib", type=int)
    confirm.add_argument("--reason", required=True, help="why: kept in the result")
    abandon = actions.add_parser("abandon", help="the race will be run again: drop its timing")
    abandon.add_argument("event")
    abandon.add_argument("--reason", default="", help="kept in the result's audit trail")
    neutralise = actions.add_parser(
        "neutralise", help="a bunch race is neutralised: the next laps are ridden, not counted"
    )
    neutralise.add_argument("event")
    neutralise.add_argument("--laps", type=int, required=True, help="laps not counted")
    neutralise.add_argument("--reason", default="", help="kept in the result's audit trail")
    laps = actions.add_parser("laps", help="a bunch race: the commissaires' count of a rider")
    laps.add_argument("event")
    laps.add_argument("bib", type=int)
    laps.add_argument("--set", type=int, required=True, dest="laps", help="the rider's laps now")
    laps.add_argument("--reason", required=True, help="why: kept in the result")
    lap_change = actions.add_parser(
        "lap-change", help="a bunch race: confirm a lap gained (+1) or lost (-1), or set it aside"
    )
    lap_change.add_argument("event")
    lap_change.add_argument("bib", type=int)
    lap_change.add_argument("change", choices=("+1", "-1"))
    lap_change.add_argument(
        "--dismiss", action="store_true", help="set the proposal aside instead of confirming it"
    )
    lap_change.add_argument("--reason", default="", help="kept in the result's audit trail")
    for name, text in (
        ("start", "the race has started (scoreboards run the clock from now)"),
        ("provisional", "the result is provisional"),
        ("final", "the result is final"),
    ):
        actions.add_parser(name, help=text).add_argument("event")
    parser.set_defaults(run=run)


def command_of(args: argparse.Namespace) -> Command:
    if args.action == "arm":
        return Arm(event=args.event)
    if args.action == "next-rider":
        return NextRider(event=args.event, bib=args.bib)
    if args.action == "status":
        decision = _STATUSES[args.status]
        return SetStatus(event=args.event, bib=args.bib, status=decision, reason=args.reason)
    if args.action == "correct":
        return Correct(
            event=args.event, bib=args.bib, place=args.place, time=args.time, reason=args.reason
        )
    if args.action == "confirm":
        return Confirm(event=args.event, bib=args.bib, reason=args.reason)
    if args.action == "abandon":
        return Abandon(event=args.event, reason=args.reason)
    if args.action == "neutralise":
        return Neutralise(event=args.event, laps=args.laps, reason=args.reason)
    if args.action == "laps":
        return SetLaps(event=args.event, bib=args.bib, laps=args.laps, reason=args.reason)
    if args.action == "lap-change":
        change: Literal[1, -1] = 1 if args.change == "+1" else -1
        return LapChangeDecision(
            event=args.event, bib=args.bib, change=change, dismiss=args.dismiss, reason=args.reason
        )
    if args.action == "start":
        return Start(event=args.event)
    if args.action == "provisional":
        return Provisional(event=args.event)
    return Final(event=args.event)


def run(args: argparse.Namespace) -> int:
    try:
        if args.config:
            config = load_config(args.config, broker=args.broker)
            broker, prefix = broker_settings(config), config.mqtt.topic_prefix
            venue = args.venue or config.venue.id
        elif args.broker and args.venue:
            host, port, tls = parse_mqtt_url(args.broker)
            broker = BrokerSettings(host=host, port=port, tls=tls)
            prefix, venue = "velotime", args.venue
        else:
            return _fail("give --config, or --broker and --venue")
    except (ConfigError, ValueError) as exc:
        return _fail(str(exc))
    topic = Topics(prefix, venue).control("scoring")
    try:
        payload = msgspec.json.encode(command_of(args))
    except ValueError as exc:  # a mistyped time, an empty reason: refused at the desk
        return _fail(str(exc))
    try:
        asyncio.run(_publish(broker, topic, payload))
    except PublishRefusedError as refused:
        sys.stderr.write(f"velotime ctl: not sent: {refused}\n")
        return 1
    except aiomqtt.MqttError as exc:
        return _fail(f"cannot publish to mqtt://{broker.host}:{broker.port}: {exc}")
    sys.stdout.write(f"{topic} {payload.decode()}\n")
    return 0


async def _publish(broker: BrokerSettings, topic: str, payload: bytes) -> None:
    async with mqtt_client(broker) as client:
        await publish_checked(client, topic, payload)


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime ctl: {message}\n")
    return 2
