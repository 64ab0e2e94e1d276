"""Who to call in an emergency: what the safety reply tells someone at risk, from both the gateway
(its own safety reply) and the action server (`action_safety_reply`), read the same way by both.

    contacts = load_safety_contacts(env)   # EMERGENCY_NUMBER, HELPLINES
"""
from __future__ import annotations

from dataclasses import dataclass

from envsettings import Env, SettingsError, text

DEFAULT_EMERGENCY_NUMBER = "112"
DEFAULT_HELPLINES = "Red Cross helpline 1717 (Iceland); Samaritans 116 123 (UK)"


@dataclass(frozen=True)
class SafetyContacts:
    emergency_number: str
    helplines: str


def load_safety_contacts(env: Env) -> SafetyContacts:
    """EMERGENCY_NUMBER and HELPLINES; neither may be empty (a safety reply needs both)."""
    contacts = SafetyContacts(
        emergency_number=text(env, "EMERGENCY_NUMBER", DEFAULT_EMERGENCY_NUMBER),
        helplines=text(env, "HELPLINES", DEFAULT_HELPLINES))
    for name, value in (("EMERGENCY_NUMBER", contacts.emergency_number),
                        ("HELPLINES", contacts.helplines)):
        if not value:
            raise SettingsError(f"{name} is empty: the safety reply needs it. Set it (or remove it "
                                "for the default) in your environment or .env; see .env.example.")
    return contacts
