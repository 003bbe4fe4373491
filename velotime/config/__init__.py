"""The venue's TOML configuration: read, overridden from the environment, validated.

`load_config` returns a frozen, fully checked `Config` or raises `ConfigError` listing every
problem it found, one per line, each naming the file, the key path and what is wrong. Nothing
here logs or prints: the daemon and `velotime check-config` decide how to report.

One module a job: `schema` (the tables), `environment` (VELOTIME_<SECTION>__<KEY> overrides),
`problems` (problems by key path, msgspec's errors in TOML's terms, did-you-mean; shared with
the meet file), `checks` (what the types cannot say), `load` (the order of it all). A
`[[sources]]` entry's type is its protocol family's (velotime/families/).

See docs/configuration.md for every key and config/velodrome.example.toml for a full example.
"""

from velotime.config.environment import ENV_PREFIX
from velotime.config.load import load_config, parse_config
from velotime.config.problems import ConfigError
from velotime.config.schema import (
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
)
from velotime.drivers.endpoints import SerialEndpoint, TcpEndpoint, TcpListenEndpoint
from velotime.families.base import SourceConfig
from velotime.families.timy.source import ChannelConfig

__all__ = [
    "ENV_PREFIX",
    "BoardConfig",
    "ChannelConfig",
    "Config",
    "ConfigError",
    "LineConfig",
    "MqttConfig",
    "ScoreboardConfig",
    "ScoringConfig",
    "SerialEndpoint",
    "SourceConfig",
    "StorageConfig",
    "TcpEndpoint",
    "TcpListenEndpoint",
    "VenueConfig",
    "load_config",
    "parse_config",
    "parse_listen",
    "parse_mqtt_url",
]
