"""The platform client's exceptions: a small tree the callers catch by meaning.

    PlatformError
    ├── PlatformUnavailable   no usable answer: refused, timed out, 5xx, not JSON
    └── PlatformRejected      a 4xx with the contract's `{"error": {"code", "message"}}`
        └── PlatformNotFound  404: an unknown client, professional, booking or invoice
"""
from __future__ import annotations


class PlatformError(Exception):
    """Any failure to get an answer we can use from the platform."""


class PlatformUnavailable(PlatformError):
    """No usable answer: connection refused, timeout, or a 5xx."""


class PlatformRejected(PlatformError):
    """The platform answered with a 4xx `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message


class PlatformNotFound(PlatformRejected):
    """404: an unknown client, professional, booking or invoice id."""
