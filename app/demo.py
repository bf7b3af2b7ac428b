"""Demo data: the demo users of every role, then each capability's data (safe to rerun)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.schemas import UserCreate
from app.demo_dispatch import load_demo_buyer_links, load_demo_dispatch
from app.demo_finance import load_demo_finance
from app.demo_inventory import load_demo_inventory
from app.demo_marketing import load_demo_marketing
from app.demo_pipeline import load_demo_pipeline
from app.demo_plans import load_demo_plans
from app.demo_staff import load_demo_staff

DEMO_USERS = [
    ("admin", "Администратор Системы", Role.ADMIN, "+998901000001"),
    ("sales", "Азиз Каримов", Role.SALES, "+998901000002"),
    ("sales2", "Дилноза Юсупова", Role.SALES, "+998901000003"),
    ("mop", "Шахзод Алиев", Role.MOP, "+998901000004"),
    ("rop", "Нодира Рахимова", Role.ROP, "+998901000005"),
    ("finance", "Бахтиёр Ташкентов", Role.FINANCE, "+998901000006"),
    ("dispatcher", "Олим Назаров", Role.DISPATCHER, "+998901000007"),
]


def load_demo(db: Session, password: str) -> list[str]:
    """Create the demo users that are missing; returns the usernames created (safe to rerun)."""
    existing = set(db.scalars(select(User.username)))
    created = []
    for username, full_name, role, phone in DEMO_USERS:
        if username in existing:
            continue
        data = UserCreate(username=username, full_name=full_name, role=role, phone=phone, password=password)
        users.create(db, None, data)
        created.append(username)
    admin = db.scalar(select(User).where(User.username == "admin"))
    if admin is not None:
        load_demo_inventory(db, admin)
        load_demo_pipeline(db)
        load_demo_finance(db, admin)
        load_demo_staff(db)
        load_demo_plans(db, admin)
        load_demo_marketing(db, admin)
        load_demo_dispatch(db, admin)
        load_demo_buyer_links(db, admin)
    return created
