"""A client's copy of their conversations with the support assistant, e-mailed to them."""
from __future__ import annotations

from sandbox import emails, queries
from sandbox.deps import NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.schemas import DataExportIn, DataExportOut

router = protected_router("clients")


@router.post("/clients/{client_id}/data-export", response_model=DataExportOut,
             responses={404: error("Unknown client (`client_not_found`).")},
             summary="E-mail a client the copy of their conversations they asked for")
def send_data_export(client_id: str, body: DataExportIn, session: SessionDep,
                     now: NowDep) -> DataExportOut:
    """The support assistant's gateway made the export (JSON and readable text) when the client
    asked for it; the platform sends it to the client's own e-mail address, never elsewhere,
    with both files attached."""
    client = queries.get_client(session, client_id)
    emails.data_export(session, client, body.json_export, body.text_export, body.conversations,
                       now)
    return DataExportOut(sent_to=client.email)
