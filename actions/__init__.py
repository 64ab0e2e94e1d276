"""Custom actions of the Wellbeing Hub assistant, served by `python -m actions`.

The action server (actions/__main__.py, actions/server.py) reads its settings once at start,
makes the one platform client, imports every module of this package and builds each `Action`
subclass it finds with those `Services` (actions/common.py), so adding a module is enough. One
module per capability:

    __main__.py       `python -m actions`: settings, the platform check at start, serving
    server.py         finding and building the actions, the start-up check, rasa-sdk's server
    settings.py       the action server's settings, read from the environment
    common.py         Services, identity, sign-in and apology messages, `@account_action`,
                      the slots that remember what was said (handoff_reason, cancel_late_warned)
    formatting.py     money, times, dates, masked e-mail in chat
    matching.py       typed answers -> the options offered (names, services, times)
    session_start.py  action_session_start (identity from the gateway's metadata)
    credits.py        action_check_credits
    connections.py    action_list_connections
    booking_form.py   validate_booking_form: reading and checking the booking answers
    booking_questions.py  the booking form's questions (action_ask_booking_*)
    booking.py        start, change, stop and submit a booking
    sessions.py       upcoming (therapy) sessions and the cancel form
    invoices.py       list and re-send invoices
    support.py        safety reply, hand-off to a person, fallback, out of scope
    help_topics.py    action_help_topic: a help topic's answer, briefly when said already

The platform API client is the leaf package `platform_api` (shared with the gateway). Nothing here
reads settings or opens connections at import time.
"""
