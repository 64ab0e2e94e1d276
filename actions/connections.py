"""The client's connections (professionals they have booked before), each with a Book button."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.common import (
    BOOK_BUTTON,
    AssistantAction,
    account_action,
    button,
    record_activity,
    verified_client_id,
)


def services_phrase(professional: dict[str, Any]) -> str:
    return "; ".join(
        f"{s['name']}, {fmt.duration(s.get('duration_minutes'))}, {fmt.money(s.get('price'))}"
        for s in professional.get("services", []))


class ListConnections(AssistantAction):
    """Who the client has booked before, their services and prices; else where to find someone."""

    def name(self) -> str:
        return "action_list_connections"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        client_id = verified_client_id(tracker)
        connections = self.platform.get_connections(client_id)
        record_activity(dispatcher, tracker, "Showed connections: " + (
            ", ".join(str(p.get("name")) for p in connections) or "none"))
        if not connections:
            hub = self.platform.get_client(client_id).get("hub") or {}
            dispatcher.utter_message(
                text=("You have no connections yet: a professional becomes one once you've booked "
                      f"with them. To find someone, open your hub, {hub.get('name', 'your hub')}: "
                      f"{hub.get('url', '')} (on your dashboard it's \"Go to Hub\" under \"My "
                      "Wellbeing Hub\", at the bottom). I can also book a session for you here."),
                buttons=[BOOK_BUTTON])
            return []
        lines = [f"{p['name']}, {fmt.in_sentence(p.get('title'))}: {services_phrase(p)}"
                 for p in connections]
        buttons = [button(f"Book with {fmt.first_name(p['name'])}", "book_session",
                          booking_professional_id=p["id"]) for p in connections]
        dispatcher.utter_message(text="Your connections:\n" + fmt.bullet_list(lines),
                                 buttons=buttons)
        return []
