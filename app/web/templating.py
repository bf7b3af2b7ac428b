"""Jinja2 environment and `render`: a full page, or for HTMX only the block it asks for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from pydantic import BaseModel

from app.auth import csrf
from app.auth.deps import session_user_id
from app.auth.permissions import ROLE_LABELS, P, Role, can, has_permission
from app.core import clock
from app.web.audit_view import (
    audit_action,
    audit_entity,
    audit_field,
    audit_subject,
    audit_value,
    status_reason,
)
from app.web.counters import counter_link
from app.web.format import FORMATS
from app.web.i18n import LANGUAGES, current_language, gettext, ngettext
from app.web.labels import (
    ACCEPTANCE_LABELS,
    ASSIGN_REASON_LABELS,
    AUDIT_ACTION_LABELS,
    AUDIT_ENTITY_LABELS,
    BOOKING_STATUS_LABELS,
    CALLBACK_WHEN_LABELS,
    CONFLICT_LABELS,
    CONTRACT_STATUS_LABELS,
    COUNTER_LABELS,
    EXTENSION_LABELS,
    LEAD_SOURCE_LABELS,
    LEAD_STATUS_LABELS,
    LEAD_TRANSITIONS,
    PAYMENT_METHOD_LABELS,
    PAYMENT_STATUS_LABELS,
    PAYMENT_TYPE_LABELS,
    SKILL_LABELS,
    STATUS_LABELS,
    TEMPERATURE_LABELS,
    WEEKDAY_LABELS,
    WORK_ORDER_KIND_LABELS,
    WORK_ORDER_SOURCE_LABELS,
    WORK_ORDER_STATUS_LABELS,
)
from app.web.navigation import navigation_for

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC_VERSION = "7"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(
    lambda message, **params: gettext(message, **params),
    lambda singular, plural, n, **params: ngettext(singular, plural, n, **params),
    newstyle=True,
)


def query_with(model: BaseModel, **overrides: Any) -> str:
    """The query string of a filter model with some values replaced (for links).

    A page cursor (`after`, `before`) names a position in one ordering of one list: it is kept
    only where a link passes it again (the pager)."""
    values = model.model_dump(exclude_defaults=True, exclude_none=True, exclude={"after", "before"})
    values.update(overrides)
    return urlencode({k: (v.value if hasattr(v, "value") else v) for k, v in values.items() if v not in ("", None)})


def status_choices() -> list[tuple[str, str]]:
    """(value, translated label) for every apartment status, for selects."""
    return [(value, gettext(label)) for value, label in STATUS_LABELS.items()]


def role_can(base: str, permission: str) -> bool:
    """True when the dashboard at `base` (/dashboard/<role>) offers routes needing `permission`."""
    role = base.rstrip("/").rsplit("/", 1)[-1]
    return role in {r.value for r in Role} and has_permission(role, permission)


def row_shared(base: str, can: Callable[[str], bool]) -> SimpleNamespace:
    """What every row of a leads list shares, worked out once per page: labels translated,
    permissions checked, the current moment (rows then do no gettext or permission work)."""
    return SimpleNamespace(
        base=base,
        writable=can(P.LEADS_WRITE) and role_can(base, P.LEADS_WRITE),
        readable=can(P.LEADS_READ) and role_can(base, P.LEADS_READ),
        team=can(P.TEAM_READ),
        now=clock.now(),
        statuses={code: gettext(label) for code, label in LEAD_STATUS_LABELS.items()},
        sources={code: gettext(label) for code, label in LEAD_SOURCE_LABELS.items()},
        temperatures={code: gettext(label) for code, label in TEMPERATURE_LABELS.items()},
        status_label=gettext("Status"),
        callback_label=gettext("Next callback"),
    )


def role_choices() -> list[tuple[str, str]]:
    """(value, translated label) for every role, for selects."""
    return [(role.value, gettext(ROLE_LABELS[role])) for role in Role]


env.globals.update(
    ROLE_LABELS=ROLE_LABELS,
    Role=Role,
    P=P,
    LANGUAGES=LANGUAGES,
    STATIC_VERSION=STATIC_VERSION,
    COUNTER_LABELS=COUNTER_LABELS,
    ASSIGN_REASON_LABELS=ASSIGN_REASON_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    LEAD_STATUS_LABELS=LEAD_STATUS_LABELS,
    LEAD_SOURCE_LABELS=LEAD_SOURCE_LABELS,
    status_choices=status_choices,
    query_with=query_with,
    role_choices=role_choices,
    TEMPERATURE_LABELS=TEMPERATURE_LABELS,
    LEAD_TRANSITIONS=LEAD_TRANSITIONS,
    BOOKING_STATUS_LABELS=BOOKING_STATUS_LABELS,
    CALLBACK_WHEN_LABELS=CALLBACK_WHEN_LABELS,
    EXTENSION_LABELS=EXTENSION_LABELS,
    CONTRACT_STATUS_LABELS=CONTRACT_STATUS_LABELS,
    role_can=role_can,
    row_shared=row_shared,
    clock_now=clock.now,
    counter_link=counter_link,
    PAYMENT_METHOD_LABELS=PAYMENT_METHOD_LABELS,
    PAYMENT_TYPE_LABELS=PAYMENT_TYPE_LABELS,
    PAYMENT_STATUS_LABELS=PAYMENT_STATUS_LABELS,
    AUDIT_ENTITY_LABELS=AUDIT_ENTITY_LABELS,
    WORK_ORDER_KIND_LABELS=WORK_ORDER_KIND_LABELS,
    WORK_ORDER_SOURCE_LABELS=WORK_ORDER_SOURCE_LABELS,
    WORK_ORDER_STATUS_LABELS=WORK_ORDER_STATUS_LABELS,
    SKILL_LABELS=SKILL_LABELS,
    ACCEPTANCE_LABELS=ACCEPTANCE_LABELS,
    CONFLICT_LABELS=CONFLICT_LABELS,
    WEEKDAY_LABELS=WEEKDAY_LABELS,
    audit_entity=audit_entity,
    audit_subject=audit_subject,
    audit_action=audit_action,
    audit_field=audit_field,
    audit_value=audit_value,
    audit_actions=[code for code in AUDIT_ACTION_LABELS if ":" not in code],
)
# Macros as a global so page blocks rendered alone (HTMX fragments) can use them too.
# Every number, sum, date and time a page shows goes through app.web.format (filters and functions alike).
env.filters.update(FORMATS)
env.globals.update(FORMATS)
env.filters["status_reason"] = status_reason
env.globals["ui"] = env.get_template("ui/macros.html").module
env.globals["list_ui"] = env.get_template("ui/list.html").module
env.globals["grid_ui"] = env.get_template("features/grid/grid.html").module
env.globals["public_ui"] = env.get_template("public/macros.html").module


def is_htmx(request: Request) -> bool:
    """True for an HTMX request that is not a boosted full-page navigation."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def csrf_token_for(request: Request) -> str:
    """The CSRF token for this browser and the current user, for forms and hx-headers."""
    nonce = getattr(request.state, "csrf_nonce", "")
    return csrf.make_csrf_token(request.app.state.settings.secret_key, nonce, session_user_id(request))


def base_context(request: Request) -> dict[str, Any]:
    """What every template may use: user, can(), csrf, nav, language."""
    user = getattr(request.state, "viewer", None)
    return {
        "request": request,
        "user": user,
        "can": lambda permission: can(user, permission),
        "csrf_token": csrf_token_for(request),
        "nav": navigation_for(user, request.url.path) if user else [],
        "lang": current_language.get(),
    }


def see_other(url: str) -> RedirectResponse:
    """A 303 to `url` after a successful form post."""
    return RedirectResponse(url, status_code=303)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template`; an HTMX request gets only `block` when one is named."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        current_language.set(viewer.language)
    full_context = base_context(request) | (context or {})
    if block and is_htmx(request):
        html = render_block(env, template, block, full_context)
    else:
        html = env.get_template(template).render(full_context)
    return HTMLResponse(html, status_code=status_code, headers=headers)
