"""Simulated timing devices, for tests and demos without hardware."""
