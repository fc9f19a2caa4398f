"""API endpoints for circulation."""

from ninja import Router

router = Router(tags=["circulation"])
