"""`velotime ctl confirm`: an official's confirmation of a time under "check" reaches the broker
as the scoring engine reads it; one without a reason is refused at the desk."""

import asyncio
import sys

import msgspec

from tests.cli.helpers import velotime_main
from tests.daemon.harness import Subscriber
from velotime.localvenue import LocalBroker, free_port
from velotime.wire.commands import Confirm, decode_command


async def test_a_confirmation_arrives_as_the_engine_reads_it(broker: LocalBroker) -> None:
    topic = "velotime/track/control/scoring"
    async with Subscriber(broker.port, topic, "desk") as desk:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "velotime", "ctl", "--broker", broker.url, "--venue", "track",
            "--timeout", "0.1", "confirm", "sprint-q", "103", "--reason", "loops checked",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await process.communicate()
        # No scoring service runs here to answer: sent, and said to be unanswered (exit 3).
        assert process.returncode == 3, stderr.decode()
        assert "no answer from the scoring service" in stderr.decode()
        await desk.wait_for(lambda: len(desk.messages) >= 1, 10, "the command")
    (payload,) = [payload for _, payload in desk.messages]
    command = decode_command(msgspec.json.encode(payload))
    assert isinstance(command, Confirm)
    assert isinstance(command.id, str)
    assert command.id.startswith("ctl-")  # the id its answer would name
    assert command == Confirm(id=command.id, event="sprint-q", bib=103, reason="loops checked")


def test_a_confirmation_needs_its_reason() -> None:
    nobody = f"mqtt://127.0.0.1:{free_port()}"  # refused before any connection is tried
    for reason in ([], ["--reason", " "]):
        result = velotime_main(
            "ctl", "--broker", nobody, "--venue", "v", "confirm", "e", "1", *reason
        )
        assert result.returncode == 2
        assert "cannot publish" not in result.stderr
