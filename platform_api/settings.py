"""How a process of ours reaches the platform API, read from the environment."""
from __future__ import annotations

from dataclasses import dataclass

from envsettings import Env, number, secret, url, whole_number

# The demo key is the development default so that `make run` works on a fresh clone; it only ever
# guards the local sandbox. A real deployment sets PLATFORM_API_KEY to the platform's key.
DEV_PLATFORM_API_KEY = "dev-sandbox-key"


@dataclass(frozen=True)
class PlatformClientSettings:
    base_url: str
    api_key: str
    connect_timeout: float
    read_timeout: float
    read_retries: int

    def __repr__(self) -> str:  # never the key
        return f"PlatformClientSettings(base_url={self.base_url!r})"


def load_platform_client_settings(env: Env) -> PlatformClientSettings:
    return PlatformClientSettings(
        base_url=url(env, "PLATFORM_API_URL", "http://127.0.0.1:8000"),
        api_key=secret(env, "PLATFORM_API_KEY", DEV_PLATFORM_API_KEY),
        connect_timeout=number(env, "PLATFORM_CONNECT_TIMEOUT", 2.0),
        read_timeout=number(env, "PLATFORM_READ_TIMEOUT", 4.0),
        read_retries=whole_number(env, "PLATFORM_READ_RETRIES", 1),
    )
