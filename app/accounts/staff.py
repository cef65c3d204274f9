"""Staff accounts, as administrators manage them: create, change role, agency and access.
The last active administrator can neither be demoted nor disabled, so the platform never
ends up with nobody who can manage it."""
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.accounts.passwords import password_problem
from app.common.errors import ValidationError
from app.common.roles import Role
from app.common.text import clean_line, vi_person_key
from app.extensions import db

# Every role an administrator assigns from the staff page (citizens register themselves).
STAFF_ROLES = (Role.COORDINATOR, Role.OFFICER, Role.LEAD, Role.MODERATOR, Role.ADMIN)


def staff_members() -> list[User]:
    """Staff in Vietnamese order: by given name, then family and middle names."""
    staff = db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES)))
    return sorted(staff, key=lambda user: vi_person_key(user.full_name))


def staff_member(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.role in STAFF_ROLES else None


def create_staff(email: str, full_name: str, role: str, agency_id: int | None, active: bool,
                 password: str | None) -> User:
    """A new staff account; without a password it gets an unguessable one to be reset."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError("email", _("An account with this e-mail address already exists."))
    user = User(email=email)
    _apply(user, full_name, role, agency_id, active)
    if password:
        _set_password(user, password)
    else:  # unguessable: they choose their own through "Forgot your password?"
        user.set_password(secrets.token_urlsafe(24), current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.add(user)
    db.session.commit()
    return user


def update_staff(user: User, full_name: str, role: str, agency_id: int | None, active: bool,
                 password: str | None) -> User:
    if user.role == Role.ADMIN and user.active and not (role == Role.ADMIN and active) and _admins() <= 1:
        raise ValidationError("role", _("This is the last administrator: make someone else one first."))
    was_active = user.active
    _apply(user, full_name, role, agency_id, active)
    if password:
        _set_password(user, password)
        services.tell_password_changed(user)
    if was_active and not user.active:
        user.end_sessions()  # a suspension signs them out everywhere, remember-me cookies too
    db.session.commit()
    return user


def _apply(user: User, full_name: str, role: str, agency_id: int | None, active: bool) -> None:
    if role not in STAFF_ROLES:
        raise ValidationError("role", _("Choose one of the options."))
    user.full_name, user.role, user.agency_id, user.active = clean_line(full_name), role, agency_id, bool(active)


def _set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.full_name, user.email)
    if problem:
        raise ValidationError("password", problem)
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))


def _admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active))
