"""The configuration's domain checks: what the types alone cannot say (names used in MQTT
topics, one finish line, a transport shared by two sources...), each problem named by its key.

Every part that converted is checked, so all problems show at once. A source's own settings
are checked by its family (`SourceConfig.check`).
"""

import contextlib
import math
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from velotime.capture.format import CONTROL_SOURCE
from velotime.config.problems import Problems, did_you_mean, unknown_value, value_kind
from velotime.config.schema import (
    PURSUIT_BACK,
    PURSUIT_HOME,
    BoardConfig,
    Config,
    LineConfig,
    MqttConfig,
    ScoreboardConfig,
    ScoringConfig,
    StorageConfig,
    VenueConfig,
    parse_listen,
    parse_mqtt_url,
    zone,
)
from velotime.drivers.endpoints import Endpoint, SerialEndpoint
from velotime.families import source_config_type, source_config_types, source_protocols
from velotime.families.base import (
    GATE_BACK,
    GATE_HOME,
    GATES,
    Key,
    SourceConfig,
    check_positive,
)
from velotime.protocols.unt4 import MAX_COLUMNS, MAX_ROWS, MIN_COLUMNS, MIN_ROWS

T = TypeVar("T")
MAX_KEEPALIVE_S = 65535  # the MQTT keep-alive field is 16 bits
# How far the pursuit lines may be from exactly half a lap apart: a line is painted to a few
# centimetres, a distance in the configuration rounded to the decimetre.
PURSUIT_TOLERANCE_M = 0.5

# Names end up as MQTT topic levels: '/', '+' and '#' would change the topic tree, and upper
# case or spaces make topics that subscribers mistype.
_TOPIC_SAFE = re.compile(r"[a-z0-9_-]+")
_TOPIC_SAFE_RULE = "lowercase letters, digits, '-' and '_' only (it is used in MQTT topics)"


def check(problems: Problems, raw: dict[str, Any], base_dir: Path) -> Config | None:
    """The checked `Config` of the raw TOML; None if a part could not be read (then `problems`
    says why). Relative paths are resolved against `base_dir`."""
    return _Checker(problems).check(raw, base_dir)


class _Checker:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def problem(self, path: Sequence[Key], message: str) -> None:
        self.problems.add(path, message)

    def convert(self, raw: object, typ: type[T], path: Sequence[Key]) -> T | None:
        return self.problems.convert(raw, typ, path)

    def table(self, typ: type[T], key: str) -> Callable[[object, int], T | None]:
        return lambda item, i: self.convert(item, typ, [key, i])

    def items(
        self, raw: dict[str, Any], key: str, convert: Callable[[object, int], T | None]
    ) -> list[tuple[int, T]] | None:
        """The entries of an array of tables, each converted by `convert(table, index)`; None
        if any failed (or it is absent)."""
        value = raw.get(key)
        if value is None:
            self.problem([key], f"at least one [[{key}]] entry is required")
            return None
        if not isinstance(value, list):
            self.problem([key], f"expected an array of tables ([[{key}]]), got {value_kind(value)}")
            return None
        if not value:
            self.problem([key], f"at least one [[{key}]] entry is required")
        converted = [(i, convert(item, i)) for i, item in enumerate(value)]
        good = [(i, item) for i, item in converted if item is not None]
        return good if len(good) == len(converted) else None

    def check(self, raw: dict[str, Any], base_dir: Path) -> Config | None:
        for key in raw:
            if key not in Config.__struct_fields__:
                self.problem([key], f"unknown section{did_you_mean(key, Config.__struct_fields__)}")
        venue: VenueConfig | None = None
        if "venue" not in raw:
            self.problem(["venue"], "required section [venue] is missing")
        else:
            venue = self.convert(raw["venue"], VenueConfig, ["venue"])
        lines = self.items(raw, "lines", self.table(LineConfig, "lines"))
        sources = self.items(raw, "sources", self.source)
        mqtt = self.convert(raw.get("mqtt", {}), MqttConfig, ["mqtt"])
        storage = self.convert(raw.get("storage", {}), StorageConfig, ["storage"])
        scoring = self.convert(raw.get("scoring", {}), ScoringConfig, ["scoring"])
        scoreboard = self.convert(raw.get("scoreboard", {}), ScoreboardConfig, ["scoreboard"])
        boards = (
            self.items(raw, "boards", self.table(BoardConfig, "boards"))
            if raw.get("boards", []) != []
            else []
        )

        # Semantic checks run on every part that converted, so all such problems show at once.
        if venue is not None:
            self.check_venue(venue)
        if lines is not None:
            self.check_lines(lines, venue)
        if sources is not None:
            line_names = {line.name for _, line in lines} if lines is not None else None
            sources = self.check_sources(sources, line_names)
            if lines is not None:
                self.check_gates(sources, any(line.pursuit for _, line in lines))
        if mqtt is not None:
            mqtt = self.check_mqtt(blank_to_none(mqtt), base_dir, venue)
        if storage is not None:
            if storage.min_free_mb < 0:
                self.problem(
                    ["storage", "min_free_mb"],
                    f"must be 0 (no alarm) or more, got {storage.min_free_mb}",
                )
            storage = msgspec.structs.replace(storage, directory=base_dir / storage.directory)
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
            path: list[Key] = ["boards", i]
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
            self.reconnect_range(path, board.reconnect_min_s, board.reconnect_max_s)
            if board.standings is not None:  # the omnium's id, as in standings/<omnium>
                self.topic_safe([*path, "standings"], board.standings)

    def topic_safe(self, path: Sequence[Key], value: str) -> None:
        if not _TOPIC_SAFE.fullmatch(value):
            self.problem(path, f"must be {_TOPIC_SAFE_RULE}, got {value!r}")

    def reconnect_range(self, path: Sequence[Key], low: float, high: float) -> None:
        self.positive([*path, "reconnect_min_s"], low)
        if not (math.isfinite(high) and high >= low):
            self.problem(
                [*path, "reconnect_max_s"],
                f"must be at least reconnect_min_s ({low:g}), got {high:g}",
            )

    def positive(self, path: Sequence[Key], value: float) -> None:
        check_positive(self.problem, path, value)

    def check_venue(self, venue: VenueConfig) -> None:
        self.topic_safe(["venue", "id"], venue.id)
        self.positive(["venue", "track_length_m"], venue.track_length_m)
        self.positive(["venue", "clock_tolerance_s"], venue.clock_tolerance_s)
        try:
            zone(venue.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            self.problem(
                ["venue", "timezone"], f"unknown IANA time zone {venue.timezone!r}, e.g. 'UTC'"
            )

    def check_lines(self, lines: list[tuple[int, LineConfig]], venue: VenueConfig | None) -> None:
        self.unique("lines", [(i, line.name) for i, line in lines])
        finishes = []
        for i, line in lines:
            path: list[Key] = ["lines", i, "distance_m"]
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
        self.check_pursuit_lines(lines, venue)
        if lines and not finishes:
            self.problem(["lines"], "no finish line: exactly one line needs distance_m = 0")
        for i in finishes[1:]:
            self.problem(
                ["lines", i, "distance_m"],
                f"a second finish line (distance 0): lines[{finishes[0]}] is the finish already",
            )

    def check_pursuit_lines(
        self, lines: list[tuple[int, LineConfig]], venue: VenueConfig | None
    ) -> None:
        """At most one line of each pursuit role, both or neither, half a lap apart, and
        neither the finish; no line named as an impulse channel's gate."""
        first: dict[str, int] = {}  # role -> index of its line
        for i, line in lines:
            if line.name in GATES:
                self.problem(
                    ["lines", i, "name"],
                    f"{line.name!r} is what an impulse channel wired to a start gate is mapped "
                    "to: name the line otherwise",
                )
            if not line.role:
                continue
            if line.role in first:
                self.problem(
                    ["lines", i, "role"],
                    f"a second {line.role!r} line: lines[{first[line.role]}] is it already",
                )
                continue
            first[line.role] = i
            if line.distance_m == 0:
                self.problem(
                    ["lines", i, "role"],
                    "the finish line (distance 0) cannot be a pursuit line: the pursuit lines "
                    "are in the middle of the straights",
                )
        for role, other in ((PURSUIT_HOME, PURSUIT_BACK), (PURSUIT_BACK, PURSUIT_HOME)):
            if role in first and other not in first:
                self.problem(
                    ["lines", first[role], "role"],
                    f"a {role!r} line needs a {other!r} line half a lap away: set both or neither",
                )
        if PURSUIT_HOME not in first or PURSUIT_BACK not in first or venue is None:
            return
        home_i, back_i = first[PURSUIT_HOME], first[PURSUIT_BACK]
        by_index = dict(lines)
        home, back = by_index[home_i], by_index[back_i]
        half_lap = venue.track_length_m / 2
        apart = abs(home.distance_m - back.distance_m)
        if venue.track_length_m > 0 and not abs(apart - half_lap) <= PURSUIT_TOLERANCE_M:
            self.problem(
                ["lines", back_i, "distance_m"],
                f"the back pursuit line lies half a lap ({half_lap:g} m) from the home one: "
                f"lines[{home_i}] ({home.name!r}) is at {home.distance_m:g} m and this at "
                f"{back.distance_m:g} m, {apart:g} m apart",
            )

    def check_gates(self, sources: list[tuple[int, SourceConfig]], pursuit_lines: bool) -> None:
        """A pursuit start gate is at a pursuit line: none without them."""
        if pursuit_lines:
            return
        for i, source in sources:
            for channel, line in source.wiring().channels.items():
                if line in (GATE_HOME, GATE_BACK):
                    self.problem(
                        ["sources", i, "channels", channel, "line"],
                        f"{line!r} is a pursuit start gate, and the venue has no pursuit lines: "
                        f'give two [[lines]] role = "{PURSUIT_HOME}" and "{PURSUIT_BACK}"',
                    )

    def unique(self, section: str, names: Iterable[tuple[int, str]]) -> None:
        first: dict[str, int] = {}
        for i, name in names:
            path: list[Key] = [section, i, "name"]
            self.topic_safe(path, name)
            if name in first:
                self.problem(path, f"duplicate name {name!r} (also {section}[{first[name]}])")
            else:
                first[name] = i

    def check_sources(
        self, sources: list[tuple[int, SourceConfig]], line_names: set[str] | None
    ) -> list[tuple[int, SourceConfig]]:
        """What every source needs, and what its family checks of its own settings."""
        self.unique("sources", [(i, source.name) for i, source in sources])
        endpoints: dict[Endpoint, int] = {}
        checked = []
        for i, source in sources:
            path: list[Key] = ["sources", i]
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

            def report(at: Sequence[Key], message: str, path: list[Key] = path) -> None:
                self.problem([*path, *at], message)

            checked.append((i, source.check(report, line_names)))
            if source.silence_timeout_s is not None:
                self.positive([*path, "silence_timeout_s"], source.silence_timeout_s)
            self.reconnect_range(path, source.reconnect_min_s, source.reconnect_max_s)
        return checked

    def source(self, raw: object, i: int) -> SourceConfig | None:
        """A [[sources]] entry as its protocol's settings."""
        path: list[Key] = ["sources", i]
        if not isinstance(raw, dict):
            return self.convert(raw, SourceConfig, path)  # says it is no table
        protocol = raw.get("protocol")
        typ = source_config_type(protocol)
        if typ is None:
            if protocol is None:
                self.problem([*path, "protocol"], "required key is missing")
            elif not isinstance(protocol, str):
                self.problem([*path, "protocol"], f"expected a string, got {value_kind(protocol)}")
            else:
                self.problem([*path, "protocol"], unknown_value(repr(protocol), source_protocols()))
            return None
        settings = {key: value for key, value in raw.items() if key != "protocol"}
        return self.problems.convert(settings, typ, path, _unknown_source_key(typ))

    def check_mqtt(
        self, mqtt: MqttConfig, base_dir: Path, venue: VenueConfig | None
    ) -> MqttConfig | None:
        def at(key: str) -> list[Key]:
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


def blank_to_none(mqtt: MqttConfig) -> MqttConfig:
    """An empty string in TOML means "not set" for optional strings."""
    blanks = {
        field.name: None
        for field in msgspec.structs.fields(mqtt)
        if field.type == (str | None) and getattr(mqtt, field.name) == ""
    }
    return msgspec.structs.replace(mqtt, **blanks)


def _unknown_source_key(typ: type[SourceConfig]) -> Callable[[str], str]:
    """What is wrong with a key a source's protocol does not take: another protocol's setting,
    or a misspelling."""

    def unknown(key: str) -> str:
        if key in typ.foreign_key_hints:
            return typ.foreign_key_hints[key]
        others = [
            str(other.__struct_config__.tag)
            for other in source_config_types()
            if other is not typ and key in other.__struct_fields__
        ]
        if others:
            protocol = str(typ.__struct_config__.tag)
            return f"{key!r} is for {' and '.join(others)} sources, not {protocol}"
        return f"unknown key{did_you_mean(key, typ.__struct_fields__)}"

    return unknown
