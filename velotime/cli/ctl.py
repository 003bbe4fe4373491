"""`velotime ctl`: the operator's commands to the scoring engine, over MQTT, and their answers.

Each command is published once at QoS 1 on `<prefix>/<venue>/control/scoring`, the same JSON the
engine reads (`velotime.wire.commands`), with an `id` of its own, so a desk tool or a script can
send the same. Subscribed first to `replies/scoring/<id>`, it waits for the answer
(`velotime.wire.replies`): exit status 0 when accepted, 1 when refused (the reason on stderr),
3 when no answer comes within `--timeout` (with what `status/scoring` and `status/daemon` say).
Over MQTT 5 (the default) a command the broker refuses (its ACL: the user may not publish there)
is one line with the broker's reason and exit status 1; over 3.1.1 the broker drops it without a
word, and no answer comes.
"""

import argparse
import asyncio
import json
import sys
import uuid
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
    Eliminate,
    Final,
    GreenFlag,
    LapChangeDecision,
    Neutralise,
    NextRider,
    Provisional,
    Reopen,
    SetLaps,
    SetStatus,
    SprintDecision,
    Start,
)
from velotime.wire.replies import Answerer, CommandReply, decode_reply
from velotime.wire.topics import Topics

DEFAULT_TIMEOUT_S = 5.0
EXIT_ACCEPTED, EXIT_REFUSED, EXIT_USAGE, EXIT_NO_ANSWER = 0, 1, 2, 3

_STATUSES: dict[str, Decision] = {
    "DNS": "DNS",
    "DNF": "DNF",
    "DSQ": "DSQ",
    "REL": "REL",
    "crash-last-km": "crashed",
    "clear": "",
}


_ANSWERER: dict[Answerer, str] = {"scoring": "scoring service", "daemon": "daemon"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "ctl",
        description="Publish one command for the scoring engine on <prefix>/<venue>/control/"
        "scoring (QoS 1). The broker and venue come from --config, or --broker and --venue.",
    )
    parser.add_argument("--config", type=Path, help="the venue's config")
    parser.add_argument("--broker", help="MQTT broker URL (with --venue, or over --config's)")
    parser.add_argument("--venue", help="venue id (default: the config's)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"how long to wait for the answer (default {DEFAULT_TIMEOUT_S:g}); none: exit 3",
    )
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
    sprint = actions.add_parser(
        "sprint",
        help="a points or tempo race or a Madison: confirm a sprint as proposed, or place it",
    )
    sprint.add_argument("event")
    sprint.add_argument("number", type=int, help="the sprint's number, from 1")
    sprint.add_argument(
        "--placings",
        help='the judges\' placings from the first: "12,5,7,3"; "5=7" a dead heat',
    )
    sprint.add_argument("--reason", default="", help="why (with --placings, required)")
    eliminate = actions.add_parser(
        "eliminate",
        help="an elimination race: the rider out at this sprint (the proposal, or another)",
    )
    eliminate.add_argument("event")
    eliminate.add_argument("sprint", type=int, help="the elimination sprint's number, from 1")
    eliminate.add_argument("bib", type=int)
    eliminate.add_argument("--reason", default="", help="kept in the result's audit trail")
    green_flag = actions.add_parser(
        "green-flag", help="an elimination race: nobody out at this sprint (3.2.223)"
    )
    green_flag.add_argument("event")
    green_flag.add_argument("sprint", type=int, help="the elimination sprint's number, from 1")
    green_flag.add_argument("--reason", default="", help="kept in the result's audit trail")
    reopen = actions.add_parser(
        "reopen", help="a final result is provisional again (a protest upheld), with its reason"
    )
    reopen.add_argument("event")
    reopen.add_argument("--reason", required=True, help="why: kept in the result's audit trail")
    for name, text in (
        ("start", "the race has started (scoreboards run the clock from now)"),
        ("provisional", "the result is provisional"),
        ("final", "the result is final"),
    ):
        actions.add_parser(name, help=text).add_argument("event")
    parser.set_defaults(run=run)


def command_of(args: argparse.Namespace, command_id: str) -> Command:
    if args.action == "arm":
        return Arm(id=command_id, event=args.event)
    if args.action == "next-rider":
        return NextRider(id=command_id, event=args.event, bib=args.bib)
    if args.action == "status":
        decision = _STATUSES[args.status]
        return SetStatus(
            id=command_id, event=args.event, bib=args.bib, status=decision, reason=args.reason
        )
    if args.action == "correct":
        return Correct(
            id=command_id,
            event=args.event,
            bib=args.bib,
            place=args.place,
            time=args.time,
            reason=args.reason,
        )
    if args.action == "confirm":
        return Confirm(id=command_id, event=args.event, bib=args.bib, reason=args.reason)
    if args.action == "abandon":
        return Abandon(id=command_id, event=args.event, reason=args.reason)
    if args.action == "reopen":
        return Reopen(id=command_id, event=args.event, reason=args.reason)
    if args.action == "neutralise":
        return Neutralise(id=command_id, event=args.event, laps=args.laps, reason=args.reason)
    if args.action == "laps":
        return SetLaps(
            id=command_id, event=args.event, bib=args.bib, laps=args.laps, reason=args.reason
        )
    if args.action == "lap-change":
        change: Literal[1, -1] = 1 if args.change == "+1" else -1
        return LapChangeDecision(
            id=command_id,
            event=args.event,
            bib=args.bib,
            change=change,
            dismiss=args.dismiss,
            reason=args.reason,
        )
    if args.action == "sprint":
        return SprintDecision(
            id=command_id,
            event=args.event,
            number=args.number,
            placings=parse_placings(args.placings) if args.placings else [],
            reason=args.reason,
        )
    if args.action == "eliminate":
        return Eliminate(
            id=command_id, event=args.event, sprint=args.sprint, bib=args.bib, reason=args.reason
        )
    if args.action == "green-flag":
        return GreenFlag(id=command_id, event=args.event, sprint=args.sprint, reason=args.reason)
    if args.action == "start":
        return Start(id=command_id, event=args.event)
    if args.action == "provisional":
        return Provisional(id=command_id, event=args.event)
    return Final(id=command_id, event=args.event)


def parse_placings(text: str) -> list[list[int]]:
    """ "12,5=7,3" -> [[12], [5, 7], [3]]: places from the first, "=" joining a dead heat;
    raises ValueError, saying what is wrong, for anything else."""
    placings = []
    for place in text.split(","):
        bibs = place.strip().split("=")
        if not all(bib.strip().isascii() and bib.strip().isdigit() for bib in bibs):
            raise ValueError(
                f'--placings: bibs by place, "12,5,7,3" ("5=7" a dead heat), not {text!r}'
            )
        placings.append([int(bib) for bib in bibs])
    return placings


def new_command_id() -> str:
    """Unique enough that two desks never wait on each other's answers."""
    return f"ctl-{uuid.uuid4().hex[:20]}"


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
    if not args.timeout > 0:
        return _fail(f"--timeout: give a number of seconds above 0, not {args.timeout:g}")
    command_id = new_command_id()
    try:
        payload = msgspec.json.encode(command_of(args, command_id))
    except ValueError as exc:  # a mistyped time, an empty reason: refused at the desk
        return _fail(str(exc))
    topics = Topics(prefix, venue)
    exchange = _Exchange(topics, command_id, payload)
    try:
        asyncio.run(exchange.run(broker, args.timeout))
    except PublishRefusedError as refused:
        sys.stderr.write(f"velotime ctl: not sent: {refused}\n")
        return EXIT_REFUSED
    except aiomqtt.MqttError as exc:
        return _fail(f"cannot publish to mqtt://{broker.host}:{broker.port}: {exc}")
    sys.stdout.write(f"{exchange.command_topic} {payload.decode()}\n")
    reply = exchange.reply
    if reply is None:
        sys.stderr.write(f"velotime ctl: {exchange.no_answer(args.timeout)}\n")
        return EXIT_NO_ANSWER
    if reply.verdict == "refused":
        sys.stderr.write(
            f"velotime ctl: refused by the {_ANSWERER[reply.by]}: {reply.reason or '?'}\n"
        )
        return EXIT_REFUSED
    sys.stdout.write(f"accepted by the {_ANSWERER[reply.by]}\n")
    return EXIT_ACCEPTED


class _Exchange:
    """One command and its answer: subscribed to the answer (and to the statuses that explain
    its absence) before the command is published, so that no answer can come unseen."""

    def __init__(self, topics: Topics, command_id: str, payload: bytes) -> None:
        self.command_topic = topics.control("scoring")
        self.reply_topic = topics.reply("scoring", command_id)
        self.status_topics = {
            "scoring": f"{topics.root}/status/scoring",
            "daemon": topics.daemon_status,
        }
        self.payload = payload
        self.reply: CommandReply | None = None
        self.statuses: dict[str, dict[str, Any]] = {}  # what the status topics said, retained

    async def run(self, broker: BrokerSettings, timeout_s: float) -> None:
        async with mqtt_client(broker) as client:
            for topic in (self.reply_topic, *self.status_topics.values()):
                await client.subscribe(topic, qos=1)
            await publish_checked(client, self.command_topic, self.payload)
            try:
                async with asyncio.timeout(timeout_s):
                    await self._answer(client)
            except TimeoutError:
                pass

    async def _answer(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else b""
            topic = str(message.topic)
            if topic == self.reply_topic:
                try:
                    self.reply = decode_reply(payload)
                except (msgspec.ValidationError, msgspec.DecodeError):
                    continue  # not an answer velotime wrote: wait for one
                return
            for name, status_topic in self.status_topics.items():
                if topic == status_topic:
                    self.statuses[name] = _json_object(payload)

    def no_answer(self, timeout_s: float) -> str:
        """Why there may have been no answer, from what the status topics say."""
        return (
            f"no answer from the scoring service within {timeout_s:g} s: is it running? "
            f"{self._said('scoring')}; {self._said('daemon')} (it passes commands on to the "
            "scoring). The command was sent, but may not be applied."
        )

    def _said(self, name: str) -> str:
        topic = f"status/{name}"
        status = self.statuses.get(name)
        if status is None:
            return f"nothing on {topic} (never started on this broker)"
        if status.get("online") is True:
            return f"{topic} says online"
        error = status.get("error")
        return f"{topic} says offline" + (f" ({error})" if error else "")


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _fail(message: str) -> int:
    sys.stderr.write(f"velotime ctl: {message}\n")
    return EXIT_USAGE
