"""`python -m rasa_addons.serve run [rasa run's options]`: `rasa run`, with its HTTP API's secret
taken from the environment instead of the command line.

`rasa run --auth-token T` (or `--jwt-secret S`) puts the secret in the process's command line,
which every user of the machine can read (`ps`, /proc/<pid>/cmdline), and `--auth-token` makes
callers put it in every URL (`?token=`). This starts the same server with the JWT secret read
from RASA_TOKEN and handed to Rasa's command parser inside the process (its command line stays
as above): the HTTP API then accepts only `Authorization: Bearer <JWT signed with RASA_TOKEN>`,
never a token in the URL. A missing or short RASA_TOKEN stops the start with one line.

It also installs `rasa_addons.action_results` (Rasa's check of each action server response with
its validator built once, instead of once per custom action) and `rasa_addons.turn_state` (the
REST channel's answer says what the NLU made of the message, so the gateway needn't read the
tracker after each turn).
"""
from __future__ import annotations

import os
import sys

from rasa_addons.internal_auth import MIN_SECRET_LENGTH

REFUSED_OPTIONS = ("--auth-token", "--jwt-secret", "--jwt-private-key")


def rasa_argv(args: list[str], secret: str) -> list[str]:
    """Rasa's argv: the subcommand, the JWT options, then the rest as given."""
    # `--option=value`: a secret that begins with `-` is not read as an option.
    return ["rasa", *args[:1], f"--jwt-secret={secret}", "--jwt-method=HS256", *args[1:]]


def main(cached_action_check: bool = True) -> int:
    """`cached_action_check=False` leaves Rasa's own check (scripts/rasa_cpu.py compares)."""
    args = sys.argv[1:]
    if args[:1] != ["run"] or any(a.split("=")[0] in REFUSED_OPTIONS for a in args):
        print("rasa_addons.serve: use `run` with rasa run's options, without a secret on the "
              "command line (RASA_TOKEN from the environment is the API's JWT secret).",
              file=sys.stderr)
        return 2
    secret = os.environ.get("RASA_TOKEN", "").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        print(f"rasa: RASA_TOKEN must be set to at least {MIN_SECRET_LENGTH} random characters "
              "(the secret of the JWTs its HTTP API accepts); `make run` makes one. See "
              ".env.example.", file=sys.stderr)
        return 2
    sys.argv = rasa_argv(args, secret)
    from rasa.__main__ import main as rasa_main  # loads Rasa (seconds): after the checks

    from rasa_addons import action_results, turn_state

    if cached_action_check:
        action_results.install()  # action server responses checked by a validator built once
    turn_state.install()  # each turn's tracker handed to the REST channel's collector
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
