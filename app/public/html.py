"""Public pages for buyers: the landing, a complex's page with its live apartment grid and
filters, the apartment card, the instalment calculator and the request form.

A complex page is assembled per request from parts rendered once per (complex, inventory
version, filters, language) and kept in `app.public.cache`; the version is checked with one
cheap query before anything is loaded, so a revalidation (ETag, 304) or a poll of an
unchanged grid (204) costs that one query.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments import render_block
from markupsafe import Markup
from pydantic import Field, PrivateAttr, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from app.auth.csrf import make_csrf_token
from app.auth.deps import DbSession, ReadSession, client_address, optional_user, session_user_id
from app.core import clock
from app.core.errors import AppError, NotFound, TooManyRequests
from app.core.types import Id, Input, Int
from app.domain.bookings.crud import bookings
from app.domain.contracts.models import InstalmentKind
from app.domain.contracts.schedule import build_schedule, down_payment_of
from app.domain.inventory.crud import apartments, complexes
from app.domain.inventory.grids import FloorView, floor_grids
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Currency
from app.domain.leads.crud import leads
from app.domain.leads.models import UTM_FIELDS
from app.domain.leads.schemas import LeadRequest
from app.public.api import PUBLIC_STATUSES, PublicFilter
from app.public.cache import (
    GridKey,
    PageKey,
    RenderedComplex,
    RenderedPage,
    cache_of,
    etag_matches,
    make_etag,
)
from app.public.gzipped import accepts_gzip
from app.web.forms import error_message, validate_form
from app.web.i18n import current_language, gettext
from app.web.live import POLL_SECONDS, unchanged
from app.web.templating import TEMPLATES_DIR, csrf_token_for, env, is_htmx, render

router = APIRouter(include_in_schema=False)

# The public macros as a global, like `ui`: blocks rendered alone (HTMX fragments) use them too.

PARTS_TEMPLATE = "public/complex_parts.html"
CACHED_PARTS = ("hero", "filters", "live")
TEMPLATE_FILES = (
    "public/complex.html",
    PARTS_TEMPLATE,
    "public/layout.html",
    "public/macros.html",
    "features/grid/grid.html",
)
# ETags change with the markup too (a deploy), not only with the data.
TEMPLATE_TOKEN = hashlib.sha256(b"".join((TEMPLATES_DIR / name).read_bytes() for name in TEMPLATE_FILES)).hexdigest()
CSRF_BUCKET_SECONDS = 6 * 3600  # a revalidated page keeps a CSRF token at most this old (tokens live 24 h)
MONTH_CHOICES = (6, 12, 18, 24, 36)
FORM_FIELDS = ("name", "phone", "apartment_id", "message", *UTM_FIELDS)
VISIBLE_FIELDS = frozenset({"name", "phone", "message"})
HONEYPOT = "website"
WHITESPACE = re.compile(r"\s+")
PART_MARK = "<!--cached-part:%s-->"
CSRF_MARK = "CSRF-TOKEN-GOES-HERE-3f9c1a"


class Instalment(Input):
    """The instalment calculator: price, down payment share and months; no interest."""

    price: Decimal = Field(Decimal(0), ge=0, le=Decimal("1e15"), max_digits=18, decimal_places=2)
    down_pct: int = Field(30, ge=0, le=90)
    months: int = Field(12, ge=1, le=120)

    _refused: dict[str, dict] = PrivateAttr(default_factory=dict)  # field -> pydantic error
    _typed: dict[str, str] = PrivateAttr(default_factory=dict)  # field -> the refused text

    @classmethod
    def from_query(cls, params: Mapping[str, str], price: Decimal | None = None) -> Instalment:
        """The calculator's inputs from a query string; a value that makes no sense gets its default,
        and is kept, with its problem, to be shown back next to its field."""
        defaults: dict[str, Any] = {"price": price} if price is not None else {}
        given = {name: params[name] for name in cls.model_fields if params.get(name) not in (None, "")}
        try:
            return cls.model_validate(defaults | given)
        except ValidationError as exc:
            refused = {str(error["loc"][0]): dict(error) for error in exc.errors() if error["loc"]}
            calc = cls.model_validate(defaults | {k: v for k, v in given.items() if k not in refused})
            calc._refused = refused
            calc._typed = {name: str(given[name])[:40] for name in refused if name in given}
            return calc

    @property
    def errors(self) -> dict[str, str]:
        """Each refused input's message, in the visitor's language."""
        return {name: error_message(error) for name, error in self._refused.items()}

    def shown(self, name: str, value: object) -> str:
        """What an input shows: the visitor's refused text, else the value used."""
        return self._typed.get(name, str(value))

    @property
    def price_field(self) -> str:
        """The price as the number field shows it back ("1200000", "1234.5")."""
        return format(self.price.normalize(), "f")

    def plan(self, currency: Currency | str) -> InstalmentPlan:
        """What a contract with these terms would schedule: the contract form's down payment rounding and
        `build_schedule` itself, so the calculator and the contract never differ by a sum."""
        currency = Currency(currency)
        down = down_payment_of(self.price, Decimal(self.down_pct) / 100, currency)
        rows = build_schedule(self.price, down, self.months, clock.today(), currency)
        monthly = [row.amount for row in rows if row.kind == InstalmentKind.MONTHLY]
        return InstalmentPlan(
            down_payment=down,
            remainder=self.price - down,
            monthly=monthly[0],
            last=monthly[-1],
            total=sum((row.amount for row in rows), Decimal(0)),
        )

    def query_string(self) -> str:
        """The inputs as a query string; a refused value goes along, to be shown back with its message."""
        return urlencode({"price": self.price_field, "down_pct": self.down_pct, "months": self.months} | self._typed)


@dataclass(frozen=True)
class InstalmentPlan:
    """The calculator's answer: the sums of the schedule a contract on the same terms gets."""

    down_payment: Decimal
    remainder: Decimal
    monthly: Decimal
    last: Decimal
    total: Decimal


class LeadForm(Input):
    """The request form as posted: plain strings, checked by LeadRequest afterwards."""

    name: str = ""
    phone: str = ""
    apartment_id: str = ""
    message: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    website: str = ""
    place: str = "page"


def utm_of(params: Mapping[str, str]) -> dict[str, str]:
    """The UTM tags of a query string (what a campaign link carries)."""
    return {name: params[name][:100] for name in UTM_FIELDS if params.get(name)}


def _language(request: Request, db: Session) -> str:
    """The language the page is rendered in: a logged-in user's own, else the language cookie's,
    else DEFAULT_LANGUAGE (the middleware's choice)."""
    if session_user_id(request) is not None:
        user = optional_user(request, db)
        if user is not None:
            current_language.set(user.language)
    return current_language.get()


def _cache_headers(etag: str, private: bool) -> dict[str, str]:
    """Revalidate every time (cheap: one query), by ETag."""
    return {
        "ETag": etag,
        "Cache-Control": f"{'private' if private else 'public'}, no-cache",
        "Vary": "HX-Request, Cookie",  # the language is the cookie's (or the user's), never Accept-Language
    }


def _not_modified(etag: str, private: bool) -> Response:
    return Response(status_code=304, headers=_cache_headers(etag, private))


def _page_etag(request: Request, key: GridKey, *extra: object, user_id: int | None = None) -> str:
    """The full page's ETag: the cached parts' key, plus what differs per browser and user
    (`user_id` when the caller knows it already: 0 for an anonymous visitor)."""
    nonce = getattr(request.state, "csrf_nonce", "") or ""
    bucket = int(time.time() // CSRF_BUCKET_SECONDS)
    user = session_user_id(request) if user_id is None else user_id
    return make_etag("page", TEMPLATE_TOKEN, key.token(), user or 0, nonce, bucket, *extra)


def _not_found(request: Request, db: Session) -> HTMLResponse:
    optional_user(request, db)
    return render(request, "public/not_found.html", {}, status_code=404)


def _version_of(request: Request, db: Session, slug: str) -> tuple[int, int] | None:
    """(id, inventory version) of a public complex, read from the database at most every
    PUBLIC_VERSION_TTL_MS per process: a change shows within that time in every process
    (0.5 s by default, well inside the 2 s the live grid promises), and a busy page costs no
    query at all between two reads."""
    ttl = request.app.state.settings.public_version_ttl_ms / 1000
    memo = request.app.state.__dict__.setdefault("public_versions", {})
    now = time.monotonic()
    hit = memo.get(slug)
    if hit is not None and now - hit[1] < ttl / 2:  # past half its TTL the memo is read again
        return hit[0]
    found = complexes.version_of(db, slug)
    memo[slug] = (found, now)
    request.app.state.__dict__.setdefault("public_refreshing", {}).pop(slug, None)
    return found


def _claim_refresh(state: dict, slug: str, now: float, ttl: float) -> bool:
    """True for the one request that reads a complex's version again once its memo is half its
    TTL old (it goes through the route); the others meanwhile keep answering from memory. A claim
    whose request never came back lapses after a TTL."""
    refreshing = state.setdefault("public_refreshing", {})
    since = refreshing.get(slug)
    if since is not None and now - since < ttl:
        return False
    refreshing[slug] = now
    return True


def _complex_key(request: Request, db: Session, slug: str, f: PublicFilter, language: str) -> GridKey | None:
    found = _version_of(request, db, slug)
    return GridKey(found[0], found[1], f.key(), language) if found else None


def _rendered(request: Request, db: Session, slug: str, key: GridKey, f: PublicFilter) -> RenderedComplex:
    """The complex page's parts for `key`: from the cache, or rendered now (once) and cached."""
    return cache_of(request.app.state).get_or_render(key, lambda: render_complex(db, slug, key, f))


def render_complex(db: Session, slug: str, key: GridKey, f: PublicFilter) -> RenderedComplex:
    """Load a complex's inventory and render the page parts that depend only on `key`."""
    # The version was read before the data, so the data is at least as new as the key says.
    found = complexes.public_by_slug(db, slug)
    blocks = [(b, floor_grids.building_view(db, b)) for b in found.buildings]
    bookings.show_expired_as_free(db, [a for _, floors in blocks for floor in floors for a in floor.apartments])
    shown = [a for _, floors in blocks for floor in floors for a in floor.apartments if a.status in PUBLIC_STATUSES]
    matching = {a.id for a in shown if f.matches(a)} if f.active else None
    free = [a for a in shown if a.status == ApartmentStatus.FREE]
    facts = {
        "name": found.name,
        "slug": found.slug,
        "currency": found.currency.value,
        "city": found.city,
        "address": found.address,
        "price_from": min((a.total_price for a in free), default=None),
        "free": len(free),
    }
    poll_query = urlencode({"since": key.version}) + (f"&{f.query_string()}" if f.active else "")
    context = {
        "complex": found,
        "facts": facts,
        "f": f,
        "version": key.version,
        "poll_seconds": POLL_SECONDS,
        "poll_url": f"/c/{slug}/grid?{poll_query}",
        "card_url": f"/c/{slug}/apartments/",
        "buildings": [_building_summary(b, floors, matching) for b, floors in blocks],
        "matching": matching,
        "found_count": len(matching) if matching is not None else len(shown),
        "shown_count": len(shown),
        "rooms_choices": sorted({a.rooms for a in shown}),
        "floors_top": max((b.floors for b in found.buildings), default=1),
    }
    parts = {name: _compact(render_block(env, PARTS_TEMPLATE, name, context)) for name in CACHED_PARTS}
    return RenderedComplex(parts=parts, facts=facts)


def _compact(html: str) -> bytes:
    """HTML with each run of whitespace as one space, encoded once (a big grid gets ~15% smaller)."""
    # Browsers show any run of whitespace as one space; the parts hold no <pre> or <textarea>.
    return WHITESPACE.sub(" ", html).encode()


def _building_summary(building: Building, floors: list[FloorView], matching: set[int] | None) -> dict[str, Any]:
    flats = [a for floor in floors for a in floor.apartments if a.status in PUBLIC_STATUSES]
    return {
        "building": building,
        "floors": floors,
        "free": sum(1 for a in flats if a.status == ApartmentStatus.FREE),
        "total": len(flats),
        "found": sum(1 for a in flats if a.id in matching) if matching is not None else None,
    }


def _page(request: Request, entry: RenderedComplex, slug: str, utm: dict, calc: Instalment, here: str) -> RenderedPage:
    """The whole page around the cached parts, with a stand-in where each visitor's CSRF token goes."""
    context = {
        "here": here,  # where the language switch comes back to: only what the page's key holds
        "parts": {name: Markup(PART_MARK % name) for name in entry.parts},  # noqa: S704 - a constant
        "facts": entry.facts,
        "slug": slug,
        "utm": utm,
        "values": utm,
        "errors": {},
        "calc": calc,
        "plan": calc.plan(entry.facts["currency"]),
        "month_choices": MONTH_CHOICES,
        "csrf_token": CSRF_MARK,
    }
    chunks = render(request, "public/complex.html", context).body.split(CSRF_MARK.encode())
    for name, html in entry.parts.items():  # after the split: the parts' text is never taken for a stand-in
        chunks = [chunk.replace((PART_MARK % name).encode(), html) for chunk in chunks]
    return RenderedPage(chunks=chunks)


@router.get("/")
def landing(request: Request, db: DbSession) -> Response:
    """Public complexes, each with a picture, its lowest price and free apartments."""
    optional_user(request, db)
    utm = utm_of(request.query_params)
    return render(
        request, "public/landing.html", {"complexes": complexes.public_with_free(db), "utm_query": urlencode(utm)}
    )


# The complex page and its grid fragment are async and open their (read-only) session
# themselves, so a cached answer costs no thread hop and, between two reads of the version
# (see _version_of), no query; a miss loads and renders in the thread pool (once per key: see
# RenderCache.render_lock).


def _page_parts(request: Request, key: GridKey) -> tuple[dict, tuple, str]:
    """(campaign tags, calculator inputs, ETag) of a complex page request for `key`."""
    utm = utm_of(request.query_params)
    calc_params = tuple(
        sorted((k, request.query_params[k]) for k in Instalment.model_fields if k in request.query_params)
    )
    return utm, calc_params, _page_etag(request, key, sorted(utm.items()), calc_params)


@lru_cache(maxsize=1024)
def _query_parts(query_string: bytes) -> tuple[tuple, tuple, tuple]:
    """(filter key, sorted campaign tags, calculator inputs) of a complex page's query string,
    parsed once per distinct query (the same few links are asked for again and again)."""
    params = QueryParams(query_string)
    calc_params = tuple(sorted((k, params[k]) for k in Instalment.model_fields if k in params))
    return PublicFilter.from_query(params).key(), tuple(sorted(utm_of(params).items())), calc_params


def cached_complex_page(request: Request, slug: str) -> Response | None:
    """The complex page straight from memory for an anonymous visitor, or None (let the route work).

    No database, no thread: it answers only when the version memo is fresh and the page is
    cached; the middleware in app.public.fastpath calls it ahead of the router. Once the memo is
    half its TTL old, one request is let through to the route to read the version again, so a
    busy page never has every visitor fall through at once when the memo expires.
    """
    state = request.app.state.__dict__
    hit = state.get("public_versions", {}).get(slug)
    ttl = request.app.state.settings.public_version_ttl_ms / 1000
    now = time.monotonic()
    if hit is None or hit[0] is None or now - hit[1] >= ttl:
        return None
    if now - hit[1] >= ttl / 2 and _claim_refresh(state, slug, now, ttl):
        return None  # this visitor's request refreshes the memo before it expires for everybody
    found = hit[0]
    filters, utm_items, calc_params = _query_parts(request.scope.get("query_string", b""))
    key = GridKey(found[0], found[1], filters, current_language.get())
    etag = _page_etag(request, key, list(utm_items), calc_params, user_id=0)
    if etag_matches(request.headers.get("if-none-match"), etag):
        return _not_modified(etag, private=True)
    page = cache_of(request.app.state).get(PageKey(key, "", utm_items, calc_params))
    if page is None:
        return None
    return _page_response(request, page, etag, user_id=0)


@router.get("/c/{slug}")
async def complex_page(request: Request, db: ReadSession, slug: str) -> Response:
    """A complex's page: description, pictures, filters, the live grid, calculator and request form."""
    language = _language(request, db)
    f = PublicFilter.from_query(request.query_params)
    key = _complex_key(request, db, slug, f, language)
    if key is None:
        return _not_found(request, db)
    utm, calc_params, etag = _page_parts(request, key)
    if etag_matches(request.headers.get("if-none-match"), etag):
        return _not_modified(etag, private=True)
    user = optional_user(request, db)
    cache = cache_of(request.app.state)
    page_key = PageKey(key, user.role.value if user else "", tuple(sorted(utm.items())), calc_params)
    page = cache.get(page_key)
    if page is None:
        entry = await run_in_threadpool(_rendered, request, db, slug, key, f)
        calc = Instalment.from_query(request.query_params, price=entry.facts["price_from"])
        query = "&".join(q for q in (f.query_string(), urlencode(utm), urlencode(calc_params)) if q)
        page = _page(request, entry, slug, utm, calc, f"/c/{slug}" + (f"?{query}" if query else ""))
        cache.put(page_key, page)
    return _page_response(request, page, etag)


def _page_response(request: Request, page: RenderedPage, etag: str, user_id: int | None = None) -> Response:
    """A cached complex page for this visitor: gzipped (compressed once) when the browser takes it."""
    headers = _cache_headers(etag, private=True)
    headers["Vary"] += ", Accept-Encoding"
    if user_id is None:
        token = csrf_token_for(request)
    else:  # the caller knows the visitor (the fast path: anonymous), no token to read again
        nonce = getattr(request.state, "csrf_nonce", "") or ""
        token = make_csrf_token(request.app.state.settings.secret_key, nonce, user_id)
    if accepts_gzip(request.headers.get("accept-encoding")):
        headers["Content-Encoding"] = "gzip"
        return Response(page.gzip_with_token(token), media_type="text/html; charset=utf-8", headers=headers)
    return Response(page.with_token(token), media_type="text/html; charset=utf-8", headers=headers)


@router.get("/c/{slug}/grid")
async def complex_grid(request: Request, db: ReadSession, slug: str, since: Int | None = None) -> Response:
    """The live grid block: filtered (HTMX, the URL follows), or polled (204 until the version moves)."""
    language = _language(request, db)
    f = PublicFilter.from_query(request.query_params)
    key = _complex_key(request, db, slug, f, language)
    if key is None:
        raise NotFound("Complex not found.")
    if (nothing := unchanged(key.version, since)) is not None:
        return nothing
    etag = make_etag("live", TEMPLATE_TOKEN, key.token())
    if since is None and etag_matches(request.headers.get("if-none-match"), etag):
        return _not_modified(etag, private=False)
    entry = cache_of(request.app.state).get(key) or await run_in_threadpool(_rendered, request, db, slug, key, f)
    headers = _cache_headers(etag, private=False)
    if since is None:  # a filter change: the address bar shows the filters (and keeps the campaign tags)
        query = "&".join(q for q in (f.query_string(), urlencode(utm_of(request.query_params))) if q)
        headers["HX-Push-Url"] = f"/c/{slug}" + (f"?{query}" if query else "")
    return Response(entry.parts["live"], media_type="text/html; charset=utf-8", headers=headers)


def _public_apartment(db: Session, slug: str, apartment_id: Id) -> Apartment:
    """An apartment of this public complex that buyers may see, or NotFound."""
    apartment = apartments.get(db, apartment_id)
    place = apartment.building.complex
    if place.slug != slug or not place.is_public or apartment.status not in PUBLIC_STATUSES:
        raise NotFound("Apartment not found.")
    return apartment


@router.get("/c/{slug}/apartments/{apartment_id}")
def apartment_card(request: Request, db: DbSession, slug: str, apartment_id: Id) -> Response:
    """An apartment's card (a modal on the complex page), with its request form."""
    optional_user(request, db)
    apartment = _public_apartment(db, slug, apartment_id)
    context = {
        "apartment": apartment,
        "complex": apartment.building.complex,
        "slug": slug,
        "currency": apartment.building.complex.currency.value,
        "values": {},
        "errors": {},
    }
    return render(request, "public/apartment.html", context, block="card")


@router.get("/c/{slug}/calculator")
def calculator(request: Request, db: DbSession, slug: str) -> Response:
    """The instalment calculator (its result only when the form asks for it)."""
    currency = complexes.public_currency(db, slug)
    if currency is None:
        raise NotFound("Complex not found.")
    calc = Instalment.from_query(request.query_params)
    if not is_htmx(request):
        return RedirectResponse(f"/c/{slug}?{calc.query_string()}#calculator", status_code=303)
    block = "calc_result" if request.headers.get("hx-target") == "calc-result" else "calculator"
    context = {
        "calc": calc,
        "plan": calc.plan(currency),
        "slug": slug,
        "facts": {"currency": currency.value},
        "month_choices": MONTH_CHOICES,
        "calc_oob": block == "calc_result",  # the messages by the fields come along out of band
    }
    return render(request, "public/complex.html", context, block=block)


@router.post("/c/{slug}/request")
def submit_request(request: Request, db: DbSession, slug: str, form: Annotated[LeadForm, Form()]) -> Response:
    """A buyer's request: the thank-you, or the form again with the error next to the field."""
    optional_user(request, db)
    values = form.model_dump()
    if values[HONEYPOT].strip():  # only bots fill the hidden field: they are thanked and forgotten
        return _lead_form(request, slug, values, {}, done=True)
    data, errors = validate_form(
        LeadRequest, {**{name: values[name] for name in FORM_FIELDS if values[name].strip()}, "complex_slug": slug}
    )
    if data is None:
        return _lead_form(request, slug, values, _shown_errors(errors), status=422)
    try:
        with db.begin_nested():
            leads.submit_request(db, data, client_address(request))
    except TooManyRequests as exc:
        return _lead_form(
            request,
            slug,
            values,
            {"__all__": gettext(exc.message)},
            status=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AppError as exc:
        message = gettext(exc.message, **exc.params)
        return _lead_form(
            request, slug, values, _shown_errors({exc.field or "__all__": message}), status=exc.status_code
        )
    return _lead_form(request, slug, values, {}, done=True)


def _shown_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors of hidden fields (apartment, campaign tags) shown above the form."""
    shown = {k: v for k, v in errors.items() if k in VISIBLE_FIELDS}
    hidden = [v for k, v in errors.items() if k not in VISIBLE_FIELDS]
    return shown | ({"__all__": hidden[0]} if hidden else {})


def _lead_form(
    request: Request,
    slug: str,
    values: dict,
    errors: dict,
    *,
    done: bool = False,
    status: int = 200,
    headers: dict | None = None,
) -> HTMLResponse:
    context = {
        "slug": slug,
        "values": values,
        "errors": errors,
        "done": done,
        "place": "card" if values.get("place") == "card" else "page",
        "utm": {k: values[k] for k in UTM_FIELDS if values.get(k)},
    }
    return render(request, "public/request.html", context, block="lead_form", status_code=status, headers=headers)
