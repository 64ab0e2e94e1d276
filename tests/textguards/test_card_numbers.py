"""The card-number scrubber: any card number (13–19 digits, Luhn-valid), however its groups are
separated, is removed with the expiry date and security code next to it; the words around it
stay; a text without one is left exactly as it was. Examples, then properties (hypothesis)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textguards.card_numbers import (
    CARD_NUMBER_REMOVED,
    EXPIRY_REMOVED,
    SECURITY_CODE_REMOVED,
    contains_card_number,
    passes_luhn,
    scrub_card_details,
)

VISA = "4242424242424242"
MARKERS = (CARD_NUMBER_REMOVED, EXPIRY_REMOVED, SECURITY_CODE_REMOVED)


@pytest.mark.parametrize("text, scrubbed", [
    ("charge my visa 4242 4242 4242 4242 exp 12/28 cvc 123",
     "charge my visa [card number removed] exp [expiry removed] cvc [security code removed]"),
    ("4242.4242.4242.4242", "[card number removed]"),
    ("4242   4242  4242 4242 please", "[card number removed] please"),
    ("my card\n4242\n4242\n\n4242\n4242\nthanks", "my card\n[card number removed]\nthanks"),
    ("4242 - 4242 - 4242 - 4242", "[card number removed]"),
    ("4242 – 4242 — 4242 _ 4242", "[card number removed]"),
    ("ref 12 4111111111111111 ok", "ref 12 [card number removed] ok"),
    ("4242 4242 4242 4242 123", "[card number removed] [security code removed]"),
    ("4242424242424242, 12/28, 123",
     "[card number removed], [expiry removed], [security code removed]"),
    ("card: 4111-1111-1111-1111 expiry: 12/2028 security code is 1234",
     ("card: [card number removed] expiry: [expiry removed] security code is "
      "[security code removed]")),
    ("CVV 123 and card 5555 5555 5555 4444 exp. 0129",
     "CVV [security code removed] and card [card number removed] exp. [expiry removed]"),
    ("amex 3782 822463 10005 exp 01-27 cid 1234",
     "amex [card number removed] exp [expiry removed] cid [security code removed]"),
    ("4 2 4 2 4 2 4 2 4 2 4 2 4 2 4 2", "[card number removed]"),
    ("\uff14\uff12\uff14\uff12 " * 4, "[card number removed] "),  # full-width digits
])
def test_card_numbers_and_their_details_are_removed_and_the_words_kept(text, scrubbed):
    assert scrub_card_details(text) == scrubbed
    assert contains_card_number(text)


@pytest.mark.parametrize("text", [
    "book 12/03/2026 10:30 please",
    "my phone is +354 555 1234",
    "invoice INV-2026-0042, 18,000 ISK",
    "call me on 0044 7700 900 123",
    "4242 4242 4242 4241",          # fails the Luhn check
    "cvc 123 exp 12/28",            # no card number: nothing to protect
    "4242 4242 4242",               # 12 digits
])
def test_text_without_a_card_number_is_left_exactly_as_it_was(text):
    assert not contains_card_number(text)
    assert scrub_card_details(text) == text


def test_a_long_message_of_digits_is_scrubbed_quickly():
    """10,000 characters of digits and separators (the gateway's limit) in well under a second."""
    import time
    for text in ("1 " * 5000, "1" * 10_000, "12." * 3333, "4242 " * 2000):
        started = time.perf_counter()
        scrub_card_details(text)
        assert time.perf_counter() - started < 1.0


# --- properties ----------------------------------------------------------------------------------

def with_check_digit(body: str) -> str:
    """`body` and the digit that makes it pass the Luhn check."""
    return next(body + d for d in "0123456789" if passes_luhn(body + d))


card_numbers = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)).map(with_check_digit)
separators = st.text(alphabet=" .-_\n\t–—", min_size=1, max_size=4)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,!?", max_size=40).map(
    lambda w: f" {w.strip()} " if w.strip() else " ")


@st.composite
def written_cards(draw: st.DrawFn) -> tuple[str, str]:
    """A card number written as a person might: split in groups with runs of separators."""
    number = draw(card_numbers)
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=6)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    written = groups[0]
    for group in groups[1:]:
        written += draw(separators) + group
    return number, written


@settings(max_examples=300, deadline=None)
@given(card=written_cards(), before=words, after=words)
def test_any_written_card_number_is_removed_and_the_words_around_kept(card, before, after):
    _, written = card
    text = f"{before}{written}{after}"
    scrubbed = scrub_card_details(text)
    assert not contains_card_number(scrubbed)
    assert re.sub(r"\D", "", written) not in re.sub(r"\D", "", scrubbed)
    assert CARD_NUMBER_REMOVED in scrubbed
    assert scrubbed.startswith(before.rstrip()) and scrubbed.endswith(after.lstrip())


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789 .-/,:\nabcxyz€"), max_size=200))
def test_what_is_scrubbed_holds_no_card_number_and_letters_are_never_removed(text):
    scrubbed = scrub_card_details(text)
    assert not contains_card_number(scrubbed)
    unmarked = scrubbed
    for marker in MARKERS:
        unmarked = unmarked.replace(marker, "")
    assert re.sub(r"[^a-z€]", "", unmarked) == re.sub(r"[^a-z€]", "", text)
    if not contains_card_number(text):
        assert scrubbed == text


@settings(max_examples=100, deadline=None)
@given(card=written_cards(), month=st.integers(1, 12), year=st.integers(25, 39),
       code=st.integers(100, 9999))
def test_the_expiry_and_code_after_a_card_number_go_too(card, month, year, code):
    _, written = card
    text = f"pay with {written} exp {month:02d}/{year} cvc {code}"
    scrubbed = scrub_card_details(text)
    assert f"{month:02d}/{year}" not in scrubbed and str(code) not in scrubbed
    assert scrubbed.startswith("pay with ") and " exp " in scrubbed and " cvc " in scrubbed
