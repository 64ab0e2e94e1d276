"""The action server: our actions, each built once with its `Services`, served by rasa-sdk.

`python -m actions` (actions/__main__.py) reads the settings, checks the platform, and calls
`serve`. Here:

- `action_classes()`: every concrete action class of this package. Adding a module with an
  action is enough; each action takes the `Services` in its constructor.
- `build_executor(services)`: rasa-sdk's `ActionExecutor` with one instance of each action,
  registered by us (rasa-sdk's own `register_package` would build them without arguments).
- `check_platform(...)`: one authenticated call at start: a key the platform refuses stops the
  start; a platform that can't be reached yet is waited for, briefly.
- `serve(settings, services)`: rasa-sdk's Sanic app (the same `/webhook`, `/actions` and
  `/health` routes as `python -m rasa_sdk`) in this one process, so the one platform client made
  at start is the one the actions use. Only Rasa may call it: every route but `/health` needs
  `Authorization: Bearer <ACTION_SERVER_TOKEN>` (endpoints.yml sends it), else `401`.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import time
from collections.abc import Callable
from types import ModuleType, SimpleNamespace

from rasa_sdk import Action
from rasa_sdk import utils as sdk_utils
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.config import Config
from sanic.request import Request
from sanic.response import HTTPResponse

import actions
from actions.common import Services, UsesServices
from actions.settings import ActionServerSettings
from platform_api import PlatformClient, PlatformRejected, PlatformUnavailable
from rasa_addons.internal_auth import bearer_token, matches

logger = logging.getLogger(__name__)

# Modules of the package that hold no actions: the server itself and its command.
NOT_ACTION_MODULES = frozenset({"actions.__main__", "actions.server"})
# The start-up check asks for a client that doesn't exist: a 404 means the key was accepted
# (the platform checks the key before it looks anything up: docs/contracts.md).
PROBE_CLIENT_ID = "action-server-start-check"
RETRY_SECONDS = 0.5
KEY_REFUSED_STATUSES = (401, 403)
OPEN_PATHS = frozenset({"/health"})  # what anyone may ask without the token


# -- the actions -----------------------------------------------------------------------------

def action_modules() -> list[ModuleType]:
    """Every module of the `actions` package, imported (importing one reads no settings)."""
    names = sorted(info.name for info in pkgutil.iter_modules(actions.__path__, "actions."))
    return [importlib.import_module(name) for name in names if name not in NOT_ACTION_MODULES]


def action_classes() -> list[type[UsesServices]]:
    """The concrete rasa-sdk actions defined in this package, in a stable order."""
    found: list[type[UsesServices]] = []
    for module in action_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ != module.__name__ or not issubclass(cls, Action)
                    or inspect.isabstract(cls)):
                continue
            if not issubclass(cls, UsesServices):
                raise TypeError(f"{cls.__module__}.{cls.__name__} must take the action server's "
                                "Services (subclass actions.common.AssistantAction)")
            found.append(cls)
    return found


def build_executor(services: Services) -> ActionExecutor:
    """rasa-sdk's executor with one instance of each of our actions, built with `services`."""
    executor = ActionExecutor()
    for cls in action_classes():
        executor.register_action(cls(services))
    return executor


# -- the platform, once at start -------------------------------------------------------------

class PlatformKeyRefused(RuntimeError):
    """The platform answered 401/403 to an authenticated call: PLATFORM_API_KEY is wrong."""

    def __init__(self, base_url: str, status: int) -> None:
        super().__init__(
            f"the platform at {base_url} refused PLATFORM_API_KEY (HTTP {status}). Set "
            "PLATFORM_API_KEY to the key that platform accepts (see .env.example).")
        self.base_url = base_url
        self.status = status


def check_platform(platform: PlatformClient, wait_seconds: float,
                   sleep: Callable[[float], None] = time.sleep,
                   clock: Callable[[], float] = time.monotonic) -> bool:
    """One authenticated call, retried for up to `wait_seconds` while the platform can't be
    reached. True when it answered with the key accepted, False when it never answered.

    Raises `PlatformKeyRefused` when it answers 401 or 403.
    """
    deadline = clock() + wait_seconds
    while True:
        try:
            platform.get_client(PROBE_CLIENT_ID)
        except PlatformRejected as exc:  # 404 (no such client) included: the key was accepted
            if exc.status in KEY_REFUSED_STATUSES:
                raise PlatformKeyRefused(platform.base_url, exc.status) from exc
            return True
        except PlatformUnavailable:
            if clock() >= deadline:
                return False
            sleep(RETRY_SECONDS)
        else:
            return True


# -- serving ---------------------------------------------------------------------------------

SdkApp = Sanic[Config, SimpleNamespace]  # rasa-sdk's app: Sanic's default config and context


def build_app(services: Services, token: str) -> SdkApp:
    """rasa-sdk's Sanic app (the routes of `python -m rasa_sdk`) serving our actions to Rasa
    only: every route but /health needs `Authorization: Bearer <token>`."""
    app: SdkApp = create_app_for_serve(build_executor(services), cors_origins=None)

    @app.on_request
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if matches(token, bearer_token(request.headers.get("authorization"))):
            return None
        return response.json({"error": {"code": "not_rasa", "message":
                                        "Only the assistant's Rasa server may call actions."}},
                             status=401)

    return app


def serve(settings: ActionServerSettings, services: Services) -> None:
    """Serve the actions on `settings.host:settings.port` in this process until stopped."""
    sdk_utils.update_sanic_log_level()
    app = build_app(services, settings.token)
    app.prepare(host=settings.host, port=settings.port, single_process=True, motd=False)
    logger.info("Action endpoint is up and running on http://%s:%s", settings.host, settings.port)
    Sanic.serve_single(primary=app)
