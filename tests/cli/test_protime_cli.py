"""The Protime family from the command line: `velotime decode --protocol protime`, `velotime
simulate protime` read through its pty as a host reads it, and `velotime check-config`."""

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import serial_asyncio_fast

from tests.cli.helpers import velotime, velotime_main
from velotime.localvenue import source_toml, write_local_config
from velotime.protocols import protime

EXAMPLE = b"<STA 000255 00:00'31\"957 01 01 1 1555>\r\n"


def test_decode_prints_records_reports_the_corrupt_and_counts(tmp_path: Path) -> None:
    """The documented telegram, the same with one transponder digit changed (5 -> 6: the sum is
    1556, 1555 sent), a BOX passing, a status line: 4 lines, 3 records (2 passings, 1 status),
    1 checksum error."""
    box = protime.encode(protime.Passing(channel="BOX", transponder=12, time_of_day_us=61_000_000))
    dump = tmp_path / "protime.dump"
    dump.write_bytes(
        EXAMPLE + EXAMPLE.replace(b"000255", b"000256") + box + b"[00:01:02 01 02 40 40]\r\n"
    )
    result = velotime_main("decode", dump, "--protocol", "protime")
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert printed[0] == {
        "type": "passing", "channel": "STA", "transponder": 255, "time_of_day_us": 31_957_000,
        "level": 1, "index": 1, "battery": 1,
    }  # fmt: skip
    [error] = [json.loads(line) for line in result.stderr.splitlines()]
    assert (error["error"], error["detail"]) == ("bad_checksum", "sent '1555', computed 1556")
    summary = velotime_main("decode", dump, "--protocol", "protime", "--summary")
    assert json.loads(summary.stdout) == {
        "lines": 4,
        "records": 3,
        "by_type": {"passing": 2, "status": 1, "config": 0, "unknown": 0},
        "by_channel": {"BOX": 1, "STA": 1},
        "checksum_errors": 1,
        "errors": 1,
        "errors_by_kind": {"bad_checksum": 1},
    }


def test_check_config_summarises_a_protime_source_and_refuses_a_wrong_baud_rate(
    tmp_path: Path,
) -> None:
    good = source_toml(
        "protime", "protime", "serial:///dev/ttyUSB0?baudrate=19200", line="finish",
        channel_lines={"BOX": "200m"},
    )  # fmt: skip
    config = write_local_config(tmp_path / "good", "v", "mqtt://127.0.0.1:1883", good)
    result = velotime("check-config", config)
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"protime +protime serial:///dev/ttyUSB0\?baudrate=19200, line finish, BOX on 200m, "
        r"clock set on connecting",
        result.stdout,
    ), result.stdout
    bad = source_toml("protime", "protime", "serial:///dev/ttyUSB0", line="finish")
    config = write_local_config(tmp_path / "bad", "v", "mqtt://127.0.0.1:1883", bad)
    result = velotime("check-config", config)
    assert result.returncode != 0
    assert "sources[0].transport: a Protime decoder talks at 19200 baud" in result.stderr


async def test_the_simulator_waits_for_start_resends_until_acked_and_obeys_repeat(
    tmp_path: Path,
) -> None:
    link = tmp_path / "protime-port"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "simulate", "protime", "--interval", "0.2",
        "--count", "3", "--resend-after", "1", "--link", str(link),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdin is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        match = re.fullmatch(r"velotime simulate protime: device (/dev/\S+)\n", line)
        assert match, line
        assert link.resolve() == Path(match[1]).resolve()  # opened through its link
        reader, writer = await serial_asyncio_fast.open_serial_connection(
            url=str(link), baudrate=19200
        )
        stream = protime.ProtimeStream()

        async def next_item() -> protime.ProtimeItem:
            while True:
                items = stream.feed(await asyncio.wait_for(reader.read(4096), 5))
                if items:
                    assert len(items) == 1
                    return items[0]

        await asyncio.sleep(0.5)  # not started: nothing comes
        assert stream.feed(await _available(reader)) == []
        writer.write(protime.encode_command(protime.Start()))
        first = await next_item()
        assert isinstance(first, protime.Passing)
        assert await next_item() == first  # no ACK: sent again
        process.stdin.write(b"corrupt\n")
        await process.stdin.drain()
        await asyncio.sleep(0.1)
        writer.write(protime.encode_command(protime.Ack()))
        spoilt = await next_item()
        assert isinstance(spoilt, protime.LineError)
        assert spoilt.kind == protime.ErrorKind.BAD_CHECKSUM
        writer.write(protime.encode_command(protime.RepeatRequest()))
        second = await next_item()
        assert isinstance(second, protime.Passing)
        assert second != first
        writer.write(protime.encode_command(protime.Ack()))
        third = await next_item()
        writer.write(protime.encode_command(protime.Ack()))
        assert isinstance(third, protime.Passing)
        assert await asyncio.wait_for(process.wait(), 10) == 0  # --count 3, all acknowledged
        writer.close()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _available(reader: asyncio.StreamReader) -> bytes:
    try:
        return await asyncio.wait_for(reader.read(4096), 0.05)
    except TimeoutError:
        return b""


def test_a_protime_dump_replays_as_passings_on_the_day_given(tmp_path: Path) -> None:
    """The documented telegram, then a resend of it, then a BOX passing, recorded on
    2026-03-01 in Paris (UTC+1 in March before summer time): 00:00'31"957 local is
    2026-02-28 23:00:31.957 UTC = 1772319631957000 us (2026-02-28 00:00 UTC is
    1772236800 s; + 23 h 00 min 31.957 s). The resend is dropped; BOX is no line of a dump."""
    dump = tmp_path / "protime.dump"
    box = protime.encode(protime.Passing(channel="BOX", transponder=12, time_of_day_us=61_000_000))
    dump.write_bytes(EXAMPLE + EXAMPLE + box)
    result = velotime(
        "replay", dump, "--protocol", "protime", "--offline", "--date", "2026-03-01",
        "--timezone", "Europe/Paris",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [event] = [json.loads(line) for line in result.stdout.splitlines()]
    data = event["data"]
    assert (data["line"], data["transponder"]) == ("finish", 255)
    assert data["t_us"] == (1_772_236_800 + 23 * 3600 + 31) * 1_000_000 + 957_000
