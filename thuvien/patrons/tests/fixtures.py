"""Fixtures for patrons tests (registered in the root conftest.py)."""
