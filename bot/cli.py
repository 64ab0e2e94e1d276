"""Command line: `run` starts every process of the assistant; `chat` talks to it as a demo client.

    python -m bot.cli run                 # what `make run` does after building and training
    python -m bot.cli chat --client c-ben # a terminal chat over Rasa's REST channel
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time
import uuid

import requests
from dotenv import load_dotenv

from bot.processes import (
    ROOT,
    Ports,
    actions_process,
    gateway_process,
    health_urls,
    rasa_process,
    sandbox_process,
)

DEMO_CLIENTS = {
    "c-anna": "Anna Jónsdóttir (4 of 6 credits left, connections Sara and Maya)",
    "c-ben": "Ben Carter (0 credits left, one unpaid invoice)",
    "c-chloe": "Chloe Dubois (4 of 4 credits, no connections yet)",
    "c-dan": "Dan Novak (1 credit left, a session within 24 hours)",
}


def ports_from_env() -> Ports:
    return Ports(
        rasa=int(os.environ.get("RASA_PORT", 5005)),
        actions=int(os.environ.get("ACTIONS_PORT", 5055)),
        sandbox=int(os.environ.get("SANDBOX_PORT", 8000)),
        gateway=int(os.environ.get("GATEWAY_PORT", 8080)),
    )


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
    return f"""
==> The assistant is up.
    Chat in this terminal (in another shell):   make chat CLIENT=c-ben
    Or over the REST channel:
      curl -s localhost:{ports.rasa}/webhooks/rest/webhook -d '{{"sender": "demo-1", "message": "how many credits do I have left?", "metadata": {{"client_id": "c-ben"}}}}'
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

    sys.path.insert(0, str(ROOT / "scripts"))
    from train import model_path  # the model `make train` just made or found

    model = model_path()
    if not model.exists():
        print("No trained model for the current data: run `make run` (it trains first).")
        return 1
    ports = ports_from_env()
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(24)
    specs = [
        sandbox_process(ports, ["--reset"]),
        actions_process(ports),
        rasa_process(ports, model, token),
        gateway_process(ports, token),
    ]
    manager = Manager()
    for spec in specs:
        manager.add_process(spec.name, spec.command, env={**os.environ, **spec.env}, cwd=str(ROOT))
    ready_env = {**os.environ, "RASA_TOKEN": token}
    manager.add_process("ready", f"{sys.executable} -m bot.cli ready", env=ready_env, cwd=str(ROOT))
    print("==> Starting the sandbox, the action server, Rasa (loading the model takes ~30 s) "
          "and the gateway...")
    manager.loop()
    return manager.returncode or 0


def command_ready(_: argparse.Namespace) -> int:
    """Waits for every process, prints where to chat, then stays until `run` stops it."""
    ports = ports_from_env()
    token = os.environ["RASA_TOKEN"]
    missing = wait_until_healthy(health_urls(ports, token))
    if missing:
        print(f"==> Not healthy after 5 minutes: {', '.join(missing)}. See their output above.")
        return 1
    print(banner(ports), flush=True)
    while True:  # `run` ends this process together with the others on Ctrl-C
        signal.pause()


def render(message: dict) -> list[str]:
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
    ports = ports_from_env()
    url = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    metadata = {"client_id": args.client, "channel": "terminal"} if args.client != "none" else {}
    who = DEMO_CLIENTS.get(args.client, "no client id (signed out)")
    print(f"Chatting as {args.client}: {who}. Type a number to press a button; Ctrl-D to quit.")
    buttons: list[dict] = []
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
            print(f"(can't reach the assistant at {url}: is `make run` running? {exc.__class__.__name__})")
            continue
        buttons = []
        for message in reply.json():
            print("\n".join(render(message)))
            buttons.extend(message.get("buttons") or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start every process").set_defaults(func=command_run)
    commands.add_parser("ready", help=argparse.SUPPRESS).set_defaults(func=command_ready)
    chat = commands.add_parser("chat", help="chat in the terminal as a demo client")
    chat.add_argument("--client", default="c-anna",
                      help="demo client id (c-anna, c-ben, c-chloe, c-dan) or 'none'")
    chat.set_defaults(func=command_chat)
    args = parser.parse_args(argv)
    load_dotenv(ROOT / ".env")  # the local settings; the environment wins over the file
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
