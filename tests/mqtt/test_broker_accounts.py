"""The shipped Mosquitto with accounts (velotime.conf's accounts blocks, velotime.acl, password
files made by mosquitto_passwd): a read-only user cannot take the scoring service's session, and
`velotime ctl` as a user who may not publish is refused with the broker's reason."""

import asyncio
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiomqtt
import pytest

from tests.brokers import SHIPPED_ACL, MosquittoProcess, shipped_config
from tests.mqtt.events import event
from velotime.capture import CaptureWriter
from velotime.daemon.health import Health
from velotime.localvenue import free_port, p3_source, write_local_config
from velotime.mqtt import publisher as publisher_module
from velotime.mqtt.client import BrokerSettings, PublishRefusedError, mqtt_client, publish_checked
from velotime.mqtt.outbox import Outbox
from velotime.mqtt.publisher import Publisher
from velotime.wire.commands import Arm, decode_command

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

TIMING = "velotime/t/timing/passing"
CONTROL = "velotime/t/control/scoring"
PASSWORDS = {"velotime": "velotime-pw", "desk": "desk-pw", "viewer": "viewer-pw"}


@dataclass
class Accounts:
    lan_port: int  # the timing LAN's listener: desk and viewers, client id = user name
    services_port: int  # 127.0.0.1 for `velotime run`: the velotime account, its own ids
    directory: Path
    broker: MosquittoProcess

    def settings(self, user: str, client_id: str, *, lan: bool = True) -> BrokerSettings:
        port = self.lan_port if lan else self.services_port
        return BrokerSettings(
            "127.0.0.1",
            port,
            username=user,
            password=PASSWORDS[user],
            client_id=client_id,
            clean_session=not client_id.startswith("velotime-scoring"),
        )


def accounts_config(lan_port: int, services_port: int, directory: Path) -> str:
    """The shipped configuration with its accounts blocks enabled as docs/operations.md says,
    files in `directory`."""
    text = shipped_config(lan_port, directory)
    for pattern, replacement, count in (
        (r"^allow_anonymous true$", "allow_anonymous false", 1),
        (r"^#password_file /etc/mosquitto/passwd$", f"password_file {directory}/passwd", 1),
        (r"^#acl_file /etc/mosquitto/velotime.acl$", f"acl_file {directory}/velotime.acl", 2),
        (r"^#use_username_as_clientid true$", "use_username_as_clientid true", 1),
        (r"^#listener 1882 127.0.0.1$", f"listener {services_port} 127.0.0.1", 1),
        (
            r"^#password_file /etc/mosquitto/passwd-services$",
            f"password_file {directory}/passwd-services",
            1,
        ),
    ):
        text, made = re.subn(f"(?m){pattern}", replacement, text)
        assert made == count, f"velotime.conf lost {pattern}"
    return text


def mosquitto_passwd(path: Path, user: str) -> None:
    binary = shutil.which("mosquitto_passwd") or pytest.skip("no mosquitto_passwd")
    create = [] if path.exists() else ["-c"]
    subprocess.run([binary, *create, "-b", str(path), user, PASSWORDS[user]], check=True)


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[Accounts]:
    mosquitto_passwd(tmp_path / "passwd", "desk")
    mosquitto_passwd(tmp_path / "passwd", "viewer")
    mosquitto_passwd(tmp_path / "passwd-services", "velotime")
    shutil.copy(SHIPPED_ACL, tmp_path / "velotime.acl")
    lan_port, services_port = free_port(), free_port()
    broker = MosquittoProcess(
        accounts_config(lan_port, services_port, tmp_path), lan_port, tmp_path
    )
    broker.start()
    try:
        yield Accounts(lan_port, services_port, tmp_path, broker)
    finally:
        broker.stop()


async def publish_as_daemon(accounts: Accounts, *ids: str) -> None:
    daemon = accounts.settings("velotime", "velotime-t", lan=False)
    async with mqtt_client(daemon, identifier=daemon.client_id) as client:
        for event_id in ids:
            await publish_checked(client, TIMING, json.dumps({"id": event_id}).encode())


async def next_ids(client: aiomqtt.Client, count: int, timeout_s: float) -> list[str]:
    """The ids of the next `count` messages; fewer if `timeout_s` passes first."""
    ids: list[str] = []
    messages = aiter(client.messages)
    try:
        async with asyncio.timeout(timeout_s):
            while len(ids) < count:
                message = await anext(messages)
                assert isinstance(message.payload, bytes)
                ids.append(json.loads(message.payload)["id"])
    except TimeoutError:
        pass
    return ids


async def test_a_viewer_with_the_scoring_id_neither_knocks_it_off_nor_gets_its_queue(
    accounts: Accounts,
) -> None:
    scoring = accounts.settings("velotime", "velotime-scoring-t", lan=False)
    # A read-only user asking for the scoring service's id and its persistent session.
    impostor = accounts.settings("viewer", "velotime-scoring-t")
    async with mqtt_client(scoring, identifier=scoring.client_id) as service:
        await service.subscribe("velotime/t/timing/#", qos=1)
        async with mqtt_client(impostor, identifier=impostor.client_id):
            await publish_as_daemon(accounts, "e0")
            # Knocked off, the service's connection would end here with an MqttError.
            assert await next_ids(service, 1, 5.0) == ["e0"]
    # The service is away (restarting): the broker queues for it.
    await publish_as_daemon(accounts, "e1", "e2", "e3")
    async with mqtt_client(impostor, identifier=impostor.client_id) as viewer:
        # Had it resumed the service's session, the queue would come now, unasked.
        assert await next_ids(viewer, 1, 1.5) == []
    async with mqtt_client(scoring, identifier=scoring.client_id) as service:
        assert await next_ids(service, 3, 5.0) == ["e1", "e2", "e3"]


async def ctl(accounts: Accounts, user: str) -> tuple[int, str]:
    """`velotime ctl arm f200` with `user`'s account on the timing LAN: exit status, stderr."""
    directory = accounts.directory / f"ctl-{user}"
    config = write_local_config(
        directory, "t", f"mqtt://127.0.0.1:{accounts.lan_port}", p3_source(free_port())
    )
    text, made = re.subn(
        r"(?m)^\[mqtt\]$",
        f'[mqtt]\nusername = "{user}"\npassword = "{PASSWORDS[user]}"',
        config.read_text(),
    )
    assert made == 1
    config.write_text(text)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "ctl", "--config", str(config), "--timeout", "0.2",
        "arm", "f200", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_ctl_as_a_user_without_the_right_to_publish_fails_with_the_reason(
    accounts: Accounts,
) -> None:
    desk_watcher = accounts.settings("velotime", "velotime-t-watcher", lan=False)
    async with mqtt_client(desk_watcher, identifier=desk_watcher.client_id) as watcher:
        await watcher.subscribe(CONTROL, qos=1)
        status, stderr = await ctl(accounts, "viewer")
        assert status != 0
        assert stderr == (
            f"velotime ctl: not sent: the broker refused {CONTROL}: Not authorized (0x87)\n"
        )
        status, stderr = await ctl(accounts, "desk")  # a user with the right still works
        # Sent; with no scoring service here, no answer comes (exit 3).
        assert status == 3
        assert stderr.startswith("velotime ctl: no answer from the scoring service within 0.2 s")
        messages = aiter(watcher.messages)
        async with asyncio.timeout(5):
            message = await anext(messages)
    assert isinstance(message.payload, bytes)
    arm = decode_command(message.payload)
    assert arm == Arm(id=arm.id, event="f200")


async def test_the_daemon_keeps_what_the_broker_refuses_and_delivers_it_once_allowed(
    accounts: Accounts,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A daemon whose account may not write the timing topics (the desk's, by mistake): every
    event is refused, counted, logged and kept; once the ACL allows it, they all arrive."""
    monkeypatch.setattr(publisher_module, "REFUSED_RETRY_S", 0.5)
    refusals: list[PublishRefusedError] = []
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.append("p3-finish", [(TIMING, event(n)) for n in range(5)], None)
    publisher = Publisher(
        accounts.settings("desk", "desk"),
        outbox,
        CONTROL,  # a status topic the desk may write, so that only the events are refused
        lambda: b'{"online":true}',
        on_refused=refusals.append,
    )
    stop = asyncio.Event()
    run = asyncio.create_task(publisher.run(stop))
    reader = accounts.settings("velotime", "velotime-t-reader", lan=False)
    async with mqtt_client(reader, identifier=reader.client_id) as client:
        await client.subscribe(TIMING, qos=1)
        async with asyncio.timeout(10):
            while publisher.refused_events < 5:
                await asyncio.sleep(0.01)
        assert len(outbox) == 5  # none taken as delivered
        assert {(r.topic, r.reason_code) for r in refusals} == {(TIMING, 0x87)}
        assert publisher.refused >= 5
        assert f"the broker refused {TIMING}: Not authorized (0x87)" in caplog.text
        [problem] = publisher.problems()
        assert problem.startswith("5 events refused by the broker: ")
        capture = CaptureWriter.create(tmp_path / "captures", "v", {})
        health = Health(outbox, capture, (tmp_path,), 0, started_us=1, others=(publisher,))
        status = health.status()  # what status/daemon says
        assert (status.state, status.reasons, status.outbox_depth) == ("degraded", [problem], 5)
        # The operator gives the account the right and reloads the broker (SIGHUP).
        acl = accounts.directory / "velotime.acl"
        acl.write_text(acl.read_text() + "\nuser desk\ntopic write velotime/+/timing/#\n")
        accounts.broker.reload()
        assert await next_ids(client, 5, 10.0) == [f"e{n}" for n in range(5)]
    async with asyncio.timeout(5):
        while len(outbox):
            await asyncio.sleep(0.01)
    assert (publisher.refused_events, publisher.problems()) == (0, [])
    assert (health.status().state, health.status().reasons) == ("ok", [])
    stop.set()
    await asyncio.wait_for(run, 10)
