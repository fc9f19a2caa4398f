"""Fixtures for circulation tests (registered in the root conftest.py)."""
