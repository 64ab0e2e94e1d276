"""The routing core: what happens to a conversation, whatever its channel. Knows no web framework.

docs/channels.md lists its modules (one job each), draws the layers, and shows the handoff state
machine's table.
"""
