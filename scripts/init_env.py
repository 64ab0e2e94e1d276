"""Creates .env from .env.example on a fresh clone, filling each secret with a random value.

Secrets (RASA_TOKEN, RASA_WEBHOOK_SECRET, ACTION_SERVER_TOKEN, WIDGET_TOKEN_SECRET,
DEMO_AGENT_PASSWORD) are never in the repository: each machine gets its own here
(`envsettings.generated.new_secret`: never beginning with `-`, which a command line would read as
an option). The file is created private (mode 0600) from its first byte, never readable by others
even for a moment. An existing .env is left alone.

    python -m scripts.init_env      # what `make run` does first
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from envsettings.generated import new_secret

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {"RASA_TOKEN", "RASA_WEBHOOK_SECRET", "ACTION_SERVER_TOKEN", "WIDGET_TOKEN_SECRET",
             "DEMO_AGENT_PASSWORD", "DEMO_LEAD_PASSWORD"}


def render(example: str) -> str:
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#") and name.strip() in GENERATED and not value.strip():
            lines.append(f"{name}={new_secret()}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Creates `path` with mode 0600 (whatever the umask) and writes `text`; never overwrites."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # a umask can only take bits away; this is belt and braces
        file.write(text)


def main() -> int:
    target = ROOT / ".env"
    if target.exists():
        return 0
    try:
        write_private(target, render((ROOT / ".env.example").read_text()))
    except FileExistsError:  # made in the meantime by another run: leave it alone
        return 0
    print("==> Created .env with fresh secrets "
          "(the demo agent's password is DEMO_AGENT_PASSWORD there, the demo lead's "
          "DEMO_LEAD_PASSWORD).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
