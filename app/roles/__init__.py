"""The rooms users walk into: one package per role, each an HTML router and its JSON twin."""

from __future__ import annotations

from fastapi import FastAPI


def include_role_routers(app: FastAPI) -> None:
    """Mount every role's HTML router under /dashboard/<role> and JSON twin under /api/<role>."""
    from app.roles import admin, dispatcher, finance, mop, rop, sales

    for module in (admin, sales, mop, rop, finance, dispatcher):
        app.include_router(module.html.router)
        app.include_router(module.api.router)
