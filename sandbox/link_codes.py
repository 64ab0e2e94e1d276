"""One-time link codes: how a client links a chat account (Slack, Telegram) to their account.

    code = issue(session, client, key, now)       # "482913", shown on the client's dashboard
    client_id = redeem(session, "482913", key, now)   # by the chat gateway, once

- Six digits, valid for `LIFETIME` (10 minutes), single use. Issuing a new code replaces the
  client's earlier ones that were not used (they become unknown).
- Only a keyed hash of the code is stored (HMAC-SHA256 with the app's `key`): six digits are a
  million possibilities, so a plain hash would give every code back to anyone who reads the table.
- Redeeming tells a wrong code (`link_code_not_found`), an expired one (`link_code_expired`) and
  a used one (`link_code_used`) apart. A redeemed or expired code is kept for `KEPT_FOR` (a day)
  so that a second try is told why; then it is deleted when the next code is issued.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sandbox.errors import ApiError
from sandbox.models import Client, LinkCode

LIFETIME = timedelta(minutes=10)
KEPT_FOR = timedelta(days=1)
DIGITS = 6
CODE_PATTERN = r"^[0-9]{6}$"

NOT_FOUND = "link_code_not_found"
EXPIRED = "link_code_expired"
USED = "link_code_used"


def new_key() -> bytes:
    """The app's key for hashing codes (per process: a code outlives no restart of the sandbox;
    a real platform keeps this key in its secret store)."""
    return secrets.token_bytes(32)


def code_hash(code: str, key: bytes) -> str:
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def issue(session: Session, client: Client, key: bytes, now: datetime) -> tuple[str, datetime]:
    """A fresh code for `client` and when it expires; the client's unused codes are replaced."""
    session.execute(delete(LinkCode).where(LinkCode.issued_at < now - KEPT_FOR))
    session.execute(delete(LinkCode).where(LinkCode.client_id == client.id,
                                           LinkCode.redeemed_at.is_(None)))
    while True:
        code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
        hashed = code_hash(code, key)
        if not _live(session, hashed, now):  # two live codes are never the same
            break
    expires_at = now + LIFETIME
    session.add(LinkCode(client_id=client.id, code_hash=hashed, issued_at=now,
                         expires_at=expires_at, redeemed_at=None))
    session.flush()
    return code, expires_at


def redeem(session: Session, code: str, key: bytes, now: datetime) -> str:
    """The client id of a live code, which is used up now; else an `ApiError` saying why."""
    hashed = code_hash(code, key)
    live = _live(session, hashed, now)
    if live is not None and _use(session, live, now):
        return live.client_id
    earlier = session.scalars(select(LinkCode).where(LinkCode.code_hash == hashed)
                              .order_by(LinkCode.issued_at.desc())).first()
    if earlier is None:
        raise ApiError(404, NOT_FOUND, "There is no such link code. Check the six digits, or get "
                                       "a new code from the dashboard.")
    if earlier.redeemed_at is not None:
        raise ApiError(409, USED, "This link code has been used already. Get a new code from "
                                  "the dashboard.")
    raise ApiError(409, EXPIRED, "This link code has expired (codes last 10 minutes). Get a new "
                                 "code from the dashboard.")


def _live(session: Session, hashed: str, now: datetime) -> LinkCode | None:
    return session.scalars(
        select(LinkCode).where(LinkCode.code_hash == hashed, LinkCode.redeemed_at.is_(None),
                               LinkCode.expires_at > now)
    ).first()


def _use(session: Session, code: LinkCode, now: datetime) -> bool:
    """Mark the code used, unless a concurrent redeem did first (one guarded UPDATE)."""
    used = session.execute(
        update(LinkCode).where(LinkCode.id == code.id, LinkCode.redeemed_at.is_(None))
        .values(redeemed_at=now).execution_options(synchronize_session=False))
    session.expire(code)
    return bool(getattr(used, "rowcount", 0))
