"""Fixtures for the Rasa project tests."""
from tests.helpers.model import model  # noqa: F401  (fixture)
