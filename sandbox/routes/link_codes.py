"""Link codes: the client's dashboard issues one, the chat gateway redeems it
(sandbox/link_codes.py)."""
from __future__ import annotations

from fastapi import Request

from sandbox import link_codes, queries
from sandbox.deps import NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.schemas import LinkCodeOut, RedeemedLinkCodeOut, RedeemLinkCodeRequest
from sandbox.times import iso_z

router = protected_router("linking")


@router.post("/clients/{client_id}/link-code", response_model=LinkCodeOut, status_code=201,
             responses={404: error("Unknown client (`client_not_found`).")},
             summary="Issue a one-time code that links a chat account to the client")
def issue_link_code(client_id: str, request: Request, session: SessionDep,
                    now: NowDep) -> LinkCodeOut:
    """Six digits, valid for 10 minutes, single use; the client's earlier unused code stops
    working. The client sends it to the assistant on Slack or Telegram (`link 482913`)."""
    client = queries.get_client(session, client_id)
    code, expires_at = link_codes.issue(session, client, request.app.state.link_code_key, now)
    return LinkCodeOut(client_id=client.id, code=code, expires_at=iso_z(expires_at))


@router.post("/link-codes/redeem", response_model=RedeemedLinkCodeOut,
             responses={
                 404: error(f"No such code (`{link_codes.NOT_FOUND}`): a wrong code, or one "
                            "replaced by a newer code."),
                 409: error(f"The code has expired (`{link_codes.EXPIRED}`) or has been used "
                            f"already (`{link_codes.USED}`)."),
             },
             summary="Redeem a link code: which client it was issued for")
def redeem_link_code(body: RedeemLinkCodeRequest, request: Request, session: SessionDep,
                     now: NowDep) -> RedeemedLinkCodeOut:
    """The client the code belongs to; the code is used up. A code works once, within 10
    minutes of being issued."""
    client_id = link_codes.redeem(session, body.code, request.app.state.link_code_key, now)
    return RedeemedLinkCodeOut(client_id=client_id)
