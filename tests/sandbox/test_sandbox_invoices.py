"""Invoices of self-paid sessions, re-sending them, and the outbox they land in."""
from __future__ import annotations

import pytest

JON_WEDNESDAY = {"professional_id": "p-jon", "service_id": "s-jon-physio",
                 "start": "2026-03-04T11:00:00Z"}


def invoices(api, client_id: str, status: str | None = None) -> list[dict]:
    params = {"status": status} if status else None
    return api.get(f"/api/v1/clients/{client_id}/invoices", params=params).json()["invoices"]


def test_ben_s_unpaid_invoice_has_the_contract_fields(api):
    [invoice] = invoices(api, "c-ben")
    assert invoice == {
        "id": "inv-ben-1", "number": "INV-2026-0041", "booking_id": "b-ben-7",
        "professional_name": "Jón Einarsson", "service_name": "Physiotherapy session",
        "session_start": "2026-02-23T13:00:00Z", "amount": {"amount": 12000, "currency": "ISK"},
        "status": "unpaid", "issued_at": "2026-02-21T13:00:00Z",
        "payment_url": f"{api.base_url}/pay/inv-ben-1",
    }
    assert invoices(api, "c-ben", "paid") == []
    assert [i["id"] for i in invoices(api, "c-ben", "all")] == ["inv-ben-1"]


def test_resending_one_invoice_e_mails_it_to_the_client(api):
    response = api.resend("c-ben", "inv-ben-1")
    assert response.status_code == 200
    assert response.json()["sent_to"] == "ben@northwind.example"
    assert [i["id"] for i in response.json()["invoices"]] == ["inv-ben-1"]
    [email] = api.outbox("ben@northwind.example")
    assert "INV-2026-0041" in email["subject"]
    assert f"{api.base_url}/pay/inv-ben-1" in email["body"]


def test_resending_all_sends_one_e_mail_per_unpaid_invoice(api):
    api.book("c-ben", JON_WEDNESDAY)
    before = len(api.outbox("ben@northwind.example"))
    response = api.resend("c-ben")
    assert response.status_code == 200
    numbers = sorted(i["number"] for i in response.json()["invoices"])
    assert numbers == ["INV-2026-0041", "INV-2026-0042"]
    assert len(api.outbox("ben@northwind.example")) == before + 2


def test_resending_all_without_unpaid_invoices_is_409(api):
    response = api.resend("c-chloe")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_unpaid_invoices"
    assert api.outbox() == []


@pytest.mark.parametrize(("client_id", "invoice_id"),
                         [("c-ben", "inv-nothing"), ("c-anna", "inv-ben-1")])
def test_an_unknown_or_someone_else_s_invoice_is_404(api, client_id, invoice_id):
    response = api.resend(client_id, invoice_id)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invoice_not_found"


def test_paying_on_the_payment_page_marks_the_invoice_paid(api):
    page = api.http.get(f"{api.base_url}/pay/inv-ben-1")
    assert page.status_code == 200 and "INV-2026-0041" in page.text and "12,000 ISK" in page.text
    paid = api.http.post(f"{api.base_url}/pay/inv-ben-1")
    assert paid.status_code == 200 and "is paid" in paid.text  # followed the redirect
    assert [i["status"] for i in invoices(api, "c-ben", "all")] == ["paid"]
    assert api.resend("c-ben").status_code == 409


def test_the_outbox_is_newest_first_and_filters_by_address(api):
    api.resend("c-ben", "inv-ben-1")
    api.book("c-anna", JON_WEDNESDAY)
    emails = api.outbox()
    assert [e["id"] for e in emails] == sorted((e["id"] for e in emails), reverse=True)
    assert emails[-1]["to"] == "ben@northwind.example"
    assert {e["to"] for e in api.outbox("ANNA@northwind.example")} == {"anna@northwind.example"}
    assert set(emails[0]) == {"id", "to", "subject", "body", "sent_at", "attachments"}
    assert emails[0]["attachments"] == []  # a data export has them (test_sandbox_data_export.py)
    assert emails[0]["sent_at"] == "2026-03-02T09:30:00Z"
