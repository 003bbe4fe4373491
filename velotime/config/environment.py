"""Overrides of the configuration from the environment (VELOTIME_<SECTION>__<KEY>) and from the
command line, applied to the raw TOML before it is checked, so that an override is checked as
the file is and a problem names the variable that set it."""

from collections.abc import Mapping, Sequence
from typing import Any, get_args, get_origin

import msgspec

from velotime.config.problems import Problems, dec_hook, get, render, struct_fields, translate
from velotime.config.schema import Config
from velotime.families import source_config_type
from velotime.families.base import Key, SourceConfig

ENV_PREFIX = "VELOTIME_"


def apply_env(problems: Problems, raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for variable in sorted(env):
        if variable.startswith(ENV_PREFIX):
            _apply_variable(problems, raw, variable, env[variable])


def override(
    problems: Problems, raw: dict[str, Any], path: Sequence[Key], value: object, origin: str
) -> None:
    """Set `path` in `raw` to `value`; problems at `path` will say that `origin` set it."""
    node: Any = raw
    for key in path[:-1]:
        child = node[key] if isinstance(key, int) else node.setdefault(key, {})
        if not isinstance(child, dict | list):
            # The file's own type error is reported by validation; nothing to override.
            return
        node = child
    node[path[-1]] = value
    problems.origins[render(path)] = origin


def _apply_variable(problems: Problems, raw: dict[str, Any], variable: str, value: str) -> None:
    steps = variable[len(ENV_PREFIX) :].split("__")
    if len(steps) < 2 or not all(steps):
        problems.add_unplaced(
            f"{variable}: not a configuration override: expected "
            f"{ENV_PREFIX}<SECTION>__<KEY>, e.g. {ENV_PREFIX}MQTT__URL"
        )
        return
    path: list[Key] = []
    typ: Any = Config
    for step in steps[:-1]:
        key, typ, error = _step(raw, path, typ, step)
        if error:
            problems.add_unplaced(f"{variable}: {error}")
            return
        path.append(key)
    key, typ, error = _step(raw, path, typ, steps[-1])
    if not error and (struct_fields(typ) is not None or get_origin(typ) in (tuple, dict)):
        error = f"{render([*path, key])} is a table or array, not a single value"
    if error:
        problems.add_unplaced(f"{variable}: {error}")
        return
    try:
        converted = msgspec.convert(value, typ, strict=False, dec_hook=dec_hook)
    except msgspec.ValidationError as exc:
        message = translate(str(exc).split(" - at ")[0], typ)
        # The value is always a string here: show it rather than its type.
        message = message.replace(", got a string", f", got {value!r}")
        problems.add_unplaced(f"{variable}: {message}")
        return
    override(problems, raw, (*path, key), converted, variable)


def _step(raw: dict[str, Any], path: Sequence[Key], typ: Any, step: str) -> tuple[Key, Any, str]:
    """One step of an override's key path: (key, its type, error or "")."""
    where = render(path)
    if typ is SourceConfig:
        # A source's settings are its protocol's, as the file names it.
        protocol = get(raw, [*path, "protocol"])
        typ = source_config_type(protocol)
        if typ is None:
            return step, None, f"{where} names no known protocol ({protocol!r})"
    fields = struct_fields(typ)
    if fields is not None:
        key = step.lower()
        if key not in fields:
            known = ", ".join(fields)
            what = f"key {key!r} in [{where}]" if where else f"section {key!r}"
            return key, None, f"unknown {what} (known: {known})"
        return key, fields[key].type, ""
    if get_origin(typ) is tuple:
        items = get(raw, path)
        count = len(items) if isinstance(items, list) else 0
        if not step.isdigit() or int(step) >= count:
            error = f"no {where}[{step}]: the file has {count} [[{where}]] entries (indexes from 0)"
            return step, None, error
        return int(step), get_args(typ)[0], ""
    if get_origin(typ) is dict:
        return step, get_args(typ)[1], ""
    return step, None, f"{where} is a single value, not a table"
