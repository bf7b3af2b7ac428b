"""Contracts: the list, the contract page (printable, with its schedule and payments), cancelling (admin),
and the form that turns a booking into a contract with a live schedule preview.

Each page calls the same CRUD method as its JSON twin; row scope lives in ContractCRUD.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.models import User
from app.auth.permissions import P, can, has_permission
from app.core import clock
from app.core.errors import AppError
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.bookings.schemas import BookingFilter
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import ContractStatus, InstalmentKind
from app.domain.contracts.schedule import build_schedule, down_payment_of
from app.domain.contracts.schemas import MONEY, ContractCancel, ContractCreate, ContractFilter
from app.domain.dispatch.crud import work_orders
from app.domain.finance.crud import payments
from app.features.contracts.exports import contracts_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase, dashboard_base, dashboard_role
from app.web.format import input_number
from app.web.forms import PostedForm, optional_int, submit_values, validate_form
from app.web.i18n import gettext
from app.web.money import clean_numbers
from app.web.service_links import link_box
from app.web.templating import render, see_other

router = APIRouter()
WRITE = [Depends(require(P.CONTRACTS_WRITE))]

MONEY_FIELDS = ("discount", "down_payment")
DEFAULT_DOWN_SHARE = Decimal("0.3")
DEFAULT_MONTHS = 12


class SchedulePreview(BaseModel):
    """The terms the form's live preview recomputes the schedule from."""

    booking_id: Id = Field(ge=1)
    discount: Decimal = Field(Decimal("0"), ge=0, **MONEY)
    discount_reason: str = Field("", max_length=300)
    down_payment: Decimal = Field(ge=0, **MONEY)
    months: int = Field(ge=0, le=120)
    start_date: date


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, to one decimal (0 for an empty whole)."""
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0")


def typed_money(values: dict[str, Any]) -> dict[str, Any]:
    """The contract form's money fields made parseable; a blank discount means none."""
    return clean_numbers(values, MONEY_FIELDS, unset=("discount",))


def schedule_preview(user: User, booking: Booking, terms: SchedulePreview, limit_percent: int) -> dict[str, Any]:
    """The schedule the terms would give, with the first rule they break (same rules as creating)."""
    apartment = booking.apartment
    currency = apartment.building.complex.currency
    price = Decimal(apartment.total_price)
    problem = None
    try:
        contracts.check_money(user, terms, price, limit_percent)  # duck-typed: the same money rules
    except AppError as exc:
        problem = gettext(exc.message, **exc.params)
    total = price - terms.discount
    try:
        rows = build_schedule(total, terms.down_payment, terms.months, terms.start_date, currency) if total > 0 else []
    except ValueError:
        rows = []
    monthly = [row for row in rows if row.kind == InstalmentKind.MONTHLY]
    return {
        "problem": problem,
        "rows": rows,
        "total": total,
        "price": price,
        "discount": terms.discount,
        "down_payment": terms.down_payment,
        "currency": currency.value,
        "months": terms.months,
        "down_share": percent(terms.down_payment, total),
        "discount_share": percent(terms.discount, price),
        "monthly": monthly[0].amount if monthly else None,
        "last": monthly[-1] if monthly else None,
    }


def _links(request: Request) -> dict[str, Any]:
    """What the contract pages may link to and offer, by the dashboard's role."""
    role = dashboard_role(request)
    return {
        "base": dashboard_base(request),
        "can_write": has_permission(role, P.CONTRACTS_WRITE),
        "can_cancel": has_permission(role, P.CONTRACTS_CANCEL),
        "lead_links": has_permission(role, P.LEADS_WRITE),
        "grid_links": has_permission(role, P.INVENTORY_READ),
        "booking_links": has_permission(role, P.BOOKINGS_READ),
    }


@router.get("/contracts")
def contracts_page(
    request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]
) -> Response:
    """Contracts the user may see: search by number or buyer, status filter, sorting, paging."""
    context = {**_links(request), "page": contracts.page(db, user, f), "f": f}
    return render(request, "features/contracts/list.html", context, block="rows")


def _contract_page(
    request: Request, db: Session, user: User, contract_id: Id, status_code: int = 200, **extra: Any
) -> Response:
    """The contract page, with the cancel form's values and errors when it comes back."""
    contract = contracts.get(db, user, contract_id)
    approver = users.get(db, contract.discount_approved_by_id) if contract.discount_approved_by_id else None
    planned = sum((i.amount for i in contract.schedule), Decimal("0"))
    paid = sum((i.paid for i in contract.schedule), Decimal("0"))
    history = payments.for_contract(db, user, contract.id)
    service = work_orders.for_contract(db, user, contract.id) if can(user, P.WORK_ORDERS_READ) else None
    active = contract.status == ContractStatus.ACTIVE
    context = {
        **_links(request),
        "contract": contract,
        "approver": approver,
        "planned": planned,
        "paid": paid,
        "payments": history,
        "service_orders": service,
        "service_link_box": link_box(request, db, user, contract.id) if active else None,
        "monthly_count": sum(1 for i in contract.schedule if i.kind == InstalmentKind.MONTHLY),
        "cancel_values": {},
        "cancel_errors": {},
        "saved": "",
        **extra,
    }
    return render(request, "features/contracts/detail.html", context, status_code=status_code)


@router.get("/contracts/export")
def contracts_export_file(
    db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered contracts as CSV or XLSX."""
    return contracts_export(db, user, f, format)


@router.get("/contracts/{contract_id:int}")
def contract_detail(request: Request, db: DbSession, user: CurrentUser, contract_id: Id, saved: str = "") -> Response:
    """One contract: buyer, apartment, money, the payment schedule with totals; printable."""
    return _contract_page(request, db, user, contract_id, saved=saved)


@router.post("/contracts/{contract_id:int}/cancel", dependencies=[Depends(require(P.CONTRACTS_CANCEL))])
def cancel_contract(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, contract_id: Id, base: DashboardBase
) -> Response:
    """Cancel a contract with a reason (admin); the apartment is free again."""
    _, values, errors = submit_values(
        db, ContractCancel, dict(form), lambda d: contracts.cancel(db, user, contract_id, d.reason)
    )
    if not errors:
        return see_other(f"{base}/contracts/{contract_id}?saved=cancelled")
    return _contract_page(request, db, user, contract_id, status_code=422, cancel_values=values, cancel_errors=errors)


def _limit_of(request: Request) -> int:
    """The largest discount, in percent, a salesperson may give (SALES_DISCOUNT_LIMIT_PERCENT)."""
    return get_settings(request).sales_discount_limit_percent


def _default_values(booking: Booking) -> dict[str, Any]:
    """The form's first values: the lead's name and phone, 30% down, 12 months from today."""
    apartment = booking.apartment
    down = down_payment_of(Decimal(apartment.total_price), DEFAULT_DOWN_SHARE, apartment.building.complex.currency)
    return {
        "booking_id": booking.id,
        "buyer_full_name": booking.lead.name,
        "buyer_phone": booking.lead.phone,
        "buyer_passport": "",
        "buyer_address": "",
        "discount": "0",
        "discount_reason": "",
        "down_payment": input_number(down),
        "months": DEFAULT_MONTHS,
        "start_date": clock.today().isoformat(),
    }


def _picker_page(request: Request, db: Session, user: User, status_code: int = 200, error: str = "") -> Response:
    """The active bookings the user may turn into a contract."""
    active = bookings.page(db, user, BookingFilter(status=BookingStatus.ACTIVE, sort="expires_at", page_size=100))
    context = {**_links(request), "bookings": active.items, "total": active.total, "error": error}
    return render(request, "features/contracts/pick_booking.html", context, status_code=status_code)


def _form_page(
    request: Request, db: Session, user: User, booking: Booking, values: dict, errors: dict, status_code: int = 200
) -> Response:
    """The contract form of a booking with its schedule preview."""
    limit = _limit_of(request)
    price = Decimal(booking.apartment.total_price)
    terms, _ = validate_form(SchedulePreview, typed_money(values))
    open_ = booking.status == BookingStatus.ACTIVE and booking.expires_at > clock.now()
    context = {
        **_links(request),
        "booking": booking,
        "values": values,
        "errors": errors,
        "limit": limit,
        "limit_amount": (price * limit / 100).quantize(Decimal("0.01")),
        "price": price,
        "currency": booking.apartment.building.complex.currency.value,
        "bookable": open_,
        "approver": can(user, P.DISCOUNT_APPROVE),
        "preview": schedule_preview(user, booking, terms, limit) if terms and open_ else None,
    }
    return render(request, "features/contracts/form.html", context, status_code=status_code)


@router.get("/contracts/new", dependencies=WRITE)
def new_contract(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, booking_id: str = ""
) -> Response:
    """The contract form for an active booking, prefilled from its lead; without one, a booking picker."""
    chosen = optional_int(booking_id)
    if chosen is None:
        return _picker_page(request, db, user)
    booking = bookings.get(db, user, chosen)
    if booking.status == BookingStatus.CONVERTED:
        made = [c for c in contracts.for_lead(db, booking.lead_id) if c.booking_id == booking.id]
        if made:
            return see_other(f"{base}/contracts/{made[0].id}")
    status = 200 if booking.status == BookingStatus.ACTIVE and booking.expires_at > clock.now() else 409
    return _form_page(request, db, user, booking, _default_values(booking), {}, status_code=status)


@router.get("/contracts/preview", dependencies=WRITE)
def contract_preview(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The schedule fragment the form shows while the terms are typed (HTMX)."""
    terms, errors = validate_form(SchedulePreview, typed_money(dict(request.query_params)))
    if terms is None:
        return render(
            request, "features/contracts/preview.html", {**_links(request), "preview": None, "preview_errors": errors}
        )
    booking = bookings.get(db, user, terms.booking_id)
    context = {**_links(request), "preview": schedule_preview(user, booking, terms, _limit_of(request))}
    return render(request, "features/contracts/preview.html", context)


@router.post("/contracts", dependencies=WRITE)
def create_contract(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Make the contract of a booking in one transaction; the form again with errors otherwise."""
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    made, _, errors = submit_values(
        db, ContractCreate, typed_money(values), lambda d: contracts.create(db, user, d, _limit_of(request))
    )
    if not errors:
        return see_other(f"{base}/contracts/{made.id}?saved=created")
    booking_id = optional_int(values.get("booking_id"))
    if booking_id is None:
        return _picker_page(request, db, user, status_code=422, error=gettext("Choose a booking."))
    booking = bookings.get(db, user, booking_id)
    return _form_page(request, db, user, booking, values, errors, status_code=422)
