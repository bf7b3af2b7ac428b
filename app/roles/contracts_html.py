"""HTML pages of contracts (the form with a live schedule preview, the contract page, the
list, cancelling) and of the MOP's lead assignment and extension queue. Each calls the same
CRUD method as its JSON twin in app/roles/pipeline.py; row scope lives in the CRUD classes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, ValidationError

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, get_settings
from app.auth.models import User
from app.auth.permissions import P, Role, has_permission
from app.core import clock
from app.core.errors import AppError
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.bookings.schemas import BookingFilter, ExtensionDecision
from app.domain.contracts.crud import DISCOUNT_APPROVERS, contracts
from app.domain.contracts.models import InstalmentKind
from app.domain.contracts.schedule import CURRENCY_UNIT, build_schedule
from app.domain.contracts.schemas import MONEY, ContractCancel, ContractCreate, ContractFilter
from app.domain.finance.crud import payments
from app.domain.inventory.crud import complexes
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.schemas import Assignment, LeadFilter
from app.roles.pipeline_exports import contracts_export
from app.web.forms import PostedForm, submit_values, validate_form
from app.web.i18n import gettext
from app.web.money import amount, clean_numbers
from app.web.templating import is_htmx, render, see_other

MONEY_FIELDS = ("discount", "down_payment")
DEFAULT_DOWN_SHARE = Decimal("0.3")
DEFAULT_MONTHS = 12


class SchedulePreview(BaseModel):
    """The terms the form's live preview recomputes the schedule from."""

    booking_id: int = Field(ge=1)
    discount: Decimal = Field(Decimal("0"), ge=0, **MONEY)
    discount_reason: str = Field("", max_length=300)
    down_payment: Decimal = Field(ge=0, **MONEY)
    months: int = Field(ge=0, le=120)
    start_date: date


def grouped(value: Decimal) -> str:
    """A sum as a form field shows it, thousands apart: "209 057 520", "1 234.50"."""
    text = f"{value:,.2f}".replace(",", " ")
    return text[:-3] if text.endswith(".00") else text


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


def html_routes(role: Role) -> APIRouter:
    """The contract and MOP pages a role may use, by its permissions."""
    router = APIRouter()
    base = f"/dashboard/{role.value}"
    if has_permission(role, P.CONTRACTS_READ):
        _contract_pages(router, role, base)
    if has_permission(role, P.LEADS_ASSIGN):
        _assign_pages(router, base)
    if has_permission(role, P.EXTENSIONS_DECIDE):
        _extension_pages(router, base)
    return router


# --- contracts ---------------------------------------------------------------------------


def _contract_pages(router: APIRouter, role: Role, base: str) -> None:
    can_write = has_permission(role, P.CONTRACTS_WRITE)
    can_cancel = has_permission(role, P.CONTRACTS_CANCEL)
    links = {
        "base": base,
        "amount": amount,
        "can_write": can_write,
        "can_cancel": can_cancel,
        "lead_links": has_permission(role, P.LEADS_WRITE),
        "grid_links": has_permission(role, P.INVENTORY_READ),
        "booking_links": has_permission(role, P.BOOKINGS_READ),
    }

    @router.get("/contracts")
    def contracts_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]):
        """Contracts the user may see: search by number or buyer, status filter, sorting, paging."""
        context = {**links, "page": contracts.page(db, user, f), "f": f}
        return render(request, "features/contracts/list.html", context, block="rows")

    def contract_page(request: Request, db, user, contract_id: int, status_code: int = 200, **extra):
        """The contract page, with the cancel form's values and errors when it comes back."""
        contract = contracts.get(db, user, contract_id)
        approver = users.get(db, contract.discount_approved_by_id) if contract.discount_approved_by_id else None
        planned = sum((i.amount for i in contract.schedule), Decimal("0"))
        paid = sum((i.paid for i in contract.schedule), Decimal("0"))
        history = payments.for_contract(db, user, contract.id)
        context = {
            **links,
            "contract": contract,
            "approver": approver,
            "planned": planned,
            "paid": paid,
            "payments": history,
            "monthly_count": sum(1 for i in contract.schedule if i.kind == InstalmentKind.MONTHLY),
            "cancel_values": {},
            "cancel_errors": {},
            "saved": "",
            **extra,
        }
        return render(request, "features/contracts/detail.html", context, status_code=status_code)

    @router.get("/contracts/export")
    def contracts_export_file(
        db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()], format: Literal["csv", "xlsx"] = "csv"
    ):
        """The filtered contracts as CSV or XLSX."""
        return contracts_export(db, user, f, format)

    @router.get("/contracts/{contract_id:int}")
    def contract_detail(request: Request, db: DbSession, user: CurrentUser, contract_id: int, saved: str = ""):
        """One contract: buyer, apartment, money, the payment schedule with totals; printable."""
        return contract_page(request, db, user, contract_id, saved=saved)

    if can_write:
        _contract_form(router, base, links)

    if can_cancel:

        @router.post("/contracts/{contract_id:int}/cancel")
        def cancel_contract(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, contract_id: int):
            """Cancel a contract with a reason (admin); the apartment is free again."""
            _, values, errors = submit_values(
                db, ContractCancel, dict(form), lambda d: contracts.cancel(db, user, contract_id, d.reason)
            )
            if not errors:
                return see_other(f"{base}/contracts/{contract_id}?saved=cancelled")
            return contract_page(
                request, db, user, contract_id, status_code=422, cancel_values=values, cancel_errors=errors
            )


def _contract_form(router: APIRouter, base: str, links: dict[str, Any]) -> None:
    def limit_of(request: Request) -> int:
        """The largest discount, in percent, a salesperson may give (SALES_DISCOUNT_LIMIT_PERCENT)."""
        return get_settings(request).sales_discount_limit_percent

    def default_values(request: Request, booking: Booking) -> dict[str, Any]:
        """The form's first values: the lead's name and phone, 30% down, 12 months from today."""
        apartment = booking.apartment
        unit = CURRENCY_UNIT[apartment.building.complex.currency]
        down = (Decimal(apartment.total_price) * DEFAULT_DOWN_SHARE).quantize(unit, rounding=ROUND_DOWN)
        return {
            "booking_id": booking.id,
            "buyer_full_name": booking.lead.name,
            "buyer_phone": booking.lead.phone,
            "buyer_passport": "",
            "buyer_address": "",
            "discount": "0",
            "discount_reason": "",
            "down_payment": grouped(down),
            "months": DEFAULT_MONTHS,
            "start_date": clock.today().isoformat(),
        }

    def picker_page(request: Request, db, user, status_code: int = 200, error: str = ""):
        """The active bookings the user may turn into a contract."""
        active = bookings.page(db, user, BookingFilter(status=BookingStatus.ACTIVE, sort="expires_at", page_size=100))
        context = {**links, "bookings": active.items, "total": active.total, "error": error}
        return render(request, "features/contracts/pick_booking.html", context, status_code=status_code)

    def form_page(request: Request, db, user, booking: Booking, values: dict, errors: dict, status_code: int = 200):
        """The contract form of a booking with its schedule preview."""
        limit = limit_of(request)
        price = Decimal(booking.apartment.total_price)
        terms, _ = validate_form(SchedulePreview, typed_money(values))
        open_ = booking.status == BookingStatus.ACTIVE and booking.expires_at > clock.now()
        context = {
            **links,
            "booking": booking,
            "values": values,
            "errors": errors,
            "limit": limit,
            "limit_amount": (price * limit / 100).quantize(Decimal("0.01")),
            "price": price,
            "currency": booking.apartment.building.complex.currency.value,
            "bookable": open_,
            "approver": user.role in DISCOUNT_APPROVERS,
            "preview": schedule_preview(user, booking, terms, limit) if terms and open_ else None,
        }
        return render(request, "features/contracts/form.html", context, status_code=status_code)

    @router.get("/contracts/new")
    def new_contract(request: Request, db: DbSession, user: CurrentUser, booking_id: str = ""):
        """The contract form for an active booking, prefilled from its lead; without one, a booking picker."""
        if not booking_id.isdigit() or int(booking_id) < 1:
            return picker_page(request, db, user)
        booking = bookings.get(db, user, int(booking_id))
        if booking.status == BookingStatus.CONVERTED:
            made = [c for c in contracts.for_lead(db, booking.lead_id) if c.booking_id == booking.id]
            if made:
                return see_other(f"{base}/contracts/{made[0].id}")
        status = 200 if booking.status == BookingStatus.ACTIVE and booking.expires_at > clock.now() else 409
        return form_page(request, db, user, booking, default_values(request, booking), {}, status_code=status)

    @router.get("/contracts/preview")
    def contract_preview(request: Request, db: DbSession, user: CurrentUser):
        """The schedule fragment the form shows while the terms are typed (HTMX)."""
        terms, errors = validate_form(SchedulePreview, typed_money(dict(request.query_params)))
        if terms is None:
            return render(
                request, "features/contracts/preview.html", {**links, "preview": None, "preview_errors": errors}
            )
        booking = bookings.get(db, user, terms.booking_id)
        context = {**links, "preview": schedule_preview(user, booking, terms, limit_of(request))}
        return render(request, "features/contracts/preview.html", context)

    @router.post("/contracts")
    def create_contract(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
        """Make the contract of a booking in one transaction; the form again with errors otherwise."""
        values = {k: v for k, v in form.items() if k != "csrf_token"}
        made, _, errors = submit_values(
            db, ContractCreate, typed_money(values), lambda d: contracts.create(db, user, d, limit_of(request))
        )
        if not errors:
            return see_other(f"{base}/contracts/{made.id}?saved=created")
        booking_id = str(values.get("booking_id", ""))
        if not booking_id.isdigit() or int(booking_id) < 1:
            return picker_page(request, db, user, status_code=422, error=gettext("Choose a booking."))
        booking = bookings.get(db, user, int(booking_id))
        return form_page(request, db, user, booking, values, errors, status_code=422)


# --- MOP: assignment ---------------------------------------------------------------------


def _safe_back(back: str) -> str:
    """The list's query string to return to ("?..."), never another address."""
    return back if back.startswith("?") and "\n" not in back and "\r" not in back else "?unassigned=true"


def _assign_pages(router: APIRouter, base: str) -> None:
    def assign_page(request: Request, db, user, f: LeadFilter, status_code: int = 200, **extra):
        """The distribution list; HTMX filter requests get only its rows."""
        context = {
            "base": base,
            "f": f,
            "page": leads.page(db, user, f),
            "team": users.team(db, Role.SALES),
            "errors": {},
            "checked": set(),
            "salesperson_id": "",
            "done": None,
            **extra,
        }
        if not is_htmx(request):
            context["complexes"] = complexes.all(db)
        return render(request, "features/assignment/assign.html", context, block="rows", status_code=status_code)

    @router.get("/assign")
    def assign_leads_page(
        request: Request, db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], done: int | None = None
    ):
        """Leads to distribute (unassigned by default) with checkboxes and a salesperson to give them to."""
        if "unassigned" not in request.query_params and not f.assigned_id:
            f = f.model_copy(update={"unassigned": True})
        return assign_page(request, db, user, f, done=done)

    @router.post("/leads/assign")
    def assign_leads(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
        """Give the ticked leads to a salesperson; back to the list saying how many changed."""
        values = {"lead_ids": form.getlist("lead_ids"), "salesperson_id": form.get("salesperson_id") or ""}
        changed, _, errors = submit_values(db, Assignment, values, lambda d: pipeline.assign(db, user, d))
        back = _safe_back(str(form.get("back", "")))
        query = [(k, v) for k, v in parse_qsl(back[1:], keep_blank_values=True) if k != "done"]
        if not errors:
            return see_other(f"{base}/assign?{urlencode([*query, ('done', changed)])}")
        if "lead_ids" in errors and not values["lead_ids"]:
            errors["lead_ids"] = gettext("Tick at least one lead.")
        if "salesperson_id" in errors and not values["salesperson_id"]:
            errors["salesperson_id"] = gettext("Choose a salesperson.")
        try:
            f = LeadFilter.model_validate(dict(query))
        except ValidationError:
            f = LeadFilter(unassigned=True)
        return assign_page(
            request,
            db,
            user,
            f,
            status_code=422,
            errors=errors,
            checked=set(values["lead_ids"]),
            salesperson_id=values["salesperson_id"],
        )


# --- MOP: extension requests -------------------------------------------------------------


def extended_until(booking: Booking) -> datetime:
    """When the booking would expire if its pending extension were approved (as the CRUD computes it)."""
    return max(booking.expires_at, clock.now()) + timedelta(hours=booking.extension_hours)


def _extension_pages(router: APIRouter, base: str) -> None:
    @router.get("/extensions")
    def extensions_page(request: Request, db: DbSession, user: CurrentUser, done: str = ""):
        """Extension requests waiting for a decision, soonest expiry first, with Approve / Reject."""
        context = {
            "base": base,
            "items": bookings.pending_extensions(db, user),
            "done": done,
            "extended_until": extended_until,
        }
        return render(request, "features/extensions/extensions.html", context)

    @router.post("/bookings/{booking_id:int}/extension/decision")
    def decide_extension(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, booking_id: int):
        """Approve or reject an extension; HTMX gets the row replaced by the outcome."""
        decided, _, errors = submit_values(
            db, ExtensionDecision, dict(form), lambda d: bookings.decide_extension(db, user, booking_id, d.approve)
        )
        error = next(iter(errors.values()), "")
        if not is_htmx(request):
            if error:
                context = {
                    "base": base,
                    "items": bookings.pending_extensions(db, user),
                    "done": "",
                    "error": error,
                    "extended_until": extended_until,
                }
                return render(request, "features/extensions/extensions.html", context, status_code=409)
            return see_other(f"{base}/extensions?done={decided.extension_status.value}")
        booking = decided or bookings.get(db, user, booking_id)
        context = {
            "base": base,
            "b": booking,
            "error": error,
            "decided": decided is not None,
            "extended_until": extended_until,
        }
        return render(request, "features/extensions/row.html", context, status_code=409 if error else 200)
