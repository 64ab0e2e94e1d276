"""Request and response bodies of the platform API (docs/contracts.md), as pydantic models.

Times in responses are strings already formatted as ISO 8601 UTC with `Z` (`sandbox.times.iso_z`).
Request bodies are strict: wrong types and unknown fields are refused with 422.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox.rules import BookingStatus, InvoiceStatus, PaymentMethod
from sandbox.times import ISO_EXAMPLE, parse_iso_utc

Timestamp = str
Id = Annotated[str, Field(min_length=1, max_length=64)]


class Money(BaseModel):
    amount: int | float = Field(description="Major units: 18000 (ISK), 120 or 120.5 (GBP).")
    currency: str = Field(examples=["ISK"])


class ErrorDetail(BaseModel):
    code: str = Field(examples=["slot_unavailable"])
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]


class HubRef(BaseModel):
    name: str
    url: str


class ClientOut(BaseModel):
    id: str
    name: str
    first_name: str
    email: str
    organisation: str
    hub: HubRef
    has_saved_card: bool
    time_zone: str = Field(description="The client's time zone (IANA name): show times in it.",
                           examples=["Europe/London"])


class CreditsOut(BaseModel):
    allowance: int
    used: int
    remaining: int
    period_end: date
    hub_name: str
    organisation: str


class ServiceOut(BaseModel):
    id: str
    name: str
    duration_minutes: int
    price: Money


class ProfessionalOut(BaseModel):
    id: str
    name: str
    title: str
    is_connection: bool
    services: list[ServiceOut]


class ConnectionsOut(BaseModel):
    connections: list[ProfessionalOut]


class ProfessionalsOut(BaseModel):
    professionals: list[ProfessionalOut]


class SlotOut(BaseModel):
    start: Timestamp = Field(examples=[ISO_EXAMPLE])
    end: Timestamp
    service_id: str
    inside_cancellation_window: bool


class SlotsOut(BaseModel):
    slots: list[SlotOut]


class ExpectedPrice(BaseModel):
    """The price a client was quoted (`Quote.price`), sent back with the booking."""

    model_config = ConfigDict(strict=True, extra="forbid")

    amount: int | float = Field(
        ge=0, le=10**12, description="Major units, as the quote showed it: 18000, 120 or 120.5."
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["ISK"])


class BookingRequest(BaseModel):
    """The body of a quote and of a booking."""

    model_config = ConfigDict(strict=True, extra="forbid")

    professional_id: Id
    service_id: Id
    start: datetime = Field(description=f"Start of an open slot, e.g. {ISO_EXAMPLE}.")
    payment: Literal["credits", "self"] | None = Field(
        default=None,
        description="Omit for credits while any remain; `credits` to insist on a credit "
                    "(`409 no_credits_left` when none is left); `self` to pay yourself.",
    )
    expected_price: ExpectedPrice | None = Field(
        default=None,
        description="The `price` of the quote the client accepted (0 with credits). When the "
                    "booking would cost anything else: `409 price_changed`, nothing booked.",
    )

    @field_validator("start", mode="before")
    @classmethod
    def _parse_start(cls, value: object) -> datetime:
        if not isinstance(value, str):
            raise ValueError(f"must be a string like {ISO_EXAMPLE}")
        if len(value) > 64:
            raise ValueError("is too long for a date-time")
        return parse_iso_utc(value)


class CancelRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    acknowledge_late: bool = Field(
        default=False, description="Must be true to cancel less than 24 hours before the start."
    )


class ProfessionalRef(BaseModel):
    id: str
    name: str


class ServiceRef(BaseModel):
    id: str
    name: str
    duration_minutes: int


class QuoteService(ServiceRef):
    price: Money


class QuoteOut(BaseModel):
    professional: ProfessionalRef
    service: QuoteService
    start: Timestamp
    end: Timestamp
    payment_method: PaymentMethod
    price: Money = Field(description="What the client pays: 0 when paid with credits.")
    credits_remaining_after: int
    inside_cancellation_window: bool


class BookingOut(BaseModel):
    id: str
    professional: ProfessionalRef
    service: ServiceRef
    start: Timestamp
    end: Timestamp
    status: BookingStatus
    payment_method: PaymentMethod
    price: Money = Field(description="What the client pays: 0 when paid with credits.")
    invoice_id: str | None
    inside_cancellation_window: bool
    cancellable: bool


class CancelledBookingOut(BookingOut):
    message: str = Field(
        description="For the client: credit returned, invoice withdrawn, or the late policy."
    )


class BookingsOut(BaseModel):
    bookings: list[BookingOut]


class InvoiceOut(BaseModel):
    id: str
    number: str = Field(examples=["INV-2026-0042"])
    booking_id: str
    professional_name: str
    service_name: str
    session_start: Timestamp
    amount: Money
    status: InvoiceStatus
    issued_at: Timestamp
    payment_url: str


class InvoicesOut(BaseModel):
    invoices: list[InvoiceOut]


class ResendOut(BaseModel):
    sent_to: str
    invoices: list[InvoiceOut]


class AttachmentOut(BaseModel):
    filename: str
    content_type: str
    content: str


class EmailOut(BaseModel):
    id: int
    to: str
    subject: str
    body: str
    sent_at: Timestamp
    attachments: list[AttachmentOut] = []


class OutboxOut(BaseModel):
    emails: list[EmailOut]


class ResetOut(BaseModel):
    status: Literal["reset"]
    now: Timestamp = Field(description="The moment the demo hub was seeded relative to.")


class LinkCodeOut(BaseModel):
    client_id: str
    code: str = Field(pattern=r"^[0-9]{6}$", examples=["482913"],
                      description="Six digits; shown to the client once, stored only as a hash.")
    expires_at: Timestamp = Field(description="10 minutes after it was issued.")


class RedeemLinkCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: str = Field(pattern=r"^[0-9]{6}$", examples=["482913"],
                      description="The six digits the client was shown on their dashboard.")


class RedeemedLinkCodeOut(BaseModel):
    client_id: str = Field(description="The client the code was issued for.")


# A client's conversations with the support assistant, at most this many characters per format.
DATA_EXPORT_MAX_CHARS = 5_000_000


class DataExportIn(BaseModel):
    """A copy of a client's conversations with the support assistant, made by the assistant's
    gateway, for the platform to e-mail to the client's own address."""

    model_config = ConfigDict(extra="forbid")

    json_export: str = Field(max_length=DATA_EXPORT_MAX_CHARS,
                             description="The conversations as a JSON document.")
    text_export: str = Field(max_length=DATA_EXPORT_MAX_CHARS,
                             description="The same conversations as readable text.")
    conversations: int = Field(ge=0, description="How many conversations the export holds.")


class DataExportOut(BaseModel):
    sent_to: str = Field(description="The client's e-mail address the export went to.")
