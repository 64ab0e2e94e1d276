"""The HTML pages for people: home, hub, outbox, payment. Everything shown is escaped."""
from __future__ import annotations

from datetime import UTC, datetime

import requests

from sandbox import pages
from sandbox.models import OutboxEmail

SLOT = {"professional_id": "p-maya", "service_id": "s-maya-coaching",
        "start": "2026-03-04T13:00:00Z"}


def test_the_outbox_page_lists_sent_e_mails(api):
    assert "No e-mails yet" in requests.get(f"{api.base_url}/outbox", timeout=5).text
    api.book("c-anna", SLOT)
    page = requests.get(f"{api.base_url}/outbox", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Booking confirmed: Coaching session with Maya Patel" in page.text
    assert "anna@northwind.example" in page.text


def test_the_outbox_page_escapes_everything():
    email = OutboxEmail(id=1, to="<b>x@example</b>", subject="<script>alert(1)</script>",
                        body="a & b <img src=x onerror=alert(1)>",
                        sent_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    html = pages.outbox_page([email])
    assert "<script>" not in html and "<img" not in html and "<b>x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "a &amp; b" in html


def test_the_hub_link_of_a_client_opens_the_hub_page(api):
    url = api.get("/api/v1/clients/c-chloe").json()["hub"]["url"]
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Globex Wellbeing Hub" in page.text and "Maya Patel" in page.text
    assert requests.get(f"{api.base_url}/hubs/nowhere", timeout=5).status_code == 404


def test_the_home_page_links_the_hubs_and_the_outbox(api):
    page = requests.get(f"{api.base_url}/", timeout=5)
    assert page.status_code == 200 and "/hubs/northwind" in page.text and "/outbox" in page.text


def test_an_unknown_payment_page_is_404(api):
    response = requests.get(f"{api.base_url}/pay/inv-nothing", timeout=5)
    assert response.status_code == 404 and response.json()["error"]["code"] == "invoice_not_found"
