"""The fault suite (`pytest -m faults`): each scenario's line, printed once the session ends."""

import pytest

from tests.faults.harness import REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("fault suite")
        for line in REPORT:
            terminalreporter.write_line(line)
