"""Run every benchmark: `python -m benchmarks` (or `make bench`)."""

from benchmarks import daemon_pipeline, p3_decode, scoring_cost, scoring_latency

if __name__ == "__main__":
    p3_decode.main()
    daemon_pipeline.main()
    scoring_latency.main()
    scoring_cost.main()
