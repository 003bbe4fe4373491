"""Run every benchmark: `python -m benchmarks` (or `make bench`). `--tree DIR` also times the
whole-process commands (CLI start, decode --summary) in another tree, for before and after."""

import sys

from benchmarks import (
    cli_start,
    daemon_pipeline,
    decode_summary,
    p3_decode,
    scoring_cost,
    scoring_latency,
)

if __name__ == "__main__":
    p3_decode.main()
    decode_summary.main(sys.argv[1:])
    cli_start.main(sys.argv[1:])
    daemon_pipeline.main()
    scoring_latency.main()
    scoring_cost.main()
