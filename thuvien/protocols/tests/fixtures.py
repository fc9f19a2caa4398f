"""Fixtures for protocols tests (registered in the root conftest.py)."""
