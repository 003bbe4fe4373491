"""`velotime import-lif`: FinishLynx result files in, photo-finish events out."""

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import velotime_main
from tests.daemon.harness import DaemonProcess, Subscriber
from velotime.localvenue import LocalBroker, free_port, source_toml, write_local_config


def import_lif(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`velotime import-lif` through `main` in this process: only what it writes and its status are
    checked (what it publishes goes through a real broker)."""
    return velotime_main("import-lif", *args)


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_a_real_result_file_becomes_start_results_and_completion(shared_data: Path) -> None:
    lif = shared_data / "finishlynx" / "32400031-1-11.lif"
    result = import_lif(lif, "--timezone", "Europe/Berlin")
    assert result.returncode == 0, result.stderr
    out = events(result.stdout)
    assert [e["data"]["phase"] for e in out] == ["started"] + ["result"] * 11 + ["complete"]
    assert {e["kind"] for e in out} == {"photofinish"}
    first = out[1]["data"]
    # The file's first row, read by hand: 1,762,11,Ostrowski,Filip,RKS Lódz,1:45.611
    assert (first["place"], first["bib"], first["lane"]) == (1, "762", 11)
    assert first["competitor"] == "Filip Ostrowski"
    assert first["affiliation"] == "RKS Lódz"
    assert (first["time_us"], first["time_digits"]) == (105_611_000, 3)
    # Start 20:11:54.4049 (header) -> 72714404900 us after midnight; finish = start + time.
    assert out[0]["data"]["start_time_of_day_us"] == 72_714_404_900
    assert first["t_us"] == out[0]["data"]["t_us"] + 105_611_000
    # The file is one block of the race's results, named by when it was written.
    written_us = lif.stat().st_mtime_ns // 1000
    assert out[1]["id"] == f"pf:32400031-1-11:block:{written_us}:result:762:1:105611000"
    assert out[-1]["data"]["results"] == 11
    assert "imported 1 files: 11 results, 0 warnings" in result.stderr


def test_every_real_file_imports_without_warnings(shared_data: Path) -> None:
    result = import_lif(shared_data / "finishlynx")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("0 warnings")
    races = {e["id"].split(":")[1] for e in events(result.stdout)}
    assert races == {"1-1-1", "17-2-1", "31500017-1-2", "32400031-1-11"}


def test_a_broken_copy_gives_counted_warnings_and_keeps_the_good_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    rows = (shared_data / "finishlynx" / "32400031-1-11.lif").read_bytes().split(b"\n")
    rows[2] = rows[2].replace(b"1:45.644", b"1:4x.644")  # a time nobody can read
    rows[3] = b"3,307,1"  # a row cut short
    broken = tmp_path / "broken.lif"
    broken.write_bytes(b"\n".join(rows))
    result = import_lif(broken)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
    assert len(warnings) == 2
    assert "imported 1 files: 10 results, 2 warnings" in result.stderr
    results = [e["data"] for e in events(result.stdout) if e["data"]["phase"] == "result"]
    assert [r["bib"] for r in results][:2] == ["762", "408"]  # the row with the bad time stays
    assert "307" not in [r["bib"] for r in results]  # the cut row could not be kept


def test_watching_a_folder_imports_files_as_they_appear(shared_data: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "velotime", "import-lif", str(tmp_path), "--watch",
         "--interval", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        target = tmp_path / "001-1-1.lif"
        target.write_bytes((shared_data / "finishlynx" / "001-1-1.lif").read_bytes())
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), True)
        first = json.loads(process.stdout.readline())
        assert first["data"]["phase"] == "started"
        assert first["id"].startswith("pf:1-1-1:")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("/nonexistent.lif",), "no such file or folder"),
        (("README.md", "--timezone", "Mars/Olympus"), "unknown time zone"),
        (("README.md", "--interval", "0"), "--interval must be above 0"),
    ],
)
def test_bad_invocations_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = import_lif(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr


async def test_results_go_through_the_venues_daemon(
    shared_data: Path, tmp_path: Path, broker: LocalBroker
) -> None:
    """With a broker, each file goes to the daemon, which publishes the same events as the
    offline import prints (the daemon's source is `lif`, as the offline default)."""
    lif = shared_data / "finishlynx" / "32400031-1-11.lif"
    offline = events(import_lif(lif, "--timezone", "Europe/Berlin").stdout)
    nowhere = f"mqtt://127.0.0.1:{free_port()}"
    camera = source_toml("lynx", "lynx", f"tcp-listen://127.0.0.1:{free_port()}")
    config = write_local_config(tmp_path / "venue", "lif-venue", nowhere, camera)
    text = config.read_text().replace("[venue]\n", '[venue]\ntimezone = "Europe/Berlin"\n')
    config.write_text(text.replace(nowhere, broker.url))
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    topic = "velotime/lif-venue/timing/photofinish"
    async with Subscriber(broker.port, topic, "sub-lif-venue") as subscriber:
        daemon.start()
        try:
            # --broker overrides the file's; the daemon may still be starting: sent again.
            args = ("--config", config, "--broker", broker.url, "--wait", "2", "--watch")
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "velotime", "import-lif", str(lif), *map(str, args),
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            await subscriber.wait_for(lambda: len(subscriber.messages) >= 13, 30, "13 events")
            process.terminate()
            await process.wait()
        finally:
            assert daemon.stop() == 0, daemon.log_text()
    published = [payload for _, payload in subscriber.messages][:13]
    assert [p["id"] for p in published] == [e["id"] for e in offline]
    assert [p["data"] for p in published] == [e["data"] for e in offline]
    assert {p["src"] for p in published} == {e["src"] for e in offline} == {"lif"}
