"""The real MQTT broker of the tests: Mosquitto, or amqtt where Mosquitto is not installed."""

import os
import warnings
from pathlib import Path

import pytest

from velotime.localvenue import LocalBroker, LocalMosquitto, local_broker, mosquitto_binary


def require_mosquitto() -> str:
    """The mosquitto binary; skip without one, except under CI (which installs it)."""
    binary = mosquitto_binary()
    if binary is None:
        message = "no mosquitto binary (apt-get install mosquitto)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return binary


def mosquitto(directory: Path) -> LocalBroker:
    """Mosquitto; without it, amqtt with a warning in the test output; without either, skip."""
    if mosquitto_binary() is not None or os.environ.get("CI") == "true":
        require_mosquitto()
        return LocalMosquitto(directory)
    try:
        broker = local_broker(directory)
    except FileNotFoundError as exc:
        pytest.skip(f"no mosquitto binary and {exc}")
    warnings.warn(
        "no mosquitto binary: these tests use an embedded amqtt broker instead",
        stacklevel=2,
    )
    return broker
