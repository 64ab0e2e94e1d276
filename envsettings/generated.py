"""Fresh random secrets for settings: `new_secret()`, the one generator every part of ours uses.

    token = new_secret()        # 32 random bytes, URL-safe base64 (43 characters)

The value never begins with `-`: a secret is sometimes handed to a command line (Rasa's
`--auth-token`), where a leading dash reads as an option. One `secrets.token_urlsafe` value in 64
begins with one, so such a draw is simply drawn again (the other 63 in 64 are kept as they are).
"""
from __future__ import annotations

import secrets

DEFAULT_BYTES = 32


def new_secret(nbytes: int = DEFAULT_BYTES) -> str:
    """`nbytes` random bytes as URL-safe text that does not begin with `-`."""
    while True:
        value = secrets.token_urlsafe(nbytes)
        if not value.startswith("-"):
            return value
