"""The demo hub of DOMAIN.md, with every date relative to a given `now` (UTC).

Whatever the day of the year, the numbers hold: Anna 4 of 6 credits left, Ben 0 of 6 (and one
unpaid invoice), Chloe 4 of 4, Dan 1 of 6 with a session in 20 hours. Past credit-paid sessions are
placed in the current calendar year; early in January they are squeezed into the days since
1 January. Every session starts on the booking slot grid (on the hour, `rules.on_slot_grid`), so
Dan's "20 hours" is the hour at or before now + 20 h.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sandbox import rules
from sandbox.db import create_schema, make_session_factory
from sandbox.models import (
    AvailabilityRule,
    Base,
    Booking,
    Client,
    Counter,
    Hub,
    Invoice,
    Organisation,
    Professional,
    Service,
)
from sandbox.times import UTC

WEEKDAYS = range(5)
FIRST_INVOICE_SEQ = 41  # Ben's invoice; the next one issued is ...-0042

ORGANISATIONS = [  # slug, organisation, hub, credits per employee per year
    ("northwind", "Northwind Ltd", "Northwind Wellbeing Hub", 6),
    ("globex", "Globex Corp", "Globex Wellbeing Hub", 4),
]
PROFESSIONALS = [
    # id, name, title, e-mail, (service id, name, minutes, price in minor units, currency), hours
    ("p-sara", "Dr. Sara Hansen", "Clinical psychologist", "sara.hansen@professionals.example",
     ("s-sara-therapy", "Individual therapy", 50, 18000, "ISK"), (9, 16)),
    ("p-jon", "Jón Einarsson", "Physiotherapist", "jon.einarsson@professionals.example",
     ("s-jon-physio", "Physiotherapy session", 45, 12000, "ISK"), (10, 15)),
    ("p-maya", "Maya Patel", "Career coach", "maya.patel@professionals.example",
     ("s-maya-coaching", "Coaching session", 60, 12000, "GBP"), (13, 17)),
]
CLIENTS = [
    # id, name, first name, e-mail, organisation, saved card, time zone (IANA)
    ("c-anna", "Anna Jónsdóttir", "Anna", "anna@northwind.example", "o-northwind", True,
     "Atlantic/Reykjavik"),
    ("c-ben", "Ben Carter", "Ben", "ben@northwind.example", "o-northwind", False,
     "Europe/London"),
    ("c-chloe", "Chloe Dubois", "Chloe", "chloe@globex.example", "o-globex", False,
     "Europe/Paris"),
    ("c-dan", "Dan Novak", "Dan", "dan@northwind.example", "o-northwind", False,
     "Atlantic/Reykjavik"),
]


def prepare_database(engine: Engine, now: datetime, reset: bool = False) -> bool:
    """Create the tables; seed if empty (or wipe and re-seed with `reset`). True if seeded."""
    create_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        if reset:
            wipe(session)
        elif session.scalar(select(func.count()).select_from(Organisation)):
            return False
        seed(session, now)
    return True


def wipe(session: Session) -> None:
    """Delete every row of every table (children first)."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())


def seed(session: Session, now: datetime) -> None:
    """Add the demo hub to an empty database, relative to `now`."""
    _add_hubs(session)
    services = _add_professionals(session)
    for client_id, name, first_name, email, org_id, card, zone in CLIENTS:
        session.add(Client(id=client_id, name=name, first_name=first_name, email=email,
                           organisation_id=org_id, has_saved_card=card, time_zone=zone))
    session.flush()
    _add_bookings(session, services, now)
    session.flush()


def _add_hubs(session: Session) -> None:
    for slug, org_name, hub_name, credits in ORGANISATIONS:
        session.add(Organisation(id=f"o-{slug}", name=org_name, credits_per_year=credits))
        session.flush()
        session.add(Hub(id=f"h-{slug}", organisation_id=f"o-{slug}", name=hub_name, slug=slug))


def _add_professionals(session: Session) -> dict[str, Service]:
    hubs = [session.get_one(Hub, "h-northwind"), session.get_one(Hub, "h-globex")]
    services = {}
    for pro_id, name, title, email, offer, (start, end) in PROFESSIONALS:
        pro = Professional(id=pro_id, name=name, title=title, email=email)
        sid, sname, minutes, price, currency = offer
        service = Service(id=sid, name=sname, duration_minutes=minutes, price_minor=price,
                          currency=currency)
        pro.services.append(service)
        pro.availability.extend(
            AvailabilityRule(weekday=day, start_hour=start, end_hour=end) for day in WEEKDAYS
        )
        for hub in hubs:
            hub.professionals.append(pro)
        session.add(pro)
        services[pro_id] = service
    session.flush()
    return services


def _add_bookings(session: Session, services: dict[str, Service], now: datetime) -> None:
    year_start = datetime(now.year, 1, 1, tzinfo=UTC)
    today = now.date()

    def add(booking_id: str, client_id: str, pro_id: str, start: datetime,
            status: rules.BookingStatus, method: rules.PaymentMethod = rules.CREDITS,
            booked_at: datetime | None = None) -> Booking:
        service = services[pro_id]
        if booked_at is None:  # credits are drawn from this year's allowance
            booked_at = max(min(start, now) - timedelta(days=3), year_start)
        booking = Booking(
            id=booking_id, client_id=client_id, professional_id=pro_id, service_id=service.id,
            starts_at=start, ends_at=start + timedelta(minutes=service.duration_minutes),
            status=status, payment_method=method, currency=service.currency,
            price_minor=service.price_minor if method == rules.SELF_PAID else 0,
            booked_at=booked_at, late_cancellation=False,
        )
        session.add(booking)
        return booking

    upcoming_booked_at = max(now - timedelta(days=2), year_start)
    # Anna: a completed Maya session about three weeks ago, Sara in three days at 10:00.
    [anna_past] = _past_starts(now, [(today - timedelta(days=21), 14)])
    add("b-anna-1", "c-anna", "p-maya", anna_past, rules.COMPLETED)
    add("b-anna-2", "c-anna", "p-sara", _at(today + timedelta(days=3), 10), rules.BOOKED,
        booked_at=upcoming_booked_at)

    # Ben: six completed credit-paid sessions this year, then a self-paid one last week.
    ben = [(today - timedelta(days=14 + 21 * i), 10 if i % 2 == 0 else 11) for i in range(6)]
    for i, start in enumerate(_past_starts(now, ben)):
        add(f"b-ben-{i + 1}", "c-ben", "p-sara" if i % 2 == 0 else "p-jon", start, rules.COMPLETED)
    self_paid_start = _at(today - timedelta(days=7), 13)
    self_paid = add("b-ben-7", "c-ben", "p-jon", self_paid_start, rules.COMPLETED,
                    method=rules.SELF_PAID, booked_at=self_paid_start - timedelta(days=2))
    session.add(Invoice(
        id="inv-ben-1", number=f"INV-{self_paid.booked_at.year}-{FIRST_INVOICE_SEQ:04d}",
        client_id="c-ben", booking_id=self_paid.id, amount_minor=self_paid.price_minor,
        currency=self_paid.currency, status=rules.UNPAID, issued_at=self_paid.booked_at,
    ))
    session.add(Counter(name="invoice", value=FIRST_INVOICE_SEQ))

    # Dan: four completed Jón sessions, and one in 20 hours (inside the 24-hour window).
    dan = [(today - timedelta(days=10 + 14 * i), 12) for i in range(4)]
    for i, start in enumerate(_past_starts(now, dan)):
        add(f"b-dan-{i + 1}", "c-dan", "p-jon", start, rules.COMPLETED)
    add("b-dan-5", "c-dan", "p-jon", rules.on_slot_grid(now + timedelta(hours=20)), rules.BOOKED,
        booked_at=upcoming_booked_at)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _past_starts(now: datetime, wanted: list[tuple[date, int]]) -> list[datetime]:
    """The wanted (day, hour) starts if they all fall this year and end before now; otherwise
    as many starts spread evenly between 1 January and now, newest first."""
    starts = [_at(day, hour) for day, hour in wanted]
    year_start = datetime(now.year, 1, 1, tzinfo=UTC)
    if all(year_start <= s and s + timedelta(hours=1) <= now for s in starts):
        return starts
    step = (now - year_start) / (len(starts) + 1)
    return [rules.on_slot_grid(year_start + step * (len(starts) - i)) for i in range(len(starts))]
