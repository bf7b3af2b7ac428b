"""Contracts from bookings: price and discount rules, the schedule, the number, and the
apartment and lead marked sold, all in the caller's one transaction; admins cancel."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.crud import audit
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import BookingStatus
from app.domain.contracts.models import Contract, ContractStatus, Counter, Instalment
from app.domain.contracts.schedule import build_schedule
from app.domain.contracts.schemas import ContractCreate, ContractFilter
from app.domain.inventory.crud import bump_inventory
from app.domain.inventory.models import Apartment, ApartmentStatus, Building
from app.domain.leads.crud import pipeline
from app.domain.leads.models import LeadStatus

CONTRACT_FIELDS = (
    "number",
    "booking_id",
    "apartment_id",
    "lead_id",
    "status",
    "price",
    "discount",
    "total",
    "down_payment",
    "months",
    "start_date",
    "buyer_full_name",
)


def snapshot(contract: Contract) -> dict:
    """The audited fields of a contract."""
    return {name: getattr(contract, name) for name in CONTRACT_FIELDS}


def next_number(db: Session, name: str = "contract") -> int:
    """The next value of a named counter, taken inside the caller's transaction (no gaps)."""
    if db.get(Counter, name) is None:
        db.add(Counter(name=name, value=0))
        db.flush()
    return db.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()


class ContractCRUD:
    """Contracts, row-scoped: salespeople see their own; MOP, ROP, finance and admin all."""

    sort_columns = {"signed_at": Contract.signed_at, "number": Contract.number, "total": Contract.total}

    def visible(self, actor: User) -> Select:
        """Contracts the actor may see."""
        q = select(Contract)
        if can(actor, P.CONTRACTS_READ_ALL):
            return q
        if can(actor, P.CONTRACTS_READ):
            return q.where(Contract.salesperson_id == actor.id)
        raise Forbidden("You do not have access to contracts.")

    def page(self, db: Session, actor: User, f: ContractFilter) -> Page[Contract]:
        """One page of visible contracts."""
        return paginate(db, self.query(actor, f).options(selectinload(Contract.schedule)), f.page, f.page_size)

    def query(self, actor: User, f: ContractFilter) -> Select:
        """Visible contracts matching the filter, sorted, with apartment, lead and salesperson joined."""
        q = self.filtered(actor, f).options(
            joinedload(Contract.apartment).joinedload(Apartment.building).joinedload(Building.complex),
            joinedload(Contract.lead),
            joinedload(Contract.salesperson),
        )
        return apply_sort(q, f.sort, self.sort_columns, "-signed_at").order_by(Contract.id.desc())

    def filtered(self, actor: User, f: ContractFilter) -> Select:
        """Visible contracts matching the filter (signed dates are company days), unsorted, nothing loaded."""
        q = self.visible(actor)
        if f.status:
            q = q.where(Contract.status == f.status)
        if f.q:
            q = q.where(Contract.number.contains(f.q.strip()) | Contract.buyer_full_name.ilike(f"%{f.q.strip()}%"))
        start, end = clock.day_range(f.signed_from, f.signed_to)
        if start:
            q = q.where(Contract.signed_at >= start)
        if end:
            q = q.where(Contract.signed_at < end)
        return q

    def get(self, db: Session, actor: User, contract_id: int) -> Contract:
        """A visible contract with its schedule, apartment, lead and salesperson, or NotFound."""
        q = (
            self.visible(actor)
            .where(Contract.id == contract_id)
            .options(
                selectinload(Contract.schedule),
                joinedload(Contract.apartment).joinedload(Apartment.building).joinedload(Building.complex),
                joinedload(Contract.lead),
                joinedload(Contract.salesperson),
            )
        )
        contract = db.scalar(q)
        if contract is None:
            raise NotFound("Contract not found.")
        return contract

    def for_lead(self, db: Session, lead_id: int) -> list[Contract]:
        """A lead's contracts with their schedules (the lead's page is already row-scoped)."""
        q = (
            select(Contract)
            .where(Contract.lead_id == lead_id)
            .options(selectinload(Contract.schedule))
            .order_by(Contract.signed_at.desc())
        )
        return list(db.scalars(q))

    def create(self, db: Session, actor: User, data: ContractCreate, discount_limit_percent: int) -> Contract:
        """Make the contract of an active booking; the apartment and the lead become sold."""
        if not can(actor, P.CONTRACTS_WRITE):
            raise Forbidden("You cannot make contracts.")
        booking = bookings.get(db, actor, data.booking_id)
        if not can(actor, P.BOOKINGS_READ_ALL) and booking.salesperson_id != actor.id:
            raise Forbidden("You can make contracts only from your own bookings.")
        if booking.status != BookingStatus.ACTIVE or booking.expires_at <= clock.now():
            raise Conflict("This booking is no longer active.")
        apartment = booking.apartment
        price = Decimal(apartment.total_price)
        self.check_money(actor, data, price, discount_limit_percent)
        total = price - data.discount
        sold = db.execute(
            update(Apartment)
            .where(Apartment.id == apartment.id, Apartment.status == ApartmentStatus.BOOKED)
            .values(status=ApartmentStatus.SOLD, updated_at=clock.now())
        )
        if sold.rowcount != 1:
            raise Conflict("This apartment is not booked any more.")
        number = f"{clock.today().year}-{next_number(db):05d}"
        currency = apartment.building.complex.currency
        contract = Contract(
            number=number,
            booking_id=booking.id,
            apartment_id=apartment.id,
            lead_id=booking.lead_id,
            salesperson_id=booking.salesperson_id,
            buyer_full_name=data.buyer_full_name,
            buyer_passport=data.buyer_passport.upper(),
            buyer_phone=data.buyer_phone,
            buyer_address=data.buyer_address,
            currency=currency,
            price=price,
            discount=data.discount,
            discount_reason=data.discount_reason,
            discount_approved_by_id=actor.id if can(actor, P.DISCOUNT_APPROVE) and data.discount else None,
            total=total,
            down_payment=data.down_payment,
            months=data.months,
            start_date=data.start_date,
        )
        contract.schedule = [
            Instalment(seq=p.seq, kind=p.kind, due_date=p.due_date, amount=p.amount)
            for p in build_schedule(total, data.down_payment, data.months, data.start_date, currency)
        ]
        db.add(contract)
        db.flush()
        bookings.convert(db, actor, booking)
        pipeline.set_status(db, actor, booking.lead, LeadStatus.SOLD, f"contract {number}")
        bump_inventory(db, [apartment.building.complex_id])
        audit.record(db, actor, "contract", contract.id, "create", None, snapshot(contract))
        return contract

    def cancel(self, db: Session, actor: User, contract_id: int, reason: str) -> Contract:
        """Cancel a contract (admin only): the apartment is free again, the lead back in work."""
        if not can(actor, P.CONTRACTS_CANCEL):
            raise Forbidden("Only an admin cancels contracts.")
        contract = self.get(db, actor, contract_id)
        if contract.status == ContractStatus.CANCELLED:
            raise Conflict("This contract is already cancelled.")
        before = snapshot(contract)
        contract.status, contract.cancelled_at, contract.cancel_reason = ContractStatus.CANCELLED, clock.now(), reason
        db.execute(
            update(Apartment)
            .where(Apartment.id == contract.apartment_id, Apartment.status == ApartmentStatus.SOLD)
            .values(status=ApartmentStatus.FREE, updated_at=clock.now())
        )
        pipeline.set_status(db, actor, contract.lead, LeadStatus.IN_WORK, f"contract {contract.number} cancelled")
        bump_inventory(db, [contract.apartment.building.complex_id])
        db.flush()
        audit.record(db, actor, "contract", contract.id, "cancel", before, snapshot(contract))
        return contract

    @staticmethod
    def check_money(actor: User, data: ContractCreate, price: Decimal, limit_percent: int) -> None:
        """Invalid (naming the field) when the discount or down payment breaks a rule."""
        if data.discount >= price:
            raise Invalid("The discount must be less than the price.", field="discount")
        if data.discount and not data.discount_reason:
            raise Invalid("Give the reason for the discount.", field="discount_reason")
        limit = (price * limit_percent / 100).quantize(Decimal("0.01"))
        if data.discount > limit and not can(actor, P.DISCOUNT_APPROVE):
            raise Invalid(
                "A discount above %(limit)s%% needs the ROP or an admin.", field="discount", limit=limit_percent
            )
        if data.down_payment > price - data.discount:
            raise Invalid("The down payment cannot exceed the price after discount.", field="down_payment")
        if data.months == 0 and data.down_payment != price - data.discount:
            raise Invalid("Without instalments the down payment is the whole price.", field="down_payment")


contracts = ContractCRUD()
