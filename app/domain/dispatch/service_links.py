"""Buyers' service links: a private, revocable link per active contract, and the requests sent through it.

Staff who manage work orders (WORK_ORDERS_WRITE) issue, rotate and revoke a contract's link; the
buyer opens it without logging in. A token names a link row and its nonce under an HMAC (see
link_tokens); a forged, tampered, revoked or stale token, or one of a contract no longer active, is
NotFound, whatever it holds. A request becomes a defect work order in status "new" on the contract's
apartment, its source "buyer_request", audited with no actor; requests are throttled per link and
per client address over the last hour (rows in service_requests: every worker counts the same).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.core import clock
from app.core.errors import Conflict, Invalid, NotFound, TooManyRequests
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.dispatch import link_tokens
from app.domain.dispatch.crud import DueRules, due_date, may_write, snapshot
from app.domain.dispatch.models import (
    OrderKind,
    OrderSource,
    OrderStatus,
    ServiceLink,
    ServiceRequest,
    WorkOrder,
    WorkOrderPicture,
)
from app.domain.dispatch.pictures import FOLDER, PictureUpload, store_picture
from app.domain.dispatch.schemas import ServiceRequestCreate
from app.domain.inventory.models import Apartment, Building

MAX_PICTURES = 5
WINDOW = timedelta(hours=1)
ADDRESS_KEPT = timedelta(days=1)  # then a request's client address is blanked
SHOWN_ORDERS = 50
BUYER_PRIORITY = 3


@dataclass(frozen=True)
class RequestRules:
    """What a buyer's request is held to: due days, where pictures go and how big, the hourly limits."""

    due: DueRules
    data_dir: Path
    max_bytes: int
    per_link: int = 5
    per_address: int = 20


SURNAME_ENDINGS = (
    *("ов", "ев", "ёв", "ова", "ева", "ёва", "ский", "ская", "цкий", "цкая"),
    *("ov", "ev", "ova", "eva", "skiy", "skaya"),
)


def _surname_like(word: str) -> bool:
    return word.lower().endswith(SURNAME_ENDINGS)


def first_name(full_name: str) -> str:
    """The buyer's first name, whether the name is written "Name Surname" or "Surname Name [Patronymic]"."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) > 1 and _surname_like(words[0]) and not _surname_like(words[1]):
        return words[1]
    return words[0]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=clock.now().tzinfo)


class ServiceLinkCRUD:
    """Issue, rotate and revoke a contract's link (staff); resolve a token and take requests (the buyer)."""

    def _contract(self, db: Session, actor: User, contract_id: int) -> Contract:
        may_write(actor)
        contract = db.get(Contract, contract_id)
        if contract is None:
            raise NotFound("Contract not found.")
        return contract

    def active(self, db: Session, actor: User, contract_id: int) -> ServiceLink | None:
        """The contract's active link (with who made it), or None."""
        self._contract(db, actor, contract_id)
        q = (
            select(ServiceLink)
            .where(ServiceLink.contract_id == contract_id, ServiceLink.revoked_at.is_(None))
            .options(joinedload(ServiceLink.created_by))
        )
        return db.scalar(q)

    def issue(self, db: Session, actor: User, contract_id: int) -> ServiceLink:
        """A new link for an active contract; the one before (if any) stops working."""
        contract = self._contract(db, actor, contract_id)
        if contract.status != ContractStatus.ACTIVE:
            raise Conflict("Only an active contract has a buyer link.")
        self._revoke(db, actor, contract_id)
        link = ServiceLink(contract_id=contract_id, nonce=link_tokens.new_nonce(), created_by_id=actor.id)
        try:
            with db.begin_nested():
                db.add(link)
                db.flush()
        except IntegrityError:  # another new link of this contract was saved meanwhile
            raise Conflict("Someone made a new link meanwhile: reload the page.") from None
        audit.record(db, actor, "service_link", link.id, "create", None, {"contract_id": contract_id})
        return self.active(db, actor, contract_id)

    def revoke(self, db: Session, actor: User, contract_id: int) -> None:
        """Stop the contract's active link (nothing happens when there is none)."""
        self._contract(db, actor, contract_id)
        self._revoke(db, actor, contract_id)

    def _revoke(self, db: Session, actor: User, contract_id: int) -> None:
        current = (ServiceLink.contract_id == contract_id) & ServiceLink.revoked_at.is_(None)
        ids = list(db.scalars(select(ServiceLink.id).where(current)))
        if not ids:
            return
        db.execute(update(ServiceLink).where(current).values(revoked_at=clock.now()))
        db.flush()
        for link_id in ids:
            audit.record(db, actor, "service_link", link_id, "revoke", {"contract_id": contract_id}, None)

    def token(self, secret: str, link: ServiceLink) -> str:
        """The signed token that opens `link`."""
        return link_tokens.sign(secret, link.id, link.nonce)

    def resolve(self, db: Session, secret: str, token: object) -> ServiceLink:
        """The active link a token opens, with its contract and apartment loaded; NotFound for any other token."""
        claim = link_tokens.verify(secret, token)
        link = None
        if claim is not None:
            q = (
                select(ServiceLink)
                .where(ServiceLink.id == claim.link_id)
                .options(
                    joinedload(ServiceLink.contract)
                    .joinedload(Contract.apartment)
                    .joinedload(Apartment.building)
                    .joinedload(Building.complex)
                )
            )
            link = db.scalar(q)
        if (
            link is None
            or not secrets.compare_digest(link.nonce.encode(), claim.nonce.encode())
            or link.revoked_at is not None
            or link.contract.status != ContractStatus.ACTIVE
        ):
            raise NotFound("This link does not work. Ask the developer's service for a new one.")
        return link

    def orders(self, db: Session, link: ServiceLink) -> list[WorkOrder]:
        """The contract's orders, newest first, as the buyer's page lists them."""
        q = (
            select(WorkOrder)
            .where(WorkOrder.contract_id == link.contract_id)
            .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
            .limit(SHOWN_ORDERS)
        )
        return list(db.scalars(q))

    def submit(
        self,
        db: Session,
        link: ServiceLink,
        data: ServiceRequestCreate,
        uploads: list[PictureUpload],
        address: str,
        rules: RequestRules,
    ) -> WorkOrder:
        """A defect order "new" on the link's apartment from the buyer's report, with its pictures."""
        self._throttle(db, ServiceRequest.service_link_id == link.id, rules.per_link)
        self._throttle(db, ServiceRequest.address == address, rules.per_address)
        if len(uploads) > MAX_PICTURES:
            raise Invalid("Attach at most %(n)s pictures.", field="pictures", n=MAX_PICTURES)
        stored: list[tuple[str, str]] = []
        try:
            for upload in uploads:
                try:
                    stored.append((store_picture(upload, rules.data_dir, rules.max_bytes), upload.filename))
                except Invalid as exc:
                    raise Invalid(exc.message, field="pictures", **exc.params) from None
            return self._create(db, link, data, stored, address, rules)
        except BaseException:
            for name, _ in stored:
                (rules.data_dir / FOLDER / name).unlink(missing_ok=True)
            raise

    def _create(
        self,
        db: Session,
        link: ServiceLink,
        data: ServiceRequestCreate,
        pictures: list[tuple[str, str]],
        address: str,
        rules: RequestRules,
    ) -> WorkOrder:
        contract = db.get(Contract, link.contract_id)  # loaded already when the link was resolved
        row = WorkOrder(
            apartment_id=contract.apartment_id,
            contract_id=contract.id,
            kind=OrderKind.DEFECT,
            priority=BUYER_PRIORITY,
            title=data.title,
            description=data.text,
            preferred_time=data.preferred_time,
            status=OrderStatus.NEW,
            source=OrderSource.BUYER_REQUEST,
            due_date=due_date(clock.today(), OrderKind.DEFECT, BUYER_PRIORITY, rules.due),
            duration_minutes=60,
            overrides=[],
            version=1,
            created_by_id=None,
        )
        db.add(row)
        db.flush()
        for name, filename in pictures:
            db.add(WorkOrderPicture(work_order_id=row.id, stored_name=name, filename=filename[:200] or name))
        db.add(ServiceRequest(work_order_id=row.id, service_link_id=link.id, address=address[:64]))
        stale = (ServiceRequest.created_at < clock.now() - ADDRESS_KEPT) & (ServiceRequest.address != "")
        db.execute(update(ServiceRequest).where(stale).values(address=""))  # addresses outlive the throttle by a day
        db.flush()
        after = snapshot(row) | {"source": OrderSource.BUYER_REQUEST.value, "pictures": len(pictures)}
        audit.record(db, None, "work_order", row.id, "create", None, after)
        return row

    def _throttle(self, db: Session, condition: ColumnElement[bool], limit: int) -> None:
        """TooManyRequests when `limit` requests matching `condition` were sent within the last hour."""
        since = clock.now() - WINDOW
        recent = select(func.count(), func.min(ServiceRequest.created_at)).where(
            condition, ServiceRequest.created_at > since
        )
        count, oldest = db.execute(recent).one()
        if count < limit or oldest is None:
            return
        wait = max(1, math.ceil((_aware(oldest) + WINDOW - clock.now()).total_seconds()))
        raise TooManyRequests(
            "Too many requests. Please try again in %(minutes)s min.", retry_after=wait, minutes=math.ceil(wait / 60)
        )


service_links = ServiceLinkCRUD()
