"""`velotime --help` as a whole process, bytecode caches warm: the cost of starting any command.

Target (issue 11): under 0.1 s. Prints the median of several runs, with `--tree DIR` for another
tree too (the code before a change) from the same run.
"""

from collections.abc import Sequence

from benchmarks.process import pycache, time_command, trees

RUNS = 21


def main(argv: Sequence[str] | None = None) -> None:
    paths, runs = trees(argv, __doc__)
    runs = runs or RUNS
    print(f"velotime --help, whole process, median of {runs} runs; target < 0.1 s")
    with pycache() as cache:
        for tree in paths:
            print(time_command(["--help"], tree, runs, cache).line(str(tree)))


if __name__ == "__main__":
    main()
