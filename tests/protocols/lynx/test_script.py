"""config/finishlynx/velotime.lss and the codec cannot drift apart.

A small renderer, for the subset of the LSS language velotime's script uses, plays FinishLynx:
it reads the sections and format lines, substitutes sample values for the variables as printf
does, and the codec decodes the bytes. The subset: `;;Section` headers, `;` comments, format lines
of a group code and a variable code, `\\hh` escapes (lowercase hex) and one `%s`,
`%N.Ns` or `%-N.Ns` per line with a variable. Anything else in the script (register commands
such as `\\X` or `\\=`) fails these tests: velotime's script does not need it.
"""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols.lynx import records_of
from velotime.protocols.lynx import (
    RECORD_CLASSES,
    Armed,
    Break,
    LynxRecord,
    LynxStream,
    Paused,
    Result,
    ResultsComplete,
    ResultsHeader,
    RunningTime,
    StartListComplete,
    StartListEntry,
    StartListHeader,
    Stopped,
    TimeOfDay,
    encode_text,
)
from velotime.protocols.lynx.fields import write

SCRIPT = Path(__file__).resolve().parents[3] / "config" / "finishlynx" / "velotime.lss"

# The groups the LSS language allows in each kind of section (from Lynx's script notes).
_TIME_GROUPS = {0x11, 0x13, 0x17, 0x18}
_HEADER_GROUPS = {0x13, 0x17, 0x18}
_LINE_GROUPS = {0x13, 0x14, 0x17, 0x18}
VALID_GROUPS = {
    **dict.fromkeys(
        ("TimeArmed", "TimeRunning", "TimePaused", "TimeStopped", "TimeBreak", "TimeOfDay"),
        _TIME_GROUPS,
    ),
    **dict.fromkeys(
        ("ResultsHeader", "ResultsTrailer", "StartListHeader", "StartListTrailer"), _HEADER_GROUPS
    ),
    **dict.fromkeys(("Result", "StartList"), _LINE_GROUPS),
}
_CONVERSION = re.compile(rb"%(-?)(\d*)(?:\.(\d+))?s")
_HEX = "0123456789abcdef"


class FormatLine(NamedTuple):
    number: int  # in the file, for messages
    group: int
    variable: int
    template: bytes


class ScriptError(ValueError):
    """The script uses something outside the subset, or breaks a rule of the language."""


def parse_format_line(text: str, number: int = 0) -> FormatLine:
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            hex_digits = text[i + 1 : i + 3]
            if len(hex_digits) != 2 or not set(hex_digits) <= set(_HEX):
                raise ScriptError(f"line {number}: not a lowercase \\hh byte: {text[i:]!r}")
            out.append(int(hex_digits, 16))
            i += 3
        else:
            out += char.encode("ascii")
            i += 1
    if len(out) < 2:
        raise ScriptError(f"line {number}: no group and variable code")
    return FormatLine(number, out[0], out[1], bytes(out[2:]))


def parse_script(text: str) -> dict[str, list[FormatLine]]:
    sections: dict[str, list[FormatLine]] = {}
    current: list[FormatLine] | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(";;"):
            name = line[2:]
            if not re.fullmatch(r"[A-Za-z]+", name) or name in sections:
                raise ScriptError(f"line {number}: section {name!r} unnamed or repeated")
            current = sections[name] = []
        elif line and not line.startswith(";"):
            if current is None:
                raise ScriptError(f"line {number}: a format line before any section")
            current.append(parse_format_line(line, number))
    return sections


def printf(template: bytes, value: bytes) -> bytes:
    """`template % value` for one string conversion, as C's printf does it."""
    out = bytearray()
    conversions = 0
    i = 0
    while i < len(template):
        if template[i] != ord("%"):
            out.append(template[i])
            i += 1
        elif template[i + 1 : i + 2] == b"%":
            out += b"%"
            i += 2
        else:
            match = _CONVERSION.match(template, i)
            if match is None:
                raise ScriptError(f"a conversion other than %s: {template[i:]!r}")
            left, width, precision = match.groups()
            text = value[: int(precision)] if precision else value
            pad = b" " * max(int(width or 0) - len(text), 0)
            out += text + pad if left else pad + text
            conversions += 1
            i = match.end()
    if conversions != 1:
        raise ScriptError(f"{conversions} conversions in a line with a variable")
    return bytes(out)


def render(lines: list[FormatLine], values: Mapping[tuple[int, int], str]) -> bytes:
    """What FinishLynx sends for a section, given the text of each variable."""
    out = bytearray()
    for line in lines:
        if line.variable == 0:
            out += line.template  # not a printf format: sent as it is
        else:
            out += printf(line.template, encode_text(values[line.group, line.variable]))
    return bytes(out)


def variables(lines: list[FormatLine]) -> list[tuple[int, int]]:
    return [(line.group, line.variable) for line in lines if line.variable]


SECTIONS = parse_script(SCRIPT.read_text(encoding="ascii"))
CLASS_OF_SECTION = {cls.SECTION: cls for cls in RECORD_CLASSES}


def decode(wire: bytes) -> list[object]:
    stream = LynxStream()
    return [*stream.feed(wire), *stream.close()]


# -- the script --------------------------------------------------------------------------------


def test_the_script_has_exactly_the_sections_the_codec_expects() -> None:
    assert set(SECTIONS) == set(CLASS_OF_SECTION)


def test_the_script_is_plain_ascii_with_unix_lines_and_no_trailing_whitespace() -> None:
    raw = SCRIPT.read_bytes()
    assert raw.isascii()
    assert b"\r" not in raw
    assert b"\t" not in raw
    assert raw.endswith(b"\n")
    for number, line in enumerate(raw.split(b"\n"), 1):
        # In a format line every character is sent: a trailing space would be sent too.
        assert line == line.rstrip(b" "), f"line {number} ends with a space"


@pytest.mark.parametrize("section", sorted(VALID_GROUPS))
def test_each_section_uses_the_groups_its_section_allows_and_the_declared_variables(
    section: str,
) -> None:
    lines = SECTIONS[section]
    for line in lines:
        assert line.group in VALID_GROUPS[section], f"line {line.number}"
        if line.variable == 0:
            assert b"%" not in line.template, f"line {line.number}"
    cls = CLASS_OF_SECTION[section]
    assert variables(lines) == [field.lss for field in cls.FIELDS]


# Sample values as FinishLynx would fill them in, and the record each section must give.
SAMPLES: dict[str, tuple[dict[tuple[int, int], str], LynxRecord]] = {
    "TimeArmed": (
        {(0x13, 0x04): "12", (0x13, 0x05): "1", (0x13, 0x06): "3", (0x13, 0x02): "Keirin Men"},
        Armed(event="12", round=1, heat=3, event_name="Keirin Men"),
    ),
    "TimeRunning": (
        {(0x11, 0x04): "      1:02.3000", (0x13, 0x0D): "14:03:07.0912"},
        RunningTime(time_us=62_300_000, time_digits=4, start_time_of_day_us=50_587_091_200),
    ),
    "TimePaused": ({(0x11, 0x04): "25.1234"}, Paused(time_us=25_123_400, time_digits=4)),
    "TimeStopped": ({(0x11, 0x04): "10.7246"}, Stopped(time_us=10_724_600, time_digits=4)),
    "TimeBreak": ({(0x11, 0x04): "10.7250"}, Break(time_us=10_725_000, time_digits=4)),
    "TimeOfDay": (
        {(0x11, 0x04): "9:00:00.0001"},
        TimeOfDay(time_us=32_400_000_100, time_digits=4),
    ),
    "ResultsHeader": (
        {
            (0x13, 0x01): "UNOFFICIAL",
            (0x13, 0x02): "20:10 | Sprint 1/8",
            (0x13, 0x04): "18B",
            (0x13, 0x05): "1",
            (0x13, 0x06): "2",
            (0x13, 0x03): "NWI",
            (0x13, 0x08): "4",
            (0x13, 0x0D): "20:11:54.4049",
        },
        ResultsHeader(
            official=False,
            event_name="20:10 | Sprint 1/8",
            event="18B",
            round=1,
            heat=2,
            wind="NWI",
            count=4,
            start_time_of_day_us=72_714_404_900,
        ),
    ),
    "Result": (
        {
            (0x14, 0x01): "DQ",
            (0x14, 0x03): "104",
            (0x14, 0x02): "5",
            (0x14, 0x04): "ŠUMI Leon",
            (0x14, 0x05): "RV Zürich",
            (0x14, 0x06): "1:02.3456",
            (0x14, 0x07): "0.0330",
            (0x14, 0x0A): "0",
        },
        Result(
            status="DQ",
            id="104",
            lane=5,
            name="ŠUMI Leon",
            affiliation="RV Zürich",
            time_us=62_345_600,
            time_digits=4,
            delta_us=33_000,
            laps_to_go=0,
        ),
    ),
    "ResultsTrailer": ({}, ResultsComplete()),
    "StartListHeader": (
        {
            (0x13, 0x02): "Sprint",
            (0x13, 0x04): "3",
            (0x13, 0x05): "2",
            (0x13, 0x06): "1",
            (0x13, 0x08): "2",
        },
        StartListHeader(event_name="Sprint", event="3", round=2, heat=1, count=2),
    ),
    "StartList": (
        {(0x14, 0x03): "11", (0x14, 0x02): "2", (0x14, 0x04): "ROE Al", (0x14, 0x05): "VC 1"},
        StartListEntry(id="11", lane=2, name="ROE Al", affiliation="VC 1"),
    ),
    "StartListTrailer": ({}, StartListComplete()),
}


def test_there_is_a_sample_for_each_section() -> None:
    assert set(SAMPLES) == set(SECTIONS)


@pytest.mark.parametrize("section", sorted(SAMPLES))
def test_each_section_rendered_with_sample_values_decodes_to_its_record(section: str) -> None:
    values, record = SAMPLES[section]
    assert decode(render(SECTIONS[section], values)) == [record]


@pytest.mark.parametrize("section", sorted(SECTIONS))
@given(data=st.data())
def test_each_section_rendered_with_any_record_s_values_decodes_to_that_record(
    section: str, data: st.DataObject
) -> None:
    cls = CLASS_OF_SECTION[section]
    record = data.draw(records_of(cls))
    values = {
        field.lss: write(
            field,
            getattr(record, field.name),
            getattr(record, field.companion) if field.companion else None,
        )
        for field in cls.FIELDS
    }
    assert decode(render(SECTIONS[section], values)) == [record]


def test_a_whole_race_rendered_section_after_section_decodes_in_order() -> None:
    order = ["TimeArmed", "TimeRunning", "TimeStopped", "ResultsHeader", "Result", "Result"]
    order.append("ResultsTrailer")
    wire = b"".join(render(SECTIONS[s], SAMPLES[s][0]) for s in order)
    assert decode(wire) == [SAMPLES[s][1] for s in order]


# -- the renderer itself -----------------------------------------------------------------------


def test_the_renderer_pads_and_truncates_as_printf_and_the_codec_reads_through_it() -> None:
    lines = parse_script(
        ";;Result\n"
        "; padded fields, as other scripts format them\n"
        "\\14\\00\\01LR\\02\n"
        "\\14\\01%3.3s\\1f\n"
        "\\14\\03%-5.5s\\1f\n"
        "\\14\\02%2s\\1f\n"
        "\\14\\04%-8.8s\\1f\n"
        "\\14\\05%%\\1f\n"  # no: a line with a variable needs its conversion
    )["Result"]
    values = {(0x14, 1): "1", (0x14, 3): "104", (0x14, 2): "5", (0x14, 4): "ABCDEFGHIJ"}
    assert render(lines[:5], values) == b"\x01LR\x02  1\x1f104  \x1f 5\x1fABCDEFGH\x1f"
    with pytest.raises(ScriptError, match="0 conversions"):
        render(lines, values | {(0x14, 5): "x"})
    [record] = decode(render(lines[:4], values) + b"\x1f\x1f\x1f\x1f\x04")
    assert record == Result(place=1, id="104", lane=5)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("\\11\\00\\X0\\=7", "not a lowercase"),  # register commands are outside the subset
        ("\\11\\00\\0D", "not a lowercase"),  # the language reads only lowercase hex
        ("\\11", "no group and variable code"),
    ],
)
def test_the_renderer_refuses_what_is_outside_the_subset(line: str, error: str) -> None:
    with pytest.raises(ScriptError, match=error):
        parse_format_line(line)


def test_the_renderer_refuses_conversions_other_than_strings() -> None:
    with pytest.raises(ScriptError, match="other than %s"):
        printf(b"%d", b"1")
    with pytest.raises(ScriptError, match="2 conversions"):
        printf(b"%s%s", b"1")
