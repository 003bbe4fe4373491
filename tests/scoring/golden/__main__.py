"""Write the golden files again: `python -m tests.scoring.golden [SESSION...]`.

Only with the code the golden set stands for (before issue 11, commit 09dc759): the files are
what any later code must give.
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.scoring.golden.produce import FILES, produce
from tests.scoring.golden.sessions import SESSIONS


def main(names: list[str]) -> None:
    for name in names or list(SESSIONS):
        began = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            files = produce(name, Path(scratch))
        target = FILES / name
        shutil.rmtree(target, ignore_errors=True)
        for relative, data in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        size = sum(len(data) for data in files.values())
        print(f"{name}: {len(files)} files, {size} bytes, {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
