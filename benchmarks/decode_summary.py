"""`velotime decode --protocol p3 --summary` as a whole process, bytecode caches warm.

The input is the real AMBrc capture (../shared/data/p3/amb.out, a hex dump of 1,388 records)
repeated 200 times: 277,600 records, written to a temporary directory. Target (issue 11):
1,000,000 records/s or more, imports included. `--tree DIR` times another tree from the same
run.
"""

import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.p3_decode import REAL_CAPTURE
from benchmarks.process import pycache, time_command, trees

REPEATS = 200
RECORDS = 1388 * REPEATS
RUNS = 7


def main(argv: Sequence[str] | None = None) -> None:
    paths, runs = trees(argv, __doc__)
    runs = runs or RUNS
    if not REAL_CAPTURE.is_file():
        print(f"decode --summary: skipped, {REAL_CAPTURE} is absent")
        return
    print(
        f"velotime decode --protocol p3 --summary, {RECORDS:,} records, whole process, "
        f"median of {runs} runs; target >= 1,000,000 records/s"
    )
    with tempfile.TemporaryDirectory() as directory, pycache() as cache:
        dump = Path(directory) / "amb-x200.out"
        dump.write_bytes(REAL_CAPTURE.read_bytes() * REPEATS)
        args = ["decode", str(dump), "--protocol", "p3", "--summary"]
        for tree in paths:
            timing = time_command(args, tree, runs, cache)
            print(timing.line(str(tree), RECORDS, "records/s"))


if __name__ == "__main__":
    main()
