"""`POST /api/v1/admin/reset`: back to the demo hub, relative to now."""
from __future__ import annotations

from sandbox import seed
from sandbox.deps import NowDep, SessionDep
from sandbox.routes import protected_router
from sandbox.schemas import ResetOut
from sandbox.times import iso_z

router = protected_router("admin")


@router.post("/admin/reset", response_model=ResetOut, summary="Re-seed the demo hub")
def reset(session: SessionDep, now: NowDep) -> ResetOut:
    """Deletes everything (bookings, invoices, outbox, idempotency keys) and seeds the demo hub
    of DOMAIN.md relative to now. Tests call it before each case."""
    seed.wipe(session)
    seed.seed(session, now)
    return ResetOut(status="reset", now=iso_z(now))
