"""A runnable stand-in of the Wellbeing Hubs platform API that the assistant's actions call.

Start it with `python -m sandbox` (see `sandbox/README.md`); the contract it implements is
`docs/contracts.md`. `sandbox.api.create_app(settings, now=None)` builds the FastAPI app.
"""
