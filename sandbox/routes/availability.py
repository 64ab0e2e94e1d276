"""`GET /api/v1/professionals/{id}/availability`: open slots."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query

from sandbox import present, queries, rules
from sandbox.deps import NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.schemas import SlotsOut

router = protected_router("professionals")


@router.get(
    "/professionals/{professional_id}/availability", response_model=SlotsOut,
    responses={404: error("Unknown professional or service (`professional_not_found`, "
                          "`service_not_found`).")},
    summary="Open slots of a professional",
)
def get_availability(
    professional_id: str,
    session: SessionDep,
    now: NowDep,
    service_id: Annotated[
        str | None, Query(max_length=64, description="Default: every service.")
    ] = None,
    days: Annotated[int, Query(ge=1, le=rules.MAX_DAYS)] = rules.DEFAULT_DAYS,
) -> SlotsOut:
    """Open slots only: inside hub availability, starting on the hour at least an hour from now
    and within `days`, not overlapping a booking; ordered by start, at most 50."""
    professional = queries.get_professional(session, professional_id)
    services = professional.services
    if service_id:
        services = [queries.professional_service(professional, service_id)]
    slots = [
        present.slot(start, end, service.id, now)
        for service in services
        for start, end in queries.open_slots(session, professional, service, now, days)
    ]
    slots.sort(key=lambda s: (s.start, s.service_id))
    return SlotsOut(slots=slots[: rules.MAX_SLOTS])
