"""The gateway's conversation store: models, engine, migrations and the data functions.

Data functions take a SQLAlchemy session and never commit: the caller (the request boundary, or
`Database.run` for the routing core) owns the transaction.
"""
