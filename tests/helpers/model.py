"""Fixture: the trained model of the current data, trained once (or found in the content-keyed
cache)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.processes import RASA, ROOT


@pytest.fixture(scope="session")
def model() -> Path:
    result = subprocess.run([sys.executable, "scripts/train.py", "--rasa", str(RASA)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])
