"""Custom actions of the Wellbeing Hub assistant, served by `python -m rasa_sdk --actions actions`.

rasa-sdk imports every module of this package by itself (`ActionExecutor.register_package` walks
the package with `pkgutil.iter_modules`) and registers each `Action` subclass it finds, so adding
a module is enough. One module per capability:

    platform.py      the platform API client (the only code that talks HTTP)
    common.py        identity, sign-in and apology messages, `@account_action`
    formatting.py    money, times, dates, masked e-mail in chat
    matching.py      typed answers -> the options offered (names, services, times)
    session.py       action_session_start (identity from the gateway's metadata)
    credits.py       action_check_credits
    connections.py   action_list_connections
    booking_form.py  validate_booking_form: reading and checking the booking answers
    booking_questions.py  the booking form's questions (action_ask_booking_*)
    booking.py       start, change, stop and submit a booking
    sessions.py      upcoming sessions and the cancel form
    invoices.py      list and re-send invoices
    support.py       safety reply, hand-off to a person, fallback, out of scope

Nothing here reads settings or opens connections at import time.
"""
