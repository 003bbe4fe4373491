"""Problems found in a TOML file, each named by its key path, every one reported at once.

Shared by the venue configuration and the meet file, so that both read alike: "FILE: key.path:
what is wrong", an unknown key with the key it probably meant, a wrong value with what was
expected. msgspec's validation errors are put in TOML's terms here.
"""

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import msgspec

from velotime.families.base import Key

T = TypeVar("T")


class ProblemsError(Exception):
    """Every problem found, one line each; `str()` is one line per problem."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


class ConfigError(ProblemsError):
    """Every problem found in a configuration."""


def render(path: Sequence[Key]) -> str:
    """["sources", 1, "transport"] -> "sources[1].transport"."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def load_toml(text: str, source: str, error: type[ProblemsError]) -> dict[str, Any]:
    """The tables of TOML `text`; `error` (ConfigError, MeetError) with one line naming
    `source` and the reason when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: {toml_problem(str(exc))}") from None
    except RecursionError:
        # tomllib recurses once per level of arrays or inline tables; a few hundred exhaust
        # the stack. No venue or meet nests more than three.
        raise error(f"{source}: invalid TOML: arrays or inline tables nested too deeply") from None


def toml_problem(message: str) -> str:
    """tomllib says "Invalid value (at line 2, column 5)"; lead with the position, as editors
    do."""
    match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message)
    if match is None:
        return f"invalid TOML: {message}"
    what, line, column = match.groups()
    return f"line {line}, column {column}: invalid TOML: {what[:1].lower()}{what[1:]}"


def did_you_mean(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def struct_fields(typ: Any) -> dict[str, msgspec.structs.FieldInfo] | None:
    if isinstance(typ, type) and issubclass(typ, msgspec.Struct):
        return {field.name: field for field in msgspec.structs.fields(typ)}
    return None


def dec_hook(typ: type, value: object) -> object:
    # msgspec builds Path only from a Path; TOML and the environment give strings.
    if typ is Path and isinstance(value, str | Path):
        return Path(value)
    raise TypeError(f"Expected `str`, got `{type(value).__name__}`")


class Problems:
    """The problems found in one file (`source` names it in each)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[str] = []
        self.origins: dict[str, str] = {}  # key path -> the variable or option that set it

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, path: Sequence[Key], message: str) -> None:
        where = render(path)
        origin = self.origins.get(where)
        suffix = f" (set by {origin})" if origin else ""
        prefix = f"{where}: " if where else ""
        self.found.append(f"{self.source}: {prefix}{message}{suffix}")

    def add_unplaced(self, message: str) -> None:
        """A problem that is not the file's (an environment variable's)."""
        self.found.append(message)

    def convert(
        self,
        raw: object,
        typ: type[T],
        path: Sequence[Key],
        unknown_key: Callable[[str], str] | None = None,
    ) -> T | None:
        """One table to its Struct; every unknown key of the table is reported, not only the
        first. `unknown_key` says what is wrong with one (default: "unknown key", with the
        known key it is closest to)."""
        fields = struct_fields(typ)
        assert fields is not None
        if not isinstance(raw, dict):
            self.add(path, f"expected a table, got {value_kind(raw)}")
            return None
        known: dict[str, Any] = {}
        for key, value in raw.items():
            if key in fields:
                known[key] = self._without_unknown_keys(value, fields[key].type, [*path, key])
            elif unknown_key is not None:
                self.add([*path, key], unknown_key(key))
            else:
                self.add([*path, key], f"unknown key{did_you_mean(key, fields)}")
        try:
            return msgspec.convert(known, typ, dec_hook=dec_hook)
        except msgspec.ValidationError as exc:
            self._type_problem(str(exc), known, typ, path)
            return None

    def _without_unknown_keys(self, raw: object, typ: Any, path: Sequence[Key]) -> object:
        """`raw` without the unknown keys of the tables in it, each reported: msgspec stops at
        the first, and a user fixing a file wants them all at once."""
        typ = _not_optional(typ)
        fields = struct_fields(typ)
        if fields is not None and isinstance(raw, dict):
            if not typ.__struct_config__.forbid_unknown_fields:
                return raw
            known: dict[str, Any] = {}
            for key, value in raw.items():
                if key in fields:
                    known[key] = self._without_unknown_keys(value, fields[key].type, [*path, key])
                else:
                    self.add([*path, key], f"unknown key{did_you_mean(key, fields)}")
            return known
        args = get_args(typ)
        if get_origin(typ) in (tuple, list) and isinstance(raw, list) and args[1:] in ((), (...,)):
            return [self._without_unknown_keys(v, args[0], [*path, i]) for i, v in enumerate(raw)]
        return raw

    def _type_problem(
        self, message: str, raw: dict[str, Any], typ: type, path: Sequence[Key]
    ) -> None:
        text, _, at = message.partition(" - at `$")
        steps = parse_msgspec_path(at.rstrip("`"))
        missing = re.fullmatch(r"Object missing required field `(.+)`", text)
        if missing:
            self.add([*path, *steps, missing.group(1)], "required key is missing")
            return
        unknown = re.fullmatch(r"Object contains unknown field `(.+)`", text)
        if unknown:
            fields = struct_fields(type_at(typ, steps)) or {}
            self.add([*path, *steps, unknown[1]], f"unknown key{did_you_mean(unknown[1], fields)}")
            return
        if "..." in steps:
            # msgspec does not name the map key: take the first value that is not a string
            # (right for a map of strings; for a map of tables, its first entry).
            where = steps.index("...")
            mapping = get(raw, steps[:where])
            if isinstance(mapping, dict):
                steps[where] = next((k for k, v in mapping.items() if not isinstance(v, str)), "?")
        message = translate(text, type_at(typ, steps))
        if message.startswith("expected ") and text.startswith("Expected "):
            message += shown(get(raw, steps))
        self.add([*path, *steps], message)


def type_at(typ: Any, steps: Sequence[Key]) -> Any:
    """The declared type at `steps` under `typ`; None where it cannot be told."""
    for step in steps:
        typ = _not_optional(typ)
        fields = struct_fields(typ)
        if fields is not None:
            typ = fields[step].type if isinstance(step, str) and step in fields else None
        elif get_origin(typ) in (tuple, list) and isinstance(step, int):
            typ = get_args(typ)[0]
        elif get_origin(typ) is dict:
            typ = get_args(typ)[1]
        else:
            return None
    return _not_optional(typ)


def _not_optional(typ: Any) -> Any:
    args = get_args(typ)
    if type(None) in args and len(args) == 2:
        return next(arg for arg in args if arg is not type(None))
    return typ


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


def type_name(msgspec_name: str) -> str:
    names = [n for n in msgspec_name.split(" | ") if n != "null"]  # None stands for "not set"
    return " or ".join(_TYPE_NAMES.get(n, n) for n in names)


def shown(value: object) -> str:
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 60:
        return f" {value!r}"
    return ""


def value_kind(value: object) -> str:
    kinds: dict[type, str] = {str: "str", bool: "bool", int: "int", float: "float", list: "array"}
    return type_name(kinds.get(type(value), type(value).__name__)) + shown(value)


def unknown_value(shown_value: str, allowed: Iterable[object]) -> str:
    """ "unknown value 'kierin'; valid: flying200, keirin, time_trial (did you mean 'keirin'?)":
    `shown_value` as msgspec shows it (a string quoted)."""
    valid = sorted(str(a) for a in allowed)
    if not valid:
        return f"unknown value {shown_value}"
    value = shown_value[1:-1] if shown_value[:1] == shown_value[-1:] == "'" else shown_value
    return f"unknown value {shown_value}; valid: {', '.join(valid)}{did_you_mean(value, valid)}"


def translate(text: str, typ: Any) -> str:
    """msgspec's wording in TOML's terms; `typ`, the type of the value, names the choices."""
    wrong_type = re.fullmatch(r"Expected `(.+)`, got `(.+)`", text)
    if wrong_type:
        return f"expected {type_name(wrong_type[1])}, got {type_name(wrong_type[2])}"
    bad_choice = re.fullmatch(r"Invalid enum value (.+)", text)
    if bad_choice:
        allowed = get_args(typ) if get_origin(typ) is Literal else ()
        return unknown_value(bad_choice[1], allowed)
    return text[:1].lower() + text[1:]


def parse_msgspec_path(at: str) -> list[Key]:
    """`.sources[1].transport` -> ["sources", 1, "transport"] (msgspec's `[...]` is a map key)."""
    return [
        int(index) if index.isdigit() else (name or index)
        for name, index in re.findall(r"\.([^.\[]+)|\[([^\]]*)\]", at)
    ]


def get(raw: object, path: Sequence[Key]) -> object:
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
