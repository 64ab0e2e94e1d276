"""Money is stored in minor units (integers) and shown in major units, as the contract asks."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Digits after the decimal point per currency (ISO 4217). ISK has none.
EXPONENT = {"ISK": 0, "GBP": 2, "EUR": 2, "USD": 2}


def to_major(minor: int, currency: str) -> int | float:
    """`12000 GBP minor` → `120`; `12050` → `120.5`; ISK is already whole."""
    scale = 10 ** EXPONENT.get(currency, 2)
    if minor % scale == 0:
        return minor // scale
    return minor / scale


def to_minor(amount: int | float, currency: str) -> int | None:
    """`120.5 GBP` → `12050`; None when the amount has more decimals than the currency has
    (`120.505 GBP`, `1.5 ISK`): no price can be written like that."""
    try:
        minor = Decimal(str(amount)).scaleb(EXPONENT.get(currency, 2))
    except InvalidOperation:
        return None
    if not minor.is_finite() or minor != minor.to_integral_value():
        return None
    return int(minor)


def canonical_amount(amount: int | float) -> str:
    """One spelling per amount (`120`, `120.0` and `120.00` are all `120`), for fingerprints."""
    text = format(Decimal(str(amount)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_money(minor: int, currency: str) -> str:
    """`18,000 ISK`, `120.00 GBP`: for e-mails and pages."""
    digits = EXPONENT.get(currency, 2)
    return f"{minor / 10 ** digits:,.{digits}f} {currency}"
