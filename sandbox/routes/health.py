"""`GET /api/v1/health`: the one API route without a key."""
from __future__ import annotations

from fastapi import APIRouter

from sandbox.schemas import Health

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health", response_model=Health, summary="Is the sandbox up?")
def health() -> Health:
    """Always `{"status": "ok"}` while the process serves requests; needs no API key."""
    return Health(status="ok")
