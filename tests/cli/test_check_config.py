"""`velotime check-config`, run as a user runs it: a real process with real files."""

import os
import subprocess
from pathlib import Path

from tests.cli.helpers import velotime
from velotime.config import ENV_PREFIX

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "velodrome.example.toml"


def check_config(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # The test runner's own VELOTIME_* variables must not leak into the result.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return velotime("check-config", *args, env=clean | (env or {}))


def test_the_example_is_valid_and_summarised() -> None:
    result = check_config(EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"{EXAMPLE}: valid"
    assert "venue:   lexus-velodrome (Lexus Velodrome, Detroit), 250 m, America/Detroit" in lines
    assert "  finish        0 m, the finish" in lines
    assert "  200m          200 m, before the finish" in lines
    assert "  pursuit-home  15 m, before the finish, the home straight's pursuit line" in lines
    assert "  pursuit-back  140 m, before the finish, the back straight's pursuit line" in lines
    assert (
        "  p3-finish  p3 tcp://192.168.1.50:5403, line finish, decoder 268309 on pursuit-home, "
        "decoder 268310 on pursuit-back, clock get_time"
    ) in lines
    assert "  p3-200m    p3 tcp://192.168.1.51:5403, line 200m, clock get_time" in lines
    assert (
        "broker:  mqtt://127.0.0.1:1883 (client id velotime-lexus-velodrome, keepalive 15 s)"
        in lines
    )
    assert "storage: /var/lib/velotime" in lines


def test_the_password_is_masked() -> None:
    env = {"VELOTIME_MQTT__USERNAME": "timing", "VELOTIME_MQTT__PASSWORD": "s3cret-pw"}
    result = check_config(EXAMPLE, env=env)
    assert result.returncode == 0, result.stderr
    assert "broker:  mqtt://timing:******@127.0.0.1:1883 " in result.stdout
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert (
        "environment overrides: VELOTIME_MQTT__PASSWORD, VELOTIME_MQTT__USERNAME"
        in result.stdout.splitlines()
    )


def test_a_password_file_is_read_and_masked(tmp_path: Path) -> None:
    (tmp_path / "mqtt-password").write_text("from-a-file\n")
    config = tmp_path / "velodrome.toml"
    config.write_text(
        EXAMPLE.read_text()
        .replace('username = ""', 'username = "timing"')
        .replace('password_file = ""', 'password_file = "mqtt-password"')
    )
    result = check_config(config)
    assert result.returncode == 0, result.stderr
    assert "mqtt://timing:******@127.0.0.1:1883" in result.stdout
    assert f"password from {tmp_path / 'mqtt-password'}" in result.stdout
    assert "from-a-file" not in result.stdout

    (tmp_path / "mqtt-password").unlink()
    result = check_config(config)
    assert result.returncode == 2
    assert result.stderr == (
        f"{tmp_path / 'mqtt-password'}: cannot read mqtt.password_file: No such file or directory\n"
    )


def test_broker_overrides_the_file_and_the_environment() -> None:
    result = check_config(
        EXAMPLE, "--broker", "mqtts://broker.example.org", env={"VELOTIME_MQTT__URL": "mqtt://x"}
    )
    assert result.returncode == 0, result.stderr
    assert "broker:  mqtts://broker.example.org:8883 " in result.stdout


def test_a_broken_file_lists_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        EXAMPLE.read_text()
        .replace('id = "lexus-velodrome"', 'id = "Lexus Velodrome"')
        .replace('transport = "tcp://192.168.1.51:5403"', 'transport = "ftp://x"')
        .replace('line = "200m"', 'line = "100m"')
    )
    result = check_config(broken)
    known = "'200m', 'finish', 'pursuit-back', 'pursuit-home'"
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{broken}: venue.id: must be lowercase letters, digits, '-' and '_' only "
        "(it is used in MQTT topics), got 'Lexus Velodrome'",
        f"{broken}: sources[1].transport: expected tcp://HOST:PORT, "
        "serial://PATH[?baudrate=N], tcp-listen://HOST:PORT or udp://HOST:PORT, got 'ftp://x'",
        f"{broken}: sources[1].line: no timing line '100m' in [[lines]] (known: {known})",
        f"{broken}: sources[2].channels.C4.line: no timing line '100m' in [[lines]] "
        f"(known: {known})",
    ]


def test_a_bad_broker_option_is_reported_as_such() -> None:
    result = check_config(EXAMPLE, "--broker", "localhost:1883")
    assert result.returncode == 2
    assert result.stderr == (
        f"{EXAMPLE}: mqtt.url: expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT], "
        "got 'localhost:1883' (set by --broker)\n"
    )


def test_a_toml_syntax_error_is_one_line_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[venue]\nid = "x"\ntrack_length_m = 250\n[[lines]\n')
    result = check_config(broken)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    # tomllib's own wording may change between Python versions; the position must be there.
    assert lines[0].startswith(f"{broken}: line 4, column 8: invalid TOML: "), lines


def test_an_unreadable_file_is_one_line() -> None:
    result = check_config("/nonexistent/velodrome.toml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "/nonexistent/velodrome.toml: cannot read: No such file or directory\n"


def test_the_meet_to_score_is_checked_too(tmp_path: Path) -> None:
    meets = Path(__file__).resolve().parents[2] / "config" / "meets"
    config = tmp_path / "velotime.toml"
    config.write_text(EXAMPLE.read_text() + f'\n[scoring]\nmeet = "{meets}/example-meet.toml"\n')
    result = check_config(config)
    assert result.returncode == 0, result.stderr
    assert "scoring: meet example-open-2026 from " in result.stdout
    assert "24 riders, 3 events, 1 competitions" in result.stdout
    # A meet with a mistake: named by its key, exit 2, before anything runs.
    broken = tmp_path / "broken.toml"
    broken.write_text((meets / "example-meet.toml").read_text().replace("bib = 124", "bib = 101"))
    config.write_text(EXAMPLE.read_text() + f'\n[scoring]\nmeet = "{broken}"\n')
    result = check_config(config)
    assert result.returncode == 2
    assert "riders[23].bib: 101 is also riders[0]" in result.stderr


def test_a_meet_event_the_venue_cannot_run_is_refused_before_race_day(tmp_path: Path) -> None:
    """A 4100 m pursuit on the example's 250 m track ends 4100 / 125 = 32.8 half laps from its
    start, off both pursuit lines: check-config says so, as `velotime score` does (which used to
    stop with a traceback when its engine was made)."""
    meet = tmp_path / "meet.toml"
    meet.write_text(
        '[meet]\nid = "m"\n'
        '[[riders]]\nbib = 1\nname = "Ann Home"\n[[riders]]\nbib = 2\nname = "Bea Back"\n'
        '[[events]]\nid = "ip"\ndiscipline = "individual_pursuit"\ndistance_m = 4100\n'
        "riders = [1, 2]\n"
    )
    config = tmp_path / "velotime.toml"
    config.write_text(EXAMPLE.read_text() + f'\n[scoring]\nmeet = "{meet}"\n')
    result = check_config(config)
    assert result.returncode == 2
    assert result.stderr == (
        "event ip: 4100 m is not a whole number of half laps of a 250 m track "
        "(give the track length exactly)\n"
    )
    meet.write_text(meet.read_text().replace("4100", "4000"))
    assert check_config(config).returncode == 0
