"""The configuration's tables, as msgspec structs: what each key is and its default.

A `[[sources]]` entry's type is its protocol family's (velotime/families/): the tables here
hold what is not any one protocol's.
"""

import zoneinfo
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Literal, NamedTuple

import msgspec

from velotime.config.problems import ConfigError
from velotime.drivers.clock import DEFAULT_TOLERANCE_S
from velotime.drivers.endpoints import (
    SerialEndpoint,
    TcpEndpoint,
    parse_transport,
    split_network_url,
)
from velotime.families.base import SourceConfig
from velotime.times import US_PER_SECOND

MQTT_PORT = 1883
MQTTS_PORT = 8883
MQTT_FORMS = "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"
# MQTT 5 tells a publisher that the broker refused a message (PUBACK reason code); 3.1.1 is for
# brokers without 5, such as the embedded amqtt.
MqttProtocol = Literal["5", "3.1.1"]


class Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A TOML table: immutable, and a misspelt key is an error, not silently ignored."""


class VenueConfig(Table, frozen=True, kw_only=True):
    id: str
    name: str = ""
    track_length_m: float
    timezone: str = "UTC"
    # A Timy or camera whose clock is further than this from the venue clock degrades its
    # source (velotime.drivers.clock).
    clock_tolerance_s: float = DEFAULT_TOLERANCE_S

    @property
    def zone(self) -> tzinfo:
        return zone(self.timezone)

    @property
    def clock_tolerance_us(self) -> int:
        return round(self.clock_tolerance_s * US_PER_SECOND)


# What a line is besides its distance: the pursuit lines, in the middle of the two straights,
# where pursuits and the team sprint start and finish (UCI 3.2.063, 3.2.150).
LineRole = Literal["", "pursuit-home", "pursuit-back"]
PURSUIT_HOME: LineRole = "pursuit-home"  # the red disc's, in the home straight
PURSUIT_BACK: LineRole = "pursuit-back"  # the green disc's, half a lap on


class LineConfig(Table, frozen=True, kw_only=True):
    name: str
    distance_m: float  # along the track before the finish line; 0 is the finish
    role: LineRole = ""  # "": a line known by its distance alone

    @property
    def pursuit(self) -> bool:
        return self.role in (PURSUIT_HOME, PURSUIT_BACK)


class MqttConfig(Table, frozen=True, kw_only=True):
    url: str = f"mqtt://127.0.0.1:{MQTT_PORT}"
    username: str | None = None
    password: str | None = None
    password_file: str | None = None
    client_id: str | None = None  # after loading: "velotime-<venue id>" unless set
    keepalive_s: int = 15
    topic_prefix: str = "velotime"
    tls_ca_file: str | None = None
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    protocol: MqttProtocol = "5"

    @property
    def host(self) -> str:
        return parse_mqtt_url(self.url).host

    @property
    def port(self) -> int:
        return parse_mqtt_url(self.url).port

    @property
    def tls(self) -> bool:
        return parse_mqtt_url(self.url).tls


class StorageConfig(Table, frozen=True, kw_only=True):
    directory: Path = Path("/var/lib/velotime")
    # Below this much free space (MB, 10^6 bytes) for `directory`, the daemon says it is
    # degraded (status/daemon) and logs it; 0: no alarm.
    min_free_mb: int = 500

    @property
    def min_free_bytes(self) -> int:
        return self.min_free_mb * 1_000_000

    @property
    def captures_dir(self) -> Path:
        return self.directory / "captures"

    @property
    def outbox_path(self) -> Path:
        return self.directory / "outbox.sqlite"


class ScoringConfig(Table, frozen=True, kw_only=True):
    meet: Path | None = None  # the meet file: `velotime run` scores it; None: no scoring


class ScoreboardConfig(Table, frozen=True, kw_only=True):
    listen: str | None = None  # "HOST:PORT": `velotime run` serves the web scoreboard; None: not

    @property
    def address(self) -> tuple[str, int] | None:
        """The parsed `listen`; cannot fail on a config from `load_config`/`parse_config`."""
        return None if self.listen is None else parse_listen(self.listen)


BOARD_BAUDRATE = 115200  # a serial board's default: UNT4 boards talk at 115200
BOARD_TRANSPORT_FORMS = "tcp://HOST:PORT (DHI boards listen on 1946) or serial://PATH[?baudrate=N]"


class BoardConfig(Table, frozen=True, kw_only=True):
    """A text board velotime drives: a [[boards]] entry (docs/configuration.md)."""

    name: str
    protocol: Literal["unt4"]
    transport: str  # tcp://HOST:PORT or serial://PATH[?baudrate=N] (115200 by default)
    rows: int
    columns: int
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 10.0
    standings: str | None = None  # an omnium's id: the board shows its standings, not the track

    @property
    def endpoint(self) -> TcpEndpoint | SerialEndpoint:
        """The parsed `transport`; cannot fail on a config from `load_config`/`parse_config`."""
        return parse_board_transport(self.transport)


class Config(Table, frozen=True, kw_only=True):
    venue: VenueConfig
    lines: tuple[LineConfig, ...]
    sources: tuple[SourceConfig, ...]
    mqtt: MqttConfig = MqttConfig()
    storage: StorageConfig = StorageConfig()
    scoring: ScoringConfig = ScoringConfig()
    scoreboard: ScoreboardConfig = ScoreboardConfig()
    boards: tuple[BoardConfig, ...] = ()

    def line(self, name: str) -> LineConfig:
        """The timing line called `name`; KeyError if there is none."""
        for line in self.lines:
            if line.name == name:
                return line
        raise KeyError(name)

    @property
    def line_roles(self) -> dict[str, str]:
        """Line name -> role, for the lines that have one (a capture header's `roles`)."""
        return {line.name: line.role for line in self.lines if line.role}

    def source(self, name: str) -> SourceConfig:
        """The source called `name`; KeyError if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def password(self) -> str | None:
        """The broker password: `mqtt.password`, or the first line of `mqtt.password_file`.

        The file is read here, at connect time, not by `load_config`, so a rotated secret is
        picked up on reconnect. Raises ConfigError when it cannot be read or is empty.
        """
        if self.mqtt.password_file is None:
            return self.mqtt.password
        path = self.mqtt.password_file
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(f"{path}: cannot read mqtt.password_file: {reason}") from exc
        password = text.splitlines()[0] if text else ""
        if not password:
            raise ConfigError(f"{path}: mqtt.password_file is empty")
        return password

    def check_files(self) -> None:
        """Raise ConfigError, one line for each, if the broker's password or a TLS file named by
        `mqtt.*_file` cannot be read: said when a command starts, not as a broker that never
        answers (paho reads the TLS files on every connect)."""
        problems: list[str] = []
        try:
            self.password()
        except ConfigError as exc:
            problems += exc.problems
        for key in ("tls_ca_file", "tls_cert_file", "tls_key_file"):
            path = getattr(self.mqtt, key)
            if path is None:
                continue
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                problems.append(f"{path}: cannot read mqtt.{key}: {exc.strerror or exc}")
        if problems:
            raise ConfigError(*problems)


def zone(name: str) -> tzinfo:
    # UTC needs no time-zone database, which minimal containers lack.
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


# --- Addresses in the configuration's own keys ---------------------------------------------------


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` or `[IPV6]:PORT`, where a server listens; ValueError says what is wrong."""
    try:
        parts = split_network_url(f"http://{text}", "HOST:PORT (e.g. 0.0.0.0:8080)")
    except ValueError as exc:
        raise ValueError(str(exc).replace("'http://", "'")) from None
    if parts.port is None:
        raise ValueError(f"missing port: expected HOST:PORT (e.g. 0.0.0.0:8080), got {text!r}")
    assert parts.hostname is not None  # split_network_url checked it
    return parts.hostname, parts.port


def parse_board_transport(text: str) -> TcpEndpoint | SerialEndpoint:
    """A board's transport: velotime connects to it, and a serial board's baudrate defaults to
    115200; ValueError says what is wrong."""
    endpoint = parse_transport(text)
    if isinstance(endpoint, SerialEndpoint):
        if "baudrate" not in text.partition("?")[2]:
            endpoint = SerialEndpoint(endpoint.path, BOARD_BAUDRATE)
        return endpoint
    if isinstance(endpoint, TcpEndpoint):
        return endpoint
    raise ValueError(f"velotime connects to boards: expected {BOARD_TRANSPORT_FORMS}, got {text!r}")


class BrokerAddress(NamedTuple):
    host: str
    port: int
    tls: bool


def parse_mqtt_url(url: str) -> BrokerAddress:
    """`mqtt://HOST[:PORT]` (port 1883) or `mqtts://HOST[:PORT]` (TLS, port 8883); ValueError
    says what is wrong."""
    scheme = url.partition("://")[0]
    if "://" not in url or scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"expected {MQTT_FORMS}, got {url!r}")
    parts = split_network_url(url, MQTT_FORMS)
    tls = scheme == "mqtts"
    assert parts.hostname is not None  # split_network_url checked it
    port = parts.port if parts.port is not None else (MQTTS_PORT if tls else MQTT_PORT)
    return BrokerAddress(parts.hostname, port, tls)
