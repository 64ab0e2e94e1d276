"""Creates .env from .env.example on a fresh clone, filling each secret with a random value.

Secrets (RASA_TOKEN, WIDGET_TOKEN_SECRET, DEMO_AGENT_PASSWORD) are never in the repository: each
machine gets its own here (`envsettings.generated.new_secret`: never beginning with `-`, which a
command line would read as an option). An existing .env is left alone.

    python -m scripts.init_env      # what `make run` does first
"""
from __future__ import annotations

import sys
from pathlib import Path

from envsettings.generated import new_secret

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {"RASA_TOKEN", "WIDGET_TOKEN_SECRET", "DEMO_AGENT_PASSWORD"}


def render(example: str) -> str:
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#") and name.strip() in GENERATED and not value.strip():
            lines.append(f"{name}={new_secret()}")
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
