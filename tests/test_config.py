"""The configuration: the shipped example, every kind of error, overrides and helpers."""

import re
import tomllib
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from velotime.config import (
    BoardConfig,
    ChannelConfig,
    Config,
    ConfigError,
    LineConfig,
    MqttConfig,
    ScoreboardConfig,
    ScoringConfig,
    SerialEndpoint,
    SourceConfig,
    StorageConfig,
    TcpEndpoint,
    TcpListenEndpoint,
    VenueConfig,
    load_config,
    parse_config,
)
from velotime.families import source_config_types
from velotime.families.lynx.source import LynxSourceConfig
from velotime.families.p3.source import P3SourceConfig
from velotime.families.protime.source import ProtimeSourceConfig
from velotime.families.raceresult.source import RaceResultSourceConfig
from velotime.families.timy.source import TimySourceConfig

ROOT = Path(__file__).resolve().parents[1]
FORMS = (
    "expected tcp://HOST:PORT, serial://PATH[?baudrate=N], tcp-listen://HOST:PORT "
    "or udp://HOST:PORT"
)
EXAMPLE = ROOT / "config" / "velodrome.example.toml"
DOCS = ROOT / "docs" / "configuration.md"
PROTOCOL_SETTINGS: list[type[SourceConfig]] = list(source_config_types())


def p3(source: SourceConfig) -> P3SourceConfig:
    assert isinstance(source, P3SourceConfig)
    return source


def timy(source: SourceConfig) -> TimySourceConfig:
    assert isinstance(source, TimySourceConfig)
    return source


BASE = """\
[venue]
id = "test-track"
track_length_m = 250

[[lines]]
name = "finish"
distance_m = 0

[[lines]]
name = "200m"
distance_m = 200

[[sources]]
name = "p3-a"
protocol = "p3"
transport = "tcp://10.0.0.1:5403"
line = "finish"

[[sources]]
name = "p3-b"
protocol = "p3"
transport = "tcp://10.0.0.2:5403"
line = "200m"
"""


def edited(old: str, new: str, text: str = BASE) -> str:
    assert old in text, f"test bug: {old!r} not in the base config"
    return text.replace(old, new, 1)


def problems(text: str, **kwargs: Any) -> list[str]:
    kwargs.setdefault("env", {})
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="t.toml", **kwargs)
    lines = str(caught.value).splitlines()
    assert lines == list(caught.value.problems)
    return lines


def assert_problem(found: list[str], path: str, fragment: str) -> None:
    prefix = f"t.toml: {path}: "
    assert any(p.startswith(prefix) and fragment in p for p in found), (
        f"no problem at {path!r} with {fragment!r} in:\n" + "\n".join(found)
    )


def parse(text: str = BASE, **kwargs: Any) -> Config:
    kwargs.setdefault("env", {})
    return parse_config(text, **kwargs)


# --- The shipped example -----------------------------------------------------------------------


def test_the_example_loads_with_the_values_it_states() -> None:
    config = load_config(EXAMPLE, env={})
    assert config.venue == VenueConfig(
        id="lexus-velodrome",
        name="Lexus Velodrome, Detroit",
        track_length_m=250,
        timezone="America/Detroit",
    )
    assert config.venue.zone == ZoneInfo("America/Detroit")
    assert [(line.name, line.distance_m, line.role) for line in config.lines] == [
        ("finish", 0, ""),
        ("200m", 200, ""),
        ("pursuit-home", 15, "pursuit-home"),
        ("pursuit-back", 140, "pursuit-back"),
    ]
    assert config.line_roles == {"pursuit-home": "pursuit-home", "pursuit-back": "pursuit-back"}
    assert [s.name for s in config.sources] == [
        "p3-finish",
        "p3-200m",
        "timy",
        "lynx",
        "rr-finish",
        "protime",
    ]
    assert config.sources[0].endpoint == TcpEndpoint("192.168.1.50", 5403)
    assert config.sources[1].endpoint == TcpEndpoint("192.168.1.51", 5403)
    assert [type(s) for s in config.sources] == [
        P3SourceConfig,
        P3SourceConfig,
        TimySourceConfig,
        LynxSourceConfig,
        RaceResultSourceConfig,
        ProtimeSourceConfig,
    ]
    protime_source = config.source("protime")
    assert isinstance(protime_source, ProtimeSourceConfig)
    assert protime_source.endpoint == SerialEndpoint(
        "/dev/serial/by-id/usb-Chronelec_Protime-if00-port0", 19200
    )
    assert (protime_source.line, protime_source.channel_lines) == ("finish", {"BOX": "200m"})
    assert [p3(s).line for s in config.sources[:2]] == ["finish", "200m"]
    assert config.source("lynx").protocol == "lynx"
    assert config.source("lynx").endpoint == TcpListenEndpoint("0.0.0.0", 5050)
    timy_source = timy(config.source("timy"))
    assert timy_source.endpoint == SerialEndpoint(
        "/dev/serial/by-id/usb-FTDI_ALGE_Timy-if00-port0", 38400
    )
    assert {key: (c.line, c.dead_time_ms) for key, c in timy_source.channels.items()} == {
        "C0": ("start", 1000),
        "C1": ("finish", 200),
        "C2": ("gate-home", 1000),
        "C3": ("gate-back", 1000),
        "C4": ("200m", 200),
        "C5": ("pursuit-home", 200),
        "C6": ("pursuit-back", 200),
    }
    first = p3(config.sources[0])
    assert (first.silence_timeout_s, first.get_time_interval_s, first.clock) == (
        15.0,
        60.0,
        "get_time",
    )
    assert (first.reconnect_min_s, first.reconnect_max_s) == (0.5, 30.0)
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == ("127.0.0.1", 1883, False)
    assert config.mqtt.keepalive_s == 15
    assert config.mqtt.topic_prefix == "velotime"
    # Empty strings in the example mean "not set".
    assert config.mqtt.username is None
    assert config.password() is None
    assert config.mqtt.client_id == "velotime-lexus-velodrome"
    assert config.storage.directory == Path("/var/lib/velotime")
    assert config.storage.captures_dir == Path("/var/lib/velotime/captures")
    assert config.storage.outbox_path == Path("/var/lib/velotime/outbox.sqlite")


def test_the_example_sets_every_key_of_the_model() -> None:
    raw = tomllib.loads(EXAMPLE.read_text())
    expected = {
        "venue": {f.name for f in msgspec.structs.fields(VenueConfig)},
        "lines": {f.name for f in msgspec.structs.fields(LineConfig)},
        "sources": {"protocol"}.union(
            *({f.name for f in msgspec.structs.fields(typ)} for typ in PROTOCOL_SETTINGS)
        ),
        "mqtt": {f.name for f in msgspec.structs.fields(MqttConfig)},
        "storage": {f.name for f in msgspec.structs.fields(StorageConfig)},
    }
    assert set(raw) == set(expected)
    for section, keys in expected.items():
        tables = raw[section] if isinstance(raw[section], list) else [raw[section]]
        # Every line of the example is commented; each protocol's source shows its own keys.
        assert set().union(*tables) == keys, section
    for typ in PROTOCOL_SETTINGS:
        shown = [
            source for source in raw["sources"] if source["protocol"] == typ.__struct_config__.tag
        ]
        # The keys of the protocol's own are shown on its sources, and no other protocol's.
        own = set(typ.__struct_fields__) - set(SourceConfig.__struct_fields__)
        base = {"protocol", *SourceConfig.__struct_fields__}
        others = set().union(*map(set, raw["sources"])) - base
        assert shown, typ.__name__
        assert set().union(*shown) & others == own, typ.__name__
    channels = {
        k for source in raw["sources"] for c in source.get("channels", {}).values() for k in c
    }
    assert channels == {f.name for f in msgspec.structs.fields(ChannelConfig)}


def test_the_docs_describe_every_key() -> None:
    text = DOCS.read_text()
    tables: tuple[type[msgspec.Struct], ...] = (
        VenueConfig, LineConfig, *PROTOCOL_SETTINGS, ChannelConfig, MqttConfig, StorageConfig,
        ScoringConfig, BoardConfig, ScoreboardConfig,
    )  # fmt: skip
    for typ in tables:
        for field in msgspec.structs.fields(typ):
            assert f"`{field.name}`" in text, f"{typ.__name__}.{field.name} is not documented"


# --- Defaults and helpers ----------------------------------------------------------------------


def test_optional_tables_and_keys_take_their_defaults() -> None:
    config = parse(BASE)
    assert config.venue.name == ""
    assert config.venue.timezone == "UTC"
    assert config.venue.zone is UTC
    assert config.mqtt == MqttConfig(client_id="velotime-test-track")
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == ("127.0.0.1", 1883, False)
    assert config.storage == StorageConfig(directory=Path("/var/lib/velotime"))
    source = p3(config.sources[0])
    assert source.decoder_lines == {}
    assert (source.silence_limit_s, source.get_time_interval_s) == (15.0, 60.0)
    assert (source.clock, source.reconnect_min_s, source.reconnect_max_s) == (
        "get_time",
        0.5,
        30.0,
    )


def test_a_fractional_track_length_is_fine() -> None:
    config = parse(edited("track_length_m = 250", "track_length_m = 333.33"))
    assert config.venue.track_length_m == 333.33


def test_line_and_source_look_up_by_name() -> None:
    config = parse()
    assert config.line("200m") == LineConfig(name="200m", distance_m=200)
    assert p3(config.source("p3-b")).line == "200m"
    with pytest.raises(KeyError):
        config.line("100m")
    with pytest.raises(KeyError):
        config.source("p3-c")


def test_line_for_prefers_the_decoder_mapping() -> None:
    text = edited(
        'line = "finish"', 'line = "finish"\ndecoder_lines = { 007 = "200m", 9 = "finish" }'
    )
    source = p3(parse(text).sources[0])
    assert source.decoder_lines == {"7": "200m", "9": "finish"}  # "007" is decoder 7
    described = source.describe("UTC")
    assert described.line_for(7) == "200m"
    assert described.line_for(9) == "finish"
    assert described.line_for(8) == "finish"  # not mapped: the source's own line
    assert described.line_for(None) == "finish"


def test_a_p3_source_whose_decoders_are_all_mapped_needs_no_line() -> None:
    """Three decoders chained on one link, each mapped: a `line` would be meaningless. A decoder
    mapped nowhere then has no line (None), not a made-up one."""
    text = edited('line = "200m"\n', 'decoder_lines = { 11 = "finish", 12 = "200m" }\n')
    source = p3(parse(text).sources[1])
    assert source.line is None
    assert source.summary() == (
        "decoder 11 on finish, decoder 12 on 200m, other decoders flagged unknown_decoder, "
        "clock get_time"
    )
    described = source.describe("UTC")
    assert (described.line_for(11), described.line_for(12)) == ("finish", "200m")
    assert described.line_for(13) is None
    assert described.line_for(None) is None
    assert described.lines_text() == "11 finish, 12 200m"


def test_a_p3_source_with_neither_line_nor_decoder_lines_is_refused() -> None:
    for without in ("", "decoder_lines = {}\n"):
        assert problems(edited('line = "200m"\n', without)) == [
            "t.toml: sources[1].line: a p3 source needs the timing line of its loop, or "
            "decoder_lines mapping its decoders to lines"
        ]


@pytest.mark.parametrize(
    ("transport", "endpoint"),
    [
        ("tcp://192.168.1.50:5403", TcpEndpoint("192.168.1.50", 5403)),
        ("tcp://decoder-1.local:5403", TcpEndpoint("decoder-1.local", 5403)),
        ("tcp://[::1]:5403", TcpEndpoint("::1", 5403)),
        ("serial:///dev/ttyUSB0", SerialEndpoint("/dev/ttyUSB0", 9600)),
        ("serial:///dev/ttyUSB0?baudrate=115200", SerialEndpoint("/dev/ttyUSB0", 115200)),
    ],
)
def test_transports_parse_to_endpoints(transport: str, endpoint: object) -> None:
    config = parse(edited("tcp://10.0.0.1:5403", transport))
    assert config.sources[0].endpoint == endpoint


@pytest.mark.parametrize(
    ("url", "host", "port", "tls"),
    [
        ("mqtt://broker", "broker", 1883, False),
        ("mqtt://broker:1884", "broker", 1884, False),
        ("mqtts://broker.example.org", "broker.example.org", 8883, True),
        ("mqtts://broker:9883", "broker", 9883, True),
        ("mqtt://[::1]:1884", "::1", 1884, False),
    ],
)
def test_broker_urls(url: str, host: str, port: int, tls: bool) -> None:
    config = parse(BASE + f'[mqtt]\nurl = "{url}"\n')
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == (host, port, tls)


def test_empty_optional_strings_mean_not_set() -> None:
    config = parse(BASE + '[mqtt]\nusername = ""\nclient_id = ""\npassword = ""\n')
    assert config.mqtt.username is None
    assert config.mqtt.client_id == "velotime-test-track"
    assert config.password() is None


def test_an_explicit_client_id_is_kept() -> None:
    assert parse(BASE + '[mqtt]\nclient_id = "timing-1"\n').mqtt.client_id == "timing-1"


def test_the_config_is_immutable() -> None:
    config = parse()
    with pytest.raises(AttributeError):
        config.venue.id = "other"  # type: ignore[misc]


# --- Files and paths ---------------------------------------------------------------------------


def test_relative_paths_are_resolved_against_the_files_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "mqtt-password").write_text("s3cret\n")
    path = etc / "velodrome.toml"
    path.write_text(
        BASE + '[mqtt]\nusername = "u"\npassword_file = "mqtt-password"\n'
        '[storage]\ndirectory = "data"\n'
    )
    monkeypatch.chdir(tmp_path)  # not the file's directory: the answer must not depend on it
    config = load_config(Path("etc/velodrome.toml"), env={})
    assert config.storage.directory == etc / "data"
    assert config.storage.captures_dir == etc / "data" / "captures"
    assert config.storage.outbox_path == etc / "data" / "outbox.sqlite"
    assert config.mqtt.password_file == str(etc / "mqtt-password")
    assert config.password() == "s3cret"  # the first line, without its newline


def test_absolute_storage_directory_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(BASE + '[storage]\ndirectory = "/srv/velotime"\n')
    assert load_config(path, env={}).storage.directory == Path("/srv/velotime")


def test_an_unreadable_password_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(BASE + '[mqtt]\nusername = "u"\npassword_file = "missing"\n')
    config = load_config(path, env={})  # read at connect time, not at load
    with pytest.raises(ConfigError, match=r"missing: cannot read mqtt.password_file"):
        config.password()


def test_an_empty_password_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("")
    path = tmp_path / "v.toml"
    path.write_text(BASE + '[mqtt]\nusername = "u"\npassword_file = "pw"\n')
    with pytest.raises(ConfigError, match="is empty"):
        load_config(path, env={}).password()


def test_an_unreadable_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing, env={})
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path}: cannot read")):
        load_config(tmp_path, env={})  # a directory


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_bytes(BASE.encode() + b'[mqtt]\nusername = "\xff"\n')
    with pytest.raises(ConfigError, match=r"v.toml: not UTF-8 text"):
        load_config(path, env={})


def test_a_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text('[venue]\nid = "x"\ntrack_length_m = \n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.problems == (f"{path}: line 3, column 18: invalid TOML: invalid value",)


def test_a_duplicate_toml_key_is_a_syntax_error() -> None:
    found = problems(edited('id = "test-track"', 'id = "test-track"\nid = "again"'))
    assert found == ["t.toml: line 3, column 13: invalid TOML: cannot overwrite a value"]


# --- Each kind of error names its key path ----------------------------------------------------


def test_unknown_keys_are_all_reported_with_a_suggestion() -> None:
    text = edited('line = "200m"', 'line = "200m"\nsilence_timeout = 3\nfoo = 1')
    text = edited("[venue]", "[venue]\nnmae = 'x'", text)
    found = problems(text + "[mqtts]\nurl = 'x'\n")
    assert_problem(found, "venue.nmae", "unknown key (did you mean 'name'?)")
    assert_problem(found, "sources[1].silence_timeout", "did you mean 'silence_timeout_s'?")
    assert_problem(found, "sources[1].foo", "unknown key")
    assert_problem(found, "mqtts", "unknown section (did you mean 'mqtt'?)")
    assert len(found) == 4


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "track_length_m = 250",
            'track_length_m = "250"',
            "venue.track_length_m",
            "a string '250'",
        ),
        ('id = "test-track"', "id = 7", "venue.id", "expected a string, got an integer 7"),
        ("distance_m = 200", "distance_m = true", "lines[1].distance_m", "got a boolean"),
        (
            'protocol = "p3"',
            'protocol = "nmea"',
            "sources[0].protocol",
            "unknown value 'nmea'; valid: lynx, p3, protime, raceresult, timy",
        ),
        (
            'line = "200m"',
            'line = "200m"\nclock = "gps"',
            "sources[1].clock",
            "valid: decoder, get_time",
        ),
        (
            'line = "200m"',
            'line = "200m"\ndecoder_lines = { 12 = 3 }',
            "sources[1].decoder_lines.12",
            "expected a string, got an integer",
        ),
    ],
)
def test_wrong_types(old: str, new: str, path: str, message: str) -> None:
    assert_problem(problems(edited(old, new)), path, message)


def test_wrong_types_of_whole_sections() -> None:
    sources = BASE[BASE.index("[[sources]]") :]
    found = problems("venue = 5\nlines = 1\n" + sources)
    assert_problem(found, "venue", "expected a table, got an integer 5")
    assert_problem(found, "lines", "expected an array of tables ([[lines]]), got an integer 1")
    found = problems('lines = ["finish"]\n' + BASE.replace("[[lines]]", "[[x]]"))
    assert_problem(found, "lines[0]", "expected a table, got a string 'finish'")


def test_wrong_type_in_an_optional_table() -> None:
    found = problems(BASE + '[mqtt]\nkeepalive_s = "15"\n[storage]\ndirectory = 5\n')
    assert_problem(found, "mqtt.keepalive_s", "expected an integer, got a string '15'")
    assert_problem(found, "storage.directory", "expected a string, got an integer 5")


def test_missing_required_keys_and_sections() -> None:
    assert_problem(
        problems(edited("track_length_m = 250\n", "")),
        "venue.track_length_m",
        "required key is missing",
    )
    assert_problem(
        problems(edited('transport = "tcp://10.0.0.2:5403"\n', "")),
        "sources[1].transport",
        "required key is missing",
    )
    text = BASE.split("[[sources]]")[0]
    assert_problem(problems(text), "sources", "at least one [[sources]] entry is required")
    assert_problem(problems("lines = []\n" + text.split("[[lines]]")[0]), "lines", "at least one")
    assert_problem(problems(BASE.replace("[venue]", "[x]")), "venue", "[venue] is missing")


@pytest.mark.parametrize(
    "venue_id", ["Lexus", "lexus velodrome", "a/b", "a+b", "a#", "", "vélodrome"]
)
def test_bad_venue_ids(venue_id: str) -> None:
    found = problems(edited('id = "test-track"', f"id = {venue_id!r}"))
    assert found == [
        "t.toml: venue.id: must be lowercase letters, digits, '-' and '_' only "
        f"(it is used in MQTT topics), got {venue_id!r}"
    ]


def test_other_names_must_be_topic_safe_too() -> None:
    text = edited('name = "p3-a"', 'name = "P3 A"', edited('name = "200m"', 'name = "200 m"'))
    found = problems(BASE + '[mqtt]\ntopic_prefix = "velo/time"\n', env={}) + problems(text)
    assert_problem(found, "mqtt.topic_prefix", "got 'velo/time'")
    assert_problem(found, "lines[1].name", "got '200 m'")
    assert_problem(found, "sources[0].name", "got 'P3 A'")


def test_duplicate_line_and_source_names() -> None:
    text = edited('name = "200m"', 'name = "finish"', edited('name = "p3-b"', 'name = "p3-a"'))
    found = problems(text)
    assert_problem(found, "lines[1].name", "duplicate name 'finish' (also lines[0])")
    assert_problem(found, "sources[1].name", "duplicate name 'p3-a' (also sources[0])")


def test_a_source_line_must_exist() -> None:
    found = problems(edited('line = "200m"', 'line = "100m"'))
    assert found == [
        "t.toml: sources[1].line: no timing line '100m' in [[lines]] (known: '200m', 'finish')"
    ]


def test_decoder_lines_must_name_lines_and_decoders() -> None:
    text = edited('line = "200m"', 'line = "200m"\ndecoder_lines = { abc = "finish", 5 = "x" }')
    found = problems(text)
    assert_problem(found, "sources[1].decoder_lines.abc", "a decoder id is decimal digits")
    assert_problem(found, "sources[1].decoder_lines.5", "no timing line 'x'")


def test_there_must_be_exactly_one_finish_line() -> None:
    found = problems(edited("distance_m = 0", "distance_m = 50"))
    assert found == ["t.toml: lines: no finish line: exactly one line needs distance_m = 0"]
    found = problems(edited("distance_m = 200", "distance_m = 0.0"))
    assert found == [
        "t.toml: lines[1].distance_m: a second finish line (distance 0): "
        "lines[0] is the finish already"
    ]


@pytest.mark.parametrize("distance", ["250", "300", "-1", "nan", "inf"])
def test_line_distances_lie_on_the_track(distance: str) -> None:
    assert_problem(
        problems(edited("distance_m = 200", f"distance_m = {distance}")),
        "lines[1].distance_m",
        "must be",
    )


@pytest.mark.parametrize("value", ["0", "-250", "nan", "inf"])
def test_track_length_must_be_positive(value: str) -> None:
    found = problems(edited("track_length_m = 250", f"track_length_m = {value}"))
    assert_problem(found, "venue.track_length_m", "must be a number greater than 0")


def test_timezone_must_be_an_iana_name() -> None:
    found = problems(edited("track_length_m = 250", 'track_length_m = 250\ntimezone = "CEST"'))
    assert found == ["t.toml: venue.timezone: unknown IANA time zone 'CEST', e.g. 'UTC'"]


@pytest.mark.parametrize(
    ("transport", "message"),
    [
        ("ftp://x", FORMS + ", got 'ftp://x'"),
        ("192.168.1.50:5403", FORMS),
        ("", FORMS + ", got ''"),
        ("tcp://10.0.0.9", "missing port"),
        ("tcp://10.0.0.9:", "port must be a number from 1 to 65535"),
        ("tcp://10.0.0.9:0", "port must be a number from 1 to 65535"),
        ("tcp://10.0.0.9:70000", "port must be a number from 1 to 65535"),
        ("tcp://10.0.0.9:abc", "port must be a number from 1 to 65535"),
        ("tcp://:5403", "missing host"),
        ("tcp://::1:5403", "an IPv6 address goes in brackets, as [::1]"),
        ("tcp://[::g]:5403", "bad host (brackets are for IPv6 only)"),
        ("tcp://[decoder]:5403", "bad host (brackets are for IPv6 only)"),
        ("tcp://[::1:5403", "bad host"),
        ("tcp://deco der:5403", "bad host 'deco der'"),
        ("tcp://10.0.0.9:5403/p3", "no path, query or fragment"),
        ("tcp://10.0.0.9:5403?x=1", "no path, query or fragment"),
        ("tcp://admin@10.0.0.9:5403", "no user or password in the URL"),
        ("serial://dev/ttyUSB0", "absolute device path"),
        ("serial://", "absolute device path"),
        ("serial:///dev/ttyUSB0?baudrate=1234", "baudrate must be one of"),
        ("serial:///dev/ttyUSB0?baudrate=", "baudrate must be one of"),
        ("serial:///dev/ttyUSB0?parity=N", "unknown option 'parity'"),
        ("serial:///dev/ttyUSB0?baudrate=9600&baudrate=19200", "baudrate given twice"),
        ("serial:///dev/ttyUSB0?baudrate", "bad options"),
    ],
)
def test_bad_transports(transport: str, message: str) -> None:
    found = problems(edited("tcp://10.0.0.2:5403", transport))
    assert len(found) == 1
    assert_problem(found, "sources[1].transport", message)
    assert found[0].endswith(f"got {transport!r}") or "bad options" in found[0]


def test_two_sources_on_one_device() -> None:
    found = problems(edited("tcp://10.0.0.2:5403", "tcp://10.0.0.1:5403"))
    assert found == [
        "t.toml: sources[1].transport: tcp://10.0.0.1:5403 is already sources[0]'s transport"
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://broker",
            "expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT], got 'http://broker'",
        ),
        ("broker:1883", "expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT], got 'broker:1883'"),
        ("mqtt://", "missing host"),
        ("mqtt://broker:0", "port must be a number from 1 to 65535"),
        ("mqtt://broker:99999", "port must be a number from 1 to 65535"),
        ("mqtt://broker/velotime", "no path, query or fragment"),
        ("mqtt://broker#x", "no path, query or fragment"),
        ("mqtt://user:pw@broker", "no user or password in the URL"),
    ],
)
def test_bad_mqtt_urls(url: str, message: str) -> None:
    found = problems(BASE + f'[mqtt]\nurl = "{url}"\n')
    assert len(found) == 1
    assert_problem(found, "mqtt.url", message)


def test_password_and_password_file_are_exclusive() -> None:
    found = problems(BASE + '[mqtt]\nusername = "u"\npassword = "p"\npassword_file = "f"\n')
    assert found == [
        "t.toml: mqtt.password_file: set mqtt.password or mqtt.password_file, not both"
    ]


def test_a_password_needs_a_username() -> None:
    found = problems(BASE + '[mqtt]\npassword = "p"\n')
    assert found == ["t.toml: mqtt.username: required when a password is set"]


@pytest.mark.parametrize("keepalive", ["0", "-5", "65536"])
def test_keepalive_range(keepalive: str) -> None:
    assert_problem(
        problems(BASE + f"[mqtt]\nkeepalive_s = {keepalive}\n"), "mqtt.keepalive_s", "1 to 65535"
    )


def test_tls_files() -> None:
    found = problems(BASE + '[mqtt]\nurl = "mqtts://broker"\ntls_cert_file = "c.pem"\n')
    assert found == [
        "t.toml: mqtt.tls_key_file: tls_cert_file and tls_key_file go together: set both"
    ]
    found = problems(BASE + '[mqtt]\nurl = "mqtt://broker"\ntls_ca_file = "ca.pem"\n')
    assert found == [
        "t.toml: mqtt.tls_ca_file: set, but mqtt.url is not mqtts://: use mqtts:// for TLS"
    ]
    config = parse(
        BASE + '[mqtt]\nurl = "mqtts://b"\ntls_cert_file = "c.pem"\ntls_key_file = "k.pem"\n',
        base_dir=Path("/etc/velotime"),
    )
    assert (config.mqtt.tls_cert_file, config.mqtt.tls_key_file) == (
        "/etc/velotime/c.pem",
        "/etc/velotime/k.pem",
    )


def test_reconnect_max_must_not_be_below_min() -> None:
    text = edited('line = "200m"', 'line = "200m"\nreconnect_min_s = 5\nreconnect_max_s = 2')
    assert problems(text) == [
        "t.toml: sources[1].reconnect_max_s: must be at least reconnect_min_s (5), got 2"
    ]


@pytest.mark.parametrize("key", ["silence_timeout_s", "get_time_interval_s", "reconnect_min_s"])
@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_durations_must_be_positive(key: str, value: str) -> None:
    found = problems(edited('line = "200m"', f'line = "200m"\n{key} = {value}'))
    assert_problem(found, f"sources[1].{key}", "must be a number greater than 0")


def test_semantic_problems_are_reported_together() -> None:
    text = edited('id = "test-track"', 'id = "Test Track"')
    text = edited("distance_m = 0", "distance_m = 10", text)
    text = edited('name = "p3-b"', 'name = "p3-a"', text)
    text = edited('line = "200m"', 'line = "nowhere"', text)
    text = edited("tcp://10.0.0.1:5403", "ftp://x", text)
    text += '[mqtt]\nurl = "http://b"\nusername = "u"\npassword = "p"\npassword_file = "f"\n'
    found = problems(text)
    assert [p.split(": ")[1] for p in found] == [
        "venue.id",
        "lines",
        "sources[1].name",
        "sources[0].transport",
        "sources[1].line",
        "mqtt.url",
        "mqtt.password_file",
    ]


# --- Environment and --broker overrides ------------------------------------------------------


def test_env_sets_a_section_key() -> None:
    config = parse(env={"VELOTIME_MQTT__URL": "mqtt://broker:1884", "VELOTIME_VENUE__ID": "t2"})
    assert (config.mqtt.host, config.mqtt.port) == ("broker", 1884)
    assert config.venue.id == "t2"
    assert config.mqtt.client_id == "velotime-t2"  # the default follows the overridden id


def test_env_sets_a_list_item_by_index() -> None:
    config = parse(env={"VELOTIME_SOURCES__1__TRANSPORT": "tcp://10.0.0.5:5403"})
    assert config.sources[1].endpoint == TcpEndpoint("10.0.0.5", 5403)
    assert config.sources[0].endpoint == TcpEndpoint("10.0.0.1", 5403)


def test_env_values_are_converted_to_the_model_types() -> None:
    config = parse(
        env={
            "VELOTIME_MQTT__KEEPALIVE_S": "30",
            "VELOTIME_VENUE__TRACK_LENGTH_M": "333.33",
            "VELOTIME_LINES__1__DISTANCE_M": "200",
            "VELOTIME_SOURCES__0__DECODER_LINES__268307": "200m",
            "VELOTIME_STORAGE__DIRECTORY": "/data",
        }
    )
    assert config.mqtt.keepalive_s == 30
    assert isinstance(config.mqtt.keepalive_s, int)
    assert config.venue.track_length_m == 333.33
    assert p3(config.sources[0]).describe("UTC").line_for(268307) == "200m"
    assert config.storage.directory == Path("/data")


def test_env_creates_a_missing_optional_section() -> None:
    config = parse(BASE, env={"VELOTIME_MQTT__USERNAME": "timing"})
    assert config.mqtt.username == "timing"


def test_env_ignores_other_variables() -> None:
    assert parse(env={"PATH": "/bin", "VELOTIMEX": "1", "HOME": "/"}) == parse()


def test_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOTIME_MQTT__KEEPALIVE_S", "42")
    assert parse_config(BASE).mqtt.keepalive_s == 42


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("VELOTIME_MQT__URL", "VELOTIME_MQT__URL: unknown section 'mqt' (known: venue, lines"),
        ("VELOTIME_MQTT__HOST", "VELOTIME_MQTT__HOST: unknown key 'host' in [mqtt] (known: url"),
        ("VELOTIME_MQTT_URL", "VELOTIME_MQTT_URL: not a configuration override: expected"),
        ("VELOTIME_MQTT", "VELOTIME_MQTT: not a configuration override"),
        ("VELOTIME_MQTT____URL", "not a configuration override"),
        ("VELOTIME_VENUE__ID__X", "VELOTIME_VENUE__ID__X: venue.id is a single value, not a table"),
        ("VELOTIME_SOURCES__0", "VELOTIME_SOURCES__0: sources[0] is a table or array"),
        ("VELOTIME_LINES__0__NAMES", "unknown key 'names' in [lines[0]]"),
    ],
)
def test_env_unknown_variables_are_errors(variable: str, message: str) -> None:
    found = problems(BASE, env={variable: "x"})
    assert len(found) == 1
    assert message in found[0]


@pytest.mark.parametrize("index", ["2", "99", "x", "-1"])
def test_env_index_must_exist(index: str) -> None:
    found = problems(BASE, env={f"VELOTIME_SOURCES__{index}__LINE": "finish"})
    assert found == [
        f"VELOTIME_SOURCES__{index}__LINE: no sources[{index}]: the file has 2 [[sources]] "
        "entries (indexes from 0)"
    ]


def test_env_values_that_do_not_convert_are_errors() -> None:
    found = problems(BASE, env={"VELOTIME_MQTT__KEEPALIVE_S": "soon"})
    assert found == ["VELOTIME_MQTT__KEEPALIVE_S: expected an integer, got 'soon'"]
    found = problems(BASE, env={"VELOTIME_SOURCES__0__CLOCK": "gps"})
    assert found == ["VELOTIME_SOURCES__0__CLOCK: unknown value 'gps'; valid: decoder, get_time"]


def test_problems_from_env_values_say_where_the_value_came_from() -> None:
    found = problems(BASE, env={"VELOTIME_VENUE__ID": "Bad Id"})
    assert found == [
        "t.toml: venue.id: must be lowercase letters, digits, '-' and '_' only "
        "(it is used in MQTT topics), got 'Bad Id' (set by VELOTIME_VENUE__ID)"
    ]


def test_broker_wins_over_env_and_file() -> None:
    text = BASE + '[mqtt]\nurl = "mqtt://from-file"\n'
    env = {"VELOTIME_MQTT__URL": "mqtt://from-env"}
    assert parse(text, env=env).mqtt.host == "from-env"
    config = parse(text, env=env, broker="mqtts://from-cli:9000")
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == ("from-cli", 9000, True)
    found = problems(text, env=env, broker="from-cli")
    assert_problem(found, "mqtt.url", "got 'from-cli' (set by --broker)")


def test_load_config_applies_env_and_broker(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(BASE)
    config = load_config(path, env={"VELOTIME_MQTT__KEEPALIVE_S": "30"}, broker="mqtt://b")
    assert (config.mqtt.keepalive_s, config.mqtt.host) == (30, "b")


# --- Impulse timers ----------------------------------------------------------------------------

TIMY = """
[[sources]]
name = "timy"
protocol = "timy"
transport = "serial:///dev/ttyUSB0?baudrate=38400"
[sources.channels]
C0 = { line = "start" }
C1 = { line = "finish", dead_time_ms = 200 }
C4 = { line = "200m", delay_us = 350 }
"""


def test_a_timy_source_maps_channels_to_lines() -> None:
    source = timy(parse(BASE + TIMY).source("timy"))
    assert source.channels == {
        "C0": ChannelConfig(line="start"),
        "C1": ChannelConfig(line="finish", dead_time_ms=200),
        "C4": ChannelConfig(line="200m", delay_us=350),
    }
    assert source.init_commands == ("CHK1",)  # checksums on by default
    assert source.simultaneous_us == 300  # the UCI notes' 0.3 ms
    described = source.describe("Europe/Berlin")
    assert described.channels["C1"].dead_time_us == 200_000
    assert source.silence_limit_s is None  # a timer is quiet between races


def test_timy_channel_mistakes_are_named() -> None:
    found = problems(
        BASE
        + TIMY.replace('C4 = { line = "200m", delay_us = 350 }', 'C9 = { line = "100m" }')
        .replace("C1 = {", "X1 = {")
        .replace("dead_time_ms = 200", "dead_time_ms = -5")
    )
    assert_problem(found, "sources[2].channels.X1", "a channel is C0..C9")
    assert_problem(found, "sources[2].channels.X1.dead_time_ms", "0 or more")
    assert_problem(found, "sources[2].channels.C9.line", "no timing line '100m'")


def test_each_protocol_takes_only_its_own_settings() -> None:
    found = problems(
        edited('line = "200m"\n', 'line = "200m"\nchannels = { C1 = { line = "finish" } }\n')
        + TIMY.replace('protocol = "timy"', 'protocol = "timy"\nline = "finish"')
    )
    assert_problem(found, "sources[1].channels", "not p3")
    assert_problem(found, "sources[2].line", "per channel")
    assert_problem(
        problems(BASE + '[[sources]]\nname = "t"\nprotocol = "timy"\ntransport = "tcp://h:1"\n'),
        "sources[2].channels",
        "map at least one channel",
    )
    assert_problem(
        problems(edited('line = "200m"\n', "")), "sources[1].line", "needs the timing line"
    )


def test_the_free_space_alarm_is_500_mb_unless_set_and_never_negative() -> None:
    assert parse_config(BASE, source="t.toml", env={}).storage.min_free_bytes == 500_000_000
    config = parse_config(BASE + "[storage]\nmin_free_mb = 0\n", source="t.toml", env={})
    assert config.storage.min_free_mb == 0
    assert problems(BASE + "[storage]\nmin_free_mb = -1\n") == [
        "t.toml: storage.min_free_mb: must be 0 (no alarm) or more, got -1"
    ]
    assert_problem(problems(BASE + "[storage]\nmin_free_mb = 0.5\n"), "storage.min_free_mb", "int")


# --- Pursuit lines and their start gates -------------------------------------------------------

PURSUIT_LINES = """
[[lines]]
name = "red"
distance_m = 15
role = "pursuit-home"

[[lines]]
name = "green"
distance_m = 140
role = "pursuit-back"
"""

GATES_TIMY = """
[[sources]]
name = "timy"
protocol = "timy"
transport = "serial:///dev/ttyUSB0"
channels = { C0 = { line = "start" }, C2 = { line = "gate-home" }, C3 = { line = "gate-back" } }
"""


def test_pursuit_lines_half_a_lap_apart_load_with_their_gates() -> None:
    """Red disc mid home straight 15 m before the finish; green disc half a lap (250 / 2 =
    125 m) on: 15 + 125 = 140 m before the finish."""
    config = parse(BASE + PURSUIT_LINES + GATES_TIMY)
    assert [(line.name, line.role) for line in config.lines] == [
        ("finish", ""),
        ("200m", ""),
        ("red", "pursuit-home"),
        ("green", "pursuit-back"),
    ]
    assert config.line_roles == {"red": "pursuit-home", "green": "pursuit-back"}
    timy_source = timy(config.source("timy"))
    assert timy_source.wiring().channels == {"C0": "start", "C2": "gate-home", "C3": "gate-back"}
    # The gates are no photocells: no line is timed by them.
    assert timy_source.describe("UTC").photocell_lines() == set()


def test_a_venue_without_pursuit_lines_has_no_roles() -> None:
    assert parse().line_roles == {}


@pytest.mark.parametrize(
    ("length", "home", "back"),
    [("250", "15", "140.4"), ("250", "140", "15"), ("333.33", "20", "186.665")],
)
def test_half_a_lap_within_half_a_metre_either_way(length: str, home: str, back: str) -> None:
    """|140.4 - 15| = 125.4, 0.4 m from 125; |15 - 140| = 125; 333.33 / 2 = 166.665 =
    186.665 - 20."""
    text = edited("track_length_m = 250", f"track_length_m = {length}")
    text += PURSUIT_LINES.replace("= 15\n", "= HOME\n").replace("= 140", f"= {back}")
    text = text.replace("= HOME", f"= {home}")
    assert parse(text).line_roles == {"red": "pursuit-home", "green": "pursuit-back"}


def test_a_misspelt_role_is_named_with_a_suggestion() -> None:
    found = problems(BASE + PURSUIT_LINES.replace('"pursuit-home"', '"pursuit-hom"'))
    assert_problem(found, "lines[2].role", "unknown value 'pursuit-hom'")
    assert_problem(found, "lines[2].role", "(did you mean 'pursuit-home'?)")


def test_one_line_of_each_role() -> None:
    second = '\n[[lines]]\nname = "red2"\ndistance_m = 16\nrole = "pursuit-home"\n'
    found = problems(BASE + PURSUIT_LINES + second)
    assert found == ["t.toml: lines[4].role: a second 'pursuit-home' line: lines[2] is it already"]


@pytest.mark.parametrize(
    ("dropped", "kept", "at"),
    [("pursuit-back", "pursuit-home", 2), ("pursuit-home", "pursuit-back", 2)],
)
def test_both_pursuit_lines_or_neither(dropped: str, kept: str, at: int) -> None:
    half = PURSUIT_LINES.split("\n\n")
    text = BASE + "\n".join(part for part in half if dropped not in part)
    assert problems(text) == [
        f"t.toml: lines[{at}].role: a {kept!r} line needs a {dropped!r} line half a lap away: "
        "set both or neither"
    ]


def test_the_pursuit_lines_lie_half_a_lap_apart() -> None:
    """250 m / 2 = 125 m; 130 - 15 = 115 m, 10 m short; 140.6 - 15 = 125.6, 0.6 m over."""
    found = problems(BASE + PURSUIT_LINES.replace("= 140", "= 130"))
    assert found == [
        "t.toml: lines[3].distance_m: the back pursuit line lies half a lap (125 m) from the "
        "home one: lines[2] ('red') is at 15 m and this at 130 m, 115 m apart"
    ]
    found = problems(BASE + PURSUIT_LINES.replace("= 140", "= 140.6"))
    assert_problem(found, "lines[3].distance_m", "at 140.6 m, 125.6 m apart")


def test_the_finish_is_no_pursuit_line() -> None:
    text = edited("distance_m = 0", 'distance_m = 0\nrole = "pursuit-home"')
    text += '\n[[lines]]\nname = "green"\ndistance_m = 125\nrole = "pursuit-back"\n'
    assert problems(text) == [
        "t.toml: lines[0].role: the finish line (distance 0) cannot be a pursuit line: the "
        "pursuit lines are in the middle of the straights"
    ]


def test_a_pursuit_gate_needs_pursuit_lines() -> None:
    found = problems(BASE + GATES_TIMY)
    gate = "is a pursuit start gate, and the venue has no pursuit lines: give two [[lines]]"
    assert found == [
        f"t.toml: sources[2].channels.C2.line: 'gate-home' {gate} "
        'role = "pursuit-home" and "pursuit-back"',
        f"t.toml: sources[2].channels.C3.line: 'gate-back' {gate} "
        'role = "pursuit-home" and "pursuit-back"',
    ]


@pytest.mark.parametrize("name", ["start", "gate-home", "gate-back"])
def test_no_line_is_named_as_a_gate(name: str) -> None:
    found = problems(
        edited('name = "200m"', f'name = "{name}"').replace('line = "200m"', f'line = "{name}"')
    )
    assert found == [
        f"t.toml: lines[1].name: {name!r} is what an impulse channel wired to a start gate is "
        "mapped to: name the line otherwise"
    ]
