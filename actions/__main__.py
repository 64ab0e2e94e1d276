"""`python -m actions`: the action server.

1. Reads its settings once (actions/settings.py: ACTIONS_PORT, SANIC_HOST, ACTION_SERVER_TOKEN,
   PLATFORM_*, SUPPORT_*, ...). A missing, placeholder or malformed one: one line that names the
   fix, exit status 2.
2. Makes the one platform client and checks the platform once: a PLATFORM_API_KEY it refuses
   (401/403): one line naming the key and the URL, exit status 2. A platform that can't be
   reached is waited for up to PLATFORM_STARTUP_WAIT seconds (`make run` starts the sandbox at
   the same time), then the server starts anyway with a warning: every action apologises until
   the platform answers.
3. Builds every action with those services and serves them (rasa-sdk's routes) until stopped.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rasa_sdk import utils as sdk_utils

from actions.common import Services
from actions.server import PlatformKeyRefused, check_platform, serve
from actions.settings import load_action_server_settings
from envsettings import SettingsError
from platform_api import PlatformClient

logger = logging.getLogger("actions")

EXIT_BAD_SETTINGS = 2


def refuse(reason: str) -> int:
    """Say in one line why the server won't start; the exit status for a settings problem."""
    print(f"The action server can't start: {reason}", file=sys.stderr, flush=True)
    return EXIT_BAD_SETTINGS


@contextmanager
def quiet_retries() -> Iterator[None]:
    """While waiting for the platform at start, no urllib3 warning for each refused retry."""
    pool_logger = logging.getLogger("urllib3.connectionpool")
    level = pool_logger.level
    pool_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        pool_logger.setLevel(level)


def main() -> int:
    sdk_utils.configure_colored_logging(logging.INFO)
    try:
        settings = load_action_server_settings(os.environ)
    except SettingsError as exc:
        return refuse(str(exc))
    platform = PlatformClient.from_settings(settings.platform)
    try:
        with quiet_retries():
            answered = check_platform(platform, settings.platform_wait)
    except PlatformKeyRefused as exc:
        return refuse(str(exc))
    if not answered:
        logger.warning("The platform at %s didn't answer within %g s; serving anyway (actions "
                       "apologise until it answers).", platform.base_url, settings.platform_wait)
    serve(settings, Services(support=settings.support, platform=platform))
    return 0


if __name__ == "__main__":
    sys.exit(main())
