"""Command line: `run` starts every process of the assistant; `chat` talks to it as a demo client.

    python -m bot.cli run                 # what `make run` does after building and training
    python -m bot.cli chat --client c-ben # a terminal chat over Rasa's REST channel

Settings (ports, RASA_TOKEN, PLATFORM_API_URL) are read once, by `bot.config`, after loading .env;
a bad one stops the command with exit code 2 and a line that names it.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from dotenv import load_dotenv

from bot.config import (
    RETIRED_SETTINGS,
    Ports,
    RunSettings,
    SettingsError,
    load_gateway_settings,
    load_platform_settings,
    load_ports,
    load_run_settings,
    warn_retired_settings,
)
from bot.processes import (
    ROOT,
    ProcessSpec,
    actions_process,
    gateway_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from envsettings.generated import new_secret

DEMO_CLIENTS = {
    "c-anna": "Anna Jónsdóttir (4 of 6 credits left, connections Sara and Maya)",
    "c-ben": "Ben Carter (0 credits left, one unpaid invoice)",
    "c-chloe": "Chloe Dubois (4 of 4 credits, no connections yet)",
    "c-dan": "Dan Novak (1 credit left, a session within 24 hours)",
}


def process_specs(settings: RunSettings, model: Path, rasa_token: str) -> list[ProcessSpec]:
    """The four processes of the assistant, from the settings read once at start."""
    ports = settings.ports
    return [
        sandbox_process(ports, ["--reset"]),
        actions_process(ports, settings.platform_api_url),
        rasa_process(ports, model, rasa_token),
        gateway_process(ports, rasa_token, settings.platform_api_url),
    ]


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """What each process inherits: ours, less the retired settings `run` has already warned about
    (so the warning is said once), plus its spec's own variables."""
    inherited = {k: v for k, v in os.environ.items() if k not in RETIRED_SETTINGS}
    return {**inherited, **extra}


def check_gateway_settings(settings: RunSettings, rasa_token: str) -> None:
    """Reads the gateway's settings as the gateway will (raising `SettingsError`), so a missing
    secret stops `run` at once instead of after Rasa has spent half a minute loading."""
    spec = gateway_process(settings.ports, rasa_token, settings.platform_api_url)
    env = child_environment(spec.env)
    load_gateway_settings(env)
    load_platform_settings(env)


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
    example = json.dumps({"sender": "demo-1", "message": "how many credits do I have left?",
                          "metadata": {"client_id": "c-ben"}})
    return f"""
==> The assistant is up.
    Chat in this terminal (in another shell):   make chat CLIENT=c-ben
    Or over the REST channel:
      curl -s localhost:{ports.rasa}/webhooks/rest/webhook -d '{example}'
    Demo clients:
{clients}
    A client dashboard with the chat widget:  http://127.0.0.1:{ports.sandbox}/dashboard/c-anna
    The Customer Success console:  http://127.0.0.1:{ports.gateway}/console
      (log in as DEMO_AGENT_EMAIL with DEMO_AGENT_PASSWORD from .env)
    Platform sandbox API docs:   http://127.0.0.1:{ports.sandbox}/docs
    Sent e-mails (outbox):       http://127.0.0.1:{ports.sandbox}/outbox
    Stop everything with Ctrl-C.
"""


def command_run(_: argparse.Namespace) -> int:
    from honcho.manager import Manager

    settings = load_run_settings()
    warn_retired_settings()
    token = settings.rasa_token or new_secret()
    check_gateway_settings(settings, token)
    from scripts.train import model_path  # the model `make train` just made or found

    model = model_path()
    if not model.exists():
        print("No trained model for the current data: run `make run` (it trains first).")
        return 1
    manager = Manager()
    for spec in process_specs(settings, model, token):
        manager.add_process(spec.name, spec.command, env=child_environment(spec.env),
                            cwd=str(ROOT))
    manager.add_process("ready", shlex.join([sys.executable, "-m", "bot.cli", "ready"]),
                        env=child_environment({"RASA_TOKEN": token}), cwd=str(ROOT))
    print("==> Starting the sandbox, the action server, Rasa (loading the model takes ~30 s) "
          "and the gateway...")
    manager.loop()
    return manager.returncode or 0


def command_ready(_: argparse.Namespace) -> int:
    """Waits for every process, prints where to chat, then stays until `run` stops it."""
    settings = load_run_settings()
    if settings.rasa_token is None:
        raise SettingsError("RASA_TOKEN is not set: `ready` runs under `python -m bot.cli run`, "
                            "which passes it.")
    ports = settings.ports
    missing = wait_until_healthy(health_urls(ports, settings.rasa_token))
    if missing:
        print(f"==> Not healthy after 5 minutes: {', '.join(missing)}. See their output above.")
        return 1
    print(banner(ports), flush=True)
    while True:  # `run` ends this process together with the others on Ctrl-C
        signal.pause()


def render(message: dict[str, Any]) -> list[str]:
    """Lines to show for one bot message; buttons become numbered choices."""
    lines = []
    if message.get("text"):
        lines.append(f"bot: {message['text']}")
    for number, button in enumerate(message.get("buttons") or [], start=1):
        lines.append(f"     [{number}] {button.get('title')}")
    if message.get("custom"):
        lines.append(f"bot (data): {message['custom']}")
    return lines


def command_chat(args: argparse.Namespace) -> int:
    ports = load_ports()
    url = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    metadata = {"client_id": args.client, "channel": "terminal"} if args.client != "none" else {}
    who = DEMO_CLIENTS.get(args.client, "no client id (signed out)")
    print(f"Chatting as {args.client}: {who}. Type a number to press a button; Ctrl-D to quit.")
    buttons: list[dict[str, Any]] = []
    while True:
        try:
            text = input("you: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            reply = requests.post(
                url, json={"sender": sender, "message": text, "metadata": metadata}, timeout=30)
            reply.raise_for_status()
        except requests.RequestException as exc:
            print(f"(can't reach the assistant at {url}: is `make run` running? "
                  f"{exc.__class__.__name__})")
            continue
        buttons = []
        for message in reply.json():
            print("\n".join(render(message)))
            buttons.extend(message.get("buttons") or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{run,chat}")
    commands.add_parser("run", help="start every process").set_defaults(func=command_run)
    commands.add_parser("ready").set_defaults(func=command_ready)  # internal: started by `run`
    chat = commands.add_parser("chat", help="chat in the terminal as a demo client")
    chat.add_argument("--client", default="c-anna",
                      help="demo client id (c-anna, c-ben, c-chloe, c-dan) or 'none'")
    chat.set_defaults(func=command_chat)
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
