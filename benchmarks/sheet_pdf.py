"""How long a PDF sheet takes to render (WeasyPrint, in-process): a start list of 8 riders (one
page), a flying 200 m result of 28 lines with its audit (two pages) and one of 80 lines (three
pages or more); the median of `--runs` renders each, after the first (which imports WeasyPrint:
measured apart).

    python -m benchmarks.sheet_pdf [--runs N]
"""

import argparse
import statistics
import time
from datetime import UTC

from velotime.scoreboards.web.pdf import sheet_pdf
from velotime.scoreboards.web.sheets import result_sheet_html, start_list_html
from velotime.wire.results import EventResult, ResultLine, StartList, StartListRider

NAMES = {"meet": "Benchmark meet", "venue": "Benchmark velodrome"}
AT_US = 1_795_271_400_000_000


def result(lines: int) -> EventResult:
    return EventResult(
        event="f200", discipline="flying200", name="Sprint qualifying", category="Men Elite",
        round="", status="final", audit=[],
        lines=[
            ResultLine(rank=n, bib=100 + n, name=f"Rider {n}", nation="NED",
                       time=f"10.{n:03d}", time_us=10_000_000 + n * 1000, speed_kmh="70.000",
                       gap=f"+0.{n - 1:03d}" if n > 1 else None)
            for n in range(1, lines + 1)
        ],
    )  # fmt: skip


def start_list(riders: int) -> StartList:
    return StartList(
        event="keirin", discipline="keirin", name="Keirin, final 1-6", category="Women Elite",
        round="final 1-6", heat="", competition="keirin-w", programme=1,
        riders=[StartListRider(bib=n, name=f"Rider {n}", nation="GBR") for n in range(riders)],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    sheets = {
        "start list, 8 riders": start_list_html(
            start_list(8), **NAMES, zone=UTC, generated_us=AT_US
        ),
        "result, 28 lines": result_sheet_html(result(28), **NAMES, zone=UTC, generated_us=AT_US),
        "result, 80 lines": result_sheet_html(result(80), **NAMES, zone=UTC, generated_us=AT_US),
    }
    began = time.perf_counter()
    sheet_pdf(sheets["start list, 8 riders"])
    print(f"first PDF (imports WeasyPrint): {time.perf_counter() - began:.3f} s")
    for name, html in sheets.items():
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            sheet_pdf(html)
            times.append(time.perf_counter() - began)
        print(f"{name}: median {statistics.median(times):.3f} s of {runs}")


if __name__ == "__main__":
    main()
