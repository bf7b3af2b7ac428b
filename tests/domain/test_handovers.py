"""Handovers: a fully paid contract raises exactly one handover order (paid twice, over-paid, a payment
cancelled and paid again), requests answer 409 while one is open, the record raises linked defect
orders in one transaction, and the grid's open-defect counts follow row scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden
from app.domain.audit.models import AuditEntry
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.handover_schemas import HandoverWrite
from app.domain.dispatch.handovers import handovers
from app.domain.dispatch.models import Handover, OrderKind, OrderStatus, WorkOrder
from app.domain.dispatch.schemas import WorkOrderCreate, WorkOrderPatch
from app.domain.finance.crud import payments
from app.domain.finance.schemas import PaymentCreate
from tests.factories import DUE_RULES, HANDOVER_BODY, make_contract, make_user, make_work_order

D = Decimal


def pay(db, actor, contract, amount: str, day: date = date(2026, 1, 10)):
    data = PaymentCreate(contract_id=contract.id, amount=D(amount), paid_at=day, method="cash")
    return payments.record(db, actor, data)[0]


def handover_orders(db, contract) -> list[WorkOrder]:
    q = select(WorkOrder).where(WorkOrder.contract_id == contract.id, WorkOrder.kind == OrderKind.HANDOVER)
    return list(db.scalars(q))


@pytest.fixture
def cashier(db):
    return make_user(db, Role.FINANCE)


@pytest.fixture
def dispatcher(db):
    return make_user(db, Role.DISPATCHER)


@pytest.fixture
def contract(db):
    return make_contract(db, price_per_m2="100", months=4)  # 60 m² x 100 = 6000


def test_the_last_payment_raises_one_handover_and_more_payments_none(db, cashier, contract):
    pay(db, cashier, contract, "3000")
    assert handover_orders(db, contract) == []
    pay(db, cashier, contract, "3000")
    [order] = handover_orders(db, contract)
    assert order.status == OrderStatus.NEW and order.apartment_id == contract.apartment_id
    assert order.due_date == clock.today() + timedelta(days=14)  # WORK_ORDER_DUE_DAYS handover=14
    logged = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "work_order",
                                                        AuditEntry.entity_id == str(order.id))).all()  # fmt: skip
    assert logged == ["fully_paid"]
    pay(db, cashier, contract, "500")  # over-paid
    pay(db, cashier, contract, "1")
    assert len(handover_orders(db, contract)) == 1


def test_a_payment_cancelled_and_paid_again_does_not_raise_a_second(db, cashier, contract, dispatcher):
    last = pay(db, cashier, contract, "6000")
    [order] = handover_orders(db, contract)
    payments.cancel(db, cashier, last.id, "bounced transfer")
    assert len(handover_orders(db, contract)) == 1
    pay(db, cashier, contract, "6000")
    assert len(handover_orders(db, contract)) == 1
    work_orders.update(db, dispatcher, order.id, WorkOrderPatch(status="cancelled", cancel_reason="ошибка"),
                       DUE_RULES, None)  # fmt: skip
    pay(db, cashier, contract, "10")
    assert len(handover_orders(db, contract)) == 1  # never a second automatic one


def test_an_overpayment_in_one_go_raises_it_too(db, cashier, contract):
    pay(db, cashier, contract, "9000")
    assert len(handover_orders(db, contract)) == 1


def test_a_request_answers_conflict_while_one_is_open(db, contract, dispatcher):
    first = handovers.request(db, dispatcher, contract.id, DUE_RULES)
    assert first.kind == OrderKind.HANDOVER and first.contract_id == contract.id
    with pytest.raises(Conflict):
        handovers.request(db, dispatcher, contract.id, DUE_RULES)
    with pytest.raises(Conflict):  # nor through the general entry
        data = WorkOrderCreate(apartment_id=contract.apartment_id, kind="handover", title="Ещё одна передача")
        work_orders.create(db, dispatcher, data, DUE_RULES)
    work_orders.update(db, dispatcher, first.id, WorkOrderPatch(status="cancelled", cancel_reason="перенос"),
                       DUE_RULES, None)  # fmt: skip
    again = handovers.request(db, dispatcher, contract.id, DUE_RULES)
    assert again.id != first.id
    assert len(handover_orders(db, contract)) == 2


def test_a_requested_handover_is_not_doubled_by_full_payment(db, cashier, contract, dispatcher):
    handovers.request(db, dispatcher, contract.id, DUE_RULES)
    pay(db, cashier, contract, "6000")
    assert len(handover_orders(db, contract)) == 1


def test_only_the_dispatcher_and_admin_request_or_record(db, contract):
    for role in (Role.SALES, Role.FINANCE, Role.MOP):
        with pytest.raises(Forbidden):
            handovers.request(db, make_user(db, role), contract.id, DUE_RULES)
    assert handovers.request(db, make_user(db, Role.ADMIN), contract.id, DUE_RULES).id


def good_form(**changes) -> HandoverWrite:
    return HandoverWrite.model_validate(HANDOVER_BODY | changes)


def test_the_record_raises_linked_defects_and_closes_the_order(db, contract, dispatcher):
    order = handovers.request(db, dispatcher, contract.id, DUE_RULES)
    saved = handovers.record(db, dispatcher, order.id, good_form(), DUE_RULES)
    assert saved.order_status == OrderStatus.DONE and saved.keys_count == 3 and saved.gas is None
    assert saved.electricity == D("1234.500") and saved.accepted_at is not None
    assert [d.title for d in saved.defects] == ["Трещина в стяжке", "Не работает розетка"]
    defects = db.scalars(select(WorkOrder).where(WorkOrder.parent_id == order.id).order_by(WorkOrder.id)).all()
    assert {d.kind for d in defects} == {OrderKind.DEFECT} and {d.status for d in defects} == {OrderStatus.NEW}
    assert {d.contract_id for d in defects} == {contract.id} and defects[1].description == "в спальне"
    with pytest.raises(Conflict):  # closed now
        handovers.record(db, dispatcher, order.id, good_form(defects=[]), DUE_RULES)


def test_a_record_on_another_kind_of_order_is_refused(db, dispatcher):
    defect = make_work_order(db, actor=dispatcher)
    with pytest.raises(Conflict):
        handovers.record(db, dispatcher, defect.id, good_form(), DUE_RULES)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"electricity": "-1"}, "electricity"),
        ({"gas": "1e12"}, "gas"),
        ({"hot_water": "1.0001"}, "hot_water"),
        ({"cold_water": "NaN"}, "cold_water"),
        ({"keys_count": 21}, "keys_count"),
        ({"keys_count": -1}, "keys_count"),
        ({"defects": [{"title": "", "required_skill": "general"}]}, "defects"),
        ({"defects": [{"title": "Дверь", "required_skill": "astronaut"}]}, "defects"),
        ({"remarks": "текст\x00"}, "remarks"),
        ({"buyer_name": ""}, "buyer_name"),
        ({"remarks": ""}, "remarks"),
        ({"acceptance": "refused", "remarks": "Не готово"}, "complete"),
        ({"accepted_at": "2099-01-01T10:00:00+05:00"}, "accepted_at"),
    ],
)
def test_bad_input_names_its_field(change, field):
    with pytest.raises(ValidationError) as caught:
        good_form(**change)
    assert field in {str(e["loc"][0]) for e in caught.value.errors()}


def test_open_defects_per_apartment_follow_row_scope(db, contract, dispatcher):
    order = handovers.request(db, dispatcher, contract.id, DUE_RULES)
    handovers.record(db, dispatcher, order.id, good_form(complete=False), DUE_RULES)
    other = make_work_order(db, actor=dispatcher)  # an apartment without a contract
    done = make_work_order(db, apartment_id=contract.apartment_id, actor=dispatcher)
    done.status = OrderStatus.CANCELLED
    db.flush()
    ids = [contract.apartment_id, other.apartment_id]
    assert handovers.open_defects(db, dispatcher, ids) == {contract.apartment_id: 2, other.apartment_id: 1}
    seller = db.get(type(dispatcher), contract.salesperson_id)
    assert handovers.open_defects(db, seller, ids) == {contract.apartment_id: 2}
    assert handovers.open_defects(db, make_user(db, Role.SALES), ids) == {}


def test_a_refused_record_leaves_nothing(db, contract, dispatcher):
    order = handovers.request(db, dispatcher, contract.id, DUE_RULES)
    before = db.scalar(select(func.count()).select_from(WorkOrder))
    with pytest.raises(Forbidden), db.begin_nested():
        handovers.record(db, make_user(db, Role.SALES), order.id, good_form(), DUE_RULES)
    work_orders.update(db, dispatcher, order.id, WorkOrderPatch(status="cancelled", cancel_reason="перенос"),
                       DUE_RULES, None)  # fmt: skip
    with pytest.raises(Conflict), db.begin_nested():
        handovers.record(db, dispatcher, order.id, good_form(), DUE_RULES)
    assert db.scalar(select(func.count()).select_from(WorkOrder)) == before
    assert db.scalar(select(func.count()).select_from(Handover)) == 0
