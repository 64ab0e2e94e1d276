"""Test helpers shared by every test suite (servers, processes, databases)."""
