"""The team's hours (settings and arithmetic), the settings checks of `bot.config` (the gateway's
and the local run's), the process specs built from them, and the real gateway refusing to start
on bad settings or a store it can't use."""
from __future__ import annotations

import io
import json
import logging
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from dotenv import dotenv_values

from bot.cli import child_environment, process_specs, shared_secrets
from bot.config import (
    Ports,
    SettingsError,
    load_gateway_settings,
    load_platform_settings,
    load_ports,
    load_run_settings,
    load_store_url,
    retired_settings,
    warn_retired_settings,
)
from bot.processes import (
    RASA,
    ROOT,
    VENV_PYTHON,
    SharedSecrets,
    actions_process,
    gateway_process,
    health_urls,
)
from bot.store.tokens import new_token
from envsettings.generated import new_secret
from envsettings.support_hours import SupportHours, describe, is_open
from rasa_addons.serve import rasa_argv
from scripts import init_env
from scripts.init_env import render
from tests.helpers.processes import free_port

SECRETS = {"RASA_TOKEN": "a-real-rasa-api-secret-0123456789abcdef",
           "RASA_WEBHOOK_SECRET": "a-real-webhook-secret-0123456789abcdef",
           "WIDGET_TOKEN_SECRET": "a-real-widget-secret-0123456789abcdef",
           "DEMO_AGENT_PASSWORD": "a-real-password"}
EXAMPLE = (ROOT / ".env.example").read_text()
SHARED = SharedSecrets(SECRETS["RASA_TOKEN"], SECRETS["RASA_WEBHOOK_SECRET"],
                       "a-real-action-token-0123456789abcdef")
WEEKDAYS_9_TO_17 = SupportHours(open_hour=9, close_hour=17, days=(0, 1, 2, 3, 4))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-03-02 is a Monday."""
    return datetime(2026, 3, 2 + day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("moment, open_", [
    (at(0, 9), True), (at(0, 16, 59), True), (at(0, 17), False), (at(0, 8, 59), False),
    (at(4, 12), True), (at(5, 12), False), (at(6, 12), False),
])
def test_the_team_is_open_on_weekdays_from_opening_until_closing(moment, open_):
    assert is_open(WEEKDAYS_9_TO_17, moment) is open_


def test_hours_are_compared_in_utc():
    """09:30 in Paris (UTC+1 in March) is 08:30 UTC: not open yet."""
    paris = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert is_open(WEEKDAYS_9_TO_17, paris) is False


def test_hours_are_described_for_people():
    assert describe(WEEKDAYS_9_TO_17) == "Monday to Friday, 09:00–17:00 (UTC)"
    assert describe(SupportHours(0, 24, tuple(range(7)))) == "every day, 00:00–24:00 (UTC)"
    assert describe(SupportHours(10, 14, (0, 2))) == "Monday, Wednesday, 10:00–14:00 (UTC)"
    assert describe(SupportHours(9, 17, ())) is None


def test_the_default_hours_are_weekdays_nine_to_five_utc():
    settings = load_gateway_settings(SECRETS)
    assert settings.support_hours == WEEKDAYS_9_TO_17


@pytest.mark.parametrize("env, names", [
    ({"SUPPORT_OPEN_HOUR": "17", "SUPPORT_CLOSE_HOUR": "9"}, "SUPPORT_OPEN_HOUR"),
    ({"SUPPORT_CLOSE_HOUR": "25"}, "SUPPORT_CLOSE_HOUR"),
    ({"SUPPORT_OPEN_HOUR": "nine"}, "SUPPORT_OPEN_HOUR"),
    ({"SUPPORT_DAYS": "mon,funday"}, "SUPPORT_DAYS"),
    ({"CONSOLE_SESSION_HOURS": "long"}, "CONSOLE_SESSION_HOURS"),
])
def test_bad_hours_stop_the_start_with_a_message_naming_the_setting(env, names):
    with pytest.raises(SettingsError, match=names):
        load_gateway_settings({**SECRETS, **env})


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_the_start(missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_gateway_settings(env)


# --- malformed values name the variable ---------------------------------------------------------

@pytest.mark.parametrize("env, name", [
    ({"RASA_URL": "127.0.0.1:5005"}, "RASA_URL"),
    ({"RASA_URL": "http://"}, "RASA_URL"),
    ({"GATEWAY_PUBLIC_URL": "gateway.example"}, "GATEWAY_PUBLIC_URL"),
    ({"GATEWAY_PUBLIC_URL": "https://gateway.example:port"}, "GATEWAY_PUBLIC_URL"),
    ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT"),
    ({"GATEWAY_PORT": "70000"}, "GATEWAY_PORT"),
    ({"GATEWAY_DATABASE_URL": "var/gateway.db"}, "GATEWAY_DATABASE_URL"),
    ({"GATEWAY_DATABASE_URL": "postgres://gw@db/gateway"}, "GATEWAY_DATABASE_URL"),
    ({"RASA_TRACKER_WAIT": "a while"}, "RASA_TRACKER_WAIT"),
    ({"RASA_TRACKER_WAIT": "-1"}, "RASA_TRACKER_WAIT"),
    ({"EMERGENCY_NUMBER": ""}, "EMERGENCY_NUMBER"),   # the gateway's own safety reply needs them
    ({"HELPLINES": "  "}, "HELPLINES"),
])
def test_a_malformed_value_stops_the_start_with_a_message_naming_it(env, name):
    with pytest.raises(SettingsError, match=name):
        load_gateway_settings({**SECRETS, **env})


def test_the_tracker_wait_defaults_to_ten_seconds_and_may_be_zero():
    """How long the gateway reads Rasa's tracker for a turn it stopped waiting for."""
    assert load_gateway_settings(SECRETS).rasa_tracker_wait == 10.0
    assert load_gateway_settings({**SECRETS, "RASA_TRACKER_WAIT": "0"}).rasa_tracker_wait == 0.0


def test_a_malformed_database_url_is_never_echoed():
    """It may hold a password."""
    with pytest.raises(SettingsError) as error:
        load_store_url({"GATEWAY_DATABASE_URL": "postgresql+psycopg://gw:hunter2-pw@db:port/x"})
    assert "hunter2-pw" not in str(error.value)
    assert "GATEWAY_DATABASE_URL" in str(error.value)


def test_the_store_url_needs_no_secret():
    assert load_store_url({}) == "sqlite:///var/gateway.db"
    url = "postgresql+psycopg://gw@127.0.0.1:5432/gateway"
    assert load_store_url({"GATEWAY_DATABASE_URL": url}) == url


def test_urls_lose_their_trailing_slash():
    settings = load_gateway_settings({**SECRETS, "RASA_URL": "http://rasa:5005/",
                                      "GATEWAY_PUBLIC_URL": "https://chat.example/"})
    assert (settings.rasa_url, settings.public_url) == ("http://rasa:5005",
                                                         "https://chat.example")


# --- the local run's settings (`python -m bot.cli`) ---------------------------------------------

def test_the_run_settings_default_to_the_local_ports_and_a_random_token():
    settings = load_run_settings({})
    assert settings.ports == Ports(rasa=5005, actions=5055, sandbox=8000, gateway=8080)
    assert settings.rasa_token is None  # `run` makes one per run
    assert settings.platform_api_url == "http://127.0.0.1:8000"


def test_the_platform_follows_the_sandbox_port_unless_set():
    assert load_run_settings({"SANDBOX_PORT": "9000"}).platform_api_url == "http://127.0.0.1:9000"
    settings = load_run_settings({"PLATFORM_API_URL": "https://platform.example/"})
    assert settings.platform_api_url == "https://platform.example"


@pytest.mark.parametrize("name", ["RASA_PORT", "ACTIONS_PORT", "SANDBOX_PORT", "GATEWAY_PORT"])
@pytest.mark.parametrize("value", ["abc", "0", "65536", "-1"])
def test_a_malformed_port_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_run_settings({name: value})
    with pytest.raises(SettingsError, match=name):
        load_ports({name: value})


@pytest.mark.parametrize("env, name", [
    ({"RASA_TOKEN": "change-me"}, "RASA_TOKEN"),
    ({"PLATFORM_API_URL": "platform.example"}, "PLATFORM_API_URL"),
])
def test_a_placeholder_token_or_a_malformed_platform_url_stops_the_run(env, name):
    with pytest.raises(SettingsError, match=name):
        load_run_settings(env)


def test_the_run_settings_never_show_the_token():
    settings = load_run_settings({"RASA_TOKEN": SECRETS["RASA_TOKEN"]})
    assert settings.rasa_token == SECRETS["RASA_TOKEN"]
    assert SECRETS["RASA_TOKEN"] not in repr(settings)


@pytest.mark.parametrize("command", [["run"], ["chat"]])
def test_the_cli_says_which_setting_is_wrong_without_a_traceback(command):
    result = subprocess.run(
        [str(VENV_PYTHON), "-m", "bot.cli", *command], cwd=ROOT, capture_output=True, text=True,
        env={**clean_environment(), "RASA_PORT": "five"}, stdin=subprocess.DEVNULL, timeout=60,
        check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"bot.cli {command[0]}: RASA_PORT must be a whole number, got 'five'."]


# --- the process specs are built from what they are given, not from the environment --------------

def test_the_action_server_runs_python_m_actions_on_its_port(monkeypatch):
    monkeypatch.setenv("PLATFORM_API_URL", "http://from-the-environment.example")
    spec = actions_process(Ports(actions=5999, sandbox=8999), SHARED)
    assert spec.argv == [str(VENV_PYTHON), "-m", "actions"]
    assert spec.env["ACTIONS_PORT"] == "5999"
    assert spec.env["PLATFORM_API_URL"] == "http://127.0.0.1:8999"
    given = actions_process(Ports(), SHARED, "https://platform.example")
    assert given.env["PLATFORM_API_URL"] == "https://platform.example"


def test_the_gateway_spec_carries_the_ports_token_and_platform(monkeypatch):
    monkeypatch.setenv("PLATFORM_API_URL", "http://from-the-environment.example")
    spec = gateway_process(Ports(rasa=5111, sandbox=8111, gateway=8222), SHARED)
    assert spec.argv == [str(VENV_PYTHON), "-m", "bot.gateway"]
    assert spec.env == {"GATEWAY_PORT": "8222", "RASA_URL": "http://127.0.0.1:5111",
                        "RASA_TOKEN": SHARED.rasa_token,
                        "RASA_WEBHOOK_SECRET": SHARED.webhook_secret,
                        "PLATFORM_API_URL": "http://127.0.0.1:8111"}


# --- SUPPORT_HOURS, retired ----------------------------------------------------------------------

def test_an_old_support_hours_is_ignored_with_a_warning_naming_what_replaces_it():
    [message] = retired_settings({"SUPPORT_HOURS": "Mon-Fri 9-5 GMT"})
    assert "SUPPORT_HOURS" in message and "ignored" in message
    for replacement in ("SUPPORT_OPEN_HOUR", "SUPPORT_CLOSE_HOUR", "SUPPORT_DAYS"):
        assert replacement in message
    assert "Monday to Friday, 09:00–17:00 (UTC)" in message
    assert retired_settings({}) == []
    # it changes nothing: the gateway still starts with the enforced hours
    settings = load_gateway_settings({**SECRETS, "SUPPORT_HOURS": "Mon-Fri 9-5 GMT"})
    assert settings.support_hours == WEEKDAYS_9_TO_17


def test_the_warning_is_one_log_line(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        warn_retired_settings({"SUPPORT_HOURS": "Mon-Fri 9-5", "SUPPORT_DAYS": ""})
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "never (SUPPORT_DAYS is empty)" in record.getMessage()
    assert "\n" not in record.getMessage()


def test_run_refuses_a_missing_gateway_secret_before_starting_anything():
    """Checked before Rasa spends half a minute loading its model. (The placeholder is set, not
    left out: the environment wins over a developer's .env, so this never starts anything.)"""
    result = subprocess.run(
        [str(VENV_PYTHON), "-m", "bot.cli", "run"], cwd=ROOT, capture_output=True, text=True,
        env={**clean_environment(), "RASA_TOKEN": SECRETS["RASA_TOKEN"],
             "WIDGET_TOKEN_SECRET": "change-me"},
        stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("bot.cli run: WIDGET_TOKEN_SECRET is not set")
    assert result.stdout == ""  # nothing started


def test_run_says_it_once_and_its_processes_do_not_repeat_it(monkeypatch):
    """`python -m bot.cli run` warns, then leaves the retired setting out of what its processes
    inherit, so `make run` shows the warning once."""
    monkeypatch.setenv("SUPPORT_HOURS", "Mon-Fri 9-5 GMT")
    inherited = child_environment({"RASA_TOKEN": "tok-123"})
    assert "SUPPORT_HOURS" not in inherited
    assert inherited["RASA_TOKEN"] == "tok-123"
    assert inherited["PATH"] == os.environ["PATH"]


# --- a fresh clone's .env ------------------------------------------------------------------------

def test_the_env_made_from_the_example_starts_everything_without_warnings():
    """scripts/init_env.py: .env.example with fresh secrets is a complete, current .env."""
    env = dotenv_values(stream=io.StringIO(render((ROOT / ".env.example").read_text())))
    values = {name: value or "" for name, value in env.items()}
    for name in ("RASA_TOKEN", "RASA_WEBHOOK_SECRET", "ACTION_SERVER_TOKEN",
                 "WIDGET_TOKEN_SECRET", "DEMO_AGENT_PASSWORD"):
        assert len(values[name]) >= 43
    load_gateway_settings(values)
    load_platform_settings(values)
    assert load_run_settings(values).rasa_token == values["RASA_TOKEN"]
    assert retired_settings(values) == []


def test_init_env_writes_a_private_env_once(tmp_path, monkeypatch, capsys):
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    monkeypatch.setattr(init_env, "ROOT", tmp_path)
    assert init_env.main() == 0
    written = (tmp_path / ".env").read_text()
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
    assert "Created .env" in capsys.readouterr().out
    assert init_env.main() == 0  # an existing .env is left alone
    assert (tmp_path / ".env").read_text() == written


# --- secrets that begin with a dash --------------------------------------------------------------

DASH_TOKEN = "-starts-with-a-dash_0123456789abcdef"


def test_generated_secrets_never_begin_with_a_dash():
    """One `token_urlsafe` in 64 begins with `-`; 2,000 draws of each generator (a fresh .env,
    `bot.cli run`'s token, conversation keys) would show one many times over."""
    rendered = [dotenv_values(stream=io.StringIO(render(EXAMPLE))) for _ in range(700)]
    values = [env[name] or "" for env in rendered
              for name in ("RASA_TOKEN", "WIDGET_TOKEN_SECRET", "DEMO_AGENT_PASSWORD")]
    values += [new_secret() for _ in range(2000)] + [new_token() for _ in range(2000)]
    assert [value for value in values if value.startswith("-")] == []
    assert min(len(value) for value in values) >= 32


def rasa_reads(argv: list[str]) -> dict[str, object]:
    """What Rasa's own command-line parser (in .venv-rasa) makes of `rasa <argv>`."""
    script = ("import json, sys\n"
              "from rasa.__main__ import create_argument_parser\n"
              "args = create_argument_parser().parse_args(sys.argv[1:])\n"
              "print(json.dumps({k: v for k, v in vars(args).items() if k != 'func'}, "
              "default=str))\n")
    result = subprocess.run([str(RASA.parent / "python"), "-c", script, *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rasa_reads_a_token_from_an_existing_env_that_begins_with_a_dash(tmp_path):
    """A .env made before the fix may hold such a token: `make run` hands it to Rasa whole (in
    its environment, never on its command line), and `rasa_addons.serve` gives it to Rasa's own
    parser as `--jwt-secret=<token>`, which reads it whole."""
    (tmp_path / ".env").write_text(f"RASA_TOKEN={DASH_TOKEN}\nRASA_PORT=5123\n")
    settings = load_run_settings(dotenv_values(tmp_path / ".env"))
    assert settings.rasa_token == DASH_TOKEN
    model = tmp_path / "model.tar.gz"
    [rasa] = [spec for spec in process_specs(settings, model, shared_secrets(settings))
              if spec.name == "rasa"]
    assert rasa.env["RASA_TOKEN"] == DASH_TOKEN and DASH_TOKEN not in " ".join(rasa.argv)
    run_args = rasa.argv[rasa.argv.index("rasa_addons.serve") + 1:]
    read = rasa_reads(rasa_argv(run_args, DASH_TOKEN)[1:])
    assert read["jwt_secret"] == DASH_TOKEN
    assert (read["port"], read["interface"], read["enable_api"]) == (5123, "127.0.0.1", True)
    assert read["model"] == str(model)
    assert (read["credentials"], read["endpoints"]) == ("credentials.yml",
                                                        str(ROOT / "endpoints.yml"))


def test_the_rasa_health_url_carries_no_token():
    """Rasa's health is read from its REST channel's open `GET`: no secret in any URL."""
    assert health_urls(Ports(rasa=5123))["rasa"] == "http://127.0.0.1:5123/webhooks/rest/"


# --- the real gateway process refuses to start, saying why in one line --------------------------

def clean_environment() -> dict[str, str]:
    """This process's environment without any of the assistant's settings."""
    ours = ("GATEWAY_", "RASA_", "WIDGET_", "DEMO_AGENT_", "SUPPORT_", "PLATFORM_", "SANDBOX_",
            "ACTIONS_", "ACTION_", "CONSOLE_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


def start_gateway(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot.gateway` (the spec `make run` uses) with good secrets, a fresh SQLite store
    and free ports, plus `settings`; waits for it to stop (a good one would serve: 20 s cap)."""
    spec = gateway_process(Ports(rasa=free_port(), sandbox=free_port(), gateway=free_port()),
                           SHARED)
    env = {**clean_environment(), **spec.env, **SECRETS,
           "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}", **settings}
    return subprocess.run(spec.argv, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=20, check=False)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start printed last (exit code 2, no traceback); log lines of what
    went well may come before it."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("gateway: ")] == lines[-1:], result.stderr
    return lines[-1]


def test_the_gateway_refuses_a_missing_secret(tmp_path):
    line = refused(start_gateway(tmp_path, WIDGET_TOKEN_SECRET="change-me"))
    assert "WIDGET_TOKEN_SECRET is not set (or still a placeholder)" in line
    assert ".env.example" in line


@pytest.mark.parametrize("name, value", [
    ("RASA_URL", "localhost:5005"),
    ("GATEWAY_PUBLIC_URL", "chat.example"),
    ("GATEWAY_DATABASE_URL", "postgresql+psycopg://gw:hunter2-pw@db:nope/gateway"),
])
def test_the_gateway_refuses_a_malformed_url(tmp_path, name, value):
    line = refused(start_gateway(tmp_path, **{name: value}))
    assert name in line
    assert "hunter2-pw" not in line


def test_the_gateway_refuses_a_store_it_cannot_reach_without_showing_its_password(tmp_path):
    url = f"postgresql+psycopg://gw:hunter2-pw@127.0.0.1:{free_port()}/gateway"
    line = refused(start_gateway(tmp_path, GATEWAY_DATABASE_URL=url))
    assert "can't be reached" in line
    assert "GATEWAY_DATABASE_URL" in line
    assert "gw:***@127.0.0.1" in line
    assert "hunter2-pw" not in line


def test_the_gateway_refuses_a_store_it_cannot_open(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'a-file' / 'gateway.db'}"
    line = refused(start_gateway(tmp_path, GATEWAY_DATABASE_URL=url))
    assert "can't be opened" in line
    assert "GATEWAY_DATABASE_URL" in line


def test_the_gateway_refuses_a_store_from_an_unknown_schema_revision(tmp_path):
    database = tmp_path / "newer.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    line = refused(start_gateway(tmp_path, GATEWAY_DATABASE_URL=f"sqlite:///{database}"))
    assert "can't be migrated" in line
    assert "9999_from_the_future" in line
    assert "GATEWAY_DATABASE_URL" in line


def test_the_gateway_starts_with_an_old_support_hours_and_says_so_once(tmp_path):
    spec = gateway_process(Ports(rasa=free_port(), sandbox=free_port(), gateway=free_port()),
                           SHARED)
    env = {**clean_environment(), **spec.env, **SECRETS, "SUPPORT_HOURS": "Mon-Fri 9-5 GMT",
           "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}"}
    process = subprocess.Popen(spec.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        health = f"http://127.0.0.1:{spec.env['GATEWAY_PORT']}/health"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if requests.get(health, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the gateway did not start in 30 s"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    warnings = [line for line in output.splitlines() if "SUPPORT_HOURS" in line]
    assert len(warnings) == 1, output
    assert "WARNING bot.config: SUPPORT_HOURS is no longer used and is ignored" in warnings[0]


# --- secrets long enough, limits and lifetimes that make sense ------------------------------------

@pytest.mark.parametrize("name, short", [
    ("WIDGET_TOKEN_SECRET", "x" * 31), ("RASA_WEBHOOK_SECRET", "x" * 31),
    ("RASA_TOKEN", "x" * 31), ("DEMO_AGENT_PASSWORD", "x" * 11),
])
def test_a_secret_too_short_stops_the_start_with_a_sentence_naming_the_fix(name, short):
    with pytest.raises(SettingsError) as error:
        load_gateway_settings({**SECRETS, name: short})
    message = str(error.value)
    assert message.startswith(f"{name} is too short")
    assert "secrets.token_urlsafe" in message and ".env.example" in message
    assert short not in message


@pytest.mark.parametrize("name", ["RASA_TOKEN", "RASA_WEBHOOK_SECRET", "ACTION_SERVER_TOKEN"])
def test_a_short_shared_secret_stops_the_run(name):
    with pytest.raises(SettingsError, match=f"{name} is too short"):
        load_run_settings({name: "only-twenty-characters"})


@pytest.mark.parametrize("env, name", [
    ({"WIDGET_KEY_IDLE_HOURS": "0"}, "WIDGET_KEY_IDLE_HOURS"),
    ({"WIDGET_KEY_IDLE_HOURS": "-24"}, "WIDGET_KEY_IDLE_HOURS"),
    ({"WIDGET_KEY_IDLE_HOURS": "a day"}, "WIDGET_KEY_IDLE_HOURS"),
    ({"WIDGET_KEY_IDLE_HOURS": "inf"}, "WIDGET_KEY_IDLE_HOURS"),
    ({"CONSOLE_SESSION_HOURS": "0"}, "CONSOLE_SESSION_HOURS"),
    ({"WIDGET_LIMIT_PER_IP": "0"}, "WIDGET_LIMIT_PER_IP"),
    ({"WIDGET_LIMIT_PER_IP": "sixty"}, "WIDGET_LIMIT_PER_IP"),
    ({"WIDGET_LIMIT_PER_CONVERSATION": "-1"}, "WIDGET_LIMIT_PER_CONVERSATION"),
])
def test_a_lifetime_or_limit_that_makes_no_sense_stops_the_start(env, name):
    with pytest.raises(SettingsError, match=name):
        load_gateway_settings({**SECRETS, **env})


def test_the_defaults_expire_keys_after_a_day_and_limit_the_widget():
    settings = load_gateway_settings(SECRETS)
    assert settings.widget_key_idle_hours == 24
    assert (settings.widget_limit_per_ip, settings.widget_limit_per_conversation) == (60, 20)
    assert settings.trusted_proxies == "127.0.0.1"
    assert SECRETS["RASA_WEBHOOK_SECRET"] not in repr(settings)


def test_the_gateway_process_refuses_a_short_secret(tmp_path):
    line = refused(start_gateway(tmp_path, WIDGET_TOKEN_SECRET="too-short-a-secret"))
    assert "WIDGET_TOKEN_SECRET is too short (18 characters; at least 32" in line
    assert "too-short-a-secret" not in line


def test_init_env_creates_env_private_from_its_first_byte(tmp_path, monkeypatch):
    """Created with mode 0600 (never readable by others, even for a moment, whatever the umask),
    and never over a file that appeared meanwhile."""
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    monkeypatch.setattr(init_env, "ROOT", tmp_path)
    created: list[tuple[str, int, int]] = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith(".env"):
            created.append((str(path), flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    old_umask = os.umask(0)
    try:
        assert init_env.main() == 0
    finally:
        os.umask(old_umask)
    [(path, flags, mode)] = created
    assert path == str(tmp_path / ".env")
    assert flags & os.O_CREAT and flags & os.O_EXCL and mode == 0o600
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
