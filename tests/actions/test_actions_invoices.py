"""Unpaid invoices: listed with payment links, and re-sent into the sandbox's outbox."""

from __future__ import annotations

from tests.helpers.action_trackers import tracker, user

BEN = "ben@northwind.example"


def test_bens_unpaid_invoice_is_listed_with_its_link_and_a_resend_button(actions, sandbox):
    """Number, professional, service, date, amount, payment link; Re-send <number>."""
    reply = actions.run("action_list_invoices", tracker(user("/ask_invoices"), client_id="c-ben"))
    assert "INV-" in reply.text and "Jón Einarsson" in reply.text
    assert "Physiotherapy session" in reply.text and "12,000 ISK" in reply.text
    assert "/pay/inv-ben-1" in reply.text
    assert {
        "title": "Re-send INV-2026-0041",
        "payload": '/resend_invoice{"invoice_id":"inv-ben-1"}',
    } in reply.buttons
    assert "Re-send all" not in reply.button_titles


def test_no_unpaid_invoices_is_said_kindly(actions, sandbox):
    """Anna owes nothing."""
    reply = actions.run("action_list_invoices", tracker(user("/ask_invoices"), client_id="c-anna"))
    assert "no unpaid invoices" in reply.text


def test_resending_the_only_unpaid_invoice_lands_in_the_outbox(actions, sandbox):
    """ "resend my invoice": Ben's one unpaid invoice is e-mailed; chat shows a masked address."""
    before = len(sandbox.outbox(to=BEN))
    reply = actions.run(
        "action_resend_invoice",
        tracker(user("resend my invoice", intent="resend_invoice"), client_id="c-ben"),
    )
    assert len(sandbox.outbox(to=BEN)) == before + 1
    assert "INV-2026-0041" in reply.text and "b***@northwind.example" in reply.text
    assert BEN not in reply.text


def test_a_typed_invoice_number_is_resent(actions, sandbox):
    """ "please resend inv-2026-0041" finds the invoice by its number."""
    before = len(sandbox.outbox(to=BEN))
    reply = actions.run(
        "action_resend_invoice",
        tracker(user("please resend inv-2026-0041", intent="resend_invoice"), client_id="c-ben"),
    )
    assert "INV-2026-0041" in reply.text
    assert len(sandbox.outbox(to=BEN)) == before + 1


def test_an_unknown_invoice_number_is_reported(actions, sandbox):
    """A number that isn't the client's: nothing sent."""
    before = len(sandbox.outbox(to=BEN))
    reply = actions.run(
        "action_resend_invoice",
        tracker(user("resend INV-2020-9999", intent="resend_invoice"), client_id="c-ben"),
    )
    assert "couldn't find invoice INV-2020-9999" in reply.text
    assert len(sandbox.outbox(to=BEN)) == before


def test_with_several_unpaid_invoices_the_user_chooses(actions, sandbox):
    """Two unpaid: list both with Re-send buttons and "Re-send all"; "all" re-sends each."""
    slot = next(s for s in sandbox.slots("p-jon") if not s["inside_cancellation_window"])
    body = {"professional_id": "p-jon", "service_id": "s-jon-physio", "start": slot["start"]}
    assert sandbox.book("c-ben", body).status_code == 201
    question = actions.run(
        "action_resend_invoice",
        tracker(user("resend my invoice", intent="resend_invoice"), client_id="c-ben"),
    )
    assert question.text.startswith("Which invoice")
    assert question.payloads[-1] == '/resend_invoice{"invoice_id":"all"}'
    before = len(sandbox.outbox(to=BEN))
    reply = actions.run(
        "action_resend_invoice",
        tracker(user('/resend_invoice{"invoice_id":"all"}'), client_id="c-ben"),
    )
    assert "your 2 unpaid invoices" in reply.text
    assert len(sandbox.outbox(to=BEN)) == before + 2


def test_nothing_to_resend_is_said(actions, sandbox):
    """Anna has no unpaid invoices: nothing is sent."""
    before = len(sandbox.outbox(to="anna@northwind.example"))
    reply = actions.run(
        "action_resend_invoice",
        tracker(user("resend my invoice", intent="resend_invoice"), client_id="c-anna"),
    )
    assert "no unpaid invoices" in reply.text
    assert len(sandbox.outbox(to="anna@northwind.example")) == before
