"""Fixtures for search tests (registered in the root conftest.py)."""
