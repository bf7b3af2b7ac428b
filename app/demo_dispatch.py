"""Demo dispatch: 8 technicians and a few hundred work orders over the last and the next two weeks,
in every status, on the demo apartments (the sold ones carry their buyer), one recorded handover
(readings, keys, accepted with remarks, two linked defect orders), a buyer's service link for every
active contract and four buyer requests, one of them scheduled. Safe to rerun: nothing is added
once technicians (or links) exist."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.dispatch.crud import due_date
from app.domain.dispatch.handover_schemas import HandoverWrite
from app.domain.dispatch.handovers import handovers
from app.domain.dispatch.models import CLOSED, OrderKind, OrderStatus, ServiceLink, Skill, Technician, WorkOrder
from app.domain.inventory.models import Apartment

WEEKDAYS = {str(d): ["09:00", "18:00"] for d in range(5)} | {"5": ["10:00", "15:00"]}
TECHNICIANS = [
    ("Алишер Каримов", ["plumber", "general"], "#2563eb"),
    ("Бахтиёр Юсупов", ["electrician"], "#dc2626"),
    ("Дилшод Рахимов", ["finishing", "general"], "#16a34a"),
    ("Жасур Абдуллаев", ["hvac"], "#9333ea"),
    ("Фаррух Назаров", ["plumber", "hvac"], "#ea580c"),
    ("Санжар Тошматов", ["electrician", "general"], "#0891b2"),
    ("Отабек Исмоилов", ["finishing"], "#ca8a04"),
    ("Руслан Хасанов", ["general", "plumber", "electrician"], "#db2777"),
]
JOBS = {
    OrderKind.DEFECT: [("Течёт кран на кухне", Skill.PLUMBER), ("Не работает розетка", Skill.ELECTRICIAN),
                       ("Трещина в штукатурке", Skill.FINISHING), ("Не греет радиатор", Skill.HVAC),
                       ("Скрипит входная дверь", Skill.GENERAL)],
    OrderKind.HANDOVER: [("Передача ключей", Skill.GENERAL)],
    OrderKind.VIEWING: [("Показ квартиры покупателю", None)],
    OrderKind.MAINTENANCE: [("Проверка вентиляции", Skill.HVAC), ("Замена счётчика воды", Skill.PLUMBER)],
}  # fmt: skip
SLOTS = (time(9), time(11), time(14), time(16))
RULES = ({"handover": 14, "defect": 7, "viewing": 3, "maintenance": 30}, {1: 1, 2: 3})
HANDOVER = {
    "electricity": "1520.4",
    "cold_water": "12.350",
    "hot_water": "8.125",
    "gas": "301.2",
    "keys_count": 4,
    "defects": [
        {"title": "Трещина в стяжке в прихожей", "required_skill": "finishing"},
        {"title": "Не работает розетка на кухне", "description": "Нет напряжения", "required_skill": "electrician"},
    ],
    "acceptance": "with_remarks",
    "buyer_name": "",
    "remarks": "Принята с замечаниями: трещина в стяжке, розетка на кухне",
    "complete": True,
}


def _one_open_handover(db: Session, orders: list[WorkOrder]) -> None:
    """Keep one open handover per contract (fully paid contracts have theirs): the rest become inspections."""
    opened = select(WorkOrder.contract_id).where(WorkOrder.kind == OrderKind.HANDOVER, WorkOrder.status.not_in(CLOSED))
    seen: set[int] = {c for c in db.scalars(opened) if c is not None}
    for row in orders:
        if row.kind != OrderKind.HANDOVER or row.contract_id is None or row.status in CLOSED:
            continue
        if row.contract_id in seen:
            row.kind, row.title, row.required_skill = OrderKind.MAINTENANCE, "Осмотр квартиры", None
        seen.add(row.contract_id)


def _recorded_handover(db: Session, admin: User) -> None:
    """A handover of a sold apartment, accepted with remarks, with its two defect orders."""
    busy = select(WorkOrder.contract_id).where(WorkOrder.kind == OrderKind.HANDOVER)
    contract = db.scalar(
        select(Contract)
        .where(
            Contract.status == ContractStatus.ACTIVE, Contract.id.not_in(busy.where(WorkOrder.contract_id.is_not(None)))
        )
        .order_by(Contract.id)
    )
    if contract is None:
        return
    order = handovers.request(db, admin, contract.id, RULES)
    data = HandoverWrite.model_validate(HANDOVER | {"buyer_name": contract.buyer_full_name})
    handovers.record(db, admin, order.id, data, RULES)


def load_demo_dispatch(db: Session, admin: User) -> int:
    """Add the technicians and their orders when there are none yet; returns how many orders were added."""
    if db.scalar(select(func.count()).select_from(Technician)):
        return 0
    flats = list(db.scalars(select(Apartment.id).order_by(Apartment.id).limit(400)))
    if not flats:
        return 0
    active = select(Contract.apartment_id, Contract.id).where(Contract.status == ContractStatus.ACTIVE)
    contracts = {apartment_id: contract_id for apartment_id, contract_id in db.execute(active).all()}
    sold = list(contracts) or flats
    staff = [Technician(name=n, phone="+99890" + f"{i:07d}", skills=s, color=c, hours=WEEKDAYS, is_active=True)
             for i, (n, s, c) in enumerate(TECHNICIANS, start=1)]  # fmt: skip
    db.add_all(staff)
    db.flush()
    rng = random.Random(11)
    today = clock.today()
    orders: list[WorkOrder] = []

    def order(kind: OrderKind, created: datetime, **fields: object) -> WorkOrder:
        title, skill = rng.choice(JOBS[kind])
        flat = rng.choice(sold if kind != OrderKind.VIEWING else flats)
        priority = rng.choice((1, 2, 3, 3, 3, 4, 5))
        row = WorkOrder(apartment_id=flat, contract_id=contracts.get(flat), kind=kind, priority=priority, title=title,
                        description="", required_skill=skill, due_date=due_date(clock.local(created).date(), kind,
                        priority, RULES), duration_minutes=rng.choice((60, 90, 120)), overrides=[], version=1,
                        created_by_id=admin.id, created_at=created, **fields)  # fmt: skip
        orders.append(row)
        return row

    kinds = [OrderKind.DEFECT] * 5 + [OrderKind.HANDOVER, OrderKind.VIEWING, OrderKind.MAINTENANCE]
    for offset in range(-14, 15):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for tech in staff:
            for slot in SLOTS[1:2] if day.weekday() == 5 else rng.sample(SLOTS, k=rng.choice((1, 2))):
                start = clock.from_local(datetime.combine(day, slot))
                kind = rng.choice(kinds)
                created = start - timedelta(days=rng.randint(1, 6))
                row = order(kind, min(created, clock.now()), technician_id=tech.id, scheduled_start=start)
                row.scheduled_end = start + timedelta(minutes=row.duration_minutes)
                if row.required_skill and row.required_skill.value not in tech.skills:
                    row.required_skill = None
                if offset < 0:
                    row.status = rng.choice([OrderStatus.DONE] * 8 + [OrderStatus.CANCELLED])
                elif offset == 0:
                    row.status = rng.choice((OrderStatus.SCHEDULED, OrderStatus.IN_PROGRESS, OrderStatus.DONE))
                else:
                    row.status = OrderStatus.SCHEDULED
                if row.status == OrderStatus.DONE:
                    row.completed_at = row.scheduled_end
                    row.completion_note = "Выполнено"
                if row.status == OrderStatus.CANCELLED:
                    row.cancel_reason = "Покупатель перенёс визит"
    for n in range(30):  # the queue: new defect reports and a few other orders waiting for a technician
        order(rng.choice(kinds), clock.now() - timedelta(hours=n * 7), status=OrderStatus.NEW)
    _one_open_handover(db, orders)
    db.add_all(orders)
    db.flush()
    _recorded_handover(db, admin)
    return len(orders)


BUYER_REQUESTS = [
    ("Течёт смеситель в ванной", "Подтекает под раковиной, подставили таз.", "в будни после 18:00"),
    ("Не закрывается балконная дверь", "Дверь перекосило, ручка не доворачивается.", "в субботу с утра"),
    ("Трещина на стене в спальне", "Появилась после отопительного сезона, около окна.", ""),
    ("Искрит розетка на кухне", "Розетка у холодильника, пахнет горелым.", "как можно скорее"),
]


def load_demo_buyer_links(db: Session, admin: User) -> int:
    """A service link for each active contract and four buyer requests (one scheduled); once only."""
    from app.domain.dispatch.crud import work_orders
    from app.domain.dispatch.schemas import ServiceRequestCreate, WorkOrderPatch
    from app.domain.dispatch.service_links import RequestRules, service_links

    if db.scalar(select(func.count()).select_from(ServiceLink)):
        return 0
    active = list(db.scalars(select(Contract.id).where(Contract.status == ContractStatus.ACTIVE).order_by(Contract.id)))
    links = [service_links.issue(db, admin, contract_id) for contract_id in active]
    rules = RequestRules(due=RULES, data_dir=Path("."), max_bytes=0)
    made = []
    for link, (title, text, when) in zip(links[:3] + links[:1], BUYER_REQUESTS, strict=False):
        data = ServiceRequestCreate(title=title, text=text, preferred_time=when)
        made.append(service_links.submit(db, link, data, [], "demo", rules))
    technician = db.scalar(select(Technician).where(Technician.is_active.is_(True)).order_by(Technician.id))
    if made and technician is not None:
        start = clock.from_local(datetime.combine(clock.today() + timedelta(days=1), time(11)))
        patch = WorkOrderPatch(technician_id=technician.id, scheduled_start=start, force=True)
        work_orders.update(db, admin, made[0].id, patch, RULES, None)
    return len(made)
