"""The production profile's settings and processes: RASA_URL as a list of replicas,
GATEWAY_REDIS_URL, PROD_POSTGRES_URL / PROD_REDIS_URL, and what `run --prod` starts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SettingsError, load_gateway_settings, load_production_settings
from bot.processes import (
    PRODUCTION_ENDPOINTS,
    Ports,
    SharedSecrets,
    production_health_urls,
    production_process_specs,
    production_stores,
)

SECRETS = {"RASA_TOKEN": "a-real-rasa-api-secret-0123456789abcdef",
           "RASA_WEBHOOK_SECRET": "a-real-webhook-secret-0123456789abcdef",
           "WIDGET_TOKEN_SECRET": "a-real-widget-secret-0123456789abcdef",
           "DEMO_AGENT_PASSWORD": "a-real-password"}


def test_rasa_url_may_list_replicas() -> None:
    settings = load_gateway_settings({**SECRETS,
                                      "RASA_URL": "http://rasa-0.rasa:5005/, http://rasa-1.rasa:5005"})
    assert settings.rasa_urls == ("http://rasa-0.rasa:5005", "http://rasa-1.rasa:5005")
    assert settings.rasa_url == "http://rasa-0.rasa:5005"
    one = load_gateway_settings(SECRETS)
    assert one.rasa_urls == ("http://127.0.0.1:5005",) and one.redis_url is None
    assert one.reuse_port is False


@pytest.mark.parametrize("env, named", [
    ({"RASA_URL": "http://rasa-0:5005,rasa-1:5005"}, "RASA_URL"),
    ({"GATEWAY_REDIS_URL": "127.0.0.1:6379"}, "GATEWAY_REDIS_URL"),
    ({"GATEWAY_REDIS_URL": "http://127.0.0.1:6379"}, "GATEWAY_REDIS_URL"),
])
def test_a_bad_scale_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_gateway_settings({**SECRETS, **env})


def test_production_settings_default_to_this_machine_and_refuse_other_databases() -> None:
    settings = load_production_settings({})
    assert settings.postgres_url.startswith("postgresql+psycopg://")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(SettingsError, match="PROD_POSTGRES_URL"):
        load_production_settings({"PROD_POSTGRES_URL": "sqlite:///var/x.db"})
    with pytest.raises(SettingsError, match="PROD_REDIS_URL"):
        load_production_settings({"PROD_REDIS_URL": "localhost"})
    assert "secret" not in repr(load_production_settings(
        {"PROD_POSTGRES_URL": "postgresql+psycopg://u:secret@h:5432/d"}))


def test_run_prod_starts_two_of_each_on_the_shared_stores() -> None:
    shared = SharedSecrets.generate()
    stores = production_stores("postgresql+psycopg://hub:pw-123@db:5433/hub",
                               "redis://:redis-pw@cache:6380/2")
    specs = production_process_specs(Ports(), Path("models/m.tar.gz"), shared, stores)
    names = [spec.name for spec in specs]
    assert names == ["sandbox", "actions-1", "rasa-1", "actions-2", "rasa-2", "gateway-1",
                     "gateway-2"]
    by_name = {spec.name: spec for spec in specs}
    for gateway in ("gateway-1", "gateway-2"):
        env = by_name[gateway].env
        assert env["RASA_URL"] == "http://127.0.0.1:5005,http://127.0.0.1:5006"
        assert env["GATEWAY_REDIS_URL"] == "redis://:redis-pw@cache:6380/2"
        assert env["GATEWAY_REUSE_PORT"] == "1" and env["GATEWAY_PORT"] == "8080"
        assert "search_path%3Dgateway" in env["GATEWAY_DATABASE_URL"] or \
            "search_path=gateway" in env["GATEWAY_DATABASE_URL"]
        # erasure reaches Rasa's trackers (README "Privacy")
        assert "rasa_tracker" in env["RASA_TRACKER_STORE_URL"]
    # each Rasa replica calls its own action server, and has every variable its endpoints need
    needed = set(re.findall(r"\$\{(\w+)\}", "\n".join(
        line for line in PRODUCTION_ENDPOINTS.read_text().splitlines()
        if not line.lstrip().startswith("#"))))
    for replica, port in (("1", 5055), ("2", 5056)):
        rasa = by_name[f"rasa-{replica}"]
        assert rasa.env["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{port}/webhook"
        assert needed <= set(rasa.env), needed - set(rasa.env)
        assert rasa.env["RASA_TRACKER_DB_PORT"] == "5433"
        assert rasa.env["RASA_LOCK_REDIS_DB"] == "2"
        assert f"--endpoints={PRODUCTION_ENDPOINTS}" in rasa.argv
        assert by_name[f"actions-{replica}"].env["ACTIONS_PORT"] == str(port)
    for spec in specs:  # secrets travel in the environment, never on a command line
        for secret in ("pw-123", "redis-pw", shared.rasa_token, shared.action_token):
            assert secret not in spec.command
    assert set(production_health_urls(Ports())) == {"sandbox", "gateway", "rasa-1", "rasa-2",
                                                     "actions-1", "actions-2"}
