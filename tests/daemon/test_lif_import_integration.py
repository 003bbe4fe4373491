"""FinishLynx result files imported while the daemon runs (`velotime import-lif --config`): the
daemon records each file in its capture as the `lif` source and publishes its events, the
scoring service scores them, and a replay of the capture writes the same result files, byte for
byte. Real parts: Mosquitto, `velotime run` with its scoring service, import-lif in this process.

The heat is the keirin of tests/scoring/test_engine_keirin.py, decided by the camera alone: its
file first swaps 23 and 25, and the file written again after the operator's correction puts 25
fourth. By hand, from the corrected file's times (1:40.1234 for 22, the winner): 24 at 1:40.1301
is 0.0067 behind -> +0.006; 21 at 1:40.3950 -> +0.271; 25 at 1:40.6990 -> +0.575; 23 at
1:40.7010 -> +0.577; 26 at 1:41.0000 -> +0.876 (gaps truncated to the thousandth)."""

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from tests.cli.helpers import velotime_main
from tests.daemon.harness import DaemonProcess, Subscriber
from tests.scoring.live import (
    Watch,
    offline_results,
    retained,
    run_velotime,
    wait_for_events,
    write_venue_config,
)
from velotime.localvenue import LocalBroker

pytestmark = pytest.mark.timeout(120)
EVENT = "keirin-r1-h1"
RIDERS = {21: "Rider A", 22: "Rider B", 23: "Rider C", 24: "Rider D", 25: "Rider E",
          26: "Rider F"}  # fmt: skip
HEADER = "{event},1,1,Keirin Men,,,,,,,14:00:00.0000"  # as lynx-export numbered the heat
FIRST = [(1, 22, "1:40.1234"), (2, 24, "1:40.1301"), (3, 21, "1:40.3950"),
         (4, 23, "1:40.6990"), (5, 25, "1:40.7010"), (6, 26, "1:41.0000")]  # fmt: skip
CORRECTED = [*FIRST[:3], (4, 25, "1:40.6990"), (5, 23, "1:40.7010"), FIRST[5]]


def meet_text() -> str:
    text = '[meet]\nid = "lif-meet"\n'
    for bib, name in RIDERS.items():
        text += f'[[riders]]\nbib = {bib}\nname = "{name}"\nnation = "NED"\n'
    text += (
        f'[[events]]\nid = "{EVENT}"\ndiscipline = "keirin"\nname = "Keirin Men"\n'
        f'round = "1"\nheat = "1"\nriders = {list(RIDERS)}\n'
    )
    return text


def write_lif(
    path: Path, rows: list[tuple[int, int, str]], written_s: float, event: int = 1
) -> None:
    """A result file as FinishLynx writes it (CRLF lines), written at `written_s`, of the heat
    `velotime meet lynx-export` numbered `event`, round 1, heat 1 (the meet's first event)."""
    lines = [HEADER.format(event=event)] + [
        f"{place},{bib},,{RIDERS[bib].split()[1]},{RIDERS[bib].split()[0]},NED,{time_}"
        for place, bib, time_ in rows
    ]
    path.write_bytes("".join(line + "\r\n" for line in lines).encode("cp1252"))
    os.utime(path, (written_s, written_s))


async def test_imported_result_files_are_in_the_capture_and_replay_to_the_live_results(
    tmp_path: Path, broker: LocalBroker
) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(meet_text())
    config = write_venue_config(tmp_path, "velo", broker.url, {"finish": 0.0}, meet=meet)
    root = "velotime/velo"
    daemon = DaemonProcess(config, tmp_path / "daemon.log")
    lif = tmp_path / "finishlynx" / "007-1-01.lif"
    lif.parent.mkdir()
    now = time.time()

    async def import_lif() -> str:
        result = await asyncio.to_thread(velotime_main, "import-lif", lif, "--config", config)
        assert result.returncode == 0, result.stderr
        return result.stderr

    async with (
        Subscriber(broker.port, f"{root}/timing/#", "timing") as timing,
        Watch(broker.port, f"{root}/#") as watch,
    ):
        daemon.start()
        try:
            assert daemon.process is not None
            await wait_for_events(watch, f"{root}/status/scoring", daemon.process.pid, 0)
            await run_velotime("ctl", "--config", config, "arm", EVENT)
            await timing.wait_for(lambda: len(timing.messages) >= 1, 15, "the arm command")
            write_lif(lif, FIRST, now - 60)
            said = await import_lif()
            assert "imported 1 files: 6 results, 0 warnings; 1 recorded by the daemon" in said
            write_lif(lif, CORRECTED, now - 30)  # the operator's correction, written again
            await import_lif()
            await run_velotime("ctl", "--config", config, "final", EVENT)

            def final() -> bool:
                result = watch.json(f"{root}/results/{EVENT}")
                return result is not None and result["status"] == "final"

            await watch.wait_for(final, "the final result")
            on_broker = await retained(broker.port, root)
        finally:
            assert daemon.stop() == 0, daemon.log_text()

    result = json.loads(on_broker[f"results/{EVENT}"])
    lines = [(line["rank"], line["bib"], line.get("gap")) for line in result["lines"]]
    assert lines == [(1, 22, None), (2, 24, "+0.006"), (3, 21, "+0.271"), (4, 25, "+0.575"),
                     (5, 23, "+0.577"), (6, 26, "+0.876")]  # fmt: skip
    # The daemon says what the written-again file superseded of the first.
    assert "supersedes 2 lines" in daemon.log_text()
    photo_finish = timing.payloads("/photofinish")
    assert {p["src"] for p in photo_finish} == {"lif"}
    # Two versions of the file: its start, 6 results and completion each, all of them counted.
    assert [p["data"]["phase"] for p in photo_finish] == 2 * (
        ["started"] + 6 * ["result"] + ["complete"]
    )

    (capture,) = (tmp_path / "state" / "captures").glob("*.capture.jsonl")
    header, *chunks = [json.loads(line) for line in capture.read_text().splitlines()]
    assert header["sources"]["lif"]["protocol"] == "lif"
    assert [chunk["src"] for chunk in chunks].count("lif") == 2  # each version of the file
    offline = offline_results([capture], meet, tmp_path / "offline")
    assert offline == {EVENT: on_broker[f"results/{EVENT}"] + b"\n"}


def test_without_a_daemon_a_file_is_named_and_the_exit_status_is_1(
    tmp_path: Path, broker: LocalBroker
) -> None:
    """The broker takes the file but no daemon records it: import-lif does not call it imported."""
    lif = tmp_path / "007-1-01.lif"
    write_lif(lif, FIRST, time.time())
    result = velotime_main(
        "import-lif", lif, "--broker", broker.url, "--venue", "nobody", "--wait", "0.5"
    )
    assert result.returncode == 1
    assert f"{lif}: the daemon did not confirm it within 0.5 s" in result.stderr
    assert "0 recorded by the daemon" in result.stderr
