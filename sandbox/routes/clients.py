"""A client's profile, credits, connections and hub professionals."""
from __future__ import annotations

from typing import Any

from sandbox import present, queries
from sandbox.deps import LinksDep, NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.schemas import ClientOut, ConnectionsOut, CreditsOut, ProfessionalsOut

router = protected_router("clients")
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error("Unknown client (`client_not_found`).")}


@router.get("/clients/{client_id}", response_model=ClientOut, responses=NOT_FOUND,
            summary="A client's profile and hub")
def get_client(client_id: str, session: SessionDep, links: LinksDep) -> ClientOut:
    """Name, e-mail, organisation, the hub's name and link, and whether a card is saved."""
    return present.client(queries.get_client(session, client_id), links)


@router.get("/clients/{client_id}/credits", response_model=CreditsOut, responses=NOT_FOUND,
            summary="Sponsored credits of the current period")
def get_credits(client_id: str, session: SessionDep, now: NowDep) -> CreditsOut:
    """Allowance, used and remaining credits of the current calendar year (one credit per
    session; a late-cancelled credit session stays counted)."""
    client = queries.get_client(session, client_id)
    return present.credits(queries.credit_summary(session, client, now), client)


@router.get("/clients/{client_id}/connections", response_model=ConnectionsOut,
            responses=NOT_FOUND, summary="Professionals the client has booked before")
def get_connections(client_id: str, session: SessionDep) -> ConnectionsOut:
    """The client's connections (any earlier or upcoming booking), ordered by name."""
    client = queries.get_client(session, client_id)
    ids = queries.connection_ids(session, client.id)
    return ConnectionsOut(connections=[
        present.professional(p, True) for p in queries.hub_professionals(client) if p.id in ids
    ])


@router.get("/clients/{client_id}/professionals", response_model=ProfessionalsOut,
            responses=NOT_FOUND, summary="Every professional of the client's hub")
def get_professionals(client_id: str, session: SessionDep) -> ProfessionalsOut:
    """All professionals of the client's hub, ordered by name, with `is_connection`."""
    client = queries.get_client(session, client_id)
    ids = queries.connection_ids(session, client.id)
    return ProfessionalsOut(professionals=[
        present.professional(p, p.id in ids) for p in queries.hub_professionals(client)
    ])
