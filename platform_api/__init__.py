"""The platform API client: a leaf package that the actions and the gateway both use.

It imports nothing of ours but `envsettings`. `client.py` speaks the contract of
docs/contracts.md over HTTP, `errors.py` is its exception tree, `settings.py` reads where the
platform is and with which key.
"""
from platform_api.client import (
    LINK_CODE_EXPIRED,
    LINK_CODE_NOT_FOUND,
    LINK_CODE_USED,
    LinkCode,
    PlatformClient,
    Resent,
)
from platform_api.errors import (
    PlatformError,
    PlatformNotFound,
    PlatformRejected,
    PlatformUnavailable,
)
from platform_api.settings import (
    DEV_PLATFORM_API_KEY,
    PlatformClientSettings,
    load_platform_client_settings,
)

__all__ = [
    "DEV_PLATFORM_API_KEY",
    "LINK_CODE_EXPIRED",
    "LINK_CODE_NOT_FOUND",
    "LINK_CODE_USED",
    "LinkCode",
    "PlatformClient",
    "PlatformClientSettings",
    "PlatformError",
    "PlatformNotFound",
    "PlatformRejected",
    "PlatformUnavailable",
    "Resent",
    "load_platform_client_settings",
]
