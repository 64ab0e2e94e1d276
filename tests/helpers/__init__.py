"""Test helpers shared by every test suite: a real sandbox server, a PostgreSQL check."""
