"""The gateway's HTTP edge: the widget API, the console API and its login, static files.

`create_app(settings)` in app.py; `python -m bot.gateway` serves it. The routing core
(bot/routing.py, bot/handoff.py) knows nothing of HTTP; these modules only translate.
"""
