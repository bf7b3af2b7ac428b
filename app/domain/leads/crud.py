"""Leads: the one-lead-per-phone rule, public requests, and row-scoped lists."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import Role
from app.db import utcnow
from app.domain.audit.crud import audit
from app.domain.inventory.models import Apartment, Building, Complex
from app.domain.leads.models import UTM_FIELDS, Lead, LeadSource, LeadTouch
from app.domain.leads.schemas import LeadFilter, LeadRequest
from app.web.errors import Forbidden, Invalid, TooManyRequests
from app.web.pagination import Page, apply_sort, paginate

LEAD_FIELDS = ("name", "phone", "source", "status", "complex_id", "apartment_id", "assigned_id", *UTM_FIELDS)
ALL_LEADS_ROLES = frozenset({Role.ADMIN, Role.MOP, Role.ROP})
REQUESTS_PER_ADDRESS = 5
REQUEST_WINDOW = timedelta(minutes=10)


def snapshot(lead: Lead) -> dict:
    """The audited fields of a lead."""
    return {name: getattr(lead, name) for name in LEAD_FIELDS}


class LeadCRUD:
    """Leads, row-scoped by the acting user: sales see their own, MOP/ROP/admin all."""

    sort_columns = {"created_at": Lead.created_at, "name": Lead.name, "last_touch_at": Lead.last_touch_at,
                    "status": Lead.status}

    def visible(self, actor: User) -> Select:
        """Leads the actor may see; roles without leads get Forbidden."""
        q = select(Lead)
        if actor.role in ALL_LEADS_ROLES:
            return q
        if actor.role == Role.SALES:
            return q.where(Lead.assigned_id == actor.id)
        raise Forbidden("You do not have access to leads.")

    def page(self, db: Session, actor: User, f: LeadFilter) -> Page[Lead]:
        """One page of visible leads matching the filter, with what a list shows loaded."""
        return paginate(db, self.query(actor, f), f.page, f.page_size)

    def query(self, actor: User, f: LeadFilter) -> Select:
        """Visible leads matching the filter, sorted (pages and exports)."""
        q = self.visible(actor).options(joinedload(Lead.assigned), joinedload(Lead.complex))
        if f.q:
            digits = "".join(ch for ch in f.q if ch.isdigit())
            conditions = [func.lower(Lead.name).like(f"%{f.q.strip().lower()}%")]
            if len(digits) >= 3:
                conditions.append(Lead.phone.like(f"%{digits}%"))
            q = q.where(or_(*conditions))
        if f.status:
            q = q.where(Lead.status == f.status)
        if f.source:
            q = q.where(Lead.source == f.source)
        if f.complex_id:
            q = q.where(Lead.complex_id == f.complex_id)
        if f.assigned_id:
            q = q.where(Lead.assigned_id == f.assigned_id)
        return apply_sort(q, f.sort, self.sort_columns, "-created_at").order_by(Lead.id.desc())

    def submit_request(self, db: Session, data: LeadRequest, address: str,
                       source: LeadSource = LeadSource.LANDING) -> tuple[Lead, bool]:
        """Create a lead from a request, or add a touch to the lead that has this phone.

        Returns (lead, created). Refuses an unknown complex or an apartment of another complex,
        and more than a few requests per address in a short window.
        """
        since = utcnow() - REQUEST_WINDOW
        recent = db.scalar(select(func.count()).where(LeadTouch.address == address, LeadTouch.at > since)) or 0
        if recent >= REQUESTS_PER_ADDRESS:
            raise TooManyRequests("Too many requests. Please try again in a few minutes.",
                                  retry_after=int(REQUEST_WINDOW.total_seconds()))
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
            lead.last_touch_at = utcnow()
            lead.complex_id = complex_id or lead.complex_id
            lead.apartment_id = apartment_id or lead.apartment_id
            for name, value in utm.items():
                if value:
                    setattr(lead, name, value)
            db.flush()
            audit.record(db, None, "lead", lead.id, "touch", before, snapshot(lead))
        db.add(LeadTouch(lead_id=lead.id, source=source, name=data.name, complex_id=complex_id,
                         apartment_id=apartment_id, message=data.message, address=address, **utm))
        db.flush()
        return lead, created

    def _create(self, db, data: LeadRequest, source, complex_id, apartment_id, utm) -> Lead | None:
        """Insert a new lead in a savepoint; None when the phone was taken meanwhile."""
        try:
            with db.begin_nested():
                lead = Lead(name=data.name, phone=data.phone, source=source, complex_id=complex_id,
                            apartment_id=apartment_id, **utm)
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
            complex_id = db.scalar(select(Complex.id).where(Complex.slug == data.complex_slug,
                                                            Complex.is_public.is_(True)))
            if complex_id is None:
                raise Invalid("Unknown complex.", field="complex_slug")
        if data.apartment_id is None:
            return complex_id, None
        apartment_complex = db.scalar(
            select(Building.complex_id).join(Apartment, Apartment.building_id == Building.id)
            .join(Complex, Complex.id == Building.complex_id)
            .where(Apartment.id == data.apartment_id, Complex.is_public.is_(True))
        )
        if apartment_complex is None or (complex_id and apartment_complex != complex_id):
            raise Invalid("Unknown apartment.", field="apartment_id")
        return apartment_complex, data.apartment_id


leads = LeadCRUD()
