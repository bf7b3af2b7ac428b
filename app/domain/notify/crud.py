"""Notifications: the users' switches, the send journal (claim before sending, settle after) and
the scans that find what is due. The sending itself lives in tasks/notify.py and bot/notifications.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, Role, can, has_permission
from app.core import clock
from app.core.errors import Forbidden
from app.domain.bookings.models import Booking, BookingStatus
from app.domain.leads.models import Lead
from app.domain.leads.rules import OPEN_STATUSES
from app.domain.notify.models import Delivery, NotificationSettings, NotifyKind, SentNotification
from app.domain.notify.rules import due_key
from app.domain.notify.schemas import NotifySettingsRead, NotifySettingsUpdate
from app.domain.telegram.models import TelegramLink

STALE_CLAIM = timedelta(minutes=10)  # a worker that held a key this long died: another may take it
ORPHANED_AFTER = timedelta(minutes=30)  # a pending key no retry took this long is sent to a job again
CALLBACK_AHEAD = timedelta(minutes=15)
CALLBACK_LATE = timedelta(minutes=5)  # a beat that ran late still announces a callback just due
BOOKING_AHEAD = timedelta(hours=6)
SCAN_LIMIT = 2000


@dataclass(frozen=True)
class SendKey:
    """What makes a notification unique: its kind, object, recipient and due key."""

    kind: NotifyKind
    object_id: int
    recipient_id: int
    due_key: str

    def args(self) -> tuple[int, int, str]:
        """The arguments of the kind's job."""
        return self.object_id, self.recipient_id, self.due_key


@dataclass(frozen=True)
class Overdue:
    """One salesperson's overdue callbacks in the MOP's digest."""

    name: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class Recipient:
    """Who a send key is for, where to and whether they want it now."""

    user: User
    chat_id: int
    enabled: bool
    urgent: bool
    status: Delivery | None


def _wanted(row: NotificationSettings | None, kind: NotifyKind) -> tuple[bool, bool]:
    """Whether the switches get `kind`, and whether it may go in quiet hours."""
    prefs = NotifySettingsRead.model_validate(row) if row is not None else NotifySettingsRead()
    return getattr(prefs, kind.value), kind == NotifyKind.CALLBACK_DUE and prefs.callback_urgent_at_night


def _match(key: SendKey) -> object:
    return and_(
        SentNotification.kind == key.kind,
        SentNotification.object_id == key.object_id,
        SentNotification.recipient_id == key.recipient_id,
        SentNotification.due_key == key.due_key,
    )


class NotifyCRUD:
    """Switches, the journal and the due-item scans."""

    # ---- switches ---------------------------------------------------------------------------

    def settings(self, db: Session, actor: User) -> NotifySettingsRead:
        """The actor's switches (everything on until they change one)."""
        row = db.get(NotificationSettings, actor.id)
        return NotifySettingsRead.model_validate(row) if row is not None else NotifySettingsRead()

    def update_settings(self, db: Session, actor: User, data: NotifySettingsUpdate) -> NotifySettingsRead:
        """Change the actor's switches given in `data`; the others stay."""
        if not can(actor, P.NOTIFY_SETTINGS):
            raise Forbidden("You may not change notification settings.")
        row = db.get(NotificationSettings, actor.id)
        if row is None:
            row = NotificationSettings(user_id=actor.id, **NotifySettingsRead().model_dump())
            db.add(row)
        for name, value in data.model_dump(exclude_none=True).items():
            setattr(row, name, value)
        db.flush()
        return NotifySettingsRead.model_validate(row)

    def wants(self, db: Session, user_id: int, kind: NotifyKind) -> tuple[bool, bool]:
        """Whether the user gets `kind`, and whether it may reach them in quiet hours."""
        return _wanted(db.get(NotificationSettings, user_id), kind)

    def recipient(self, db: Session, key: SendKey) -> Recipient | None:
        """In one query: the key's active recipient, their reachable chat, switches and the key's status."""
        row = db.execute(
            select(User, TelegramLink.chat_id, NotificationSettings, SentNotification.status)
            .join(TelegramLink, TelegramLink.user_id == User.id)
            .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
            .outerjoin(SentNotification, and_(SentNotification.recipient_id == User.id, _match(key)))
            .where(User.id == key.recipient_id, User.is_active.is_(True), TelegramLink.unreachable_at.is_(None))
        ).first()
        if row is None:
            return None
        user, chat, prefs, status = row
        return Recipient(user, chat, *_wanted(prefs, key.kind), status)

    # ---- the journal --------------------------------------------------------------------------

    def claim(self, db: Session, key: SendKey) -> bool:
        """Reserve the key for one send; False when it went out, is held by another worker or waits."""
        now = clock.now()
        try:
            with db.begin_nested():
                db.add(SentNotification(**vars(key), status=Delivery.SENDING, attempts=1, claimed_at=now))
        except IntegrityError:
            takeable = or_(
                SentNotification.status == Delivery.PENDING,
                and_(SentNotification.status == Delivery.DEFERRED, SentNotification.not_before <= now),
                and_(SentNotification.status == Delivery.SENDING, SentNotification.claimed_at < now - STALE_CLAIM),
            )
            taken = db.execute(
                update(SentNotification)
                .where(_match(key), takeable)
                .values(status=Delivery.SENDING, claimed_at=now, attempts=SentNotification.attempts + 1)
            )
            return taken.rowcount == 1
        return True

    def settle(self, db: Session, key: SendKey, status: Delivery, error: str = "") -> None:
        """Record how the claimed send ended (sent, unreachable, failed, dropped, or pending for a retry)."""
        values: dict[str, object] = {"status": status, "error": error[:300]}
        if status == Delivery.SENT:
            values["sent_at"] = clock.now()
        db.execute(update(SentNotification).where(_match(key)).values(**values))

    def defer(self, db: Session, key: SendKey, until: datetime) -> bool:
        """Keep the key for `until` (quiet hours); False when it was sent or is being sent already."""
        try:
            with db.begin_nested():
                db.add(SentNotification(**vars(key), status=Delivery.DEFERRED, attempts=0, not_before=until))
        except IntegrityError:
            waiting = SentNotification.status.in_((Delivery.PENDING, Delivery.DEFERRED))
            moved = db.execute(
                update(SentNotification).where(_match(key), waiting).values(status=Delivery.DEFERRED, not_before=until)
            )
            return moved.rowcount == 1
        return True

    def release_deferred(self, db: Session, limit: int = SCAN_LIMIT) -> list[SendKey]:
        """The keys whose jobs should run again: deferred ones whose quiet hours ended (made pending), and
        pending or sending ones nothing touched for ORPHANED_AFTER (the retry was lost with the broker, or
        the worker died mid-send: at-least-once then, as Telegram may have the message already)."""
        now = clock.now()
        last_seen = func.coalesce(SentNotification.claimed_at, SentNotification.not_before, SentNotification.created_at)
        due = or_(
            and_(SentNotification.status == Delivery.DEFERRED, SentNotification.not_before <= now),
            and_(SentNotification.status == Delivery.PENDING, last_seen < now - ORPHANED_AFTER),
            and_(SentNotification.status == Delivery.SENDING, last_seen < now - ORPHANED_AFTER),
        )
        rows = db.scalars(select(SentNotification).where(due).order_by(SentNotification.id).limit(limit)).all()
        keys = [SendKey(r.kind, r.object_id, r.recipient_id, r.due_key) for r in rows]
        for row in rows:
            row.status, row.claimed_at = Delivery.PENDING, now
        db.flush()
        return keys

    def status(self, db: Session, key: SendKey) -> Delivery | None:
        """Where the key stands in the journal (None: never seen)."""
        return db.scalar(select(SentNotification.status).where(_match(key)))

    # ---- what is due --------------------------------------------------------------------------

    def _new(self, db: Session, keys: list[SendKey]) -> list[SendKey]:
        """The keys the journal has not seen."""
        if not keys:
            return []
        known = {
            (k, o, r, d)
            for k, o, r, d in db.execute(
                select(
                    SentNotification.kind,
                    SentNotification.object_id,
                    SentNotification.recipient_id,
                    SentNotification.due_key,
                ).where(
                    SentNotification.kind.in_({k.kind for k in keys}),
                    SentNotification.object_id.in_({k.object_id for k in keys}),
                )
            )
        }
        return [k for k in keys if (k.kind, k.object_id, k.recipient_id, k.due_key) not in known]

    def _due(self, db: Session, kind: NotifyKind, columns: tuple, *conditions: object) -> list[SendKey]:
        """Keys of `kind` for the rows (object id, recipient id, due moment) meeting `conditions`
        whose recipient has a reachable chat, soonest first, those the journal has seen left out."""
        object_id, recipient_id, moment = columns
        rows = db.execute(
            select(object_id, recipient_id, moment)
            .join(TelegramLink, TelegramLink.user_id == recipient_id)
            .where(TelegramLink.unreachable_at.is_(None), *conditions)
            .order_by(moment)
            .limit(SCAN_LIMIT)
        ).all()
        return self._new(db, [SendKey(kind, i, u, due_key(at)) for i, u, at in rows])

    def callbacks_due_soon(self, db: Session) -> list[SendKey]:
        """Open leads whose callback is within 15 minutes (or just passed), for linked salespeople."""
        now, at = clock.now(), Lead.next_callback_at
        columns = (Lead.id, Lead.assigned_id, at)
        window = (at > now - CALLBACK_LATE, at <= now + CALLBACK_AHEAD)
        return self._due(db, NotifyKind.CALLBACK_DUE, columns, Lead.status.in_(OPEN_STATUSES), *window)

    def bookings_expiring(self, db: Session) -> list[SendKey]:
        """Active bookings running out within 6 hours, for their linked salespeople."""
        now, at = clock.now(), Booking.expires_at
        columns = (Booking.id, Booking.salesperson_id, at)
        window = (at > now, at <= now + BOOKING_AHEAD)
        return self._due(db, NotifyKind.BOOKING_EXPIRING, columns, Booking.status == BookingStatus.ACTIVE, *window)

    def digest_keys(self, db: Session) -> list[SendKey]:
        """Today's overdue-callback digest for every linked user who gets it (the MOPs)."""
        roles = [r for r in Role if has_permission(r, P.OVERDUE_DIGEST)]
        ids = db.scalars(
            select(User.id)
            .join(TelegramLink, TelegramLink.user_id == User.id)
            .where(User.role.in_(roles), User.is_active.is_(True), TelegramLink.unreachable_at.is_(None))
        ).all()
        day = clock.today().isoformat()
        return self._new(db, [SendKey(NotifyKind.OVERDUE_DIGEST, 0, i, day) for i in ids])

    def overdue_by_salesperson(self, db: Session) -> list[Overdue]:
        """Per salesperson, their open leads whose callback time has passed, the most first."""
        now = clock.now()
        rows = db.execute(
            select(User.full_name, User.username, func.count(Lead.id), func.min(Lead.next_callback_at))
            .join(Lead, Lead.assigned_id == User.id)
            .where(Lead.status.in_(OPEN_STATUSES), Lead.next_callback_at < now)
            .group_by(User.id, User.full_name, User.username)
            .order_by(func.count(Lead.id).desc(), User.username)
        ).all()
        return [Overdue(full or username, count, oldest) for full, username, count, oldest in rows]


notify = NotifyCRUD()
