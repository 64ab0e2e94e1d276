"""Channel adapters: each translates its channel's events into the core's `InboundMessage` and
implements the core's `ClientDelivery` to carry replies back (bot/core/channel_seam.py).

    widget.py   the support widget: identity from the platform's signed token, replies as live
                events (Server-Sent Events) on the conversation's stream

Adapters hold no business logic and never take an identity from message text; their HTTP routes
live at the edge (bot/gateway/). How to add a channel: docs/channels.md.
"""
