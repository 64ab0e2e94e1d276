"""Creates .env from .env.example on a fresh clone, filling each secret with a random value.

Secrets (RASA_TOKEN, WIDGET_TOKEN_SECRET, DEMO_AGENT_PASSWORD) are never in the repository: each
machine gets its own here. An existing .env is left alone.
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {"RASA_TOKEN", "WIDGET_TOKEN_SECRET", "DEMO_AGENT_PASSWORD"}


def render(example: str) -> str:
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#") and name.strip() in GENERATED and not value.strip():
            lines.append(f"{name}={secrets.token_urlsafe(24)}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> int:
    target = ROOT / ".env"
    if target.exists():
        return 0
    target.write_text(render((ROOT / ".env.example").read_text()))
    target.chmod(0o600)
    print("==> Created .env with fresh secrets "
          "(the demo agent's password is DEMO_AGENT_PASSWORD there).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
