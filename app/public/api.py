"""Public JSON API for buyers' pages (placeholder; being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/public", tags=["public"])
