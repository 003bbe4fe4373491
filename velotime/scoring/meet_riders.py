"""Riders written into a meet file, the rest of it left as it is.

The meet file is the operator's: its comments, its order and its other tables stay byte for byte.
Only the `[[riders]]` tables are replaced (where the first of them was; at the end of the file
when it has none), and the result is checked to read as the old file with the new riders, and
as a valid meet (every bib the events name still has its rider), before anything is written.
"""

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from velotime.config.problems import load_toml
from velotime.scoring.meet import Meet, MeetError, Rider, parse_meet

# A table header line: `[meet]`, `[[riders]]`, `[[competitions.rounds]]`, with a comment or not.
_HEADER = re.compile(r"[ \t]*\[\[?[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*\]\]?[ \t]*(#.*)?")
_RIDERS = "riders"


def toml_string(text: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's, but for DEL, which TOML wants escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def riders_toml(riders: Sequence[Rider], newline: str = "\n") -> str:
    """`[[riders]]` tables, a blank line after each; keys left at their defaults are left out."""
    out: list[str] = []
    for rider in riders:
        out += ["[[riders]]", f"bib = {rider.bib}", f"name = {toml_string(rider.name)}"]
        if rider.nation:
            out.append(f"nation = {toml_string(rider.nation)}")
        if rider.transponders:
            out.append(f"transponders = [{', '.join(map(str, rider.transponders))}]")
        if rider.last_name:
            out.append(f"last_name = {toml_string(rider.last_name)}")
        if rider.first_name:
            out.append(f"first_name = {toml_string(rider.first_name)}")
        out.append("")
    return "".join(line + newline for line in out)


def with_riders(text: str, riders: Sequence[Rider], source: str) -> tuple[str, Meet]:
    """The meet file `text` with its riders replaced by `riders`, and the meet it now holds.
    MeetError (every problem, one line each) when the new meet is not valid, or when the riders
    cannot be replaced without touching the rest (riders written as an inline array)."""
    old = load_toml(text, source, MeetError)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    blocks = _riders_blocks(lines)
    new_riders = riders_toml(riders, newline)
    if blocks:
        first = blocks[0][0]
        kept = [line for i, line in enumerate(lines) if not any(a <= i < b for a, b in blocks)]
        at = first - sum(b - a for a, b in blocks if a < first)
        new_text = "".join([*kept[:at], new_riders, *kept[at:]])
    else:
        end = "" if not text or text.endswith(("\n", "\r")) else newline
        new_text = f"{text}{end}{newline if text.strip() else ''}{new_riders}"
    if new_text.endswith(newline * 2):  # the riders end the file: no blank line after them
        new_text = new_text[: -len(newline)]
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = {}  # riders it did not see as tables (an inline array): refused below
    if _without_riders(new) != _without_riders(old) or len(new.get(_RIDERS, ())) != len(riders):
        raise MeetError(
            f"{source}: its riders cannot be replaced without changing the rest of the file: "
            "write them as [[riders]] tables; nothing written"
        )
    return new_text, parse_meet(new_text, source)


def write_atomically(path: Path, data: bytes) -> None:
    """`path` holds `data` whole or is as it was: a crash or a full disk never leaves half a
    file. The file keeps its permissions."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _without_riders(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != _RIDERS}


def _riders_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """The [start, end) line ranges of the `[[riders]]` tables: from the header to the next
    header. Comment lines at the end of the last one of a run lead the table after: they stay,
    without the blank lines before them (the new riders end with one)."""
    headers = [
        (i, match[1].replace(" ", "").replace("\t", "") if line.lstrip()[1] == "[" else "")
        for i, line in enumerate(lines)
        if (match := _HEADER.fullmatch(line.rstrip("\r\n")))
    ]
    blocks = []
    for k, (start, name) in enumerate(headers):
        if name != _RIDERS:
            continue
        end = headers[k + 1][0] if k + 1 < len(headers) else len(lines)
        if k + 1 == len(headers) or headers[k + 1][1] != _RIDERS:
            tail = end
            while tail > start + 1 and lines[tail - 1].strip()[:1] in ("", "#"):
                tail -= 1
            comments = [i for i in range(tail, end) if lines[i].strip()]
            end = comments[0] if comments else end
        blocks.append((start, end))
    return blocks
