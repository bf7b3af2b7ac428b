"""User accounts: listing, creating, editing, (de)activating, passwords; all audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.passwords import hash_password, same_as_username, verify_password
from app.auth.permissions import P, Role, can
from app.auth.schemas import PasswordChange, UserCreate, UserFilter, UserUpdate
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.crud import audit

AUDITED_FIELDS = ("username", "full_name", "phone", "role", "is_active", "language")


def snapshot(user: User) -> dict:
    """The audited fields of a user (never the password hash)."""
    return {name: getattr(user, name) for name in AUDITED_FIELDS}


def _refuse_username_as_password(password: str, username: str) -> None:
    """Invalid (next to the password field) when the password is the username."""
    if same_as_username(password, username):
        raise Invalid("The password must not be the same as the username.", field="password")


class UserCRUD:
    """Staff accounts, managed by admins; each change audited."""

    sort_columns = {
        "username": User.username,
        "full_name": User.full_name,
        "role": User.role,
        "created_at": User.created_at,
    }

    def page(self, db: Session, f: UserFilter) -> Page[User]:
        """One page of users matching the filter."""
        return paginate(db, self.query(f), f.page, f.page_size)

    def query(self, f: UserFilter) -> Select:
        """The filtered, sorted users (for pages and exports)."""
        q = select(User)
        if f.q:
            like = f"%{f.q.lower()}%"
            q = q.where(
                or_(
                    func.lower(User.username).like(like),
                    func.lower(User.full_name).like(like),
                    User.phone.like(f"%{f.q}%"),
                )
            )
        if f.role:
            q = q.where(User.role == f.role)
        if f.active is not None:
            q = q.where(User.is_active == f.active)
        return apply_sort(q, f.sort, self.sort_columns, "username").order_by(User.id)

    def get(self, db: Session, user_id: int) -> User:
        """The user with this id, or NotFound."""
        user = db.get(User, user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    def create(self, db: Session, actor: User | None, data: UserCreate) -> User:
        """Create a user (an admin, or the command line when `actor` is None); Conflict on a taken username."""
        if actor is not None:
            self._may_manage(actor)
        if db.scalar(select(User.id).where(User.username == data.username)):
            raise Conflict("This username is already taken.", field="username")
        _refuse_username_as_password(data.password, data.username)
        user = User(
            username=data.username,
            full_name=data.full_name.strip(),
            phone=data.phone,
            role=data.role,
            language=data.language,
            password_hash=hash_password(data.password),
        )
        db.add(user)
        db.flush()
        audit.record(db, actor, "user", user.id, "create", None, snapshot(user))
        return user

    def update(self, db: Session, actor: User, user_id: int, data: UserUpdate) -> User:
        """Change a user's details and role; a role change ends their sessions."""
        self._may_manage(actor)
        user = self.get(db, user_id)
        if user.id == actor.id and data.role != user.role:
            raise Invalid("You cannot change your own role.", field="role")
        before = snapshot(user)
        if data.role != user.role:
            user.token_version += 1
        user.full_name, user.phone = data.full_name.strip(), data.phone
        user.role, user.language = data.role, data.language
        db.flush()
        audit.record(db, actor, "user", user.id, "update", before, snapshot(user))
        return user

    def set_active(self, db: Session, actor: User, user_id: int, active: bool) -> User:
        """Deactivate (ending their sessions at once) or reactivate a user."""
        self._may_manage(actor)
        user = self.get(db, user_id)
        if user.id == actor.id and not active:
            raise Invalid("You cannot deactivate yourself.")
        if user.is_active == active:
            return user
        before = snapshot(user)
        user.is_active = active
        user.token_version += 1
        db.flush()
        audit.record(db, actor, "user", user.id, "activate" if active else "deactivate", before, snapshot(user))
        return user

    def reset_password(self, db: Session, actor: User, user_id: int, password: str) -> User:
        """Set a new password for a user and end their sessions."""
        self._may_manage(actor)
        user = self.get(db, user_id)
        _refuse_username_as_password(password, user.username)
        user.password_hash = hash_password(password)
        user.token_version += 1
        db.flush()
        audit.record(db, actor, "user", user.id, "reset_password", None, {"password": "changed"})
        return user

    def change_own_password(self, db: Session, user: User, data: PasswordChange) -> User:
        """Change the caller's password after checking the current one; ends other sessions."""
        self._may_edit_profile(user)
        if not verify_password(user.password_hash, data.current_password):
            raise Invalid("The current password is wrong.", field="current_password")
        _refuse_username_as_password(data.password, user.username)
        user.password_hash = hash_password(data.password)
        user.token_version += 1
        db.flush()
        audit.record(db, user, "user", user.id, "change_password", None, {"password": "changed"})
        return user

    def set_language(self, db: Session, user: User, language: str) -> User:
        """Store the caller's interface language."""
        self._may_edit_profile(user)
        before = snapshot(user)
        user.language = language
        db.flush()
        audit.record(db, user, "user", user.id, "update", before, snapshot(user))
        return user

    def logout_everywhere(self, db: Session, user: User) -> User:
        """End every session and token of `user`."""
        user.token_version += 1
        db.flush()
        audit.record(db, user, "user", user.id, "logout_everywhere")
        return user

    def names(self, db: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
        """Display names of users by id (one query)."""
        ids = {i for i in user_ids if i}
        if not ids:
            return {}
        rows = db.execute(select(User.id, User.full_name, User.username).where(User.id.in_(ids))).all()
        return {user_id: full_name or username for user_id, full_name, username in rows}

    def counts_by_role(self, db: Session) -> dict[Role, int]:
        """Active users per role."""
        rows = db.execute(select(User.role, func.count()).where(User.is_active.is_(True)).group_by(User.role)).all()
        counts = {role: 0 for role in Role}
        counts.update({role: n for role, n in rows})
        return counts

    def salespeople(self, db: Session) -> list[User]:
        """Active salespeople, by name: the people leads and contracts are given to."""
        return self.team(db, Role.SALES)

    def salesperson(self, db: Session, user_id: int) -> User | None:
        """The active salesperson with this id, or None."""
        q = select(User).where(User.id == user_id, User.role == Role.SALES, User.is_active.is_(True))
        return db.scalar(q)

    @staticmethod
    def _may_manage(actor: User) -> None:
        if not can(actor, P.USERS_WRITE):
            raise Forbidden("Only an admin manages users.")

    @staticmethod
    def _may_edit_profile(user: User) -> None:
        if not can(user, P.PROFILE_WRITE):
            raise Forbidden("You cannot change this profile.")

    def team(self, db: Session, role: Role) -> list[User]:
        """Active users of one role, by name."""
        q = select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.full_name, User.username)
        return list(db.scalars(q))


users = UserCRUD()
