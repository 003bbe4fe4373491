"""The real MQTT broker of the tests (Mosquitto), or a clear skip where it cannot run."""

import os
from pathlib import Path

import pytest

from velotime.localbroker import LocalMosquitto, mosquitto_binary


def mosquitto(directory: Path) -> LocalMosquitto:
    if mosquitto_binary() is None:
        message = "no mosquitto binary (apt-get install mosquitto)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return LocalMosquitto(directory)
