"""Issue 12, item 7: every startup and input error is one line naming the file and the key, with
exit status 2; never a traceback. Through `main` in this process: only what the user reads and
the exit status count (tests/cli/helpers.py)."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import assert_one_line_error, velotime_main
from velotime.config import load_config
from velotime.daemon.service import Daemon, StartupError

VENUE = """\
[venue]
id = "test-track"
track_length_m = 250

[[lines]]
name = "finish"
distance_m = 0

[[sources]]
name = "p3-a"
protocol = "p3"
transport = "tcp://127.0.0.1:1"
line = "finish"
{source_extra}
[mqtt]
url = "mqtt://127.0.0.1:1"
{mqtt_extra}
[storage]
directory = "{storage}"
{rest}"""

MEET = """\
[meet]
id = "club-night"

[[riders]]
bib = 1
name = "Ana MARTIN"
transponders = [{transponder}]
"""


def venue(
    tmp_path: Path,
    *,
    source_extra: str = "",
    mqtt_extra: str = "",
    storage: Path | None = None,
    rest: str = "",
) -> Path:
    path = tmp_path / "venue.toml"
    path.write_text(
        VENUE.format(
            source_extra=source_extra,
            mqtt_extra=mqtt_extra,
            storage=storage or tmp_path / "state",
            rest=rest,
        )
    )
    return path


@pytest.fixture(autouse=True)
def _root_logging() -> Iterator[None]:
    """`velotime run` sets up logging to the stderr of the moment (captured here): undone after,
    so that no later test logs into a closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def startups(config: Path) -> list[list[str | Path]]:
    """The commands that read `config` first thing: the one that checks it, and the daemon."""
    return [["check-config", config], ["run", "--config", config]]


# -- an unwritable state directory ------------------------------------------------------------


@pytest.mark.parametrize(
    ("directory", "message"),
    [
        # storage.directory is a file.
        (
            "file",
            "{storage}/file/outbox.sqlite: cannot open the outbox (storage.directory): "
            "a file where a directory should be: {storage}/file",
        ),
        # storage.directory is under a file: it cannot be made.
        (
            "file/state",
            "{storage}/file/state/outbox.sqlite: cannot open the outbox (storage.directory): "
            "Not a directory: {storage}/file/state",
        ),
        # A directory where the outbox's file should be.
        (
            "outbox-is-a-directory",
            "{storage}/outbox-is-a-directory/outbox.sqlite: cannot open the outbox "
            "(storage.directory): unable to open database file",
        ),
        # A file where the capture log's directory should be.
        (
            "captures-is-a-file",
            "{storage}/captures-is-a-file/captures: cannot open the capture log "
            "(storage.directory): a file where a directory should be",
        ),
    ],
)
def test_run_with_a_state_directory_it_cannot_write_is_one_line(
    tmp_path: Path, directory: str, message: str
) -> None:
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "file").write_text("")
    (storage / "outbox-is-a-directory" / "outbox.sqlite").mkdir(parents=True)
    (storage / "captures-is-a-file").mkdir()
    (storage / "captures-is-a-file" / "captures").write_text("")
    result = velotime_main("run", "--config", venue(tmp_path, storage=storage / directory))
    assert result.stderr == "velotime run: " + message.format(storage=storage) + "\n"
    assert_one_line_error(result, "(storage.directory)")


def test_a_scoring_journal_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(MEET.format(transponder=5001))
    storage = tmp_path / "storage"
    storage.write_text("")  # a file where the directory should be
    path = venue(tmp_path, storage=storage, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    for command in ("run", "score"):
        result = velotime_main(command, "--config", path)
        assert result.stderr == (
            f"velotime {command}: {'[scoring]: ' if command == 'run' else ''}"
            f"{storage}/scoring/test-track: cannot open the scoring journal "
            "(storage.directory): Not a directory\n"
        )
        assert_one_line_error(result, "scoring journal")


# -- a missing password file --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mqtt_extra", "file", "key"),
    [
        ('username = "timing"\npassword_file = "secret.txt"\n', "secret.txt", "password_file"),
        # paho reads the TLS files on each connect: the daemon would only ever say "broker
        # connection lost: [Errno 2] No such file or directory".
        ('url = "mqtts://127.0.0.1:1"\ntls_ca_file = "ca.pem"\n', "ca.pem", "tls_ca_file"),
    ],
)
def test_a_missing_broker_file_is_one_line(
    tmp_path: Path, mqtt_extra: str, file: str, key: str
) -> None:
    path = venue(tmp_path)
    path.write_text(path.read_text().replace('url = "mqtt://127.0.0.1:1"\n', mqtt_extra))
    for args in startups(path):
        result = velotime_main(*args)
        assert result.stderr == (
            f"{tmp_path}/{file}: cannot read mqtt.{key}: No such file or directory\n"
        )
        assert_one_line_error(result, f"mqtt.{key}")


def test_a_password_file_gone_after_loading_stops_the_daemon_with_one_line(
    tmp_path: Path,
) -> None:
    # Read at load, removed before the daemon starts: the daemon says the same line.
    secret = tmp_path / "secret.txt"
    secret.write_text("pw\n")
    config = load_config(
        venue(tmp_path, mqtt_extra='username = "timing"\npassword_file = "secret.txt"\n')
    )
    secret.unlink()
    with pytest.raises(StartupError) as caught:
        Daemon(config)
    assert str(caught.value) == (
        f"{secret}: cannot read mqtt.password_file: No such file or directory"
    )
    assert not (tmp_path / "state").exists()  # refused before anything was opened


# -- a host name label over 63 characters ------------------------------------------------------

LONG_LABEL = "a" * 64


@pytest.mark.parametrize(
    ("default", "changed", "key"),
    [
        ("tcp://127.0.0.1:1", f"tcp://{LONG_LABEL}.example:5403", "sources[0].transport"),
        ("mqtt://127.0.0.1:1", f"mqtt://{LONG_LABEL}:1883", "mqtt.url"),
        (
            "[storage]",
            f'[scoreboard]\nlisten = "{LONG_LABEL}:8080"\n[storage]',
            "scoreboard.listen",
        ),
    ],
)
def test_a_host_name_label_over_63_characters_is_refused_naming_its_key(
    tmp_path: Path, default: str, changed: str, key: str
) -> None:
    path = venue(tmp_path)
    path.write_text(path.read_text().replace(default, changed))
    for args in startups(path):
        result = velotime_main(*args)
        assert_one_line_error(
            result, f"{path}: {key}: bad host: 64 characters between dots (at most 63)"
        )
    assert not (tmp_path / "state").exists()


def test_a_broker_option_with_a_label_over_63_characters_is_refused(tmp_path: Path) -> None:
    result = velotime_main(
        "run", "--config", venue(tmp_path), "--broker", f"mqtt://{LONG_LABEL}:1883"
    )
    assert_one_line_error(result, "mqtt.url: bad host: 64 characters between dots (at most 63)")
    assert "(set by --broker)" in result.stderr


# -- TOML nested too deeply ---------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


def test_a_config_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    path = venue(tmp_path, rest=f"\n[scoring]\nx = {DEEP}\n")
    for args in startups(path):
        result = velotime_main(*args)
        assert result.stderr == f"{path}: invalid TOML: arrays or inline tables nested too deeply\n"
        assert_one_line_error(result, str(path))


@pytest.mark.parametrize("nested", [DEEP, "{a = " * 5000 + "1" + "}" * 5000])
def test_a_meet_file_nested_too_deeply_is_one_line(tmp_path: Path, nested: str) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(MEET.format(transponder=5001) + f"\n[extra]\nx = {nested}\n")
    path = venue(tmp_path, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    for args in startups(path):
        result = velotime_main(*args)
        message = f"{meet}: invalid TOML: arrays or inline tables nested too deeply"
        prefix = "velotime run: [scoring]: " if args[0] == "run" else ""
        assert result.stderr == prefix + message + "\n"
        assert_one_line_error(result, message)


def test_a_meet_file_that_is_a_directory_is_one_line(tmp_path: Path) -> None:
    meet = tmp_path / "meet.toml"
    meet.mkdir()
    path = venue(tmp_path, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    result = velotime_main("check-config", path)
    assert result.stderr == f"{path}: scoring.meet: {meet}: cannot read: Is a directory\n"
    assert result.returncode == 2


# -- values out of range ------------------------------------------------------------------------


def test_a_decoder_id_above_32_bits_is_refused(tmp_path: Path) -> None:
    # 2^32 - 1 = 4294967295 is the largest id a P3 decoder can send (a u32 field).
    lines = '[sources.decoder_lines]\n"4294967295" = "finish"\n"4294967296" = "finish"\n'
    path = venue(tmp_path, source_extra=lines)
    result = velotime_main("check-config", path)
    assert result.stderr == (
        f"{path}: sources[0].decoder_lines.4294967296: a decoder id is 0 to 4294967295 "
        "(32 bits), got 4294967296\n"
    )
    assert_one_line_error(result, "decoder_lines.4294967296")
    accepted = venue(tmp_path, source_extra=lines.replace('"4294967296" = "finish"\n', ""))
    assert velotime_main("check-config", accepted).returncode == 0


@pytest.mark.parametrize("transponder", [-1, 4294967296])
def test_a_transponder_outside_32_bits_is_refused(tmp_path: Path, transponder: int) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(MEET.format(transponder=transponder))
    path = venue(tmp_path, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    result = velotime_main("check-config", path)
    assert result.stderr == (
        f"{meet}: riders[0].transponders[0]: a transponder id is 0 to 4294967295 (32 bits), "
        f"got {transponder}\n"
    )
    assert_one_line_error(result, "riders[0].transponders[0]")
    meet.write_text(MEET.format(transponder=4294967295))
    assert velotime_main("check-config", path).returncode == 0


# -- the meet file's mistakes, worded as the configuration's (issue 13, item 7) ------------------

MISTAKEN_EVENTS = """
[[events]]
id = "f200"
discipline = "flying200"
start_order = [1]
qualfy = 1

[[events]]
id = "k"
discipline = "kierin"
riders = [1]
"""


def test_a_meet_file_s_mistakes_name_their_keys_with_suggestions(tmp_path: Path) -> None:
    meet = tmp_path / "meet.toml"
    meet.write_text(MEET.format(transponder=5001) + MISTAKEN_EVENTS)
    path = venue(tmp_path, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    expected = [
        f"{meet}: events[0].qualfy: unknown key (did you mean 'qualify'?)",
        f"{meet}: events[1].discipline: unknown value 'kierin'; valid: elimination, "
        "flying200, individual_pursuit, keirin, madison, points_race, scratch, sprint, "
        "team_pursuit, team_sprint, tempo, time_trial (did you mean 'keirin'?)",
    ]
    result = velotime_main("check-config", path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == expected


def test_a_missing_meet_file_names_the_key_that_named_it(tmp_path: Path) -> None:
    meet = tmp_path / "no-such-meet.toml"
    path = venue(tmp_path, rest=f'\n[scoring]\nmeet = "{meet}"\n')
    message = f"{path}: scoring.meet: {meet}: cannot read: No such file or directory"
    cases: list[tuple[list[str | Path], str]] = [
        (["check-config", path], ""),
        (["score", "--config", path], "velotime score: "),
        (["run", "--config", path], "velotime run: [scoring]: "),
    ]
    for args, prefix in cases:
        result = velotime_main(*args)
        assert result.stderr == prefix + message + "\n"
        assert_one_line_error(result, message)


def test_a_missing_meet_file_given_by_option_names_the_option(tmp_path: Path) -> None:
    meet = tmp_path / "no-such-meet.toml"
    result = velotime_main("score", "--config", venue(tmp_path), "--meet", meet)
    assert result.stderr == (
        f"velotime score: --meet: {meet}: cannot read: No such file or directory\n"
    )
    assert_one_line_error(result, "--meet")
