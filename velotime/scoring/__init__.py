"""The scoring engine: times, rankings and standings from timing events (UCI rules)."""
