"""The buyer's service page behind their private link: the apartment, a form to report a problem
(pictures checked like every work order picture), and the contract's requests with their status.

`/service/<token>` (HTML, the public site's layout, CSRF on the form) and its JSON twin
`/api/public/service/<token>` (GET the requests, POST a multipart report). Any token that does
not open an active link answers the same polite 404, whatever bytes it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from app.auth.deps import DbSession, client_address, get_settings, optional_user
from app.core.errors import AppError, NotFound, TooManyRequests
from app.domain.dispatch.models import BOOKED, ServiceLink, WorkOrder
from app.domain.dispatch.pictures import PictureUpload
from app.domain.dispatch.schemas import ServiceRequestCreate
from app.domain.dispatch.service_links import MAX_PICTURES, RequestRules, first_name, service_links
from app.web.forms import PostedForm, validate_form
from app.web.i18n import gettext
from app.web.labels import WORK_ORDER_STATUS_LABELS
from app.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/public", tags=["public"])

TEMPLATE = "public/service.html"
FIELDS = ("title", "text", "preferred_time")
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


class ServiceApartment(BaseModel):
    """The apartment the link is for."""

    complex: str
    building: str
    number: str


class ServiceOrder(BaseModel):
    """One of the contract's requests as the buyer sees it."""

    id: int
    title: str
    status: str
    status_label: str
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    created_at: datetime


class ServicePage(BaseModel):
    """What the buyer's link shows: the apartment, their first name, the requests."""

    apartment: ServiceApartment
    buyer_first_name: str
    requests: list[ServiceOrder]


def _resolve(request: Request, db: Session, token: str) -> ServiceLink:
    return service_links.resolve(db, get_settings(request).secret_key, token)


def _rules(request: Request) -> RequestRules:
    settings = get_settings(request)
    return RequestRules(
        due=settings.work_order_due,
        data_dir=settings.data_dir,
        max_bytes=settings.max_upload_bytes,
        per_link=settings.service_requests_per_link,
        per_address=settings.service_requests_per_address,
    )


def _slot(order: WorkOrder) -> tuple[datetime | None, datetime | None]:
    """The visit's time while one is booked (a cancelled or finished order shows none)."""
    return (order.scheduled_start, order.scheduled_end) if order.status in BOOKED else (None, None)


def _order_view(order: WorkOrder) -> ServiceOrder:
    start, end = _slot(order)
    return ServiceOrder(
        id=order.id,
        title=order.title,
        status=order.status.value,
        status_label=gettext(WORK_ORDER_STATUS_LABELS[order.status.value]),
        scheduled_start=start,
        scheduled_end=end,
        created_at=order.created_at,
    )


def _page_data(db: Session, link: ServiceLink) -> ServicePage:
    apartment = link.contract.apartment
    orders = [_order_view(o) for o in service_links.orders(db, link)]
    return ServicePage(
        apartment=ServiceApartment(
            complex=apartment.building.complex.name, building=apartment.building.name, number=apartment.number
        ),
        buyer_first_name=first_name(link.contract.buyer_full_name),
        requests=orders,
    )


def _uploads(form: FormData) -> list[PictureUpload]:
    """The chosen files of the `pictures` field (an empty file input sends a nameless part: skipped)."""
    files = [v for v in form.getlist("pictures") if isinstance(v, UploadFile) and v.filename]
    return [PictureUpload(f.file, f.filename) for f in files]


@dataclass
class Outcome:
    """What a submitted report came to: the order, or the errors by field with the status and headers."""

    order: WorkOrder | None = None
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 201
    headers: dict[str, str] = field(default_factory=dict)


def _typed(form: FormData) -> dict[str, str]:
    """The text fields as posted (a file sent in a text field's place counts as nothing)."""
    return {name: value for name in FIELDS if isinstance(value := form.get(name, ""), str)}


def _submit(request: Request, db: Session, link: ServiceLink, form: FormData) -> Outcome:
    """Validate and create the request in a savepoint (nothing is left behind on a refusal)."""
    data, errors = validate_form(ServiceRequestCreate, _typed(form))
    if data is None:
        return Outcome(errors=errors, status=422)
    uploads = _uploads(form)
    try:
        with db.begin_nested():
            return Outcome(service_links.submit(db, link, data, uploads, client_address(request), _rules(request)))
    except TooManyRequests as exc:
        message = gettext(exc.message, **exc.params)
        return Outcome(errors={"__all__": message}, status=429, headers={"Retry-After": str(exc.retry_after)})
    except AppError as exc:
        return Outcome(errors={exc.field or "__all__": gettext(exc.message, **exc.params)}, status=exc.status_code)


def _not_found(request: Request, db: Session) -> Response:
    optional_user(request, db)
    return render(request, "public/service_not_found.html", {}, status_code=404, headers=PRIVATE)


def _render(request: Request, db: Session, link: ServiceLink, token: str, values: dict, outcome: Outcome) -> Response:
    errors, status, headers = outcome.errors, outcome.status, PRIVATE | outcome.headers
    context: dict[str, Any] = {
        "page": _page_data(db, link),
        "token": token,
        "values": values,
        "errors": errors,
        "sent": request.query_params.get("sent") == "1",
        "max_pictures": MAX_PICTURES,
        "here": f"/service/{token}",
    }
    return render(request, TEMPLATE, context, status_code=status, headers=headers)


@router.get("/service/{token}")
def service_page(request: Request, db: DbSession, token: str) -> Response:
    """The buyer's page: apartment, the report form, the contract's requests with their status."""
    optional_user(request, db)
    try:
        link = _resolve(request, db, token)
    except NotFound:
        return _not_found(request, db)
    return _render(request, db, link, token, {}, Outcome(status=200))


@router.post("/service/{token}")
def submit_service_request(request: Request, db: DbSession, token: str, form: PostedForm) -> Response:
    """Report a problem: back to the page with a thank-you, or the form with the error next to the field."""
    optional_user(request, db)
    try:
        link = _resolve(request, db, token)
    except NotFound:
        return _not_found(request, db)
    outcome = _submit(request, db, link, form)
    if outcome.order is None:
        return _render(request, db, link, token, _typed(form), outcome)
    return see_other(f"/service/{token}?sent=1")


@api_router.get("/service/{token}", response_model=ServicePage)
def service_requests(request: Request, db: DbSession, token: str) -> ServicePage:
    """The link's apartment and the contract's requests with their status (404 for any other token)."""
    return _page_data(db, _resolve(request, db, token))


@api_router.post("/service/{token}", status_code=201, response_model=ServiceOrder)
def create_service_request(request: Request, db: DbSession, token: str, form: PostedForm) -> Response | ServiceOrder:
    """Report a problem (multipart: title, text, preferred_time, up to 5 `pictures`): 201, 422 naming the field, 429."""
    link = _resolve(request, db, token)
    outcome = _submit(request, db, link, form)
    if outcome.order is not None:
        return _order_view(outcome.order)
    if outcome.status == 429:
        return JSONResponse({"detail": outcome.errors["__all__"]}, status_code=429, headers=outcome.headers)
    loc = {"__all__": ["body"]}
    detail = [{"loc": loc.get(k, ["body", k]), "msg": v, "type": "value_error"} for k, v in outcome.errors.items()]
    return JSONResponse({"detail": detail}, status_code=outcome.status)
