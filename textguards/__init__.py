"""Guards on what people type, shared by the gateway, the actions and the Rasa server (a leaf).

- `risk_phrases`: clear phrases of risk (self-harm, harm to others, being in danger from someone
  else), checked on every client message before it is routed, whatever its length or mode.
- `card_numbers`: payment card numbers (and the expiry and security code next to them), found so
  that they are never stored, shown or forwarded.

Plain Python 3.10 and the standard library only: Rasa (its own Python 3.10 environment, with the
repository root on PYTHONPATH) loads these modules too.
"""
