"""Fixtures for catalog tests (registered in the root conftest.py)."""
