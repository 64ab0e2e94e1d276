"""A client's profile, credits, connections and hub professionals (GET /api/v1/clients/...)."""
from __future__ import annotations

import pytest


def test_profile_has_the_contract_fields_and_a_hub_link_to_this_sandbox(api):
    anna = api.get("/api/v1/clients/c-anna").json()
    assert anna == {
        "id": "c-anna", "name": "Anna Jónsdóttir", "first_name": "Anna",
        "email": "anna@northwind.example", "organisation": "Northwind Ltd",
        "hub": {"name": "Northwind Wellbeing Hub", "url": f"{api.base_url}/hubs/northwind"},
        "has_saved_card": True, "time_zone": "Atlantic/Reykjavik",
    }



@pytest.mark.parametrize(("client_id", "allowance", "used", "remaining", "organisation"), [
    ("c-anna", 6, 2, 4, "Northwind Ltd"),
    ("c-ben", 6, 6, 0, "Northwind Ltd"),
    ("c-chloe", 4, 0, 4, "Globex Corp"),
    ("c-dan", 6, 5, 1, "Northwind Ltd"),
])
def test_credits_of_each_demo_client(api, client_id, allowance, used, remaining, organisation):
    credits = api.credits(client_id)
    assert credits == {
        "allowance": allowance, "used": used, "remaining": remaining, "period_end": "2026-12-31",
        "hub_name": organisation.split()[0] + " Wellbeing Hub", "organisation": organisation,
    }


@pytest.mark.parametrize(("client_id", "names"), [
    ("c-anna", ["Dr. Sara Hansen", "Maya Patel"]),
    ("c-ben", ["Dr. Sara Hansen", "Jón Einarsson"]),
    ("c-chloe", []),
    ("c-dan", ["Jón Einarsson"]),
])
def test_connections_are_professionals_booked_before_ordered_by_name(api, client_id, names):
    connections = api.get(f"/api/v1/clients/{client_id}/connections").json()["connections"]
    assert [p["name"] for p in connections] == names
    assert all(p["is_connection"] for p in connections)


def test_professionals_lists_the_whole_hub_with_services_and_is_connection(api):
    professionals = api.get("/api/v1/clients/c-dan/professionals").json()["professionals"]
    assert [(p["id"], p["is_connection"]) for p in professionals] == [
        ("p-sara", False), ("p-jon", True), ("p-maya", False)]
    maya = professionals[2]
    assert maya["title"] == "Career coach"
    assert maya["services"] == [{
        "id": "s-maya-coaching", "name": "Coaching session", "duration_minutes": 60,
        "price": {"amount": 120, "currency": "GBP"},
    }]


def test_a_first_booking_makes_a_connection(api):
    slot = api.slots("p-maya")[0]
    assert api.book("c-chloe", {"professional_id": "p-maya", "service_id": "s-maya-coaching",
                                "start": slot["start"]}).status_code == 201
    connections = api.get("/api/v1/clients/c-chloe/connections").json()["connections"]
    assert [p["id"] for p in connections] == ["p-maya"]


@pytest.mark.parametrize("suffix", ["", "/credits", "/connections", "/professionals", "/bookings",
                                    "/invoices"])
def test_an_unknown_client_is_404_client_not_found(api, suffix):
    response = api.get(f"/api/v1/clients/c-nobody{suffix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "client_not_found"


def test_each_demo_client_has_the_time_zone_of_the_demo_hub(api):
    """DOMAIN.md's zones: Reykjavik for Anna and Dan, London for Ben, Paris for Chloe."""
    zones = {c: api.get(f"/api/v1/clients/{c}").json()["time_zone"]
             for c in ("c-anna", "c-ben", "c-chloe", "c-dan")}
    assert zones == {"c-anna": "Atlantic/Reykjavik", "c-ben": "Europe/London",
                     "c-chloe": "Europe/Paris", "c-dan": "Atlantic/Reykjavik"}
