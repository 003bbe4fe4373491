"""The real MQTT broker of the tests (Mosquitto), or a clear skip where it cannot run."""

import os
from pathlib import Path

import pytest

from velotime.localvenue import LocalMosquitto, mosquitto_binary


def require_mosquitto() -> str:
    """The mosquitto binary; skip without one, except under CI (which installs it)."""
    binary = mosquitto_binary()
    if binary is None:
        message = "no mosquitto binary (apt-get install mosquitto)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return binary


def mosquitto(directory: Path) -> LocalMosquitto:
    require_mosquitto()
    return LocalMosquitto(directory)
