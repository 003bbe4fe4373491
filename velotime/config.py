"""The venue's TOML configuration: read, overridden from the environment, validated.

`load_config` returns a frozen, fully checked `Config` or raises `ConfigError` listing every
problem it found, one per line, each naming the file, the key path and what is wrong. Nothing
here logs or prints: the daemon and `velotime check-config` decide how to report.

See docs/configuration.md for every key and config/velodrome.example.toml for a full example.
"""

import contextlib
import difflib
import ipaddress
import math
import os
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar, get_args, get_origin
from urllib.parse import SplitResult, parse_qsl, urlsplit

import msgspec

from velotime.capture.format import CONTROL_SOURCE
from velotime.drivers.p3.session import ClockMode
from velotime.drivers.transports import (
    Endpoint,
    SerialEndpoint,
    TcpEndpoint,
    TcpListenEndpoint,
    UdpEndpoint,
)
from velotime.protocols.unt4 import MAX_COLUMNS, MAX_ROWS, MIN_COLUMNS, MIN_ROWS

__all__ = [
    "ENV_PREFIX",
    "STANDARD_BAUDRATES",
    "BoardConfig",
    "BrokerAddress",
    "ClockMode",
    "Config",
    "ConfigError",
    "Endpoint",
    "LineConfig",
    "MqttConfig",
    "ScoreboardConfig",
    "ScoringConfig",
    "SerialEndpoint",
    "SourceConfig",
    "StorageConfig",
    "TcpEndpoint",
    "TcpListenEndpoint",
    "UdpEndpoint",
    "VenueConfig",
    "load_config",
    "parse_board_transport",
    "parse_config",
    "parse_listen",
    "parse_mqtt_url",
    "parse_transport",
]

ENV_PREFIX = "VELOTIME_"
STANDARD_BAUDRATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
DEFAULT_BAUDRATE = 9600
MQTT_PORT = 1883
MQTTS_PORT = 8883
MAX_KEEPALIVE_S = 65535  # the MQTT keep-alive field is 16 bits

TRANSPORT_FORMS = (
    "tcp://HOST:PORT, serial://PATH[?baudrate=N], tcp-listen://HOST:PORT or udp://HOST:PORT"
)
MQTT_FORMS = "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"

# Names end up as MQTT topic levels: '/', '+' and '#' would change the topic tree, and upper
# case or spaces make topics that subscribers mistype.
_TOPIC_SAFE = re.compile(r"[a-z0-9_-]+")
_TOPIC_SAFE_RULE = "lowercase letters, digits, '-' and '_' only (it is used in MQTT topics)"
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_DIGITS = re.compile(r"[0-9]+")
_CHANNEL = re.compile(r"C[0-9]")


class ConfigError(Exception):
    """Every problem found in a configuration; `str()` is one line per problem."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


class _Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A TOML table: immutable, and a misspelt key is an error, not silently ignored."""


class VenueConfig(_Table, frozen=True, kw_only=True):
    id: str
    name: str = ""
    track_length_m: float
    timezone: str = "UTC"

    @property
    def zone(self) -> tzinfo:
        return _zone(self.timezone)


class LineConfig(_Table, frozen=True, kw_only=True):
    name: str
    distance_m: float  # along the track before the finish line; 0 is the finish


class ChannelConfig(_Table, frozen=True, kw_only=True):
    """An impulse timer channel: what it is wired to, and its corrections."""

    line: str  # a [[lines]] name, or "start" for the start gate
    delay_us: int = 0  # fixed latency of the channel (e.g. a wireless link), taken off
    dead_time_ms: int = 0  # a second impulse sooner than this is a double trigger, dropped


START = "start"  # what a channel wired to the start gate is mapped to
P3_SILENCE_TIMEOUT_S = 15.0
Protocol = Literal["p3", "timy", "lynx"]


class SourceConfig(_Table, frozen=True, kw_only=True):
    name: str
    protocol: Protocol
    transport: str
    line: str | None = None  # p3: the timing line of the decoder's loop (required)
    decoder_lines: dict[str, str] = {}  # decoder id (decimal digits) -> line name
    channels: dict[str, ChannelConfig] = {}  # timy: "C0".."C9" -> channel (required)
    simultaneous_us: int = 300  # timy: impulses on two channels closer than this are one
    init_commands: tuple[str, ...] = ("CHK1",)  # timy: sent on connecting (CHK1: checksums on)
    silence_timeout_s: float | None = None  # None: 15 s for p3 (heartbeats), none otherwise
    get_time_interval_s: float = 60.0
    clock: ClockMode = "get_time"
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0

    @property
    def endpoint(self) -> Endpoint:
        """The parsed `transport`; cannot fail on a config from `load_config`/`parse_config`."""
        return parse_transport(self.transport)

    @property
    def silence_limit_s(self) -> float | None:
        """How long silence may last before the link counts as dead. A P3 decoder sends a
        STATUS every few seconds; a timer or a camera is quiet between races."""
        if self.silence_timeout_s is not None:
            return self.silence_timeout_s
        return P3_SILENCE_TIMEOUT_S if self.protocol == "p3" else None


class MqttConfig(_Table, frozen=True, kw_only=True):
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

    @property
    def host(self) -> str:
        return parse_mqtt_url(self.url).host

    @property
    def port(self) -> int:
        return parse_mqtt_url(self.url).port

    @property
    def tls(self) -> bool:
        return parse_mqtt_url(self.url).tls


class StorageConfig(_Table, frozen=True, kw_only=True):
    directory: Path = Path("/var/lib/velotime")

    @property
    def captures_dir(self) -> Path:
        return self.directory / "captures"

    @property
    def outbox_path(self) -> Path:
        return self.directory / "outbox.sqlite"


class ScoringConfig(_Table, frozen=True, kw_only=True):
    meet: Path | None = None  # the meet file: `velotime run` scores it; None: no scoring


class ScoreboardConfig(_Table, frozen=True, kw_only=True):
    listen: str | None = None  # "HOST:PORT": `velotime run` serves the web scoreboard; None: not

    @property
    def address(self) -> tuple[str, int] | None:
        """The parsed `listen`; cannot fail on a config from `load_config`/`parse_config`."""
        return None if self.listen is None else parse_listen(self.listen)


BOARD_BAUDRATE = 115200  # a serial board's default: UNT4 boards talk at 115200
BOARD_TRANSPORT_FORMS = "tcp://HOST:PORT (DHI boards listen on 1946) or serial://PATH[?baudrate=N]"


class BoardConfig(_Table, frozen=True, kw_only=True):
    """A text board velotime drives: a [[boards]] entry (docs/configuration.md)."""

    name: str
    protocol: Literal["unt4"]
    transport: str  # tcp://HOST:PORT or serial://PATH[?baudrate=N] (115200 by default)
    rows: int
    columns: int
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 10.0

    @property
    def endpoint(self) -> TcpEndpoint | SerialEndpoint:
        """The parsed `transport`; cannot fail on a config from `load_config`/`parse_config`."""
        return parse_board_transport(self.transport)


class Config(_Table, frozen=True, kw_only=True):
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


def _zone(name: str) -> tzinfo:
    # UTC needs no time-zone database, which minimal containers lack.
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


# --- Parsing transports and broker URLs -------------------------------------------------------


def parse_transport(text: str) -> Endpoint:
    """`tcp://HOST:PORT`, `tcp://[IPV6]:PORT`, `serial://PATH[?baudrate=N]`, or, for a device
    that connects to us, `tcp-listen://HOST:PORT` or `udp://HOST:PORT`; ValueError says what is
    wrong."""
    scheme, sep, rest = text.partition("://")
    if sep and scheme == "tcp":
        return _parse_tcp(text)
    if sep and scheme == "serial":
        return _parse_serial(rest, text)
    if sep and scheme in ("tcp-listen", "udp"):
        parts = _split_network_url(text, f"{scheme}://HOST:PORT")
        if parts.port is None:
            raise ValueError(f"missing port: expected {scheme}://HOST:PORT, got {text!r}")
        assert parts.hostname is not None  # _split_network_url checked it
        kind = TcpListenEndpoint if scheme == "tcp-listen" else UdpEndpoint
        return kind(parts.hostname, parts.port)
    raise ValueError(f"expected {TRANSPORT_FORMS}, got {text!r}")


def _parse_tcp(text: str) -> TcpEndpoint:
    parts = _split_network_url(text, "tcp://HOST:PORT")
    if parts.port is None:
        raise ValueError(f"missing port: expected tcp://HOST:PORT, got {text!r}")
    assert parts.hostname is not None  # _split_network_url checked it
    return TcpEndpoint(parts.hostname, parts.port)


def _parse_serial(rest: str, text: str) -> SerialEndpoint:
    path, _, query = rest.partition("?")
    # A device node is an absolute path; "serial://dev/ttyUSB0" lost a slash. COM3 is Windows.
    if not (path.startswith("/") or re.fullmatch(r"COM[0-9]+", path)):
        raise ValueError(
            f"expected serial://PATH[?baudrate=N] with an absolute device path "
            f"(serial:///dev/ttyUSB0), got {text!r}"
        )
    baudrate = DEFAULT_BAUDRATE
    try:
        options = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(f"bad options {query!r}: expected ?baudrate=N, got {text!r}") from None
    seen: set[str] = set()
    for key, value in options:
        if key != "baudrate":
            raise ValueError(f"unknown option {key!r} (only baudrate), got {text!r}")
        if key in seen:
            raise ValueError(f"baudrate given twice, got {text!r}")
        seen.add(key)
        if not _DIGITS.fullmatch(value) or int(value) not in STANDARD_BAUDRATES:
            rates = ", ".join(map(str, STANDARD_BAUDRATES))
            raise ValueError(f"baudrate must be one of {rates}; got {text!r}")
        baudrate = int(value)
    return SerialEndpoint(path, baudrate)


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` or `[IPV6]:PORT`, where a server listens; ValueError says what is wrong."""
    try:
        parts = _split_network_url(f"http://{text}", "HOST:PORT (e.g. 0.0.0.0:8080)")
    except ValueError as exc:
        raise ValueError(str(exc).replace("'http://", "'")) from None
    if parts.port is None:
        raise ValueError(f"missing port: expected HOST:PORT (e.g. 0.0.0.0:8080), got {text!r}")
    assert parts.hostname is not None  # _split_network_url checked it
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
    parts = _split_network_url(url, MQTT_FORMS)
    tls = scheme == "mqtts"
    assert parts.hostname is not None  # _split_network_url checked it
    port = parts.port if parts.port is not None else (MQTTS_PORT if tls else MQTT_PORT)
    return BrokerAddress(parts.hostname, port, tls)


def _split_network_url(text: str, forms: str) -> SplitResult:
    """Split SCHEME://HOST[:PORT] and check each part; nothing else may be present."""
    expected = f"expected {forms}, got {text!r}"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a bracketed host that is not an IPv6 address
        raise ValueError(f"bad host (brackets are for IPv6 only): {expected}") from None
    if "[" not in parts.netloc and parts.netloc.count(":") > 1:
        raise ValueError(f"an IPv6 address goes in brackets, as [::1]: {expected}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"no user or password in the URL (use the config keys): {expected}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "#" in text:
        raise ValueError(f"no path, query or fragment allowed: {expected}")
    host = parts.hostname
    if not host:
        raise ValueError(f"missing host: {expected}")
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host)  # older Pythons' urlsplit does not check this
        except ValueError:
            raise ValueError(f"bad host (brackets are for IPv6 only): {expected}") from None
    elif not _HOSTNAME.fullmatch(host):
        raise ValueError(f"bad host {host!r}: {expected}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"port must be a number from 1 to 65535: {expected}") from None
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ValueError(f"port must be a number from 1 to 65535: {expected}")
    return parts


# --- Loading ----------------------------------------------------------------------------------


def load_config(
    path: Path, *, env: Mapping[str, str] | None = None, broker: str | None = None
) -> Config:
    """Read and validate `path`. Relative paths in it are resolved against its directory.

    `env` (default `os.environ`) supplies VELOTIME_<SECTION>__<KEY> overrides; `broker`, the
    --broker option, replaces mqtt.url after them.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")  # TOML is UTF-8; tolerate the BOM some editors write
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return parse_config(
        text, source=str(path), base_dir=path.absolute().parent, env=env, broker=broker
    )


def parse_config(
    text: str,
    *,
    source: str = "<config>",
    base_dir: Path = Path("."),
    env: Mapping[str, str] | None = None,
    broker: str | None = None,
) -> Config:
    """Validate TOML `text`; `source` names it in error messages, `base_dir` anchors relative
    paths. See `load_config`."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {_toml_error(str(exc))}") from exc
    checker = _Checker(source)
    checker.apply_env(raw, os.environ if env is None else env)
    if broker is not None:
        checker.override(raw, ("mqtt", "url"), broker, "--broker")
    config = checker.check(raw, base_dir)
    if checker.problems or config is None:
        raise ConfigError(*checker.problems)
    return config


def _toml_error(message: str) -> str:
    # tomllib says "Invalid value (at line 2, column 5)"; lead with the position, as editors do.
    match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message)
    if match is None:
        return f"invalid TOML: {message}"
    what, line, column = match.groups()
    return f"line {line}, column {column}: invalid TOML: {what[:1].lower()}{what[1:]}"


# --- Checking ---------------------------------------------------------------------------------

_T = TypeVar("_T")
_Key = str | int  # a step in a key path: a table key or an array index


def _render(path: Sequence[_Key]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _struct_fields(typ: Any) -> dict[str, msgspec.structs.FieldInfo] | None:
    if isinstance(typ, type) and issubclass(typ, msgspec.Struct):
        return {field.name: field for field in msgspec.structs.fields(typ)}
    return None


def _dec_hook(typ: type, value: object) -> object:
    # msgspec builds Path only from a Path; TOML and the environment give strings.
    if typ is Path and isinstance(value, str | Path):
        return Path(value)
    raise TypeError(f"Expected `str`, got `{type(value).__name__}`")


_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "object": "a table",
    "array": "an array",
    "Path": "a string",
    "dict": "a table",
    "datetime": "a date-time",
    "date": "a date",
    "time": "a time",
}


def _type_name(msgspec_name: str) -> str:
    names = [n for n in msgspec_name.split(" | ") if n != "null"]  # None stands for "not set"
    return " or ".join(_TYPE_NAMES.get(n, n) for n in names)


def _shown(value: object) -> str:
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 60:
        return f" {value!r}"
    return ""


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.origins: dict[str, str] = {}  # key path -> the variable or option that set it

    def problem(self, path: Sequence[_Key], message: str) -> None:
        where = _render(path)
        origin = self.origins.get(where)
        suffix = f" (set by {origin})" if origin else ""
        prefix = f"{where}: " if where else ""
        self.problems.append(f"{self.source}: {prefix}{message}{suffix}")

    # Environment and command-line overrides, applied to the raw TOML before validation.

    def apply_env(self, raw: dict[str, Any], env: Mapping[str, str]) -> None:
        for variable in sorted(env):
            if variable.startswith(ENV_PREFIX):
                self._apply_variable(raw, variable, env[variable])

    def _apply_variable(self, raw: dict[str, Any], variable: str, value: str) -> None:
        steps = variable[len(ENV_PREFIX) :].split("__")
        if len(steps) < 2 or not all(steps):
            self.problems.append(
                f"{variable}: not a configuration override: expected "
                f"{ENV_PREFIX}<SECTION>__<KEY>, e.g. {ENV_PREFIX}MQTT__URL"
            )
            return
        path: list[_Key] = []
        typ: Any = Config
        for step in steps[:-1]:
            key, typ, error = self._step(raw, path, typ, step)
            if error:
                self.problems.append(f"{variable}: {error}")
                return
            path.append(key)
        key, typ, error = self._step(raw, path, typ, steps[-1])
        if not error and (_struct_fields(typ) is not None or get_origin(typ) in (tuple, dict)):
            error = f"{_render([*path, key])} is a table or array, not a single value"
        if error:
            self.problems.append(f"{variable}: {error}")
            return
        try:
            converted = msgspec.convert(value, typ, strict=False, dec_hook=_dec_hook)
        except msgspec.ValidationError as exc:
            message = _translate(str(exc).split(" - at ")[0], typ)
            # The value is always a string here: show it rather than its type.
            message = message.replace(", got a string", f", got {value!r}")
            self.problems.append(f"{variable}: {message}")
            return
        self.override(raw, (*path, key), converted, variable)

    def _step(
        self, raw: dict[str, Any], path: Sequence[_Key], typ: Any, step: str
    ) -> tuple[_Key, Any, str]:
        """One step of an override's key path: (key, its type, error or "")."""
        where = _render(path)
        fields = _struct_fields(typ)
        if fields is not None:
            key = step.lower()
            if key not in fields:
                known = ", ".join(fields)
                what = f"key {key!r} in [{where}]" if where else f"section {key!r}"
                return key, None, f"unknown {what} (known: {known})"
            return key, fields[key].type, ""
        if get_origin(typ) is tuple:
            items = _get(raw, path)
            count = len(items) if isinstance(items, list) else 0
            if not step.isdigit() or int(step) >= count:
                return (
                    step,
                    None,
                    (
                        f"no {where}[{step}]: the file has {count} [[{where}]] entries "
                        f"(indexes from 0)"
                    ),
                )
            return int(step), get_args(typ)[0], ""
        if get_origin(typ) is dict:
            return step, get_args(typ)[1], ""
        return step, None, f"{where} is a single value, not a table"

    def override(
        self, raw: dict[str, Any], path: Sequence[_Key], value: object, origin: str
    ) -> None:
        node: Any = raw
        for key in path[:-1]:
            child = node[key] if isinstance(key, int) else node.setdefault(key, {})
            if not isinstance(child, dict | list):
                # The file's own type error is reported by validation; nothing to override.
                return
            node = child
        node[path[-1]] = value
        self.origins[_render(path)] = origin

    # Validation.

    def convert(self, raw: object, typ: type[_T], path: Sequence[_Key]) -> _T | None:
        """One table to its Struct; every unknown key is reported, not only the first."""
        fields = _struct_fields(typ)
        assert fields is not None
        if not isinstance(raw, dict):
            self.problem(path, f"expected a table, got {_value_kind(raw)}")
            return None
        known: dict[str, Any] = {}
        for key, value in raw.items():
            if key in fields:
                known[key] = value
            else:
                self.problem([*path, key], f"unknown key{_did_you_mean(key, fields)}")
        try:
            return msgspec.convert(known, typ, dec_hook=_dec_hook)
        except msgspec.ValidationError as exc:
            self._type_problem(str(exc), known, typ, path)
            return None

    def _type_problem(
        self, message: str, raw: dict[str, Any], typ: type, path: Sequence[_Key]
    ) -> None:
        text, _, at = message.partition(" - at `$")
        steps = _parse_msgspec_path(at.rstrip("`"))
        missing = re.fullmatch(r"Object missing required field `(.+)`", text)
        if missing:
            self.problem([*path, *steps, missing.group(1)], "required key is missing")
            return
        if "..." in steps:
            # msgspec does not name the map key; the only maps hold strings, so find the
            # first value that is not one.
            where = steps.index("...")
            mapping = _get(raw, steps[:where])
            if isinstance(mapping, dict):
                steps[where] = next((k for k, v in mapping.items() if not isinstance(v, str)), "?")
        field_type = None
        if len(steps) == 1 and isinstance(steps[0], str):
            fields = _struct_fields(typ) or {}
            field_type = fields[steps[0]].type if steps[0] in fields else None
        message = _translate(text, field_type)
        if message.startswith("expected ") and text.startswith("Expected "):
            message += _shown(_get(raw, steps))
        self.problem([*path, *steps], message)

    def items(self, raw: dict[str, Any], key: str, typ: type[_T]) -> list[tuple[int, _T]] | None:
        """The converted entries of an array of tables; None if any failed (or it is absent)."""
        value = raw.get(key)
        if value is None:
            self.problem([key], f"at least one [[{key}]] entry is required")
            return None
        if not isinstance(value, list):
            self.problem(
                [key], f"expected an array of tables ([[{key}]]), got {_value_kind(value)}"
            )
            return None
        if not value:
            self.problem([key], f"at least one [[{key}]] entry is required")
        converted = [(i, self.convert(item, typ, [key, i])) for i, item in enumerate(value)]
        good = [(i, item) for i, item in converted if item is not None]
        return good if len(good) == len(converted) else None

    def check(self, raw: dict[str, Any], base_dir: Path) -> Config | None:
        for key in raw:
            if key not in Config.__struct_fields__:
                self.problem(
                    [key], f"unknown section{_did_you_mean(key, Config.__struct_fields__)}"
                )
        venue: VenueConfig | None = None
        if "venue" not in raw:
            self.problem(["venue"], "required section [venue] is missing")
        else:
            venue = self.convert(raw["venue"], VenueConfig, ["venue"])
        lines = self.items(raw, "lines", LineConfig)
        sources = self.items(raw, "sources", SourceConfig)
        mqtt = self.convert(raw.get("mqtt", {}), MqttConfig, ["mqtt"])
        storage = self.convert(raw.get("storage", {}), StorageConfig, ["storage"])
        scoring = self.convert(raw.get("scoring", {}), ScoringConfig, ["scoring"])
        scoreboard = self.convert(raw.get("scoreboard", {}), ScoreboardConfig, ["scoreboard"])
        boards = self.items(raw, "boards", BoardConfig) if raw.get("boards", []) != [] else []

        # Semantic checks run on every part that converted, so all such problems show at once.
        if venue is not None:
            self.check_venue(venue)
        if lines is not None:
            self.check_lines(lines, venue)
        if sources is not None:
            line_names = {line.name for _, line in lines} if lines is not None else None
            sources = self.check_sources(sources, line_names)
        if mqtt is not None:
            mqtt = self.check_mqtt(_blank_to_none(mqtt), base_dir, venue)
        if storage is not None:
            storage = StorageConfig(directory=base_dir / storage.directory)
        if scoring is not None:
            # "" means not set, as for the other optional text keys (Path("") is ".").
            meet = scoring.meet if scoring.meet not in (None, Path("")) else None
            scoring = ScoringConfig(meet=base_dir / meet if meet is not None else None)
        if scoreboard is not None:
            scoreboard = self.check_scoreboard(scoreboard)
        if boards is not None:
            self.check_boards(boards, sources)
        if (
            venue is None
            or lines is None
            or sources is None
            or mqtt is None
            or storage is None
            or scoring is None
            or scoreboard is None
            or boards is None
        ):
            return None
        return Config(
            venue=venue,
            lines=tuple(line for _, line in lines),
            sources=tuple(source for _, source in sources),
            mqtt=mqtt,
            storage=storage,
            scoring=scoring,
            scoreboard=scoreboard,
            boards=tuple(board for _, board in boards),
        )

    def check_scoreboard(self, scoreboard: ScoreboardConfig) -> ScoreboardConfig:
        if not scoreboard.listen:  # "" means not set
            return ScoreboardConfig()
        try:
            parse_listen(scoreboard.listen)
        except ValueError as exc:
            self.problem(["scoreboard", "listen"], str(exc))
        return scoreboard

    def check_boards(
        self,
        boards: list[tuple[int, BoardConfig]],
        sources: list[tuple[int, SourceConfig]] | None,
    ) -> None:
        self.unique("boards", [(i, board.name) for i, board in boards])
        devices: dict[object, str] = {}  # a device (serial path, TCP address) -> who uses it
        for i, source in sources or []:
            with contextlib.suppress(ValueError):  # a bad transport is reported already
                devices.setdefault(_device(source.endpoint), f"sources[{i}]")
        for i, board in boards:
            path: list[_Key] = ["boards", i]
            try:
                endpoint = board.endpoint
            except ValueError as exc:
                self.problem([*path, "transport"], str(exc))
            else:
                user = devices.setdefault(_device(endpoint), f"boards[{i}]")
                if user != f"boards[{i}]":
                    self.problem([*path, "transport"], f"{endpoint} is already {user}'s transport")
            for key, low, high in (("rows", MIN_ROWS, MAX_ROWS),
                                   ("columns", MIN_COLUMNS, MAX_COLUMNS)):  # fmt: skip
                value = getattr(board, key)
                if not low <= value <= high:
                    self.problem([*path, key], f"must be {low} to {high}, got {value}")
            self.positive([*path, "reconnect_min_s"], board.reconnect_min_s)
            if not (
                math.isfinite(board.reconnect_max_s)
                and board.reconnect_max_s >= board.reconnect_min_s
            ):
                self.problem(
                    [*path, "reconnect_max_s"],
                    f"must be at least reconnect_min_s ({board.reconnect_min_s:g}), "
                    f"got {board.reconnect_max_s:g}",
                )

    def topic_safe(self, path: Sequence[_Key], value: str) -> None:
        if not _TOPIC_SAFE.fullmatch(value):
            self.problem(path, f"must be {_TOPIC_SAFE_RULE}, got {value!r}")

    def positive(self, path: Sequence[_Key], value: float) -> None:
        if not (math.isfinite(value) and value > 0):
            self.problem(path, f"must be a number greater than 0, got {value!r}")

    def check_venue(self, venue: VenueConfig) -> None:
        self.topic_safe(["venue", "id"], venue.id)
        self.positive(["venue", "track_length_m"], venue.track_length_m)
        try:
            _zone(venue.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            self.problem(
                ["venue", "timezone"], f"unknown IANA time zone {venue.timezone!r}, e.g. 'UTC'"
            )

    def check_lines(self, lines: list[tuple[int, LineConfig]], venue: VenueConfig | None) -> None:
        self.unique("lines", [(i, line.name) for i, line in lines])
        finishes = []
        for i, line in lines:
            path: list[_Key] = ["lines", i, "distance_m"]
            if not (math.isfinite(line.distance_m) and line.distance_m >= 0):
                self.problem(path, f"must be 0 or more, got {line.distance_m!r}")
            elif venue is not None and line.distance_m >= venue.track_length_m > 0:
                self.problem(
                    path,
                    f"must be less than venue.track_length_m ({venue.track_length_m:g}), "
                    f"got {line.distance_m:g}",
                )
            if line.distance_m == 0:
                finishes.append(i)
        if lines and not finishes:
            self.problem(["lines"], "no finish line: exactly one line needs distance_m = 0")
        for i in finishes[1:]:
            self.problem(
                ["lines", i, "distance_m"],
                f"a second finish line (distance 0): lines[{finishes[0]}] is the finish already",
            )

    def unique(self, section: str, names: Iterable[tuple[int, str]]) -> None:
        first: dict[str, int] = {}
        for i, name in names:
            path: list[_Key] = [section, i, "name"]
            self.topic_safe(path, name)
            if name in first:
                self.problem(path, f"duplicate name {name!r} (also {section}[{first[name]}])")
            else:
                first[name] = i

    def check_sources(
        self, sources: list[tuple[int, SourceConfig]], line_names: set[str] | None
    ) -> list[tuple[int, SourceConfig]]:
        self.unique("sources", [(i, source.name) for i, source in sources])
        endpoints: dict[Endpoint, int] = {}
        checked = []
        for i, source in sources:
            path: list[_Key] = ["sources", i]
            if source.name == CONTROL_SOURCE:
                self.problem([*path, "name"], f"{CONTROL_SOURCE!r} is the operator's commands")
            try:
                endpoint = source.endpoint
            except ValueError as exc:
                self.problem([*path, "transport"], str(exc))
            else:
                # Two sources on one decoder would publish every passing twice.
                if endpoint in endpoints:
                    self.problem(
                        [*path, "transport"],
                        f"{endpoint} is already sources[{endpoints[endpoint]}]'s transport",
                    )
                endpoints.setdefault(endpoint, i)
            self.check_protocol(path, source, line_names)
            decoder_lines = {}
            for decoder, line in source.decoder_lines.items():
                key_path: list[_Key] = [*path, "decoder_lines", decoder]
                if not _DIGITS.fullmatch(decoder):
                    self.problem(key_path, f"a decoder id is decimal digits, got {decoder!r}")
                    continue
                canonical = str(int(decoder))  # "007" and "7" are one decoder
                if canonical in decoder_lines:
                    self.problem(key_path, f"decoder {canonical} is mapped twice")
                decoder_lines[canonical] = line
                self.known_line(key_path, line, line_names)
            for key in ("silence_timeout_s", "get_time_interval_s", "reconnect_min_s"):
                if getattr(source, key) is not None:
                    self.positive([*path, key], getattr(source, key))
            if not (
                math.isfinite(source.reconnect_max_s)
                and source.reconnect_max_s >= source.reconnect_min_s
            ):
                self.problem(
                    [*path, "reconnect_max_s"],
                    f"must be at least reconnect_min_s ({source.reconnect_min_s:g}), "
                    f"got {source.reconnect_max_s:g}",
                )
            checked.append((i, msgspec.structs.replace(source, decoder_lines=decoder_lines)))
        return checked

    def check_protocol(
        self, path: list[_Key], source: SourceConfig, line_names: set[str] | None
    ) -> None:
        """The settings each protocol needs, and no settings of another protocol's."""
        if source.protocol == "p3":
            if source.line is None:
                self.problem([*path, "line"], "a p3 source needs the timing line of its loop")
            else:
                self.known_line([*path, "line"], source.line, line_names)
            if source.channels:
                self.problem([*path, "channels"], "channels are for impulse timers, not p3")
            return
        if source.protocol == "lynx":
            # The camera films the finish: its results need no line, channel or decoder.
            for key in ("line", "decoder_lines", "channels"):
                if getattr(source, key):
                    self.problem([*path, key], "a lynx source (the photo-finish) takes no " + key)
            return
        if source.line is not None or source.decoder_lines:
            self.problem([*path, "line"], "a timy source maps lines per channel, in channels")
        if not source.channels:
            self.problem(
                [*path, "channels"], 'map at least one channel, e.g. C1 = {line = "finish"}'
            )
        for key, channel in source.channels.items():
            at: list[_Key] = [*path, "channels", key]
            if not _CHANNEL.fullmatch(key):
                self.problem(at, f"a channel is C0..C9, got {key!r}")
            if channel.line != START:
                self.known_line([*at, "line"], channel.line, line_names)
            if channel.delay_us < 0:
                self.problem([*at, "delay_us"], f"must be 0 or more, got {channel.delay_us}")
            if channel.dead_time_ms < 0:
                self.problem(
                    [*at, "dead_time_ms"], f"must be 0 or more, got {channel.dead_time_ms}"
                )
        if source.simultaneous_us < 0:
            self.problem([*path, "simultaneous_us"], "must be 0 or more")
        for index, command in enumerate(source.init_commands):
            if not command.isprintable() or not command.isascii():
                self.problem([*path, "init_commands", index], f"not a Timy command: {command!r}")

    def known_line(self, path: Sequence[_Key], name: str, line_names: set[str] | None) -> None:
        # Without every line converted, "no such line" could be a false alarm: say nothing.
        if line_names is not None and name not in line_names:
            known = ", ".join(repr(n) for n in sorted(line_names))
            self.problem(path, f"no timing line {name!r} in [[lines]] (known: {known})")

    def check_mqtt(
        self, mqtt: MqttConfig, base_dir: Path, venue: VenueConfig | None
    ) -> MqttConfig | None:
        def at(key: str) -> list[_Key]:
            return ["mqtt", key]

        tls: bool | None = None  # unknown while the URL is bad
        try:
            tls = parse_mqtt_url(mqtt.url).tls
        except ValueError as exc:
            self.problem(at("url"), str(exc))
        if mqtt.password is not None and mqtt.password_file is not None:
            self.problem(at("password_file"), "set mqtt.password or mqtt.password_file, not both")
        if (mqtt.password is not None or mqtt.password_file is not None) and not mqtt.username:
            # MQTT 3.1.1 (3.1.2.9): a password may only be sent with a user name.
            self.problem(at("username"), "required when a password is set")
        if not 0 < mqtt.keepalive_s <= MAX_KEEPALIVE_S:
            self.problem(
                at("keepalive_s"), f"must be 1 to {MAX_KEEPALIVE_S} seconds, got {mqtt.keepalive_s}"
            )
        self.topic_safe(at("topic_prefix"), mqtt.topic_prefix)
        if (mqtt.tls_cert_file is None) != (mqtt.tls_key_file is None):
            missing = "tls_key_file" if mqtt.tls_key_file is None else "tls_cert_file"
            self.problem(at(missing), "tls_cert_file and tls_key_file go together: set both")
        for key in ("tls_ca_file", "tls_cert_file", "tls_key_file"):
            if getattr(mqtt, key) is not None and tls is False:
                # Certificates with a plain-text URL are a mistake that would send in clear.
                self.problem(at(key), "set, but mqtt.url is not mqtts://: use mqtts:// for TLS")
        files = {
            key: str(base_dir / value)
            for key in ("password_file", "tls_ca_file", "tls_cert_file", "tls_key_file")
            if (value := getattr(mqtt, key)) is not None
        }
        client_id = mqtt.client_id
        if client_id is None and venue is not None:
            client_id = f"velotime-{venue.id}"
        return msgspec.structs.replace(mqtt, client_id=client_id, **files)


def _device(endpoint: Endpoint) -> object:
    """What two endpoints share if they reach one device: a serial port whatever its baudrate."""
    return endpoint.path if isinstance(endpoint, SerialEndpoint) else endpoint


def _blank_to_none(mqtt: MqttConfig) -> MqttConfig:
    """An empty string in TOML means "not set" for optional strings."""
    blanks = {
        field.name: None
        for field in msgspec.structs.fields(mqtt)
        if field.type == (str | None) and getattr(mqtt, field.name) == ""
    }
    return msgspec.structs.replace(mqtt, **blanks)


def _translate(text: str, typ: Any) -> str:
    """msgspec's wording in TOML's terms."""
    wrong_type = re.fullmatch(r"Expected `(.+)`, got `(.+)`", text)
    if wrong_type:
        return f"expected {_type_name(wrong_type[1])}, got {_type_name(wrong_type[2])}"
    bad_choice = re.fullmatch(r"Invalid enum value (.+)", text)
    if bad_choice:
        allowed = get_args(typ) if get_origin(typ) is Literal else ()
        choices = " or ".join(repr(a) for a in allowed) or "a valid value"
        return f"expected {choices}, got {bad_choice[1]}"
    return text[:1].lower() + text[1:]


def _parse_msgspec_path(at: str) -> list[_Key]:
    """`.sources[1].transport` -> ["sources", 1, "transport"] (msgspec's `[...]` is a map key)."""
    return [
        int(index) if index.isdigit() else (name or index)
        for name, index in re.findall(r"\.([^.\[]+)|\[([^\]]*)\]", at)
    ]


def _get(raw: object, path: Sequence[_Key]) -> object:
    """The raw value at `path`, or None where there is none (TOML has no null)."""
    node: object = raw
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def _value_kind(value: object) -> str:
    kinds: dict[type, str] = {str: "str", bool: "bool", int: "int", float: "float", list: "array"}
    return _type_name(kinds.get(type(value), type(value).__name__)) + _shown(value)


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
