"""Every decision of the domain about who may do what follows the permission table: a role
holding the permission is let through, every other role is refused (Forbidden); row scope
shows all rows with the *_READ_ALL permission, one's own with *_READ, nothing otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.auth.crud import users
from app.auth.models import User
from app.auth.permissions import P, Role, has_permission
from app.auth.schemas import PasswordChange, UserCreate, UserUpdate
from app.core.errors import Forbidden, Invalid
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate, ExtensionRequest
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCreate
from app.domain.finance.crud import payments
from app.domain.finance.rates import rates
from app.domain.finance.reports import bucket_totals, cashflow, debts
from app.domain.finance.schemas import DebtFilter, PaymentCreate, RateSet
from app.domain.inventory.crud import buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.domain.inventory.models import Currency
from app.domain.inventory.schemas import BuildingCreate, ComplexCreate, GridLayout
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.merge import merge_leads
from app.domain.leads.models import LeadStatus
from app.domain.leads.schemas import Assignment, CommentCreate, LeadCreate, MergeLeads, StatusChange
from tests.factories import PASSWORD, free_apartment, make_complex, make_contract, make_lead, make_user

TODAY = date(2026, 6, 1)


class World:
    """A salesperson with a lead, a booking waiting for an extension, and a paid contract."""

    def __init__(self, db) -> None:
        self.contract = make_contract(db, price_per_m2="100", months=2)
        self.seller = db.get(User, self.contract.salesperson_id)
        self.admin = make_user(db, Role.ADMIN)
        self.payment, _ = payments.record(
            db,
            self.admin,
            PaymentCreate(contract_id=self.contract.id, amount=Decimal(10), paid_at=date(2026, 1, 10), method="cash"),
        )
        self.lead = make_lead(db, self.seller)
        apartment = free_apartment(db)
        self.booking = bookings.create(
            db, self.seller, BookingCreate(apartment_id=apartment.id, lead_id=self.lead.id), 72
        )
        bookings.request_extension(db, self.seller, self.booking.id, ExtensionRequest(hours=24, reason="bank loan"))

    def actor(self, db, role: Role):
        """The salesperson of these rows for the sales role, a new user of `role` otherwise."""
        return self.seller if role == Role.SALES else make_user(db, role)


def grid_of_new_building(db, world, actor):
    building = buildings.create(
        db, make_user(db, Role.ADMIN), make_complex(db, "grid-authz").id, BuildingCreate(name="A", floors=2)
    )
    return floor_grids.save(db, actor, building.id, 1, GridLayout(cols=2, rows=2, cells=[]))


ACTIONS = {
    "record a payment": (
        P.PAYMENTS_RECORD,
        lambda db, w, a: payments.record(
            db, a, PaymentCreate(contract_id=w.contract.id, amount=Decimal(5), paid_at=date(2026, 1, 11), method="cash")
        ),
    ),
    "cancel a payment": (P.PAYMENTS_CANCEL, lambda db, w, a: payments.cancel(db, a, w.payment.id, "bounced")),
    "set a rate": (P.RATES_WRITE, lambda db, w, a: rates.set(db, a, RateSet(day=TODAY, uzs_per_usd=Decimal(12700)))),
    "read debts": (P.REPORTS_READ, lambda db, w, a: debts(db, a, DebtFilter(), TODAY)),
    "read debt buckets": (P.REPORTS_READ, lambda db, w, a: bucket_totals(db, a, TODAY, Currency.UZS)),
    "read cash flow": (P.REPORTS_READ, lambda db, w, a: cashflow(db, a, date(2026, 1, 1), TODAY, Currency.UZS)),
    "merge leads": (
        P.LEADS_MERGE,
        lambda db, w, a: merge_leads(db, a, MergeLeads(keep_id=w.lead.id, merge_id=make_lead(db, w.seller).id)),
    ),
    "assign leads": (
        P.LEADS_ASSIGN,
        lambda db, w, a: pipeline.assign(db, a, Assignment(lead_ids=[make_lead(db).id], salesperson_id=w.seller.id)),
    ),
    "enter a lead": (
        P.LEADS_WRITE,
        lambda db, w, a: pipeline.create(db, a, LeadCreate(name="Walk-in", phone="+998907770011")),
    ),
    "book an apartment": (
        P.BOOKINGS_WRITE,
        lambda db, w, a: bookings.create(
            db, a, BookingCreate(apartment_id=free_apartment(db).id, lead_id=make_lead(db, w.seller).id), 72
        ),
    ),
    "move a lead": (
        P.LEADS_WRITE,
        lambda db, w, a: pipeline.change_status(
            db, a, w.lead.id, StatusChange(status=LeadStatus.LOST, reason="no answer")
        ),
    ),
    "comment on a lead": (
        P.LEADS_WRITE,
        lambda db, w, a: pipeline.comment(db, a, w.lead.id, CommentCreate(text="called")),
    ),
    "decide an extension": (P.EXTENSIONS_DECIDE, lambda db, w, a: bookings.decide_extension(db, a, w.booking.id, True)),
    "cancel a booking": (P.BOOKINGS_CANCEL, lambda db, w, a: bookings.cancel(db, a, w.booking.id, "changed mind")),
    "make a contract": (
        P.CONTRACTS_WRITE,
        lambda db, w, a: contracts.create(
            db,
            a,
            ContractCreate(
                booking_id=w.booking.id,
                buyer_full_name="Каримов Азиз",
                buyer_passport="AB1234567",
                buyer_phone="+998901234567",
                down_payment=Decimal(0),
                months=12,
                start_date=date(2026, 12, 1),
            ),
            5,
        ),
    ),
    "cancel a contract": (P.CONTRACTS_CANCEL, lambda db, w, a: contracts.cancel(db, a, w.contract.id, "buyer left")),
    "create a user": (
        P.USERS_WRITE,
        lambda db, w, a: users.create(db, a, UserCreate(username="newcomer", role=Role.SALES, password="secret-123")),
    ),
    "edit a user": (
        P.USERS_WRITE,
        lambda db, w, a: users.update(db, a, w.seller.id, UserUpdate(full_name="Renamed", role=Role.SALES)),
    ),
    "deactivate a user": (P.USERS_WRITE, lambda db, w, a: users.set_active(db, a, make_user(db, Role.MOP).id, False)),
    "reset a password": (P.USERS_WRITE, lambda db, w, a: users.reset_password(db, a, w.seller.id, "secret-456")),
    "create a complex": (
        P.INVENTORY_WRITE,
        lambda db, w, a: complexes.create(db, a, ComplexCreate(name="Bahor", slug="bahor-authz")),
    ),
    "save a floor grid": (P.INVENTORY_WRITE, grid_of_new_building),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_decision_follows_the_permission_table(db, action, role):
    permission, do = ACTIONS[action]
    world = World(db)
    actor = world.actor(db, role)
    if has_permission(role, permission):
        do(db, world, actor)  # let through: no Forbidden
    else:
        with pytest.raises(Forbidden):
            do(db, world, actor)


SCOPES = {
    "leads": (P.LEADS_READ_ALL, P.LEADS_READ, lambda db, a: db.scalars(leads.visible(a)).all(), "lead"),
    "bookings": (P.BOOKINGS_READ_ALL, P.BOOKINGS_READ, lambda db, a: db.scalars(bookings.visible(a)).all(), "booking"),
    "contracts": (
        P.CONTRACTS_READ_ALL,
        P.CONTRACTS_READ,
        lambda db, a: db.scalars(contracts.visible(a)).all(),
        "contract",
    ),
    "payments": (P.PAYMENTS_READ_ALL, P.PAYMENTS_READ, lambda db, a: db.scalars(payments.visible(a)).all(), "payment"),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("scope", list(SCOPES))
def test_row_scope_follows_the_permission_table(db, scope, role):
    read_all, read_own, rows_of, _ = SCOPES[scope]
    mine, theirs = World(db), World(db)
    actor = mine.actor(db, role)
    if not has_permission(role, read_all) and not has_permission(role, read_own):
        with pytest.raises(Forbidden):
            rows_of(db, actor)
        return
    seen = {row.id for row in rows_of(db, actor)}
    own = {"leads": mine.lead, "bookings": mine.booking, "contracts": mine.contract, "payments": mine.payment}[scope]
    other = {
        "leads": theirs.lead,
        "bookings": theirs.booking,
        "contracts": theirs.contract,
        "payments": theirs.payment,
    }[scope]
    assert own.id in seen
    assert (other.id in seen) == has_permission(role, read_all)


@pytest.mark.parametrize(
    ("role", "approved"), [(Role.SALES, False), (Role.MOP, False), (Role.ROP, True), (Role.ADMIN, True)]
)
def test_a_discount_above_the_limit_needs_the_approve_permission(db, role, approved):
    world = World(db)
    actor = world.actor(db, role)
    data = ContractCreate(
        booking_id=world.booking.id,
        buyer_full_name="Каримов Азиз",
        buyer_passport="AB1234567",
        buyer_phone="+998901234567",
        down_payment=Decimal(0),
        months=12,
        start_date=date(2026, 12, 1),
        discount=Decimal(10000),
        discount_reason="friend of the family",
    )
    if role == Role.MOP:  # the MOP makes no contracts at all
        with pytest.raises(Forbidden):
            contracts.create(db, actor, data, 5)
    elif approved:
        assert contracts.create(db, actor, data, 5).discount_approved_by_id == actor.id
    else:
        with pytest.raises(Invalid) as refused:
            contracts.create(db, actor, data, 5)
        assert refused.value.field == "discount"


def test_a_salesperson_creating_a_lead_owns_it_and_a_manager_leaves_it_unassigned(db):
    world = World(db)
    own, _ = pipeline.create(db, world.seller, LeadCreate(name="Walk-in", phone="+998907770022"))
    managed, _ = pipeline.create(db, make_user(db, Role.MOP), LeadCreate(name="Caller", phone="+998907770033"))
    assert (own.assigned_id, managed.assigned_id) == (world.seller.id, None)


def test_only_active_salespeople_receive_leads(db):
    world = World(db)
    mop = make_user(db, Role.MOP)
    for target in (mop, make_user(db, Role.SALES, is_active=False)):
        with pytest.raises(Invalid):
            pipeline.assign(db, mop, Assignment(lead_ids=[world.lead.id], salesperson_id=target.id))
    assert users.salesperson(db, world.seller.id) == world.seller
    assert world.seller in users.salespeople(db) and mop not in users.salespeople(db)


def test_own_profile_changes_need_an_active_account(db):
    seller = make_user(db, Role.SALES)
    users.set_language(db, seller, "en")
    seller.is_active = False
    with pytest.raises(Forbidden):
        users.change_own_password(db, seller, PasswordChange(current_password=PASSWORD, password="secret-789"))
    with pytest.raises(Forbidden):
        users.set_language(db, seller, "ru")
