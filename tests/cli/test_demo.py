import re
import subprocess
import sys


def test_demo_decodes_every_lap_it_encoded() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "demo", "--laps", "3", "--seed", "7"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [
        line.split() for line in result.stdout.splitlines() if re.match(r"\s+\d+\s+\d\d:", line)
    ]
    assert len(rows) == 4 * (3 + 1)  # 4 riders cross the line at the start and after each lap
    assert [int(row[0]) for row in rows] == list(range(1, 17))  # passing numbers, none lost
    laps = [row for row in rows if len(row) == 5]
    assert len(laps) == 4 * 3
    # Lap times near each rider's mean (16.95-18.10 s, +-0.3 s of jitter), three decimals.
    assert all(re.fullmatch(r"1[67]\.\d{3}|18\.\d{3}", row[4]) for row in laps)
    assert "0 CRC errors, 0 bad frames, 0 garbage bytes" in result.stdout
