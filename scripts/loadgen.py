"""The benchmark's load generator: N simulated clients at once, each its own multi-turn conversation
(credits, connections, a booking through its buttons, an invoice re-sent, a help topic), through
the gateway's widget API (what the widget does: start, post, the live event stream) or straight to
Rasa's REST channel (the bare-Rasa baseline: the same messages, no gateway).

    run = await drive(GatewayClient(url, widget_secret), clients=50)
    run.messages_per_second, run.percentile(95), run.errors

Time to the first reply: from posting a message to its first answer on the stream (the gateway),
or to Rasa's HTTP answer (bare Rasa, which answers a turn whole). An error is a lost reply (none,
or the "can't answer" apology) or a duplicated one (a message twice on the stream, or a turn's
answers repeated); a slow reply is not an error.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bot.core import texts
from bot.identity import issue_identity_token
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER

CLIENTS = ["c-anna", "c-ben", "c-chloe", "c-dan"]
# A step is a text, or ("button", n): press the n-th button of the last answer (its text if the
# answer had fewer buttons).
CONVERSATION: list[str | tuple[str, int, str]] = [
    "how many credits do I have left?",
    "who are my connections?",
    "I want to book a session",
    ("button", 0, "Sara"),
    ("button", 0, "the first time"),
    ("button", 0, "yes, book it"),
    "please send my invoice to my email again",
    "how do I add a credit card?",
]
TURN_TIMEOUT = 180.0
QUIET_SECONDS = 2.0  # a turn whose end marker never comes is over after this long without news


@dataclass
class Turn:
    latency: float | None  # seconds to the first reply; None: lost
    replies: list[dict[str, Any]]
    error: str | None = None


@dataclass
class Run:
    clients: int
    seconds: float
    turns: list[Turn] = field(default_factory=list)

    @property
    def messages_per_second(self) -> float:
        answered = sum(1 for t in self.turns if t.latency is not None)
        return answered / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for t in self.turns if t.error)

    def percentile(self, p: float) -> float:
        """The p-th percentile of the time to the first reply, in milliseconds."""
        values = sorted(t.latency for t in self.turns if t.latency is not None)
        if not values:
            return float("nan")
        index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
        return values[index] * 1000

    def error_kinds(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for turn in self.turns:
            if turn.error:
                kinds[turn.error] = kinds.get(turn.error, 0) + 1
        return kinds


class Conversation(Protocol):
    async def send(self, step: dict[str, str]) -> Turn: ...

    async def close(self) -> None: ...


class Client(Protocol):
    async def conversation(self, http: httpx.AsyncClient, client_id: str) -> Conversation: ...


def _problem(replies: list[dict[str, Any]]) -> str | None:
    if not replies:
        return "lost"
    if any(reply.get("text") == texts.CANT_ANSWER for reply in replies):
        return "lost (apology)"
    half = len(replies) // 2
    if len(replies) % 2 == 0 and half and \
            [r.get("text") for r in replies[:half]] == [r.get("text") for r in replies[half:]]:
        return "duplicated"
    return None


def _body(step: str | tuple[str, int, str], last: list[dict[str, Any]]) -> dict[str, str]:
    if isinstance(step, str):
        return {"text": step}
    _, index, fallback = step
    buttons = [b for reply in last for b in reply.get("buttons") or []]
    if index < len(buttons):
        return {"payload": buttons[index]["payload"], "title": buttons[index]["title"]}
    return {"text": fallback}


# --- through the gateway's widget API ------------------------------------------------------------

class GatewayClient:
    def __init__(self, url: str, widget_secret: str) -> None:
        self.url, self.widget_secret = url.rstrip("/"), widget_secret

    async def conversation(self, http: httpx.AsyncClient, client_id: str) -> Conversation:
        token = issue_identity_token(client_id, self.widget_secret)
        started = await http.post(f"{self.url}/widget/api/conversations",
                                  json={"identity_token": token})
        started.raise_for_status()
        conversation = WidgetConversation(http, self.url, started.json()["conversation_key"])
        await conversation.open()
        return conversation


class WidgetConversation:
    """One widget: posts messages, reads the answers from its live stream."""

    def __init__(self, http: httpx.AsyncClient, url: str, key: str) -> None:
        self.http, self.url, self.key = http, url, key
        self.events: asyncio.Queue[tuple[str, dict[str, Any], float]] = asyncio.Queue()
        self.seen: set[int] = set()
        self.duplicates = 0
        self._reader: asyncio.Task[None] | None = None
        self._open = asyncio.Event()

    async def open(self) -> None:
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._open.wait(), 60)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        """The live stream, reconnected as the widget's EventSource is when the connection
        drops (an idle keep-alive connection the server closed just as it was reused, under
        load), after the last message seen: a reconnect is not an error, a lost reply is. The
        pause grows with drops in a row and starts again once an event came through."""
        in_a_row = 0
        while True:
            after = str(max(self.seen, default=0))
            try:
                async for name, data in _sse(self.http, f"{self.url}/widget/api/events",
                                             {"key": self.key, "after": after}, self._open):
                    in_a_row = 0
                    if name == "message":
                        seq = int(data["seq"])
                        if seq in self.seen:
                            self.duplicates += 1
                        self.seen.add(seq)
                    self.events.put_nowait((name, data, time.perf_counter()))
            except httpx.TransportError:
                pass
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code < 500:
                    raise
            in_a_row += 1
            await asyncio.sleep(min(0.5 * in_a_row, 5.0))

    async def send(self, step: dict[str, str]) -> Turn:
        duplicates_before = self.duplicates
        started = time.perf_counter()
        posted = await self._post({**step, "client_message_id": str(uuid.uuid4())})
        if posted.status_code != 202:
            return Turn(None, [], f"refused ({posted.status_code})")
        seq = int(posted.json()["message"]["seq"])
        replies: list[dict[str, Any]] = []
        first: float | None = None
        deadline = started + TURN_TIMEOUT
        while True:
            wait = QUIET_SECONDS if replies else deadline - time.perf_counter()
            try:
                name, data, at = await asyncio.wait_for(self.events.get(), max(0.01, wait))
            except TimeoutError:
                break
            if name == "message" and data.get("sender") != "client" and int(data["seq"]) > seq:
                replies.append(data)
                first = first if first is not None else at
            elif name == "typing" and data.get("on") is False and replies:
                break  # the turn is over
        problem = _problem(replies)
        if self.duplicates > duplicates_before:
            problem = "duplicated"
        return Turn(None if first is None else first - started, replies, problem)


    async def _post(self, body: dict[str, str]) -> httpx.Response:
        """Posts a message; a dropped connection is retried with the same `client_message_id`
        (stored once), as the widget does."""
        for attempt in range(3):
            try:
                return await self.http.post(f"{self.url}/widget/api/messages",
                                            headers={"Authorization": f"Bearer {self.key}"},
                                            json=body)
            except httpx.TransportError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")


async def _sse(http: httpx.AsyncClient, url: str, params: dict[str, str],
               opened: asyncio.Event) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    async with http.stream("GET", url, params=params, timeout=httpx.Timeout(None)) as response:
        response.raise_for_status()
        opened.set()
        name, data = "message", []
        async for line in response.aiter_lines():
            if line == "":
                if data:
                    yield name, json.loads("\n".join(data))
                name, data = "message", []
            elif line.startswith("event:"):
                name = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                data.append(line.partition(":")[2].lstrip())


# --- straight to Rasa's REST channel (the baseline) ---------------------------------------------

class BareRasaClient:
    def __init__(self, url: str, webhook_secret: str) -> None:
        self.url, self.webhook_secret = url.rstrip("/"), webhook_secret

    async def conversation(self, http: httpx.AsyncClient, client_id: str) -> Conversation:
        return RestConversation(http, f"{self.url}/webhooks/rest/webhook", self.webhook_secret,
                                client_id)


class RestConversation:
    def __init__(self, http: httpx.AsyncClient, url: str, secret: str, client_id: str) -> None:
        self.http, self.url, self.secret, self.client_id = http, url, secret, client_id
        self.sender = f"bench-{uuid.uuid4().hex}"

    async def close(self) -> None:
        return None

    async def send(self, step: dict[str, str]) -> Turn:
        message = step.get("payload") or step["text"]
        metadata = {"client_id": self.client_id, "channel": "widget", "locale": "en",
                    "live_handoff": True, "message_id": str(uuid.uuid4())}
        started = time.perf_counter()
        try:
            answered = await self.http.post(
                self.url, headers={WEBHOOK_SECRET_HEADER: self.secret},
                json={"sender": self.sender, "message": message, "metadata": metadata},
                timeout=TURN_TIMEOUT)
        except httpx.HTTPError as exc:
            return Turn(None, [], f"lost ({type(exc).__name__})")
        latency = time.perf_counter() - started
        if answered.status_code != 200:
            return Turn(None, [], f"lost (HTTP {answered.status_code})")
        replies = answered.json()
        problem = _problem(replies)
        return Turn(None if problem and problem.startswith("lost") else latency, replies, problem)


# --- the run ------------------------------------------------------------------------------------

async def _one_client(client: Client, number: int, turns: list[Turn], steps: int) -> None:
    """One simulated client, with HTTP connections of its own, as a browser has: a shared pool
    kept reusing its first connections, so with two gateway workers on one port nearly every
    message went to one of them."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=4),
                                 timeout=httpx.Timeout(60.0)) as http:
        await _converse(client, http, number, turns, steps)


async def _converse(client: Client, http: httpx.AsyncClient, number: int,
                    turns: list[Turn], steps: int) -> None:
    try:
        conversation = await client.conversation(http, CLIENTS[number % len(CLIENTS)])
    except (httpx.HTTPError, TimeoutError) as exc:
        turns.extend(Turn(None, [], f"lost (start: {type(exc).__name__})")
                     for _ in CONVERSATION[:steps])
        return
    last: list[dict[str, Any]] = []
    try:
        for step in CONVERSATION[:steps]:
            try:
                turn = await conversation.send(_body(step, last))
            except httpx.HTTPError as exc:
                turn = Turn(None, [], f"lost ({type(exc).__name__})")
            turns.append(turn)
            last = turn.replies
    finally:
        await conversation.close()


async def drive(client: Client, clients: int, steps: int = len(CONVERSATION)) -> Run:
    """`clients` conversations at once, each the first `steps` of CONVERSATION (all of it by
    default); the run's figures."""
    turns: list[Turn] = []
    started = time.perf_counter()
    await asyncio.gather(*(_one_client(client, n, turns, steps) for n in range(clients)))
    return Run(clients, time.perf_counter() - started, turns)
