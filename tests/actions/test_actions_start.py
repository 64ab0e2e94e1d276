"""Starting the action server (`python -m actions`): settings read once, a refusal with one line
that names the fix on bad ones, one platform check at start, and the actions built with their
services (nothing read at import time)."""

from __future__ import annotations

import time

import pytest
import requests

from actions.common import AssistantAction, Services, UsesServices
from actions.server import (
    PROBE_CLIENT_ID,
    PlatformKeyRefused,
    action_classes,
    build_executor,
    check_platform,
)
from actions.settings import load_action_server_settings
from platform_api import PlatformClient, PlatformNotFound, PlatformRejected, PlatformUnavailable
from tests.helpers.action_server import (
    ACTION_SERVER_TOKEN,
    run_action_server,
    start_action_server,
)
from tests.helpers.processes import free_port
from tests.helpers.sandbox_fixtures import API_KEY

# -- refusing to start -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env, named",
    [
        ({"PLATFORM_API_KEY": "change-me"}, "PLATFORM_API_KEY"),
        ({"PLATFORM_API_KEY": ""}, "PLATFORM_API_KEY"),
        ({"ACTIONS_PORT": "abc"}, "ACTIONS_PORT"),
        ({"ACTIONS_PORT": "70000"}, "ACTIONS_PORT"),
        ({"PLATFORM_API_URL": "ftp://platform.example"}, "PLATFORM_API_URL"),
        ({"PLATFORM_READ_TIMEOUT": "soon"}, "PLATFORM_READ_TIMEOUT"),
        ({"PLATFORM_STARTUP_WAIT": "-1"}, "PLATFORM_STARTUP_WAIT"),
        ({"SUPPORT_OPEN_HOUR": "18"}, "SUPPORT_OPEN_HOUR"),
        ({"EMERGENCY_NUMBER": ""}, "EMERGENCY_NUMBER"),
        ({"ACTION_SERVER_TOKEN": ""}, "ACTION_SERVER_TOKEN"),
        ({"ACTION_SERVER_TOKEN": "change-me"}, "ACTION_SERVER_TOKEN"),
        ({"ACTION_SERVER_TOKEN": "thirty-one-characters-is-short"}, "ACTION_SERVER_TOKEN"),
    ],
)
def test_bad_settings_stop_the_start_with_one_line_that_names_the_fix(env, named):
    """Exit status 2 at once, before any serving, and a single line naming the variable."""
    ended = start_action_server({"PLATFORM_API_URL": "http://127.0.0.1:9", **env}, timeout=20)
    assert ended.returncode == 2, ended.output
    [line] = [line for line in ended.output.splitlines() if line.strip()]
    assert line.startswith("The action server can't start:") and named in line


def test_a_key_the_platform_refuses_stops_the_start(sandbox_url):
    """A live sandbox answers 401 to a wrong PLATFORM_API_KEY: exit 2, naming the key and URL."""
    ended = start_action_server({"PLATFORM_API_URL": sandbox_url,
                                 "PLATFORM_API_KEY": "not-the-sandbox-key"})
    assert ended.returncode == 2, ended.output
    assert "PLATFORM_API_KEY" in ended.output and sandbox_url in ended.output
    assert "401" in ended.output
    assert "not-the-sandbox-key" not in ended.output  # never the key itself


def test_a_platform_that_cannot_be_reached_is_waited_for_briefly_then_served():
    """Nothing on the platform's port: the server waits PLATFORM_STARTUP_WAIT, warns, serves."""
    closed = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with run_action_server({"PLATFORM_API_URL": closed, "PLATFORM_API_KEY": API_KEY,
                            "PLATFORM_STARTUP_WAIT": "2"}) as url:
        took = time.monotonic() - started
        assert requests.get(f"{url}/health", timeout=5).json() == {"status": "ok"}
    assert 2 <= took < 20


# -- the start-up check, in-process --------------------------------------------------------------


class FakePlatform:
    """Answers `get_client` from a script: an exception to raise, or a dict to return."""

    base_url = "http://platform.example"

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def get_client(self, client_id: str) -> dict[str, object]:
        self.asked.append(client_id)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, dict)
        return answer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _check(platform: FakePlatform, wait: float) -> tuple[bool, FakeClock]:
    clock = FakeClock()
    return check_platform(platform, wait, sleep=clock.sleep, clock=clock), clock  # type: ignore[arg-type]


def test_the_check_accepts_a_not_found_as_a_key_accepted():
    """The probe asks for a client that doesn't exist: 404 means the key was checked and fine."""
    platform = FakePlatform(PlatformNotFound(404, "client_not_found", "no such client"))
    assert _check(platform, 10)[0] is True and platform.asked == [PROBE_CLIENT_ID]


@pytest.mark.parametrize("status", [401, 403])
def test_the_check_raises_on_a_refused_key(status):
    platform = FakePlatform(PlatformRejected(status, "unauthorized", "wrong key"))
    with pytest.raises(PlatformKeyRefused, match="PLATFORM_API_KEY") as refused:
        _check(platform, 10)
    assert "http://platform.example" in str(refused.value) and str(status) in str(refused.value)


def test_the_check_waits_for_a_platform_that_starts_late():
    """Unreachable twice, then up: True, after two short waits."""
    down = PlatformUnavailable("GET: ConnectionError")
    platform = FakePlatform(down, down, {"id": "x"})
    answered, clock = _check(platform, 10)
    assert answered is True and len(platform.asked) == 3 and 0 < clock.now < 10


def test_the_check_gives_up_after_the_wait():
    """Never reachable: False once the wait is over (the server then starts anyway)."""
    platform = FakePlatform(PlatformUnavailable("GET: ConnectionError"))
    answered, clock = _check(platform, 3)
    assert answered is False and 3 <= clock.now < 4
    assert _check(FakePlatform(PlatformUnavailable("down")), 0)[0] is False


# -- the actions are built with their services ---------------------------------------------------


def test_every_action_is_built_with_the_services_given_at_start(domain):
    """One instance per action of domain.yml, each holding the settings and the one client."""
    settings = load_action_server_settings({"SUPPORT_EMAIL": "team@support.example",
                                            "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN})
    services = Services(support=settings.support,
                        platform=PlatformClient.from_settings(settings.platform))
    executor = build_executor(services)
    wanted = {a for a in domain["actions"] if a.startswith(("action_", "validate_"))}
    assert wanted <= set(executor.actions)
    for run in executor.actions.values():
        action = run.__self__
        assert isinstance(action, UsesServices) and action.services is services
    assert all(issubclass(cls, UsesServices) for cls in action_classes())


def test_an_action_cannot_be_made_without_its_services():
    """No hidden default: an action without Services is a TypeError, not a lazy global."""
    [handoff] = [cls for cls in action_classes() if cls.__name__ == "Handoff"]
    assert issubclass(handoff, AssistantAction)
    with pytest.raises(TypeError):
        handoff()  # type: ignore[call-arg]


def test_the_slots_the_actions_remember_things_in_do_not_steer_the_dialogue(domain):
    """handoff_reason and cancel_late_warned exist and never influence predictions."""
    for name in ("handoff_reason", "cancel_late_warned"):
        assert domain["slots"][name]["influence_conversation"] is False
