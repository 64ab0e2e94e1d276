"""The gateway's HTTP edge: the widget API, the console API and its login, static files.

`create_app(settings, platform)` in app.py; `python -m bot.gateway` serves it. The routing core
(bot/core/) and the channel adapters (bot/channels/) know nothing of HTTP; these modules only
translate.
"""
