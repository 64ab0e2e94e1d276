"""Bad and hostile input gets a clear 4xx (never a 500), and what is stored is only text."""
from __future__ import annotations

import json
import threading

import pytest
import requests

from tests.helpers.gateway import new_client_message_id


def error_of(response: requests.Response) -> dict:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()["error"]


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ('{"text": "hi"', "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"just a string"', "application/json"),
    ("", "application/json"),
    ('{"text": "hi"}', "text/plain"),
])
def test_malformed_bodies_get_422_with_a_readable_message(gateway, body, content_type):
    """Not JSON, not an object, no body, wrong content type."""
    widget = gateway.widget()
    response = widget.http.post(f"{gateway.url}/widget/api/messages", data=body.encode(),
                                headers={"Content-Type": content_type}, timeout=10)
    assert response.status_code == 422, response.text
    assert error_of(response)["code"] == "invalid_request"


@pytest.mark.parametrize("body", [
    {"text": 42}, {"text": ["a"]}, {"text": None}, {"payload": {"x": 1}}, {"text": True},
    {"text": "hi", "payload": "/greet"}, {}, {"text": "hi", "client_message_id": "no spaces!"},
])
def test_wrong_types_and_shapes_get_422(gateway, body):
    widget = gateway.widget()
    response = widget.post(body)
    assert response.status_code == 422, response.text
    assert error_of(response)["message"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_message_is_refused(gateway, text):
    response = gateway.widget().post({"text": text})
    assert response.status_code == 422 and error_of(response)["code"] == "empty_message"


def test_a_message_over_10000_characters_gets_413_and_is_not_stored(gateway):
    widget = gateway.widget()
    response = widget.post({"text": "a" * 10_001})
    assert response.status_code == 413
    assert error_of(response)["code"] == "message_too_long"
    assert "10,000" in error_of(response)["message"]
    assert widget.history() == []


def test_a_message_of_exactly_10000_emoji_is_accepted_whole(gateway):
    """10,000 characters of 4-byte emoji, JSON-escaped: stored and given back unchanged."""
    widget = gateway.widget()
    text = "😀" * 10_000
    body = json.dumps({"text": text})  # ASCII-escaped: 12 bytes per emoji
    response = widget.http.post(f"{gateway.url}/widget/api/messages", data=body,
                                headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 202, response.text
    assert widget.history()[0]["text"] == text


def test_a_huge_body_is_refused_before_it_is_parsed(gateway):
    response = gateway.widget().post({"text": "x" * 2_000_000})
    assert response.status_code == 413 and error_of(response)["code"] == "request_too_large"


def test_emoji_only_is_an_ordinary_message(gateway, fake_rasa):
    widget = gateway.widget()
    sent = widget.say("🙂🙂🙂")
    assert widget.wait_for_reply(sent["seq"])["text"] == "echo: 🙂🙂🙂"


def test_html_and_script_are_stored_as_plain_text(gateway, fake_rasa):
    """Never changed, never turned into HTML: JSON out, the widget renders text."""
    widget = gateway.widget()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    sent = widget.say(hostile)
    assert sent["text"] == hostile
    response = widget.http.get(f"{gateway.url}/widget/api/messages", timeout=10)
    assert response.headers["content-type"] == "application/json"
    assert response.json()["messages"][0]["text"] == hostile


def test_control_characters_and_broken_unicode_are_cleaned_not_fatal(gateway):
    """NUL bytes and lone surrogates would break PostgreSQL or UTF-8: dropped or replaced."""
    widget = gateway.widget()
    body = '{"text": "a\\u0000b\\ud800c\\u0007d"}'
    response = widget.http.post(f"{gateway.url}/widget/api/messages", data=body,
                                headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 202, response.text
    assert response.json()["message"]["text"] == "ab\ufffdcd"


def test_a_double_submit_is_stored_once(gateway, fake_rasa):
    """The same client_message_id twice: one message, one call to Rasa, the same answer."""
    widget = gateway.widget()
    message_id = new_client_message_id()
    first = widget.say("book me in", client_message_id=message_id)
    second = widget.say("book me in", client_message_id=message_id)
    assert first == second and first["client_message_id"] == message_id
    widget.wait_for_reply(first["seq"])
    assert [m["text"] for m in widget.history()].count("book me in") == 1
    assert fake_rasa.messages_of(widget.id) == ["book me in"]


def test_rapid_parallel_double_submits_are_stored_once(gateway, fake_rasa):
    """Five submits of one message at the same moment: one stored."""
    widget = gateway.widget()
    message_id = new_client_message_id()
    results: list[requests.Response] = []

    def submit() -> None:
        results.append(requests.post(f"{gateway.url}/widget/api/messages",
                                     json={"text": "same", "client_message_id": message_id},
                                     headers={"Authorization": f"Bearer {widget.key}"},
                                     timeout=10))

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} == {202}
    assert len({r.json()["message"]["id"] for r in results}) == 1
    widget.wait_for_reply(results[0].json()["message"]["seq"])
    assert fake_rasa.messages_of(widget.id) == ["same"]


def test_rapid_different_messages_are_answered_in_order(gateway, fake_rasa):
    """Turns of one conversation run one at a time, in the order sent."""
    widget = gateway.widget()
    for n in range(5):
        widget.say(f"message {n}")
    widget.wait_for_reply(0, containing="echo: message 4")
    assert fake_rasa.messages_of(widget.id) == [f"message {n}" for n in range(5)]


@pytest.mark.parametrize("headers, code", [
    ({}, "missing_conversation_key"),
    ({"Authorization": "Bearer "}, "missing_conversation_key"),
    ({"Authorization": "Basic abc"}, "missing_conversation_key"),
    ({"Authorization": "Bearer not-a-real-key"}, "invalid_conversation_key"),
    ({"Authorization": "Bearer " + "é" * 50}, "invalid_conversation_key"),
])
def test_a_missing_or_wrong_conversation_key_gets_401(gateway, headers, code):
    for method, body in (("GET", None), ("POST", {"text": "hi"})):
        response = requests.request(method, f"{gateway.url}/widget/api/messages", json=body,
                                    headers=headers, timeout=10)
        assert response.status_code == 401, response.text
        assert error_of(response)["code"] == code


def test_one_conversations_key_does_not_open_another(gateway):
    """The key authenticates its own conversation only."""
    mine, theirs = gateway.widget("c-anna"), gateway.widget("c-ben")
    theirs.say("private")
    assert all(m["text"] != "private" for m in mine.history())


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "after=99999999999999"])
def test_a_bad_after_gets_422(gateway, query):
    widget = gateway.widget()
    response = widget.http.get(f"{gateway.url}/widget/api/messages?{query}", timeout=10)
    assert response.status_code == 422


def test_unknown_paths_and_methods_are_json_errors(gateway):
    assert error_of(requests.get(f"{gateway.url}/nope", timeout=10))["code"] == "not_found"
    response = requests.delete(f"{gateway.url}/widget/api/messages", timeout=10)
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_the_widget_api_allows_the_dashboard_origin_only(gateway):
    """CORS for the configured origins; none for others; none on the console API."""
    allowed = requests.options(f"{gateway.url}/widget/api/conversations", timeout=10, headers={
        "Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    other = requests.post(f"{gateway.url}/widget/api/conversations", json={}, timeout=10,
                          headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    console = requests.options(f"{gateway.url}/console/api/login", timeout=10, headers={
        "Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in console.headers


@pytest.mark.parametrize("body", [
    b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",   # nested too deep to parse
    b'{"text": "caf\xe9 \xff\xfe"}',                         # not UTF-8
    b"\xef\xbb\xbf\xff",                                     # a byte-order mark, then garbage
])
def test_unparsable_json_gets_the_documented_422_not_400(gateway, body):
    widget = gateway.widget()
    response = widget.http.post(f"{gateway.url}/widget/api/messages", data=body,
                                headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 422, response.text
    assert error_of(response)["code"] == "invalid_request"
    assert widget.history() == []
