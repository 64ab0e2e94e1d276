"""Random bearer tokens (conversation keys, console sessions), stored only as their SHA-256.

A token has 256 bits of randomness, so a fast hash is enough: nothing to brute-force.
"""
from __future__ import annotations

import hashlib

from envsettings.generated import new_secret


def new_token() -> str:
    return new_secret(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
