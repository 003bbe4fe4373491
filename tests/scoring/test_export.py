"""Results as CSV: what a spreadsheet shows is what the result sheet and MQTT say."""

import csv
import io

import msgspec

from velotime.scoring.export import result_csv
from velotime.wire.results import ResultLine

KILOMETRE = {
    "event": "km",
    "lines": [
        {"rank": 1, "bib": 7, "name": "Chloé NOVAK", "nation": "CZE", "time": "1:00.981",
         "time_us": 60_981_000, "speed_kmh": "59.034", "splits": [
             {"distance_m": 500, "cumulative": "30.100", "lap": "12.000"},
             {"distance_m": 1000, "cumulative": "1:00.981", "lap": "14.000"}]},
        {"rank": 2, "bib": 3, "name": "Ben, \"the Bull\"", "nation": "GBR", "time": "1:01.000",
         "time_us": 61_000_000, "speed_kmh": "59.016", "gap": "+0.019",
         "flags": ["corrected"], "splits": [
             {"distance_m": 1000, "cumulative": "1:01.000", "lap": "15.000"}]},
        {"rank": None, "bib": 9, "status": "DNF"},
    ],
}  # fmt: skip


def test_one_row_per_line_with_split_columns_in_distance_order() -> None:
    text = result_csv(msgspec.convert(KILOMETRE["lines"], list[ResultLine]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["rank", "bib", "name", "nation", "time", "speed_kmh", "gap", "status", "flags",
         "500 m", "500 m lap", "1000 m", "1000 m lap"],
        ["1", "7", "Chloé NOVAK", "CZE", "1:00.981", "59.034", "", "", "",
         "30.100", "12.000", "1:00.981", "14.000"],
        ["2", "3", 'Ben, "the Bull"', "GBR", "1:01.000", "59.016", "+0.019", "", "corrected",
         "", "", "1:01.000", "15.000"],
        ["", "9", "", "", "", "", "", "DNF", "", "", "", "", ""],
    ]  # fmt: skip
    assert text.endswith("\r\n")  # RFC 4180 line ends
    assert '"Ben, ""the Bull"""' in text  # quoted as RFC 4180 says


def test_a_result_without_lines_is_a_header() -> None:
    assert result_csv([]).splitlines() == ["rank,bib,name,nation,time,speed_kmh,gap,status,flags"]
