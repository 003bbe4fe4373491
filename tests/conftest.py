"""Fixtures shared by all tests."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.brokers import mosquitto
from velotime.localvenue import LocalBroker

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("quick", max_examples=25, deadline=None)  # `make quick`
settings.register_profile("thorough", max_examples=5000, deadline=None)  # by hand, not in CI
_DEFAULT_PROFILE = "ci" if os.environ.get("CI") == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _DEFAULT_PROFILE))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recorded device data in ../shared/data (never copied into this repository).

    Absent on a user's machine, so tests skip there; CI must have it, so they fail under CI.
    """
    if not SHARED_DATA.is_dir():
        message = f"real device data not found at {SHARED_DATA}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A real Mosquitto of the test's own, on a free port (tests/brokers.py)."""
    local = mosquitto(tmp_path / "broker")
    local.start()
    yield local
    local.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test with a broker of its own is an integration test (`make quick` leaves it out)."""
    for item in items:
        if "broker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
