"""A Protime source through the real driver: over UDP (a networked box) the daemon answers the
datagram's sender, and only after the passing is handed on; a corrupt telegram gets a repeat
request."""

import asyncio
import socket
from zoneinfo import ZoneInfo

from velotime.drivers.driver import SourceDriver
from velotime.drivers.endpoints import UdpEndpoint
from velotime.drivers.protime.session import ProtimeSession, ProtimeSettings
from velotime.wire.events import Event

EXAMPLE = b"<STA 000255 00:00'31\"957 01 01 1 1555>\r\n"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_networked_box_is_answered_at_its_address_after_the_hand_over() -> None:
    port = free_udp_port()
    delivered: list[Event] = []
    acked_with: list[int] = []  # how many passings were handed on when each answer arrived
    driver = SourceDriver(
        ProtimeSession("protime", ProtimeSettings(line="finish"), ZoneInfo("UTC")),
        UdpEndpoint("127.0.0.1", port),
        capture=None,
        deliver=lambda _, events: delivered.extend(events),
        status_changed=lambda name, status: None,
    )
    task = asyncio.create_task(driver.run())
    box = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    box.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        box.bind(("127.0.0.1", 0))
        answers: list[bytes] = []
        for datagram in (EXAMPLE, EXAMPLE.replace(b"000255", b"000256"), EXAMPLE):
            for _ in range(20):  # until the driver listens
                await loop.sock_sendto(box, datagram, ("127.0.0.1", port))
                try:
                    answer = await asyncio.wait_for(loop.sock_recv(box, 64), 0.5)
                except (TimeoutError, ConnectionRefusedError):
                    continue
                break
            else:
                raise AssertionError("no answer from the driver")
            answers.append(answer)
            acked_with.append(len(delivered))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        box.close()
    # ACK (ESC 0x11) once the passing was handed on; a repeat request (ESC 0x12) for the
    # corrupt one; the resend acknowledged again and not handed on twice.
    assert answers == [b"\x1b\x11", b"\x1b\x12", b"\x1b\x11"]
    assert acked_with == [1, 1, 1]
    assert driver.crc_errors == 1
    assert driver.session.counters().duplicates == 1
