"""API endpoints for search."""

from ninja import Router

router = Router(tags=["search"])
