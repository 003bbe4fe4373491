"""Every command gets an answer: `velotime ctl` through a real Mosquitto, the daemon's control
path and the scoring service (both in this process, as `velotime run` runs them), and what the
capture then says of the commands the scoring refused.

The meet (by hand): riders 1-8 and 12; the flying 200 m `f200` rides 3, 5 and 12; the keirin
heat `keirin-h1` rides 1, 2, 4, 6, 7, 8. Bib 77 rides nowhere, and there is no event `f201`.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import aiomqtt
import pytest

from tests.cli.helpers import velotime, velotime_main
from tests.scoring.live import Watch, write_venue_config
from velotime.config import load_config
from velotime.daemon.service import Daemon
from velotime.localvenue import LocalBroker
from velotime.scoring.service import ScoringService
from velotime.wire.replies import decode_reply

pytestmark = pytest.mark.integration

VENUE = "desk"
RIDERS = (1, 2, 3, 4, 5, 6, 7, 8, 12)
MEET = (
    '[meet]\nid = "answers"\n'
    + "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in RIDERS)
    + '[[events]]\nid = "f200"\ndiscipline = "flying200"\nstart_order = [3, 5, 12]\n'
    + '[[events]]\nid = "keirin-h1"\ndiscipline = "keirin"\nriders = [1, 2, 4, 6, 7, 8]\n'
)
KNOWN = "no event f201; known: f200, keirin-h1"
NOT_IN_F200 = "no rider with bib 77 in f200 (its riders: 3, 5, 12)"
FINAL = "f200 is final: reopen it first (velotime ctl reopen f200 --reason ...)"
NOT_FINAL = "f200 is not final (it is provisional): there is nothing to reopen"


class Venue:
    def __init__(self, directory: Path, broker: LocalBroker) -> None:
        self.meet = directory / "meet.toml"
        self.meet.write_text(MEET)
        lines = {"finish": 0, "200m": 200, "100m": 100}
        self.config_path = write_venue_config(directory, VENUE, broker.url, lines, meet=self.meet)
        self.broker = broker
        self.capture: Path | None = None

    async def ctl(self, *args: str) -> CompletedProcess[str]:
        """`velotime ctl` as the desk types it, through `main` in a thread of its own (it runs
        its own event loop, as the process does)."""
        base = ("ctl", "--broker", self.broker.url, "--venue", VENUE)
        return await asyncio.to_thread(velotime_main, *base, *args)

    @asynccontextmanager
    async def running(self, *, scoring: bool = True) -> AsyncIterator[Watch]:
        """The daemon (and the scoring service), until the block ends; the block starts once
        they said they are online, so they are subscribed."""
        config = load_config(self.config_path, env={})
        daemon = Daemon(config)
        self.capture = daemon.capture.path
        service = ScoringService.open(config, self.meet) if scoring else None
        stop = asyncio.Event()
        async with Watch(self.broker.port, f"velotime/{VENUE}/#") as watch:
            tasks = [asyncio.create_task(daemon.run(stop))]
            if service is not None:
                tasks.append(asyncio.create_task(service.run(stop)))
            try:
                await watch.wait_for(lambda: self._online(watch, scoring), "online")
                yield watch
            finally:
                stop.set()
                await asyncio.gather(*tasks)
                if service is not None:
                    service.close()

    @staticmethod
    def _online(watch: Watch, scoring: bool) -> bool:
        names = ("daemon", "scoring") if scoring else ("daemon",)
        statuses = [watch.json(f"velotime/{VENUE}/status/{name}") for name in names]
        return all(status is not None and status["online"] for status in statuses)


def refused(result: CompletedProcess[str], reason: str) -> None:
    """Exit 1, and the reason on stderr, one line."""
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"velotime ctl: refused by the scoring service: {reason}\n"


def accepted(result: CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("accepted by the scoring service\n")


async def test_a_refused_command_reaches_the_desk_with_its_reason(
    broker: LocalBroker, tmp_path: Path
) -> None:
    venue = Venue(tmp_path, broker)
    async with venue.running() as watch:
        refused(await venue.ctl("arm", "f201"), KNOWN)
        accepted(await venue.ctl("arm", "f200"))
        refused(await venue.ctl("next-rider", "f200", "77"), NOT_IN_F200)
        accepted(await venue.ctl("final", "f200"))
        correct = ("correct", "f200", "5", "--time", "10.724", "--reason", "hand timing")
        refused(await venue.ctl(*correct), FINAL)
        # Reopened (a protest upheld), the same correction applies; a second reopen is refused.
        accepted(await venue.ctl("reopen", "f200", "--reason", "protest upheld"))
        accepted(await venue.ctl(*correct))
        again = await venue.ctl("reopen", "f200", "--reason", "twice")
        refused(again, NOT_FINAL)
        results = f"velotime/{VENUE}/results/f200"
        await watch.wait_for(lambda: len(_audit(watch.json(results))) == 5, "the audit trail")
        live = watch.json(results)
    assert live is not None
    assert live["status"] == "provisional"
    # Nobody rode through the timing: the corrected time alone ranks 5, the only one ranked.
    ranked = [(line["bib"], line["rank"], line["time"]) for line in live["lines"] if line["rank"]]
    assert ranked == [(5, 1, "10.724")]
    assert [_audited(entry) for entry in live["audit"]] == [
        ("refused", "next_rider", NOT_IN_F200),
        ("refused", "correct", FINAL),
        ("reopen", "protest upheld", None),
        ("correct", "hand timing", None),
        ("refused", "reopen", NOT_FINAL),
    ]
    assert venue.capture is not None
    _check_capture(venue.capture, venue.meet, tmp_path, live)


def _audit(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [] if result is None else list(result["audit"])


def _audited(entry: dict[str, Any]) -> tuple[str, str, str | None]:
    if entry["type"] == "refused":
        return ("refused", entry["command"]["type"], entry["reason"])
    return (entry["type"], entry["reason"], None)


def _check_capture(capture: Path, meet: Path, tmp_path: Path, live: dict[str, Any]) -> None:
    """`capture info --meet` shows the refused arm as refused, and f201 as never armed; the
    replay of the capture gives the live result, and lists the four refusals."""
    info = velotime_main("capture", "info", capture, "--meet", meet)
    assert info.returncode == 0, info.stderr
    text = info.stdout.splitlines()
    assert f"  commands: 8 (0 unreadable, 4 refused by the scoring service with {meet})" in text
    (arm_f201,) = [line for line in text if " arm " in line and "f201" in line]
    assert arm_f201.endswith(f"REFUSED: {KNOWN}")
    events = text[text.index("  events, by the commands the scoring applied:") + 1 :]
    (f201,) = [line.split() for line in events if line.split()[0] == "f201"]
    assert f201[:3] == ["f201", "armed", "never"]
    assert f201[-4:] == ["1", "commands,", "1", "refused"]
    (f200,) = [line.split() for line in events if line.split()[0] == "f200"]
    assert "not final" in " ".join(f200)  # reopened after its final
    assert f200[-4:] == ["7", "commands,", "3", "refused"]
    as_json = velotime_main("capture", "info", capture, "--meet", meet, "--json")
    (file,) = json.loads(as_json.stdout)["files"]
    refusals = [c["refused"] for c in file["commands"] if c["refused"]]
    assert refusals == [KNOWN, NOT_IN_F200, FINAL, NOT_FINAL]
    results = tmp_path / "replayed"
    replay = velotime_main(
        "replay", capture, "--offline", "--meet", meet, "--results", results,
        "--output", tmp_path / "events.jsonl",
    )  # fmt: skip
    assert replay.returncode == 0, replay.stderr
    assert json.loads((results / "f200.json").read_bytes()) == live
    refusals = [json.loads(line) for line in (results / "refused-commands.jsonl").open()]
    assert [(r["command"]["type"], r["command"]["event"]) for r in refusals] == [
        ("arm", "f201"), ("next_rider", "f200"), ("correct", "f200"), ("reopen", "f200"),
    ]  # fmt: skip
    assert "commands the scoring refused (nothing applied): 4" in replay.stderr + replay.stdout


async def test_without_a_scoring_service_ctl_says_so_and_exits_3(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """As a process, as the desk runs it: the exit status is what a script sees."""
    venue = Venue(tmp_path, broker)
    args = ("ctl", "--broker", broker.url, "--venue", VENUE, "--timeout", "0.5", "arm", "f200")
    async with venue.running(scoring=False):
        result = await asyncio.to_thread(lambda: velotime(*args))
    assert result.returncode == 3
    assert result.stderr == (
        "velotime ctl: no answer from the scoring service within 0.5 s: is it running? "
        "nothing on status/scoring (never started on this broker); status/daemon says online "
        "(it passes commands on to the scoring). The command was sent, but may not be applied.\n"
    )


async def test_a_command_the_daemon_cannot_read_is_answered_by_the_daemon(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """An unknown type with a readable id: the daemon answers it (the scoring never sees it)."""
    venue = Venue(tmp_path, broker)
    reply_topic = f"velotime/{VENUE}/replies/scoring/desk-7"
    async with venue.running(), aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe(reply_topic, qos=1)
        command = b'{"type":"launch","id":"desk-7","event":"f200"}'
        await client.publish(f"velotime/{VENUE}/control/scoring", command, qos=1)
        async with asyncio.timeout(10):
            message = await anext(aiter(client.messages))
    assert isinstance(message.payload, bytes)
    reply = decode_reply(message.payload)
    assert (reply.id, reply.verdict, reply.by) == ("desk-7", "refused", "daemon")
    assert isinstance(reply.reason, str)
    assert reply.reason.startswith("not a command velotime reads: ")
    assert "launch" in reply.reason


async def test_a_crash_in_the_last_km_is_refused_outside_a_scratch_races_last_km(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """`status ... crash-last-km` (3.2.251 ter): in the keirin heat, refused (a scratch race's
    decision); in a 10-lap scratch race on a 250 m track not yet started, refused (the last
    kilometre is its last 4 laps); `clear` on it is accepted."""
    venue = Venue(tmp_path, broker)
    scratch = '[[events]]\nid = "scratch-w"\ndiscipline = "scratch"\nriders = [1, 2, 3]\n'
    venue.meet.write_text(MEET + scratch + "laps = 10\n")
    async with venue.running():
        crash = ("crash-last-km", "--reason", "down in turn 2")
        refused(
            await venue.ctl("status", "keirin-h1", "2", *crash),
            "keirin-h1 is a keirin: a crash in the last kilometre (3.2.251 ter) is a scratch "
            "race's; the others take DNF",
        )
        accepted(await venue.ctl("arm", "scratch-w"))
        refused(
            await venue.ctl("status", "scratch-w", "2", *crash),
            "scratch-w: bib 2: the race is not started: a crash counts as in the last "
            "kilometre (3.2.251 ter) from 1000 m to go; before, it is a DNF or a neutralisation",
        )
        accepted(await venue.ctl("status", "scratch-w", "2", "clear"))
