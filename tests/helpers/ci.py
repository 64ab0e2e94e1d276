"""What a test does when the machine lacks something it needs (a server, a tool): on a user's
machine it is skipped with the reason; in CI (`CI=true`) it fails, never a silent skip."""
from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail_in_ci(message: str) -> NoReturn:
    """Skip the calling test with `message`, or fail it when CI=true."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message + "; CI=true requires it.", pytrace=False)
    pytest.skip(message)
