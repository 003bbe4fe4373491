"""A Race Result decoder end to end: the simulated decoder (a real TCP server) -> the daemon (a
real process) -> a real Mosquitto -> a subscriber. Passings lost on the way and the link dropped
mid-session: the fetches by passing number bring back every one, and the capture replays to the
same events."""

from pathlib import Path

import pytest

from tests.daemon.harness import DaemonProcess, Subscriber, replays_the_same, unique_by_id
from velotime.localvenue import LocalBroker, source_toml, write_local_config
from velotime.simulators.raceresult import RaceResultSimulator

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
TOPIC = "velotime/rr-venue/timing/passing"
PASSINGS = 16
GAP_BOUND = 10_000


async def test_every_passing_arrives_through_lost_pushes_and_a_dropped_link(
    tmp_path: Path, broker: LocalBroker
) -> None:
    # Three riders on 1.5 s laps: two passings a second, at real time (the decoder clock and
    # the venue clock run together; its clock is the venue's local time, UTC).
    decoder = RaceResultSimulator(
        transponders=[1001, 1002, 1003], lap_time_us=1_500_000, count=PASSINGS, seed=7
    )
    await decoder.start("127.0.0.1", 0, when_connected=True)
    source = source_toml(
        "rr-finish", "raceresult", f"tcp://127.0.0.1:{decoder.port}", line="finish",
        reconnect_min_s=0.1, reconnect_max_s=0.3, get_time_interval_s=1.0,
    )  # fmt: skip
    config = write_local_config(tmp_path, "rr-venue", broker.url, source)
    daemon = DaemonProcess(config, tmp_path / "daemon.log")

    async with Subscriber(broker.port, TOPIC, "rr-passings") as subscriber:
        daemon.start()
        try:

            def numbers() -> set[int]:
                return {p["data"]["passing_number"] for p in subscriber.payloads()}

            await subscriber.wait_for(lambda: len(numbers()) >= 3, 20, "3 passings")
            decoder.lose_pushes(2)  # two passings never pushed: the next shows the gap
            seen = len(decoder.passings)
            await subscriber.wait_for(lambda: len(numbers()) >= seen + 3, 20, "the gap filled")
            # The link drops; passings go on meanwhile. The next two are not pushed either:
            # whether the daemon is back before them or not, only a fetch brings them.
            decoder.lose_pushes(2)
            decoder.drop_clients()
            await subscriber.wait_for(
                lambda: numbers() == set(range(1, PASSINGS + 1)), 30, "every passing"
            )
        finally:
            assert daemon.stop() == 0, daemon.log_text()
            await decoder.stop()

    received = unique_by_id(subscriber.payloads())
    by_number = {event["data"]["passing_number"]: event["data"] for event in received.values()}
    assert sorted(by_number) == list(range(1, PASSINGS + 1))  # nothing lost, nothing twice
    for made in decoder.passings:
        data = by_number[made.passing_number]
        assert data["transponder"] == int(made.code)
        assert data["line"] == "finish"
        assert data["record"]["time_of_day_us"] == made.time_of_day_us
        assert data["t_us"] == data["rtc_time_us"] + data["clock_offset_us"]
        # The decoder clock is the venue clock: the offset is the GETTIME answer's latency.
        assert abs(data["clock_offset_us"]) < 200_000
    fetched = [n for n, data in by_number.items() if not data["record"]["pushed"]]
    assert len(fetched) >= 4, fetched  # the two lost pushes, and the two around the drop
    # The lost pushes were fetched by number (2 from the first lost), and after the reconnect
    # the passings from the highest seen on were asked for.
    assert any(count == 2 for _, count in decoder.fetches), decoder.fetches
    assert any(count == GAP_BOUND for _, count in decoder.fetches), decoder.fetches
    assert "SETPUSHPASSINGS;1;0" in decoder.commands
    assert decoder.commands.count("STARTOPERATION") >= 2  # on each connection
    assert replays_the_same(tmp_path, received, runs=1)
