"""The sandbox's tables as typed SQLAlchemy 2 models.

Times are stored as naive UTC and read back as aware UTC on every backend (`UtcDateTime`);
money is stored in minor units (`sandbox.money`). `__repr__`s show ids only, never names or
e-mail addresses, so a model in a log line leaks no personal data.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sandbox.rules import BookingStatus, InvoiceStatus, PaymentMethod
from sandbox.times import UTC, ensure_utc

ID = String(64)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else ensure_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime}


hub_professionals = Table(
    "hub_professionals",
    Base.metadata,
    Column("hub_id", ID, ForeignKey("hubs.id"), primary_key=True),
    Column("professional_id", ID, ForeignKey("professionals.id"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credits_per_year: Mapped[int]

    hub: Mapped[Hub] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"Organisation(id={self.id!r}, credits_per_year={self.credits_per_year})"


class Hub(Base):
    __tablename__ = "hubs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="hub")
    professionals: Mapped[list[Professional]] = relationship(secondary=hub_professionals)

    def __repr__(self) -> str:
        return f"Hub(id={self.id!r}, slug={self.slug!r})"


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    has_saved_card: Mapped[bool] = mapped_column(default=False)
    # The client's own time zone (an IANA name): the times they are shown are in it.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"Client(id={self.id!r}, organisation_id={self.organisation_id!r})"


class Professional(Base):
    __tablename__ = "professionals"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))

    services: Mapped[list[Service]] = relationship(
        back_populates="professional", order_by="Service.id"
    )
    availability: Mapped[list[AvailabilityRule]] = relationship(back_populates="professional")

    def __repr__(self) -> str:
        return f"Professional(id={self.id!r})"


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int]
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))

    professional: Mapped[Professional] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"Service(id={self.id!r}, duration_minutes={self.duration_minutes})"


class AvailabilityRule(Base):
    """Weekly hub availability: weekday 0 (Monday)–6, from start_hour to end_hour UTC."""

    __tablename__ = "availability_rules"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    weekday: Mapped[int]
    start_hour: Mapped[int]
    end_hour: Mapped[int]

    professional: Mapped[Professional] = relationship(back_populates="availability")

    def __repr__(self) -> str:
        return (
            f"AvailabilityRule(professional_id={self.professional_id!r}, weekday={self.weekday}, "
            f"hours={self.start_hour}-{self.end_hour})"
        )


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # Two live bookings of one professional at one start are impossible even under
        # concurrent requests: the database refuses the second.
        Index(
            "uq_bookings_live_slot",
            "professional_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[BookingStatus] = mapped_column(String(16))
    payment_method: Mapped[PaymentMethod] = mapped_column(String(16))
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    booked_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    late_cancellation: Mapped[bool] = mapped_column(default=False)

    client: Mapped[Client] = relationship()
    professional: Mapped[Professional] = relationship()
    service: Mapped[Service] = relationship()
    invoice: Mapped[Invoice | None] = relationship(back_populates="booking")

    def __repr__(self) -> str:
        return f"Booking(id={self.id!r}, client_id={self.client_id!r}, status={self.status!r})"


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), unique=True)
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[InvoiceStatus] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]

    booking: Mapped[Booking] = relationship(back_populates="invoice")

    def __repr__(self) -> str:
        return f"Invoice(id={self.id!r}, number={self.number!r}, status={self.status!r})"


class Counter(Base):
    """A named sequence (invoice numbers), incremented inside the writing transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int]

    def __repr__(self) -> str:
        return f"Counter(name={self.name!r}, value={self.value})"


class OutboxEmail(Base):
    """An e-mail the platform 'sent': nothing leaves the sandbox, it lands here."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    to: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="email", order_by="OutboxAttachment.id", lazy="selectin")

    def __repr__(self) -> str:
        return f"OutboxEmail(id={self.id!r}, sent_at={self.sent_at!r})"


class OutboxAttachment(Base):
    """A file sent with an outbox e-mail (a client's data export: JSON and readable text)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("outbox_emails.id", ondelete="CASCADE"),
                                          index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    email: Mapped[OutboxEmail] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"OutboxAttachment(id={self.id!r}, filename={self.filename!r})"


class IdempotencyRecord(Base):
    """The first successful response to a (client, Idempotency-Key) pair, for replays."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"IdempotencyRecord(client_id={self.client_id!r}, status_code={self.status_code})"


class LinkCode(Base):
    """A one-time code that links a chat account (Slack, Telegram) to a client
    (sandbox/link_codes.py). Only a keyed hash of the code is stored; a client has at most one
    live code (issuing another replaces it); a redeemed code is kept a day so that a second try
    is told "used", not "wrong"."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the hash
        return f"LinkCode(id={self.id!r}, client_id={self.client_id!r})"
