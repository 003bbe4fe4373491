"""`velotime ctl`: operator commands reach the broker as the scoring engine reads them."""

import asyncio
import sys

import msgspec
from msgspec import UNSET

from tests.cli.helpers import velotime, velotime_main
from tests.daemon.harness import Subscriber
from velotime.localvenue import LocalBroker, free_port
from velotime.wire.commands import (
    Abandon,
    Arm,
    Correct,
    Final,
    NextRider,
    Reopen,
    SetStatus,
    Start,
    decode_command,
)


async def ctl(broker: LocalBroker, *args: str) -> None:
    """Sent, and no answer (no scoring service here: tests/cli/test_ctl_answers.py has one)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "ctl", "--broker", broker.url, "--venue", "track",
        "--timeout", "0.1", *args, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode == 3, stderr.decode()
    assert "no answer from the scoring service within 0.1 s" in stderr.decode()


async def test_commands_arrive_as_the_engine_reads_them(broker: LocalBroker) -> None:
    topic = "velotime/track/control/scoring"
    async with Subscriber(broker.port, topic, "desk") as desk:
        await ctl(broker, "arm", "km-final")
        await ctl(broker, "next-rider", "km-final", "104")
        await ctl(broker, "status", "km-final", "104", "DNF", "--reason", "puncture")
        await ctl(broker, "status", "km-final", "104", "clear")
        await ctl(broker, "status", "scratch-w", "6", "crash-last-km", "--reason", "turn 2")
        await ctl(broker, "correct", "km-final", "105", "--time", "1:01.250", "--reason", "gate")
        await ctl(broker, "correct", "km-final", "105", "--withdraw", "--reason", "gate fixed")
        await ctl(broker, "start", "keirin-1")
        await ctl(broker, "abandon", "keirin-1", "--reason", "crash in lap 1")
        await ctl(broker, "correct", "keirin-1", "3", "--place", "2", "--reason", "photo")
        await ctl(broker, "final", "km-final")
        await ctl(broker, "reopen", "km-final", "--reason", "protest upheld")
        await desk.wait_for(lambda: len(desk.messages) >= 12, 10, "12 commands")
    received = [decode_command(msgspec.json.encode(payload)) for _, payload in desk.messages]
    ids = [command.id for command in received]
    assert all(isinstance(i, str) and i.startswith("ctl-") for i in ids)
    assert len(set(ids)) == len(ids)  # each its own: the topic of its answer
    assert [msgspec.structs.replace(command, id=UNSET) for command in received] == [
        Arm(event="km-final"),
        NextRider(event="km-final", bib=104),
        SetStatus(event="km-final", bib=104, status="DNF", reason="puncture"),
        SetStatus(event="km-final", bib=104, status=""),
        SetStatus(event="scratch-w", bib=6, status="crashed", reason="turn 2"),
        Correct(event="km-final", bib=105, time="1:01.250", reason="gate"),
        Correct(event="km-final", bib=105, reason="gate fixed"),
        Start(event="keirin-1"),
        Abandon(event="keirin-1", reason="crash in lap 1"),
        Correct(event="keirin-1", bib=3, place=2, reason="photo"),
        Final(event="km-final"),
        Reopen(event="km-final", reason="protest upheld"),
    ]


def test_a_mistyped_correction_is_refused_at_the_desk() -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"  # refused before any connection is tried
    for args in (["--time", "10.7246", "--reason", "x"], ["--place", "0", "--reason", "x"]):
        result = velotime_main(
            "ctl", "--broker", nobody, "--venue", "v", "correct", "e", "1", *args
        )
        assert result.returncode == 2
        assert "cannot publish" not in result.stderr
    result = velotime_main(
        "ctl", "--broker", nobody, "--venue", "v", "correct", "e", "1", "--place", "2",
        "--reason", " ",
    )  # fmt: skip
    assert result.returncode == 2
    assert "needs its reason" in result.stderr


def test_no_broker_or_no_venue_is_one_line_and_exit_2() -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"
    result = velotime("ctl", "--broker", nobody, "--venue", "v", "arm", "x")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "cannot publish" in result.stderr
    result = velotime("ctl", "--broker", nobody, "arm", "x")
    assert result.returncode == 2
    assert "give --config, or --broker and --venue" in result.stderr
