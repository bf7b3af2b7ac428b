"""Leads: the one-lead-per-phone rule, public requests, and row-scoped lists."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.crud import users
from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from app.core.paging import Page, keyed_page, sort_key
from app.domain.audit.crud import audit
from app.domain.distribution.crud import distribution
from app.domain.inventory.models import Apartment, Building, Complex
from app.domain.leads.events import assigned_event
from app.domain.leads.models import (
    UTM_FIELDS,
    Lead,
    LeadComment,
    LeadSource,
    LeadStatus,
    LeadStatusChange,
    LeadTouch,
)
from app.domain.leads.ownership import hand_over_deals
from app.domain.leads.rules import CLOSED_STATUSES, OPEN_STATUSES, callback_window, can_move
from app.domain.leads.schemas import (
    Assignment,
    CallbackWhen,
    CommentCreate,
    LeadCreate,
    LeadEdit,
    LeadFilter,
    LeadRequest,
    StatusChange,
)
from app.domain.leads.search import search_condition

LEAD_FIELDS = (
    "name",
    "phone",
    "source",
    "status",
    "complex_id",
    "apartment_id",
    "assigned_id",
    "next_callback_at",
    *UTM_FIELDS,
)
REQUESTS_PER_ADDRESS = 5
LIST_LOADS = (joinedload(Lead.assigned), joinedload(Lead.complex))  # what a list row shows
REQUEST_WINDOW = timedelta(minutes=10)


def snapshot(lead: Lead) -> dict:
    """The audited fields of a lead."""
    return {name: getattr(lead, name) for name in LEAD_FIELDS}


class LeadCRUD:
    """Leads, row-scoped by the acting user: sales see their own, MOP/ROP/admin all."""

    sort_columns = {
        "created_at": Lead.created_at,
        "name": Lead.name,
        "last_touch_at": Lead.last_touch_at,
        "status": Lead.status,
    }

    def visible(self, actor: User) -> Select:
        """Leads the actor may see; roles without leads get Forbidden."""
        q = select(Lead)
        if can(actor, P.LEADS_READ_ALL):
            return q
        if can(actor, P.LEADS_READ):
            return q.where(Lead.assigned_id == actor.id)
        raise Forbidden("You do not have access to leads.")

    def page(self, db: Session, actor: User, f: LeadFilter) -> Page[Lead]:
        """One page of visible leads matching the filter, with what a list shows loaded.

        Cheap at any depth and for searches: ids come from the indexes (sort key, id) and the
        search index, the total is exact up to a few thousand leads and a recent count beyond."""
        key = sort_key(f.sort, self.sort_columns, "-created_at", Lead.id)
        return keyed_page(db, self.filtered(actor, f, db.get_bind().dialect.name), key, f, LIST_LOADS)

    def query(self, actor: User, f: LeadFilter, dialect: str = "") -> Select:
        """Visible leads matching the filter, sorted, with what a list shows loaded (exports).

        `dialect` lets a search use that database's index (same leads without it)."""
        key = sort_key(f.sort, self.sort_columns, "-created_at", Lead.id)
        return key.order(self.filtered(actor, f, dialect)).options(*LIST_LOADS)

    def filtered(self, actor: User, f: LeadFilter, dialect: str = "") -> Select:
        """Visible leads matching the filter, unordered and without loader options."""
        q = self.visible(actor)
        if (found := search_condition(f.q, dialect)) is not None:
            q = q.where(found)
        if f.status:
            q = q.where(Lead.status == f.status)
        if f.source:
            q = q.where(Lead.source == f.source)
        if f.complex_id:
            q = q.where(Lead.complex_id == f.complex_id)
        if f.assigned_id:
            q = q.where(Lead.assigned_id == f.assigned_id)
        if f.open_only:
            q = q.where(Lead.status.in_(OPEN_STATUSES))
        if f.unassigned:
            q = q.where(Lead.assigned_id.is_(None))
        if f.temperature:
            q = q.where(Lead.temperature == f.temperature)
        if f.callback_due:
            q = q.where(Lead.next_callback_at < clock.end_of_today(), Lead.status.in_(OPEN_STATUSES))
        start, end = clock.day_range(f.created_from, f.created_to)
        if start:
            q = q.where(Lead.created_at >= start)
        if end:
            q = q.where(Lead.created_at < end)
        return q

    def submit_request(
        self, db: Session, data: LeadRequest, address: str, source: LeadSource = LeadSource.LANDING
    ) -> tuple[Lead, bool]:
        """Create a lead from a request, or add a touch to the lead that has this phone.

        Returns (lead, created). Refuses an unknown complex or an apartment of another complex,
        and more than a few requests per address in a short window.
        """
        since = clock.now() - REQUEST_WINDOW
        recent = db.scalar(select(func.count()).where(LeadTouch.address == address, LeadTouch.at > since)) or 0
        if recent >= REQUESTS_PER_ADDRESS:
            raise TooManyRequests(
                "Too many requests. Please try again in a few minutes.", retry_after=int(REQUEST_WINDOW.total_seconds())
            )
        complex_id, apartment_id = self._interest(db, data)
        utm = {name: getattr(data, name) for name in UTM_FIELDS}
        lead = db.scalar(select(Lead).where(Lead.phone == data.phone))
        created = lead is None
        if created:
            lead = self._create(db, data, source, complex_id, apartment_id, utm)
            if lead is None:  # another request with this phone won the race: touch that one
                lead = db.scalar(select(Lead).where(Lead.phone == data.phone))
                created = False
        if not created:
            before = snapshot(lead)
            lead.touches_count += 1
            lead.last_touch_at = clock.now()
            lead.complex_id = complex_id or lead.complex_id
            lead.apartment_id = apartment_id or lead.apartment_id
            if not any(getattr(lead, name) for name in UTM_FIELDS):  # first touch: tags are kept, never replaced
                for name, value in utm.items():
                    setattr(lead, name, value)
            db.flush()
            audit.record(db, None, "lead", lead.id, "touch", before, snapshot(lead))
        db.add(
            LeadTouch(
                lead_id=lead.id,
                source=source,
                name=data.name,
                complex_id=complex_id,
                apartment_id=apartment_id,
                message=data.message,
                address=address,
                **utm,
            )
        )
        db.flush()
        distribution.route_lead(db, lead, returning=not created)
        return lead, created

    def _create(
        self,
        db: Session,
        data: LeadRequest,
        source: LeadSource,
        complex_id: int | None,
        apartment_id: int | None,
        utm: dict[str, str],
    ) -> Lead | None:
        """Insert a new lead in a savepoint; None when the phone was taken meanwhile."""
        try:
            with db.begin_nested():
                lead = Lead(
                    name=data.name,
                    phone=data.phone,
                    source=source,
                    complex_id=complex_id,
                    apartment_id=apartment_id,
                    **utm,
                )
                db.add(lead)
                db.flush()
        except IntegrityError:
            return None
        audit.record(db, None, "lead", lead.id, "create", None, snapshot(lead))
        return lead

    def _interest(self, db: Session, data: LeadRequest) -> tuple[int | None, int | None]:
        """(complex id, apartment id) the request is about, checked against each other."""
        complex_id = None
        if data.complex_slug:
            complex_id = db.scalar(
                select(Complex.id).where(Complex.slug == data.complex_slug, Complex.is_public.is_(True))
            )
            if complex_id is None:
                raise Invalid("Unknown complex.", field="complex_slug")
        if data.apartment_id is None:
            return complex_id, None
        apartment_complex = db.scalar(
            select(Building.complex_id)
            .join(Apartment, Apartment.building_id == Building.id)
            .join(Complex, Complex.id == Building.complex_id)
            .where(Apartment.id == data.apartment_id, Complex.is_public.is_(True))
        )
        if apartment_complex is None or (complex_id and apartment_complex != complex_id):
            raise Invalid("Unknown apartment.", field="apartment_id")
        return apartment_complex, data.apartment_id


leads = LeadCRUD()


class PipelineCRUD:
    """The salesperson's work on a lead: manual leads, status, temperature, callbacks,
    comments and assignment; row-scoped through LeadCRUD.visible."""

    def get(self, db: Session, actor: User, lead_id: int) -> Lead:
        """A lead the actor may see (with its salesperson and interest), or NotFound."""
        q = (
            leads.visible(actor)
            .where(Lead.id == lead_id)
            .options(joinedload(Lead.assigned), joinedload(Lead.complex), joinedload(Lead.apartment))
        )
        lead = db.scalar(q)
        if lead is None:
            raise NotFound("Lead not found.")
        return lead

    def timeline(self, db: Session, lead: Lead) -> dict[str, list]:
        """A lead's comments, status changes and requests, oldest first."""
        comments = db.scalars(
            select(LeadComment)
            .where(LeadComment.lead_id == lead.id)
            .options(joinedload(LeadComment.author))
            .order_by(LeadComment.at)
        ).all()
        changes = db.scalars(
            select(LeadStatusChange)
            .where(LeadStatusChange.lead_id == lead.id)
            .options(joinedload(LeadStatusChange.by))
            .order_by(LeadStatusChange.at)
        ).all()
        touches = db.scalars(select(LeadTouch).where(LeadTouch.lead_id == lead.id).order_by(LeadTouch.at)).all()
        return {"comments": list(comments), "changes": list(changes), "touches": list(touches)}

    def create(self, db: Session, actor: User, data: LeadCreate) -> tuple[Lead, bool]:
        """A lead entered by hand; the phone's existing lead when the caller may have it.

        Returns (lead, created). A salesperson entering a phone that belongs to someone else's
        lead (or to nobody's yet) gets Conflict, never told whose lead it is.
        """
        self._may_work(actor)
        existing = db.scalar(select(Lead).where(Lead.phone == data.phone).options(joinedload(Lead.assigned)))
        if existing is not None:
            if can(actor, P.LEADS_READ_ALL) or existing.assigned_id == actor.id:
                return existing, False
            if existing.assigned_id is not None:
                raise Conflict("This phone already belongs to another salesperson's lead.", field="phone")
            raise Conflict("This phone already belongs to an unassigned lead: ask the MOP to assign it.", field="phone")
        if data.complex_id and db.get(Complex, data.complex_id) is None:
            raise Invalid("Unknown complex.", field="complex_id")
        lead = Lead(
            name=data.name,
            phone=data.phone,
            source=data.source,
            temperature=data.temperature,
            complex_id=data.complex_id,
            assigned=None if can(actor, P.LEADS_READ_ALL) else actor,
            **{name: getattr(data, name) for name in UTM_FIELDS},
        )
        db.add(lead)
        db.flush()
        self._history(db, actor, lead, None, LeadStatus.NEW)
        if data.comment.strip():
            db.add(LeadComment(lead_id=lead.id, author_id=actor.id, text=data.comment.strip()))
        audit.record(db, actor, "lead", lead.id, "create", None, snapshot(lead))
        distribution.route_lead(db, lead)
        return lead, True

    def change_status(self, db: Session, actor: User, lead_id: int, change: StatusChange) -> Lead:
        """Move a lead by hand along the allowed transitions (see rules.MANUAL_TRANSITIONS)."""
        self._may_work(actor)
        lead = self.get(db, actor, lead_id)
        if lead.status == change.status:
            return lead
        if not can_move(lead.status, change.status):
            raise Invalid("This status change cannot be made by hand (bookings and contracts make it).", field="status")
        self.set_status(db, actor, lead, change.status, change.reason)
        return lead

    def set_status(self, db: Session, actor: User | None, lead: Lead, status: LeadStatus, reason: str = "") -> None:
        """Record a status change (by hand, or by a booking or contract) with its history;
        a lead that is sold or lost has no callback left."""
        before = snapshot(lead)
        previous = lead.status
        lead.status = status
        lead.lost_reason = reason.strip() if status == LeadStatus.LOST else ""
        if status in CLOSED_STATUSES:
            lead.next_callback_at = None
        db.flush()
        self._history(db, actor, lead, previous, status, reason)
        audit.record(db, actor, "lead", lead.id, "status", before, snapshot(lead))

    def edit(self, db: Session, actor: User, lead_id: int, data: LeadEdit) -> Lead:
        """Set the temperature and the next callback time."""
        self._may_work(actor)
        lead = self.get(db, actor, lead_id)
        before = {"temperature": lead.temperature, "next_callback_at": lead.next_callback_at}
        lead.temperature, lead.next_callback_at = data.temperature, data.next_callback_at
        db.flush()
        audit.record(
            db,
            actor,
            "lead",
            lead.id,
            "edit",
            before,
            {"temperature": lead.temperature, "next_callback_at": lead.next_callback_at},
        )
        return lead

    def comment(self, db: Session, actor: User, lead_id: int, data: CommentCreate) -> LeadComment:
        """Add a note to a lead."""
        self._may_work(actor)
        lead = self.get(db, actor, lead_id)
        note = LeadComment(lead_id=lead.id, author_id=actor.id, text=data.text, author=actor)
        db.add(note)
        db.flush()
        audit.record(db, actor, "lead", lead.id, "comment", None, {"text": data.text[:200]})
        return note

    def assign(self, db: Session, actor: User, data: Assignment) -> int:
        """Give leads to an active salesperson (MOP and admin only), their bookings and contracts
        along (see ownership: the new owner continues the deal); returns how many leads changed."""
        if not can(actor, P.LEADS_ASSIGN):
            raise Forbidden("Only the MOP or an admin assigns leads.")
        seller = users.salesperson(db, data.salesperson_id)
        if seller is None:
            raise Invalid("Choose an active salesperson.", field="salesperson_id")
        targets = db.scalars(select(Lead).where(Lead.id.in_(data.lead_ids))).all()
        if len(targets) != len(set(data.lead_ids)):
            raise NotFound("Some of the selected leads do not exist.")
        changed = 0
        for lead in targets:
            if lead.assigned_id == seller.id:
                hand_over_deals(db, actor, lead.id, seller)  # mends deals left behind before they moved
                continue
            before = snapshot(lead)
            lead.assigned_id = seller.id
            if lead.status == LeadStatus.NEW:
                lead.status = LeadStatus.IN_WORK
                self._history(db, actor, lead, LeadStatus.NEW, LeadStatus.IN_WORK, "assigned")
            changed += 1
            db.flush()
            audit.record(db, actor, "lead", lead.id, "assign", before, snapshot(lead))
            hand_over_deals(db, actor, lead.id, seller)
            assigned_event(db, lead.id, seller.id)
        return changed

    def callbacks(
        self, db: Session, actor: User, when: CallbackWhen = CallbackWhen.DUE, limit: int = 200
    ) -> list[Lead]:
        """Open leads whose callback falls in `when` (company days; default overdue and today), earliest first."""
        q = (
            self.callbacks_query(actor, when)
            .options(joinedload(Lead.assigned), joinedload(Lead.complex))
            .order_by(Lead.next_callback_at, Lead.id)
            .limit(limit)
        )
        return list(db.scalars(q))

    def callbacks_query(self, actor: User, when: CallbackWhen = CallbackWhen.DUE) -> Select:
        """Visible open leads with a callback in `when` (the callbacks page and the dashboard counter)."""
        start, end = callback_window(when)
        q = leads.visible(actor).where(Lead.next_callback_at.is_not(None), Lead.status.in_(OPEN_STATUSES))
        if start is not None:
            q = q.where(Lead.next_callback_at >= start)
        if end is not None:
            q = q.where(Lead.next_callback_at < end)
        return q

    def kanban(
        self, db: Session, actor: User, f: LeadFilter, per_column: int = 20, pages: dict[str, int] | None = None
    ) -> dict[LeadStatus, Page[Lead]]:
        """One page per status column (each paged on its own) of the filtered visible leads."""
        pages = pages or {}
        columns = {}
        for status in LeadStatus:
            column_filter = f.model_copy(
                update={"status": status, "page": pages.get(status.value, 1), "page_size": per_column}
            )
            columns[status] = leads.page(db, actor, column_filter)
        return columns

    @staticmethod
    def _may_work(actor: User) -> None:
        if not can(actor, P.LEADS_WRITE):
            raise Forbidden("You cannot work on leads.")

    @staticmethod
    def _history(
        db: Session,
        actor: User | None,
        lead: Lead,
        previous: LeadStatus | None,
        status: LeadStatus,
        reason: str = "",
    ) -> None:
        db.add(
            LeadStatusChange(
                lead_id=lead.id,
                from_status=previous,
                to_status=status,
                by_id=actor.id if actor else None,
                reason=reason.strip()[:300],
            )
        )
        db.flush()


pipeline = PipelineCRUD()
