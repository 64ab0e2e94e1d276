"""Property-based fuzzing of the real gateway process (`python -m bot.gateway`) in front of the
fake Rasa (tests/helpers/fake_rasa.py), over HTTP.

- Random bodies for the widget API's POST routes (`/widget/api/conversations`,
  `/widget/api/messages`): any JSON (wrong types, extra fields, nesting, huge strings) and raw
  bytes that aren't UTF-8 or JSON → always a 2xx, or a 4xx with `{"error": {"code", "message"}}`;
  never a 5xx.
- Random client messages through one real widget conversation (huge, up to and beyond 10,000
  characters; binary-looking; mixed scripts; control characters; emoji only; blank) → accepted
  (202) with exactly one stored client message and the assistant's reply after it in the history
  (nothing lost), or refused as the contract says: blank → 422 `empty_message`, longer than
  10,000 characters after trimming → 413 `message_too_long`.

Bounded, derandomized example counts; the number of cases run is printed at the end of the pytest
run ("fuzz cases run"). The test gateway has the widget limits out of the way (NO_WIDGET_LIMITS).
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.gateway.schemas import clean
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.fuzz_counts import count
from tests.helpers.gateway import Gateway, Widget, run_gateway

MAX_CHARS = 10_000  # docs/gateway.md: text up to 10,000 characters after trimming
FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(scope="module")
def gateway(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("fuzz-gateway"), fake_rasa.port,
                     fake_rasa.shared) as gw:
        yield gw


@pytest.fixture(scope="module")
def widget(gateway: Gateway) -> Widget:
    return gateway.widget(client_id="c-ben")


def assert_clear(response: requests.Response) -> None:
    """A 2xx, or a 4xx whose JSON body says what was wrong; never a 5xx."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.status_code < 500
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
    else:
        assert 200 <= response.status_code < 300, (response.status_code, response.text[:500])


# --- random bodies -------------------------------------------------------------------------------

HUGE = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=8),
                 st.integers(1_000, 3_000))
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | \
    st.text(max_size=40) | HUGE
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                           max_leaves=12)
FIELDS = ["text", "payload", "title", "client_message_id", "identity_token", "conversation_key"]
OBJECTS = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), JSON_VALUES,
                          max_size=5)
ENCODED = (OBJECTS | JSON_VALUES).map(lambda value: json.dumps(value).encode())
RAW = st.binary(max_size=300) | st.just(b"\xff\xfe{\"text\": \"hi\"}") | st.just(b"[" * 50_000)
BODIES = ENCODED | RAW


@settings(FUZZ, max_examples=60)
@given(body=BODIES, route=st.sampled_from(["conversations", "messages"]))
def test_random_bodies_get_a_2xx_or_a_clear_4xx(gateway: Gateway, widget: Widget, body: bytes,
                                                route: str) -> None:
    count("gateway widget POST bodies (hypothesis; kinds: routes)", route)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {widget.key}"}
    response = requests.post(f"{gateway.url}/widget/api/{route}", data=body, headers=headers,
                             timeout=30)
    assert_clear(response)


# --- random client messages ----------------------------------------------------------------------

MIXED_SCRIPTS = st.text(alphabet=st.sampled_from(
    "abcXYZ09 éßøЖжщΩλ中文字日本語한국어العربيةעבריתहिन्दीไทย \u200b\u200d\u202e\ufeff"),
    min_size=1, max_size=200)
BINARY_LOOKING = st.binary(min_size=1, max_size=300).map(lambda raw: raw.decode("latin-1"))
CONTROLS = st.text(alphabet=st.characters(max_codepoint=0x9f), min_size=1, max_size=100)
EMOJI = st.text(alphabet=st.sampled_from("😀🙏🏽👩‍👩‍👧🇬🇧❤️🔥💬\u200d\ufe0f"), min_size=1,
                max_size=50)
BLANK = st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u2028\u3000\x00\x1f"), max_size=30)
ANY_TEXT = st.text(max_size=300)
SIZES = st.sampled_from([MAX_CHARS - 1, MAX_CHARS, MAX_CHARS + 1, 12_000, 30_000])
LONG = st.builds(lambda piece, size: (piece * (size // len(piece) + 1))[:size],
                 st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x2FFF,
                                                categories=["L", "N", "P", "S"]),
                         min_size=1, max_size=5), SIZES)
MESSAGES = st.one_of(MIXED_SCRIPTS, BINARY_LOOKING, CONTROLS, EMOJI, BLANK, ANY_TEXT, LONG)


def expected(text: str) -> tuple[int, str | None]:
    """What the contract says the gateway answers to this text."""
    trimmed = clean(text).strip()
    if not trimmed:
        return 422, "empty_message"
    if len(trimmed) > MAX_CHARS:
        return 413, "message_too_long"
    return 202, None


@settings(FUZZ, max_examples=40)
@given(text=MESSAGES)
def test_every_message_is_answered_or_clearly_refused(widget: Widget, text: str) -> None:
    status, code = expected(text)
    count("gateway client messages (hypothesis; kinds: outcomes)", str(status))
    before = widget.history()
    last = before[-1]["seq"] if before else 0
    response = widget.post({"text": text})
    assert response.status_code == status, (response.status_code, response.text[:300])
    if code is not None:
        assert_clear(response)
        assert response.json()["error"]["code"] == code
        assert widget.replies_after(last, settle=0.3) == [], "a refused message left a trace"
        return
    message = response.json()["message"]
    reply = widget.wait_for_reply(after=message["seq"], timeout=30)
    after = widget.history(last)
    mine = [m for m in after if m["sender"] == "client"]
    assert [m["seq"] for m in mine] == [message["seq"]], "the message was not stored exactly once"
    assert reply["seq"] > message["seq"]
