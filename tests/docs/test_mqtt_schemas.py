"""docs/mqtt.md's JSON Schemas (velotime.docs.schemas) are up to date, cover every topic of its
table, and match what the code publishes: the events of recorded sessions as `velotime replay
--offline` gives them, the results, standings, `current` and status the scoring service
publishes from them, the daemon's status and description, and the operator's commands.

Each payload is checked twice: against its topic's JSON Schema by a JSON Schema validator, and
by decoding it strictly (`strict=True`, unknown fields forbidden by the payload types) into its
type and encoding that again, which must give the same bytes: an extra key, a missing one or a
key at its default that should have been left out all fail. A command on control/scoring, which
velotime reads, may leave out the keys with a default, and has no key its type does not know."""

import argparse
import json
import re
from collections import defaultdict
from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import NamedTuple, cast

import jsonschema
import msgspec
import pytest

from tests.cli.helpers import velotime
from tests.scoring import events
from tests.scoring.scenarios import (
    elimination,
    flying200,
    keirin,
    kilometre,
    omnium,
    points_race,
    pursuit,
    scratch,
    team_sprint,
)
from velotime.capture import CONTROL_SOURCE, read_capture
from velotime.cli.ctl import command_of
from velotime.config import Config, LineConfig, StorageConfig, load_config
from velotime.config.schema import LineRole
from velotime.daemon.service import Daemon
from velotime.docs.schemas import COMMAND, DOC, TOPICS, Topic, main, render, topic_schema
from velotime.drivers.protime.session import ProtimeSession
from velotime.drivers.raceresult.session import RaceResultSession
from velotime.drivers.timy.session import TimySession
from velotime.mqtt.client import BrokerSettings
from velotime.mqtt.publisher import Publisher
from velotime.scoring.meet import parse_meet
from velotime.scoring.service import Counts, ScoringService, offline_status
from velotime.wire.commands import Arm, Command, Final, Provisional, Reopen
from velotime.wire.replies import CommandReply
from velotime.wire.results import EventResult
from velotime.wire.status import (
    IMPORT_ONLINE,
    OFFLINE,
    REPLAY_ONLINE,
    ScoringOffline,
    ScoringOnline,
)

_encode = msgspec.json.Encoder().encode
EXAMPLE_CONFIG = Path(__file__).parents[2] / "config" / "velodrome.example.toml"
SCENARIOS = {
    "flying200": flying200,
    "keirin": keirin,
    "kilometre": kilometre,
    "scratch": scratch,
    "elimination": elimination,
    "points_race": points_race,
    "omnium": omnium,  # the scratch race of an omnium: its standings/<omnium>
    "pursuit": pursuit,  # pursuit heats on the pursuit lines: the `pursuit` board
    "team_sprint": team_sprint,  # a team sprint heat: the `team_sprint` board
}
Published = list[tuple[str, bytes]]  # (topic below <prefix>/<venue>/, payload)

# -- the document -------------------------------------------------------------------------------


def test_the_schemas_in_docs_mqtt_md_are_up_to_date() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, f"docs/mqtt.md's JSON Schemas are out of date: run {COMMAND}"


def test_every_topic_in_the_table_has_a_schema_and_every_schema_a_topic() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = {
        match["topic"]: (int(match["qos"]), match["retained"] == "yes")
        for match in re.finditer(
            r"^\| `<prefix>/<venue>/(?P<topic>[^`]+)` \| (?P<qos>\d) \| (?P<retained>yes|no) \|",
            text,
            re.MULTILINE,
        )
    }
    assert table == {topic.topic: (topic.qos, topic.retained) for topic in TOPICS}
    markers = re.findall(r"<!-- schema:([a-z-]+) -->", text)
    assert sorted(markers) == sorted(topic.name for topic in TOPICS)  # each one once


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.name)
def test_each_schema_is_a_valid_json_schema(topic: Topic) -> None:
    jsonschema.Draft202012Validator.check_schema(topic_schema(topic))


def test_the_generator_rewrites_an_out_of_date_file_and_checks_it(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    stale = re.sub(
        r"(<!-- schema:current -->).*?(<!-- /schema -->)", r"\1\n\2", text, flags=re.DOTALL
    )
    path = tmp_path / "mqtt.md"
    path.write_text(stale, encoding="utf-8")
    assert main([str(path), "--check"]) == 1
    assert path.read_text(encoding="utf-8") == stale
    assert main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text
    assert main([str(path), "--check"]) == 0


def test_an_unknown_marker_or_a_topic_without_one_is_an_error() -> None:
    text = DOC.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="schema:nosuch"):
        render(text + "\n<!-- schema:nosuch -->\n<!-- /schema -->\n")
    without = re.sub(r"<!-- schema:results -->.*?<!-- /schema -->", "", text, flags=re.DOTALL)
    with pytest.raises(ValueError, match="results"):
        render(without)


# -- checking a payload -------------------------------------------------------------------------

_TOPICS = {topic.name: topic for topic in TOPICS}


def topic_of(path: str) -> Topic:
    """The topic a publication below <prefix>/<venue>/ goes to: `results/<event>` matches
    `results/f200`."""
    for topic in TOPICS:
        pattern = re.sub(r"<[a-z]+>", "[^/]+", topic.topic)
        if re.fullmatch(pattern, path):
            return topic
    raise AssertionError(f"{path}: no topic of docs/mqtt.md")


_validators: dict[str, jsonschema.Draft202012Validator] = {}


def check(path: str, payload: bytes) -> type:
    """Raises AssertionError unless `payload` is one of the topic's; returns its type."""
    topic = topic_of(path)
    if topic.name not in _validators:
        _validators[topic.name] = jsonschema.Draft202012Validator(topic_schema(topic))
    errors = [e.message for e in _validators[topic.name].iter_errors(json.loads(payload))]
    assert not errors, f"{path}: {payload[:300]!r}: {errors}"
    problems = []
    for payload_type in topic.payloads:
        try:
            decoded = msgspec.json.decode(payload, type=payload_type, strict=True)
        except msgspec.ValidationError as exc:
            problems.append(f"not {payload_type}: {exc}")
            continue
        if topic.accepted:  # keys with a default may be left out; none unknown
            value, known = json.loads(payload), msgspec.to_builtins(decoded)
            if value.items() <= known.items():
                return type(decoded)
            problems.append(f"as {payload_type} it is {known}")
            continue
        again = msgspec.json.encode(decoded)
        if again == payload:
            return type(decoded)
        problems.append(f"as {payload_type} it is {again[:300]!r}")
    raise AssertionError(f"{path}: {payload[:300]!r}: {problems}")


def _sampled(published: Published, most: int = 2000) -> Published:
    """Every publication of a session of at most `most`; of a longer one, every tenth of each
    topic and its last."""
    if len(published) <= most:
        return published
    by_topic: dict[str, Published] = defaultdict(list)
    for item in published:
        by_topic[item[0]].append(item)
    return [item for items in by_topic.values() for item in {*items[::10], items[-1]}]


def check_all(published: Published) -> dict[str, set[type]]:
    """Each payload checked; the types seen, by topic name."""
    seen: dict[str, set[type]] = defaultdict(set)
    for path, payload in published:
        seen[topic_of(path).name].add(check(path, payload))
    return seen


def test_an_extra_or_missing_key_is_caught() -> None:
    result = {
        "v": 1, "event": "f", "discipline": "flying200", "name": "", "category": "",
        "round": "", "status": "running", "lines": [{"rank": 1, "bib": 7}], "audit": [],
    }  # fmt: skip
    assert check("results/f", msgspec.json.encode(result)) is EventResult
    wrong = [
        {**result, "extra": 1},
        {key: value for key, value in result.items() if key != "audit"},
        {**result, "lines": [{"rank": 1, "bib": 7, "flags": []}]},  # left out when empty
        {**result, "lines": [{"rank": 1, "bib": 7, "colour": "red"}]},
        {**result, "problems": None},
        {**result, "status": "started"},
    ]
    for payload in wrong:
        with pytest.raises(AssertionError):
            check("results/f", msgspec.json.encode(payload))
    data: dict[str, object] = {
        "t_us": 5, "line": "finish", "channel": "C1", "time_of_day_us": 5, "received_us": 6,
        "record": {"raw": "x"},
    }  # fmt: skip
    impulse = {"v": 1, "id": "timy:1", "seq": 1, "src": "timy", "kind": "impulse", "data": data}
    check("timing/impulse", msgspec.json.encode(impulse))
    for wrong_data in (
        {**data, "lane": 3},  # a key of another kind of event
        {**data, "digits": 4},  # its default: left out
    ):
        with pytest.raises(AssertionError):
            check("timing/impulse", msgspec.json.encode({**impulse, "data": wrong_data}))
    with pytest.raises(AssertionError):  # a key no command has
        check("control/scoring", b'{"type":"arm","event":"k","bib":3}')


# -- what the code publishes --------------------------------------------------------------------


class Session(NamedTuple):
    """A recorded session (tests/scoring/scenarios), replayed."""

    capture: Path
    events: Published  # the envelopes `velotime replay --offline` prints
    result_files: list[Path]  # what `--results` writes: results/<event>, standings/<c>
    published: Published  # what the scoring service publishes, fed those events


def _recording(monkeypatch: pytest.MonkeyPatch) -> Published:
    """Every retained state set on a Publisher from now on: what it publishes."""
    published: Published = []

    def record(self: Publisher, topic: str, payload: bytes) -> None:
        published.append((topic.split("/", 2)[2], payload))

    monkeypatch.setattr(Publisher, "set_retained", record)
    return published


def _config(directory: Path, capture: Path | None = None) -> Config:
    """The example configuration, keeping its files in `directory`; with a capture, its
    venue's lines and track."""
    config = load_config(EXAMPLE_CONFIG, env={})
    config = msgspec.structs.replace(config, storage=StorageConfig(directory=directory))
    if capture is None:
        return config
    header = read_capture(capture).header
    lines = tuple(
        LineConfig(name=name, distance_m=d, role=cast(LineRole, header.roles.get(name, "")))
        for name, d in header.lines.items()
    )
    venue = msgspec.structs.replace(config.venue, track_length_m=header.track_length_m or 250)
    return msgspec.structs.replace(config, venue=venue, lines=lines)


def _replayed(scenario: ModuleType, directory: Path) -> Session:
    capture = scenario.write_capture(directory)
    meet = directory / "meet.toml"
    meet.write_text(scenario.meet_text())
    results = directory / "results"
    replay = velotime("replay", capture, "--offline", "--meet", meet, "--results", results)
    assert replay.returncode == 0, replay.stderr
    events = [
        (f"timing/{json.loads(line)['kind']}", line) for line in replay.stdout.encode().splitlines()
    ]
    with pytest.MonkeyPatch.context() as monkeypatch:
        published = _recording(monkeypatch)
        meet_bytes = meet.read_bytes()
        service = ScoringService(
            _config(directory / "state", capture),
            parse_meet(meet_bytes.decode()),
            meet_bytes,
            broker=BrokerSettings("127.0.0.1"),
        )
        try:
            for path, envelope in events:  # as the broker delivers them
                service._receive(f"velotime/{service.venue}/{path}", envelope)
            published.append(("status/scoring", service._online()))
        finally:
            service.close()
    assert service.counts.errors == service.counts.malformed == 0
    assert service.counts.events == len(events)
    return Session(capture, events, sorted(results.rglob("*.json")), published)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Session]:
    return {
        name: _replayed(scenario, tmp_path_factory.mktemp(name))
        for name, scenario in SCENARIOS.items()
    }


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_events_of_a_recorded_session_are_what_the_schemas_say(
    sessions: dict[str, Session], name: str
) -> None:
    seen = check_all(sessions[name].events)
    assert {"passing", "command"} <= set(seen)
    assert not any(topic_of(path).retained for path, _ in sessions[name].events)


# Seconds a scenario (thousands of states validated one by one): `make test` runs it, the quick
# tier does not (the other checks of each session here stay in it).
@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_scoring_service_publishes_what_the_schemas_say(
    sessions: dict[str, Session], name: str
) -> None:
    """Every state of every result on the way, as the live service publishes it (of a long
    race, every tenth and the last: thousands of states of one shape take minutes to check)."""
    seen = check_all(_sampled(sessions[name].published))
    assert {"results", "current", "scoring"} <= set(seen)
    assert all(topic_of(path).retained for path, _ in sessions[name].published)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_result_files_of_a_replay_are_what_the_schemas_say(
    sessions: dict[str, Session], name: str
) -> None:
    files = sessions[name].result_files
    assert files
    for path in files:
        kind = "standings" if path.parent.name == "standings" else "results"
        payload = path.read_bytes()
        assert payload.endswith(b"\n")
        check(f"{kind}/{path.stem}", payload[:-1])


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_commands_a_desk_sent_are_what_the_schema_says(
    sessions: dict[str, Session], name: str
) -> None:
    capture = read_capture(sessions[name].capture)
    commands = [chunk.data for chunk in capture.chunks() if chunk.src == CONTROL_SOURCE]
    assert commands
    check_all([("control/scoring", command) for command in commands])


def test_the_sessions_show_every_kind_of_event_result_and_current(
    sessions: dict[str, Session],
) -> None:
    """Each optional key of a result, each kind of audit entry and of event, and both forms of
    `current` occur in the recorded sessions: the tests above checked each of them."""
    published = [item for session in sessions.values() for item in session.published]
    results = [json.loads(p) for path, p in published if path.startswith("results/")]
    assert set().union(*results) == set(EventResult.__struct_fields__)
    audits = {entry["type"] for result in results for entry in result["audit"]}
    assert audits == {
        "next_rider", "status", "correct", "start", "abandon", "neutralise", "lap_change",
        "eliminate", "green_flag", "sprint", "refused",
    }  # fmt: skip
    assert check_all([item for item in published if item[0] == "current"])["current"] == set(
        _TOPICS["current"].payloads
    )
    events = {path for session in sessions.values() for path, _ in session.events}
    # gap: the flying 200 m capture's decoders never answer RESEND, so its gaps are given up.
    kinds = ("passing", "impulse", "photofinish", "gap", "command")
    assert events == {f"timing/{kind}" for kind in kinds}
    assert any(path.startswith("standings/") for path, _ in published)
    assert check_all([item for item in published if item[0] == "status/scoring"])["scoring"] == {
        ScoringOnline
    }


def test_the_daemon_publishes_what_the_schemas_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its status and description, and each source's status as its driver reports it; the
    status of a replay, of `velotime import-lif` and of a scoring service gone."""
    published = _recording(monkeypatch)
    daemon = Daemon(_config(tmp_path))  # sets its description retained
    try:
        for driver in daemon.drivers:
            driver._status(False, "cannot connect: connection refused")
            driver.connections += 1
            driver._status(True, "connected")
            driver.received(b"\x07noise\r", None)  # skipped: the counts change
            driver.report()
        published.append(("status/daemon", daemon._online()))
    finally:
        daemon.capture.close()
        daemon.outbox.close()
    assert all(topic_of(path).retained for path, _ in published)  # as the daemon publishes them
    counted = {t: json.loads(p)["garbage_bytes"] for t, p in published if "/sources/" in t}
    # Each source's counts, once they changed: the 7 bytes, or a Timy's line without its end;
    # a Protime decoder's or a Race Result line waits for its LF: nothing skipped yet.
    garbage = {TimySession: 6, ProtimeSession: 0, RaceResultSession: 0}
    assert counted == {
        f"status/sources/{d.name}": garbage.get(type(d.session), 7) for d in daemon.drivers
    }
    published += [
        ("status/daemon", OFFLINE),
        ("status/daemon", REPLAY_ONLINE),  # a replay's, under <venue>-replay
        ("status/sources/lynx-files", IMPORT_ONLINE),  # velotime import-lif's
        ("status/sources/lynx-files", OFFLINE),
        ("status/scoring", OFFLINE),  # the scoring service's will
        ("status/scoring", offline_status(OSError(28, "No space left on device"))),
    ]
    seen = check_all(published)
    assert set(seen) == {"description", "source", "daemon", "scoring"}
    for name in ("description", "source", "daemon"):  # each alternative of their schemas
        assert seen[name] == set(_TOPICS[name].payloads)
    assert seen["scoring"] == {ScoringOffline}  # online: in the sessions' tests
    description = json.loads(next(p for t, p in published if t == "config/description"))
    assert {s["protocol"] for s in description["sources"]} == {
        "p3",
        "timy",
        "lynx",
        "raceresult",
        "protime",
    }


def test_the_scoring_status_has_every_count() -> None:
    assert {f.name for f in fields(Counts)} <= set(ScoringOnline.__struct_fields__)


def _ctl(action: str, **args: object) -> argparse.Namespace:
    return argparse.Namespace(action=action, **args)


CTL: list[argparse.Namespace] = [
    _ctl("arm", event="f200"),
    _ctl("next-rider", event="km", bib=4),
    _ctl("status", event="f200", bib=7, status="DNS", reason=""),
    _ctl("status", event="f200", bib=7, status="clear", reason="a mistake"),
    _ctl("correct", event="f200", bib=7, place=1, time=None, reason="lots drawn"),
    _ctl("correct", event="km", bib=4, place=None, time="1:00.981", reason="hand timing"),
    _ctl("correct", event="km", bib=4, place=None, time=None, reason="withdrawn"),
    _ctl("abandon", event="k", reason="crash"),
    _ctl("start", event="k"),
    _ctl("provisional", event="k"),
    _ctl("final", event="k"),
    _ctl("reopen", event="k", reason="protest upheld"),
    _ctl("confirm", event="f200", bib=7, reason="checked"),
    _ctl("eliminate", event="elim", sprint=3, bib=7, reason="rode on the blue band"),
    _ctl("green-flag", event="elim", sprint=4, reason="not announced in time"),
]


def test_velotime_ctl_sends_what_the_schema_says() -> None:
    """As `velotime ctl` encodes them; a desk tool may also leave out keys with a default."""
    sent = [msgspec.json.encode(command_of(args, f"ctl-{n}")) for n, args in enumerate(CTL)]
    check_all([("control/scoring", payload) for payload in sent])
    # Each with its id: the topic its answer comes on.
    assert [json.loads(payload)["id"] for payload in sent] == [f"ctl-{n}" for n in range(len(CTL))]
    check("control/scoring", b'{"type":"abandon","event":"k"}')


def test_the_answers_to_commands_and_their_audit_entries_are_what_the_schemas_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scoring service's answers (accepted, refused) and the result with a refused command
    and a reopening in its audit trail; the daemon's answer to a command it cannot read."""
    published = _recording(monkeypatch)

    def send(self: Publisher, topic: str, payload: bytes) -> None:
        published.append((topic.split("/", 2)[2], payload))

    monkeypatch.setattr(Publisher, "send", send)
    meet_bytes = kilometre.meet_text().encode()
    service = ScoringService(
        _config(tmp_path / "state"),
        parse_meet(meet_bytes.decode()),
        meet_bytes,
        broker=BrokerSettings("127.0.0.1"),
    )
    commands: list[Command] = [
        Arm(id="a1", event="kilo"),
        Arm(id="a2", event="nosuch"),
        Final(id="a3", event="kilo"),
        Provisional(id="a4", event="kilo"),
        Reopen(id="a5", event="kilo", reason="protest upheld"),
    ]
    try:
        for n, command in enumerate(commands):
            envelope = events.command(command, 1_000 + n).numbered(n + 1)
            service._receive(f"velotime/{service.venue}/timing/command", _encode(envelope))
    finally:
        service.close()
    daemon = Daemon(_config(tmp_path / "daemon"))
    try:
        daemon._control("velotime/v/control/scoring", b'{"type":"launch","id":"a6"}')
    finally:
        daemon.capture.close()
        daemon.outbox.close()
    seen = check_all(published)
    assert seen["reply"] == {CommandReply}
    replies = [json.loads(p) for path, p in published if path.startswith("replies/")]
    assert [(r["id"], r["verdict"], r["by"]) for r in replies] == [
        ("a1", "accepted", "scoring"),
        ("a2", "refused", "scoring"),
        ("a3", "accepted", "scoring"),
        ("a4", "refused", "scoring"),
        ("a5", "accepted", "scoring"),
        ("a6", "refused", "daemon"),
    ]
    results = [json.loads(p) for path, p in published if path == "results/kilo"]
    assert [entry["type"] for entry in results[-1]["audit"]] == ["refused", "reopen"]
