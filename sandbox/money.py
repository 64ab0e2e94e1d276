"""Money is stored in minor units (integers) and shown in major units, as the contract asks."""
from __future__ import annotations

# Digits after the decimal point per currency (ISO 4217). ISK has none.
EXPONENT = {"ISK": 0, "GBP": 2, "EUR": 2, "USD": 2}


def to_major(minor: int, currency: str) -> int | float:
    """`12000 GBP minor` → `120`; `12050` → `120.5`; ISK is already whole."""
    scale = 10 ** EXPONENT.get(currency, 2)
    if minor % scale == 0:
        return minor // scale
    return minor / scale


def format_money(minor: int, currency: str) -> str:
    """`18,000 ISK`, `120.00 GBP`: for e-mails and pages."""
    digits = EXPONENT.get(currency, 2)
    return f"{minor / 10 ** digits:,.{digits}f} {currency}"
