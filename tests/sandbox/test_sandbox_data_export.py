"""`POST /api/v1/clients/{id}/data-export`: the platform e-mails a client the copy of their
conversations the support assistant made, to their own address, both files attached."""
from __future__ import annotations

import requests

EXPORT = {"json_export": '{"conversations": []}', "text_export": "Conversation 1 ...",
          "conversations": 1}


def test_the_export_is_e_mailed_to_the_client_with_both_files(api):
    response = api.post("/api/v1/clients/c-anna/data-export", json=EXPORT)
    assert response.status_code == 200, response.text
    assert response.json() == {"sent_to": "anna@northwind.example"}
    [email] = api.outbox("anna@northwind.example")
    assert email["subject"] == "Your conversations with the Wellbeing Hub assistant"
    assert "1 conversation with" in email["body"] and "Internal notes" in email["body"]
    assert email["attachments"] == [
        {"filename": "conversations.json", "content_type": "application/json",
         "content": EXPORT["json_export"]},
        {"filename": "conversations.txt", "content_type": "text/plain",
         "content": EXPORT["text_export"]}]
    page = requests.get(f"{api.base_url}/outbox", timeout=10).text
    assert "Attached: conversations.json" in page and "Conversation 1 ..." in page


def test_an_unknown_client_or_a_malformed_body_is_refused(api):
    assert api.post("/api/v1/clients/c-nobody/data-export", json=EXPORT).status_code == 404
    extra = api.post("/api/v1/clients/c-anna/data-export", json={**EXPORT, "to": "x@y.example"})
    assert extra.status_code == 422  # never another address
    assert api.post("/api/v1/clients/c-anna/data-export", json={}).status_code == 422
    assert api.outbox("anna@northwind.example") == []
    unkeyed = requests.post(f"{api.base_url}/api/v1/clients/c-anna/data-export", json=EXPORT,
                            timeout=10)
    assert unkeyed.status_code == 401
