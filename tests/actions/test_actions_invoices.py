"""Unpaid invoices: listed with payment links, and re-sent into the sandbox's outbox."""

from __future__ import annotations

from tests.helpers.action_trackers import bot, tracker, user

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


# -- a repeated re-send sends one e-mail -------------------------------------------------------


def listed_for(actions, client_id="c-ben"):
    """What Ben was shown: the invoice list with its Re-send buttons, as a bot event."""
    reply = actions.run("action_list_invoices", tracker(user("/ask_invoices"), client_id=client_id))
    return bot(reply.text, reply.buttons), reply


def test_a_double_clicked_resend_button_sends_one_e_mail_and_says_so(actions, sandbox):
    """The same button twice: the platform replays the first answer; the second reply says the
    invoice had already been re-sent instead of pretending to send it again."""
    offer, listed = listed_for(actions)
    click = next(b["payload"] for b in listed.buttons if b["title"] == "Re-send INV-2026-0041")
    before = len(sandbox.outbox(to=BEN))
    first = actions.run("action_resend_invoice",
                        tracker(user(click), client_id="c-ben", history=[offer], sender_id="s-1"))
    second = actions.run("action_resend_invoice",
                         tracker(user(click), client_id="c-ben", history=[offer], sender_id="s-1"))
    assert len(sandbox.outbox(to=BEN)) == before + 1
    assert first.text.startswith("I've re-sent invoice INV-2026-0041 to b***@northwind.example")
    assert "already re-sent invoice INV-2026-0041" in second.text
    assert "didn't send it twice" in second.text and BEN not in second.text


def test_a_double_clicked_resend_all_sends_each_invoice_once(actions, sandbox):
    slot = next(s for s in sandbox.slots("p-jon") if not s["inside_cancellation_window"])
    body = {"professional_id": "p-jon", "service_id": "s-jon-physio", "start": slot["start"]}
    assert sandbox.book("c-ben", body).status_code == 201
    offer, listed = listed_for(actions)
    click = listed.payloads[-1]
    assert click == '/resend_invoice{"invoice_id":"all"}'
    before = len(sandbox.outbox(to=BEN))
    replies = [actions.run("action_resend_invoice",
                           tracker(user(click), client_id="c-ben", history=[offer],
                                   sender_id="s-2")) for _ in range(2)]
    assert len(sandbox.outbox(to=BEN)) == before + 2
    assert "your 2 unpaid invoices" in replies[0].text
    assert "already re-sent your 2 unpaid invoices" in replies[1].text


def test_asking_again_in_words_or_from_a_new_list_re_sends_again(actions, sandbox):
    """A typed request is its own request; so is a click on a newer list's button."""
    before = len(sandbox.outbox(to=BEN))
    for _ in range(2):
        actions.run("action_resend_invoice",
                    tracker(user("resend my invoice", intent="resend_invoice"),
                            client_id="c-ben", sender_id="s-3"))
    assert len(sandbox.outbox(to=BEN)) == before + 2
    old_offer, listed = listed_for(actions)
    click = listed.payloads[0]
    actions.run("action_resend_invoice",
                tracker(user(click), client_id="c-ben", history=[old_offer], sender_id="s-3"))
    new_offer, _ = listed_for(actions)
    reply = actions.run("action_resend_invoice",
                        tracker(user(click), client_id="c-ben", history=[old_offer, new_offer],
                                sender_id="s-3"))
    assert len(sandbox.outbox(to=BEN)) == before + 4
    assert reply.text.startswith("I've re-sent invoice INV-2026-0041")
