"""Seeding the demo agents at each start (bot/gateway/auth.py `seed_agent`) keeps a role given by
hand, and the demo lead exists only with its own password (DEMO_LEAD_PASSWORD)."""
from __future__ import annotations

import pytest

from bot.config import load_gateway_settings
from bot.gateway.auth import seed_agent
from bot.store.agents import find_agent_by_email, set_role
from bot.store.db import Database
from bot.store.models import ROLE_AGENT, ROLE_LEAD
from envsettings import SettingsError

EMAIL, PASSWORD = "agent@support.example", "a-long-demo-password"


def role_after_restart(db: Database, password: str = PASSWORD) -> str:
    db.run_sync(lambda session: seed_agent(session, EMAIL, "Sam", password))
    return db.run_sync(lambda session: find_agent_by_email(session, EMAIL).role)


def test_a_role_given_by_hand_survives_the_next_start(db):
    assert role_after_restart(db) == ROLE_AGENT
    db.run_sync(lambda session: set_role(session, EMAIL, ROLE_LEAD))
    assert role_after_restart(db) == ROLE_LEAD
    assert role_after_restart(db, "another-long-password") == ROLE_LEAD  # a new password too


def test_the_demo_lead_needs_its_own_password():
    base = {"RASA_TOKEN": "r" * 32, "WIDGET_TOKEN_SECRET": "w" * 32,
            "RASA_WEBHOOK_SECRET": "h" * 32, "DEMO_AGENT_PASSWORD": PASSWORD}
    assert load_gateway_settings(base).demo_lead_password is None
    with_lead = load_gateway_settings({**base, "DEMO_LEAD_PASSWORD": "lead-password-12345"})
    assert with_lead.demo_lead_password == "lead-password-12345"
    with pytest.raises(SettingsError, match="DEMO_LEAD_PASSWORD"):
        load_gateway_settings({**base, "DEMO_LEAD_PASSWORD": "short"})
