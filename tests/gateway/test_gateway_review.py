"""The review queue over HTTP: what the assistant missed lands there scrubbed and once, a lead
labels it, and the export writes Rasa training data (bot/core/review_queue.py,
bot/core/review_desk.py, bot/gateway/review_api.py). Rasa is the recording fake: it answers a
miss as the actions do, with a `{"review": ...}` custom payload."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from bot.core.texts import FEEDBACK_QUESTION
from tests.gateway.conftest import asks_for_a_person
from tests.helpers.fake_rasa import FakeRasa, intent
from tests.helpers.gateway import Console, Gateway
from tests.helpers.gateway_store import add_agent, make_lead

LEAD_EMAIL, LEAD_PASSWORD = "lead@support.example", "lead-password-0123456"
CARD = "4111 1111 1111 1111"


def missed(rasa: FakeRasa, text: str, source: str = "fallback") -> None:
    rasa.replies[text] = [{"text": "Sorry, I didn't quite get that.",
                           "buttons": [{"title": "Credits", "payload": "/ask_credits"}]},
                          {"custom": {"review": source}}]


@pytest.fixture(scope="module")
def lead(gateway: Gateway) -> Console:
    add_agent(gateway.database_url, LEAD_EMAIL, LEAD_PASSWORD, "Lee")
    make_lead(gateway.database_url, LEAD_EMAIL)
    return gateway.console(LEAD_EMAIL, LEAD_PASSWORD).login()


def open_items(lead: Console) -> list[dict]:
    response = lead.get("/review/items")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def wait_for_item(lead: Console, containing: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in open_items(lead):
            if containing.lower() in item["text"].lower():
                return item
        time.sleep(0.2)
    raise AssertionError(f"no review item with {containing!r}: {open_items(lead)}")


def export_folder(gateway: Gateway) -> Path:
    return Path(gateway.database_url.removeprefix("sqlite:///")).parent / "reviewed"


def test_only_a_lead_sees_the_review_queue(gateway, lead):
    """A plain agent gets 403 `leads_only` on every review route; the lead gets the list."""
    agent = gateway.console().login()
    for path in ("/review/items", "/review/labels"):
        response = agent.get(path)
        assert response.status_code == 403 and response.json()["error"]["code"] == "leads_only"
    assert agent.post("/review/export").status_code == 403
    assert gateway.console().get("/review/items").status_code == 401  # not logged in
    assert lead.get("/review/items").status_code == 200


def test_a_miss_lands_in_the_queue_scrubbed_of_card_numbers_and_email_addresses(gateway,
                                                                                fake_rasa, lead):
    """The fallback's message is in the list; the card number and the address never are. (Rasa
    is sent `/card_number_shared` for a message with a card number; here it misses that too.)"""
    text = f"my card {CARD} and anna@example.com pls fix blorp"
    missed(fake_rasa, "/card_number_shared")
    widget = gateway.widget(client_id="c-anna")
    sent = widget.say(text)
    widget.wait_for_reply(after=sent["seq"])
    item = wait_for_item(lead, "blorp")
    assert "4111" not in item["text"] and "anna@example.com" not in item["text"]
    assert "[card number removed]" in item["text"]
    assert "[e-mail address removed]" in item["text"]
    assert item["source"] == "fallback" and item["source_text"] == "not understood"


def test_the_same_message_twice_is_one_item_counted_twice(gateway, fake_rasa, lead):
    """Case and spaces aside, a repeated miss is deduplicated; an out-of-scope answer counts."""
    missed(fake_rasa, "zorbly credits thing", "out_of_scope")
    missed(fake_rasa, "Zorbly   CREDITS thing", "out_of_scope")
    for text in ("zorbly credits thing", "Zorbly   CREDITS thing"):
        widget = gateway.widget(client_id="c-ben")
        widget.wait_for_reply(after=widget.say(text)["seq"])
    time.sleep(0.5)
    found = [i for i in open_items(lead) if "zorbly" in i["text"].lower()]
    assert len(found) == 1 and found[0]["seen"] == 2 and found[0]["source"] == "out_of_scope"


def test_a_conversation_handed_over_as_not_understood_lands_in_the_queue(gateway, fake_rasa,
                                                                           lead):
    """The message whose turn handed over with reason not_understood is reviewed."""
    fake_rasa.replies["grumble frobnicate"] = [
        {"text": "Sorry, I still didn't get that. I'm passing you to a person."},
        {"custom": {"handoff": {"reason": "not_understood", "priority": "normal"}}}]
    asks_for_a_person(fake_rasa)
    widget = gateway.widget(client_id="c-chloe")
    widget.wait_for_reply(after=widget.say("grumble frobnicate")["seq"])
    assert wait_for_item(lead, "frobnicate")["source"] == "not_understood"


def test_a_button_press_or_an_understood_message_is_not_reviewed(gateway, fake_rasa, lead):
    """Only misses: an answer without the review mark leaves nothing in the queue."""
    widget = gateway.widget(client_id="c-dan")
    widget.wait_for_reply(after=widget.say("plain echo message xyzzy")["seq"])
    widget.wait_for_reply(after=widget.press("/ask_credits", "Credits")["seq"])
    time.sleep(0.5)
    assert not [i for i in open_items(lead) if "xyzzy" in i["text"]]


def test_labels_are_the_intents_and_help_topics(lead):
    listed = lead.get("/review/labels").json()["labels"]
    labels = {(label["name"], label["kind"]) for label in listed}
    assert ("ask_credits", "intent") in labels and ("faq/receipts", "help topic") in labels
    assert not {name for name, _ in labels} & {"nlu_fallback", "card_number_shared", "faq"}


def test_a_decision_needs_a_known_label_and_a_known_item(gateway, fake_rasa, lead):
    missed(fake_rasa, "quibble wibble")
    widget = gateway.widget(client_id="c-anna")
    widget.wait_for_reply(after=widget.say("quibble wibble")["seq"])
    item = wait_for_item(lead, "quibble")
    bad = lead.post(f"/review/items/{item['id']}", {"decision": "label", "label": "no_such"})
    assert bad.status_code == 422
    assert lead.post("/review/items/999999", {"decision": "skip"}).status_code == 404
    assert lead.http.post(f"{lead.url}/console/api/review/items/{item['id']}",
                          json={"decision": "skip"},
                          headers={"X-Requested-With": ""}).status_code == 403  # CSRF guard
    skipped = lead.post(f"/review/items/{item['id']}", {"decision": "skip"})
    assert skipped.status_code == 200 and skipped.json()["item"]["status"] == "skipped"
    assert not [i for i in open_items(lead) if "quibble" in i["text"]]


def test_the_export_writes_one_rasa_nlu_file_per_batch_without_known_examples(gateway,
                                                                              fake_rasa, lead):
    """Labelled and out-of-scope items become examples of their intents in Rasa's format; an
    example already in data/nlu or in the held-out tests/nlu is left out; skipped ones never go;
    a second export with nothing new writes no file."""
    texts = {"how many sessoins do i have left on my plan thingy": ("label", "ask_credits"),
             "what's the weather like today": ("out_of_scope", None),  # in data/nlu already
             "hi assistant": ("label", "greet"),  # held out in tests/nlu/holdout.yml
             "is the moon made of cheese really": ("out_of_scope", None)}
    for text in texts:
        missed(fake_rasa, text)
        widget = gateway.widget(client_id="c-anna")
        widget.wait_for_reply(after=widget.say(text)["seq"])
    for text, (decision, label) in texts.items():
        item = wait_for_item(lead, text)
        response = lead.post(f"/review/items/{item['id']}", {"decision": decision,
                                                             "label": label})
        assert response.status_code == 200, response.text
    result = lead.post("/review/export").json()
    assert result["written"] == 2 and result["already_known"] == 2
    path = Path(result["file"])
    assert path.parent == export_folder(gateway) and path.name == f"review_{result['batch']}.yml"
    data = yaml.safe_load(path.read_text())
    assert data["version"] == "3.1"
    examples = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert examples == {"ask_credits": "- how many sessoins do i have left on my plan thingy\n",
                        "out_of_scope": "- is the moon made of cheese really\n"}
    again = lead.post("/review/export").json()
    assert again["file"] is None and again["written"] == 0
    assert len(list(export_folder(gateway).glob("review_*.yml"))) == 1


def test_i_need_more_help_sends_the_question_it_did_not_answer_to_review(gateway, fake_rasa,
                                                                          lead):
    """The feedback button "I need more help" (bot/core/feedback.py) reviews the client's last
    typed question, scrubbed, with the source in words."""
    fake_rasa.understood["where do I see my quux balance"] = intent("ask_credits")
    fake_rasa.replies["where do I see my quux balance"] = [{"text": "You have 4 of 6 left."}]
    widget = gateway.widget(client_id="c-anna")
    widget.say("where do I see my quux balance")
    question = widget.wait_for(lambda m: m["sender"] == "bot" and m["text"] == FEEDBACK_QUESTION)
    more = question["buttons"][1]
    widget.press(more["payload"], more["title"])
    item = wait_for_item(lead, "quux balance")
    assert item["source"] == "more_help" and item["source_text"] == '"I need more help"'


def test_i_need_more_help_reviews_the_question_that_answer_was_for(gateway, fake_rasa, lead):
    """Pressed under an answer to a button press, nothing typed is reviewed (not an older
    question); pressed under the answer to a typed question, that question is."""
    for said in ("where is my zibble receipt", "/ask_credits"):
        fake_rasa.understood[said] = intent("ask_credits")
        fake_rasa.replies[said] = [{"text": f"Answer to {said}."}]
    widget = gateway.widget(client_id="c-ben")
    widget.say("where is my zibble receipt")
    first = widget.wait_for(lambda m: m["sender"] == "bot" and m["text"] == FEEDBACK_QUESTION)
    widget.press("/ask_credits", "Credits")
    second = widget.wait_for(lambda m: m["sender"] == "bot" and m["text"] == FEEDBACK_QUESTION,
                             first["seq"])
    more = second["buttons"][1]
    widget.press(more["payload"], more["title"])
    widget.wait_for_reply(second["seq"], containing="didn't answer it")
    time.sleep(0.5)
    assert not [i for i in open_items(lead) if "zibble" in i["text"]]
    more = first["buttons"][1]
    widget.press(more["payload"], more["title"])
    assert wait_for_item(lead, "zibble receipt")["source"] == "more_help"
