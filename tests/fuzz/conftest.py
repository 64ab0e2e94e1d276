"""The fuzz suites print how many cases they ran (tests/helpers/fuzz_counts.py) at the end."""
from __future__ import annotations

import pytest

from tests.helpers.fuzz_counts import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("fuzz cases run")
    for suite, kinds in CASES.items():
        terminalreporter.write_line(
            f"{suite}: {sum(kinds.values())} cases over {len(kinds)} kinds "
            f"({min(kinds.values())}–{max(kinds.values())} each)")
