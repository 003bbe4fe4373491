"""Reading a configuration file: TOML, then the overrides, then the checks."""

import os
from collections.abc import Mapping
from pathlib import Path

from velotime.config.checks import check
from velotime.config.environment import apply_env, override
from velotime.config.problems import ConfigError, Problems, load_toml
from velotime.config.schema import Config


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
    raw = load_toml(text, source, ConfigError)
    problems = Problems(source)
    apply_env(problems, raw, os.environ if env is None else env)
    if broker is not None:
        override(problems, raw, ("mqtt", "url"), broker, "--broker")
    config = check(problems, raw, base_dir)
    if problems or config is None:
        raise ConfigError(*problems.found)
    return config
