"""Request dependencies: one database session per request, the clock, the link builder.

The session commits once when the endpoint has returned (before the response is sent) and rolls
back if it raised: the request boundary owns the transaction.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sandbox.links import Links


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def get_now(request: Request) -> datetime:
    """'Now' for this request: one reading of the app's clock."""
    return request.app.state.clock()


def get_links(request: Request) -> Links:
    return request.app.state.links


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]
LinksDep = Annotated[Links, Depends(get_links)]
