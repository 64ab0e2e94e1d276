"""Command line: `run` starts every process of the assistant; `chat` talks to it as a demo client.

    python -m bot.cli run                 # what `make run` does after building and training
    python -m bot.cli run --prod          # `make run-prod`: PostgreSQL, Redis, two of each
    python -m bot.cli chat --client c-ben # a terminal chat through the gateway's widget API
    python -m bot.cli clear-conversations # `make reset-demo`: an empty conversation store
    python -m bot.cli export-training     # `make export-training`: reviewed examples -> data/nlu
    python -m bot.cli prune               # `make prune`: erase conversations past retention
    python -m bot.cli set-role EMAIL lead # let an agent use the review queue (or `agent`)

Settings (ports, the processes' shared secrets, PLATFORM_API_URL, WIDGET_TOKEN_SECRET for `chat`)
are read once, by `bot.config`, after loading .env; a bad one stops the command with exit code 2
and a line that names it. Secrets reach the processes through their environment only.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import signal
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from dotenv import load_dotenv

from bot.config import (
    RETIRED_SETTINGS,
    ChatSettings,
    Ports,
    RunSettings,
    SettingsError,
    load_chat_settings,
    load_gateway_settings,
    load_platform_settings,
    load_privacy_settings,
    load_production_settings,
    load_run_settings,
    load_store_url,
    warn_retired_settings,
)
from bot.core.erasure import Erasure
from bot.core.review_desk import ReviewDesk
from bot.core.training_export import TrainingData
from bot.identity import issue_identity_token
from bot.processes import (
    ROOT,
    ProcessSpec,
    SharedSecrets,
    actions_process,
    gateway_process,
    health_urls,
    production_health_urls,
    production_process_specs,
    production_schemas,
    production_stores,
    rasa_process,
    sandbox_process,
)
from bot.store.agents import set_role
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.rasa_trackers import RasaTrackers
from platform_api import PlatformClient, PlatformError

DEMO_CLIENTS = {
    "c-anna": "Anna Jónsdóttir (4 of 6 credits left, connections Sara and Maya)",
    "c-ben": "Ben Carter (0 credits left, one unpaid invoice)",
    "c-chloe": "Chloe Dubois (4 of 4 credits, no connections yet)",
    "c-dan": "Dan Novak (1 credit left, a session within 24 hours)",
}


def process_specs(settings: RunSettings, model: Path, shared: SharedSecrets) -> list[ProcessSpec]:
    """The four processes of the assistant, from the settings read once at start."""
    ports = settings.ports
    return [
        sandbox_process(ports, ["--reset"]),
        actions_process(ports, shared, settings.platform_api_url),
        rasa_process(ports, model, shared),
        gateway_process(ports, shared, settings.platform_api_url),
    ]


def shared_secrets(settings: RunSettings) -> SharedSecrets:
    """The secrets set (in .env or the environment), and a random one per run for each unset."""
    return SharedSecrets.generate(settings.rasa_token, settings.rasa_webhook_secret,
                                  settings.action_server_token)


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """What each process inherits: ours, less the retired settings `run` has already warned about
    (so the warning is said once), plus its spec's own variables."""
    inherited = {k: v for k, v in os.environ.items() if k not in RETIRED_SETTINGS}
    return {**inherited, **extra}


def check_gateway_settings(settings: RunSettings, shared: SharedSecrets) -> None:
    """Reads the gateway's settings as the gateway will (raising `SettingsError`), so a missing
    secret stops `run` at once instead of after Rasa has spent half a minute loading."""
    spec = gateway_process(settings.ports, shared, settings.platform_api_url)
    env = child_environment(spec.env)
    load_gateway_settings(env)
    load_platform_settings(env)


def fresh_demo_conversations() -> str:
    """Empties the gateway's conversation store (GATEWAY_DATABASE_URL; agents kept), to go with
    the freshly seeded demo hub; says how many old conversations went."""
    from bot.gateway.__main__ import StoreUnavailable, clear_demo_conversations

    try:
        cleared = clear_demo_conversations(load_store_url(dict(os.environ)))
    except StoreUnavailable as exc:
        raise SettingsError(str(exc)) from exc
    return (f"==> Demo: the demo hub is re-seeded and the conversation store starts empty "
            f"({_count(cleared, 'old conversation')} cleared; agents kept).")


def wait_until_healthy(urls: dict[str, str], timeout: float = 300.0) -> list[str]:
    """Polls each process's health URL; returns the names still not healthy at the timeout."""
    pending = dict(urls)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            try:
                if requests.get(url, timeout=2).ok:
                    del pending[name]
            except requests.RequestException:
                pass
        time.sleep(0.5)
    return sorted(pending)


def banner(ports: Ports) -> str:
    clients = "\n".join(f"      {cid:8} {about}" for cid, about in DEMO_CLIENTS.items())
    start = json.dumps({"identity_token": None})
    return f"""
==> The assistant is up.
    Chat in this terminal (in another shell):   make chat CLIENT=c-ben
    Or over the gateway's widget API (signed out), e.g. with curl and jq:
      KEY=$(curl -s localhost:{ports.gateway}/widget/api/conversations \\
            -H 'Content-Type: application/json' -d '{start}' | jq -r .conversation_key)
      curl -s localhost:{ports.gateway}/widget/api/messages -H "Authorization: Bearer $KEY" \\
            -H 'Content-Type: application/json' -d '{{"text": "how do I add a card?"}}'
      curl -s localhost:{ports.gateway}/widget/api/messages -H "Authorization: Bearer $KEY"
    Demo clients (as seeded; `make chat` says what each account shows now):
{clients}
    A client dashboard with the chat widget:  http://127.0.0.1:{ports.sandbox}/dashboard/c-anna
    The Customer Success console:  http://127.0.0.1:{ports.gateway}/console
      (log in as DEMO_AGENT_EMAIL with DEMO_AGENT_PASSWORD from .env)
    The team's report (leads):  http://127.0.0.1:{ports.gateway}/console/insights
      (log in as DEMO_LEAD_EMAIL, lead@support.example, with the same password)
    Platform sandbox API docs:   http://127.0.0.1:{ports.sandbox}/docs
    Sent e-mails (outbox):       http://127.0.0.1:{ports.sandbox}/outbox
    Stop everything with Ctrl-C.
"""


def command_run(args: argparse.Namespace) -> int:
    from honcho.manager import Manager

    settings = load_run_settings()
    warn_retired_settings()
    shared = shared_secrets(settings)
    check_gateway_settings(settings, shared)
    from scripts.train import model_path  # the model `make train` just made or found

    model = model_path()
    if not model.exists():
        print("No trained model for the current data: run `make run` (it trains first).")
        return 1
    if not args.prod:  # the demo: its hub is re-seeded (sandbox --reset), its chats go too
        print(fresh_demo_conversations(), flush=True)
    specs = (production_specs(settings, model, shared) if args.prod
             else process_specs(settings, model, shared))
    manager = Manager()
    for spec in specs:
        # In production one process dying must not stop the rest: it is started again.
        command = (shlex.join([sys.executable, "-m", "bot.supervise", "--name", spec.name, "--",
                               *spec.argv]) if args.prod else spec.command)
        manager.add_process(spec.name, command, env=child_environment(spec.env), cwd=str(ROOT))
    ready = [sys.executable, "-m", "bot.cli", "ready", *(["--prod"] if args.prod else [])]
    manager.add_process("ready", shlex.join(ready), env=child_environment({}), cwd=str(ROOT))
    print("==> Starting the sandbox, the action server, Rasa (loading the model takes ~30 s) "
          "and the gateway" + (", two of each but the sandbox, on PostgreSQL and Redis"
                               if args.prod else "") + "...")
    manager.loop()
    return manager.returncode or 0


def production_specs(settings: RunSettings, model: Path,
                     shared: SharedSecrets) -> list[ProcessSpec]:
    """The production profile's processes; first its schemas made and the gateway's store
    migrated and seeded, once (not by two workers at the same moment)."""
    from sqlalchemy import create_engine, text

    from bot.gateway.__main__ import StoreUnavailable, prepare_store

    production = load_production_settings()
    stores = production_stores(production.postgres_url, production.redis_url)
    engine = create_engine(production.postgres_url)
    try:
        with engine.begin() as connection:
            for schema in production_schemas():
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except Exception as exc:
        raise SettingsError(f"PROD_POSTGRES_URL: PostgreSQL can't be used "
                            f"({type(exc).__name__}); is it running?") from exc
    finally:
        engine.dispose()
    specs = production_process_specs(settings.ports, model, shared, stores,
                                     settings.platform_api_url)
    gateway = next(spec for spec in specs if spec.name.startswith("gateway"))
    try:
        prepare_store(load_gateway_settings(child_environment(gateway.env)))
    except StoreUnavailable as exc:
        raise SettingsError(str(exc)) from exc
    return specs


def command_clear_conversations(args: argparse.Namespace) -> int:
    """`make reset-demo`, after the sandbox re-seeded the demo hub: an empty conversation store."""
    print(fresh_demo_conversations())
    return 0


def _store() -> Database:
    """The gateway's store (GATEWAY_DATABASE_URL), migrated."""
    db = Database.from_url(load_store_url(dict(os.environ)))
    upgrade_head(db.engine)
    return db


def command_export_training(args: argparse.Namespace) -> int:
    """`make export-training`: the review queue's decisions as one batch of training data."""
    db = _store()
    try:
        desk = ReviewDesk(db, TrainingData(Path(load_privacy_settings().review_export_dir)))
        result = db.run_sync(lambda session: desk.export_now(session, None))
    finally:
        db.dispose()
    if result["file"] is None:
        print(f"==> Nothing new to export ({result['already_known']} decided example(s) "
              "known already).")
    else:
        print(f"==> Wrote {result['written']} reviewed example(s) to {result['file']} "
              f"({result['already_known']} known already); the next `make run` retrains.")
    return 0


def command_prune(args: argparse.Namespace) -> int:
    """`make prune`: erase the conversations older than RETENTION_MONTHS (README "Privacy")."""
    privacy = load_privacy_settings()
    db = _store()
    trackers = RasaTrackers.from_url(privacy.rasa_tracker_store_url)
    try:
        erased = Erasure(db, trackers).prune(privacy.retention_months)
    finally:
        trackers.dispose()
        db.dispose()
    print(f"==> Retention ({privacy.retention_months} months; 0 keeps everything): "
          f"{_count(erased.conversations, 'conversation')} erased.")
    return 0


def command_set_role(args: argparse.Namespace) -> int:
    """Make an agent a lead (the review queue) or a plain agent again."""
    db = _store()
    try:
        found = db.run_sync(lambda session: set_role(session, args.email, args.role) is not None)
    finally:
        db.dispose()
    if not found:
        print(f"No agent with the e-mail {args.email!r}.", file=sys.stderr)
        return 1
    print(f"==> {args.email} is now: {args.role}.")
    return 0


def command_ready(args: argparse.Namespace) -> int:
    """Waits for every process, prints where to chat, then stays until `run` stops it."""
    ports = load_run_settings().ports
    missing = wait_until_healthy(production_health_urls(ports) if args.prod
                                 else health_urls(ports))
    if missing:
        print(f"==> Not healthy after 5 minutes: {', '.join(missing)}. See their output above.")
        return 1
    print(banner(ports), flush=True)
    while True:  # `run` ends this process together with the others on Ctrl-C
        signal.pause()


def render(message: dict[str, Any], width: int = 80) -> list[str]:
    """Lines to show for one message of the assistant, an agent or the gateway, wrapped on words
    to `width` (never inside a word or a link); buttons become numbered choices."""
    sender = message.get("sender", "bot")
    who = {"agent": message.get("agent_name") or "agent", "system": "--"}.get(sender, "bot")
    lines = []
    if message.get("text"):
        lines += wrap(str(message["text"]), f"{who}: ", width)
    for number, button in enumerate(message.get("buttons") or [], start=1):
        lines += wrap(str(button.get("title")), f"     [{number}] ", width)
    return lines


def wrap(text: str, lead: str, width: int) -> list[str]:
    """`text` after `lead`, each of its lines wrapped on words, continued under the text."""
    indent = " " * len(lead)
    wrapped: list[str] = []
    for number, line in enumerate(text.splitlines() or [""]):
        first = lead if number == 0 else indent
        wrapped += textwrap.wrap(line, width=max(width, len(lead) + 20), initial_indent=first,
                                 subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) or [first.rstrip()]
    return wrapped


def terminal_width() -> int:
    """The terminal's columns (COLUMNS when set), less one so a full line doesn't wrap again."""
    return shutil.get_terminal_size().columns - 1


def account_summary(platform: PlatformClient, client_id: str) -> str:
    """What the platform shows for a demo client now: "Ben Carter (0 of 6 credits left,
    connections Sara Hansen and Jón Einarsson, 1 unpaid invoice, no upcoming session)"."""
    client = platform.get_client(client_id)
    credits = platform.get_credits(client_id)
    connections = [c.get("name", "?") for c in platform.get_connections(client_id)]
    unpaid = len(platform.list_invoices(client_id))
    upcoming = len(platform.list_bookings(client_id))
    facts = [f"{credits.get('remaining')} of {credits.get('allowance')} credits left",
             ("connections " + " and ".join(connections)) if connections
             else "no connections yet",
             _count(unpaid, "unpaid invoice"), _count(upcoming, "upcoming session")]
    return f"{client.get('name', client_id)} ({', '.join(facts)})"


def _count(n: int, thing: str) -> str:
    return f"no {thing}" if n == 0 else f"{n} {thing}{'' if n == 1 else 's'}"


def describe_client(client_id: str | None) -> str:
    """Who the chat is signed in as, from the platform; just the id when it can't be asked."""
    if client_id is None:
        return "no client id (signed out)"
    try:
        platform = PlatformClient.from_settings(load_platform_settings())
        return account_summary(platform, client_id)
    except (SettingsError, PlatformError, requests.RequestException):
        return f"{client_id} (the platform couldn't be asked about the account)"


class TerminalChat:
    """One conversation through the gateway's widget API, as the widget has it: a demo client
    signed in with an identity token signed here (WIDGET_TOKEN_SECRET), or signed out."""

    def __init__(self, settings: ChatSettings, client_id: str | None) -> None:
        self.url = settings.gateway_url
        self.secret = settings.widget_token_secret
        self.client_id = client_id
        self.http = requests.Session()
        self.key: str | None = None
        self.buttons: list[dict[str, Any]] = []
        self.last_seq = 0

    def __repr__(self) -> str:
        return f"TerminalChat(url={self.url!r})"

    def start(self) -> None:
        """Starts the conversation, or resumes it with a fresh identity token."""
        token = (issue_identity_token(self.client_id, self.secret)
                 if self.client_id and self.secret else None)
        started = self.http.post(f"{self.url}/widget/api/conversations", timeout=10,
                                 json={"identity_token": token, "conversation_key": self.key})
        _raise_for(started)
        self.key = started.json()["conversation_key"]
        self.http.headers["Authorization"] = f"Bearer {self.key}"

    def send(self, body: dict[str, Any]) -> None:
        body = {**body, "client_message_id": str(uuid.uuid4())}
        sent = self.http.post(f"{self.url}/widget/api/messages", json=body, timeout=10)
        if sent.status_code == 401 and _code(sent) == "identity_refresh_required":
            self.start()
            sent = self.http.post(f"{self.url}/widget/api/messages", json=body, timeout=10)
        _raise_for(sent)

    def listen(self) -> None:
        """Prints what the assistant, an agent or the gateway says, live, until the end."""
        while True:
            try:
                with self.http.get(f"{self.url}/widget/api/events", stream=True, timeout=60,
                                   params={"after": self.last_seq}) as stream:
                    _raise_for(stream)
                    self._print_events(stream)
            except requests.RequestException:
                pass
            time.sleep(1)

    def _print_events(self, stream: requests.Response) -> None:
        name = ""
        for raw in stream.iter_lines():
            line = raw.decode("utf-8", "replace")
            if line.startswith("event:"):
                name = line.partition(":")[2].strip()
            elif line.startswith("data:") and name == "message":
                message = json.loads(line.partition(":")[2])
                self.last_seq = max(self.last_seq, int(message.get("seq") or 0))
                if message.get("sender") == "client":
                    continue
                if message.get("buttons"):
                    self.buttons = message["buttons"]
                print("\n".join(render(message, terminal_width())), flush=True)


def _code(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _raise_for(response: requests.Response) -> None:
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code}"
        raise requests.HTTPError(message, response=response)


def command_chat(args: argparse.Namespace) -> int:
    client_id = None if args.client == "none" else args.client
    chat = TerminalChat(load_chat_settings(signed_in=client_id is not None), client_id)
    try:
        chat.start()
    except requests.RequestException as exc:
        print(f"(can't start a chat at {chat.url}: is `make run` running? {exc})")
        return 1
    opening = (f"Chatting as {args.client}: {describe_client(client_id)}. "
               "Type a number to press a button; Ctrl-D to quit.")
    print("\n".join(wrap(opening, "", terminal_width())), flush=True)
    threading.Thread(target=chat.listen, daemon=True, name="chat-events").start()
    while True:
        try:
            text = input().strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            continue
        buttons = chat.buttons
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            body = {"payload": buttons[int(text) - 1]["payload"],
                    "title": buttons[int(text) - 1]["title"]}
        else:
            body = {"text": text}
        try:
            chat.send(body)
        except requests.RequestException as exc:
            print(f"(not sent: {exc})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{run,chat,clear-conversations,export-training,"
                                             "prune,set-role}")
    run = commands.add_parser("run", help="start every process")
    run.add_argument("--prod", action="store_true",
                     help="the production profile: PostgreSQL, Redis, two of each process")
    run.set_defaults(func=command_run)
    ready = commands.add_parser("ready")  # internal: started by `run`
    ready.add_argument("--prod", action="store_true")
    ready.set_defaults(func=command_ready)
    chat = commands.add_parser("chat", help="chat in the terminal as a demo client (needs `run`)")
    chat.add_argument("--client", default="c-anna",
                      help="demo client id (c-anna, c-ben, c-chloe, c-dan) or 'none'")
    chat.set_defaults(func=command_chat)
    clear = commands.add_parser("clear-conversations",
                                help="empty the conversation store for the demo (agents kept)")
    clear.set_defaults(func=command_clear_conversations)
    export = commands.add_parser("export-training",
                                 help="write the review queue's decisions as training data")
    export.set_defaults(func=command_export_training)
    prune = commands.add_parser("prune", help="erase conversations older than RETENTION_MONTHS")
    prune.set_defaults(func=command_prune)
    role = commands.add_parser("set-role", help="make an agent a lead, or a plain agent")
    role.add_argument("email")
    role.add_argument("role", choices=["lead", "agent"])
    role.set_defaults(func=command_set_role)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    load_dotenv(ROOT / ".env")  # the local settings; the environment wins over the file
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"bot.cli {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
