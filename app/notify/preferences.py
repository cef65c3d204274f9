"""Each person's notification settings (channels, immediate or a daily digest per kind, quiet
hours for SMS), the signed unsubscribe links, and `tell`: the one way an area tells account
holders of something, writing the inbox line and sending or keeping the e-mail and SMS as each
person chose. Notify knows no feature: a kind is a name and a label, the areas pick it."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.common.errors import ValidationError
from app.common.permissions import is_moderator, is_staff
from app.common.time import utcnow
from app.extensions import db
from app.notify import services
from app.notify.models import Channel

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
MODES = (IMMEDIATE, DIGEST, OFF)
MODE_LABELS = {IMMEDIATE: _l("At once"), DIGEST: _l("Daily digest"), OFF: _l("Inbox only")}
VN_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh keeps no daylight saving
QUIET_START, QUIET_END = "21:00", "07:00"
# An unsubscribe link in a digest stops every kind the digest carried.
ALL_DIGESTS = "digest"


@dataclass(frozen=True)
class Kind:
    label: object
    default: str
    audience: str  # "staff", "moderators" or "everyone": who sees it on the settings page
    modes: tuple[str, ...] = MODES


KINDS = {
    "case_new": Kind(_l("A new case in my queue, or a case assigned or transferred to my agency"), IMMEDIATE, "staff"),
    "case_citizen": Kind(_l("The citizen supplied information or asked for reconsideration"), IMMEDIATE, "staff"),
    "draft": Kind(_l("Answer drafts awaiting my approval or sent back to me"), IMMEDIATE, "staff"),
    "deadline": Kind(_l("Deadlines in 2 working days and overdue cases"), IMMEDIATE, "staff"),
    "review_queue": Kind(_l("Flagged and held posts in the review queue"), IMMEDIATE, "moderators"),
    "appeal": Kind(_l("Appeals against moderation decisions"), IMMEDIATE, "moderators"),
    "followed": Kind(_l("Steps of the published submissions I follow"), IMMEDIATE, "everyone"),
    "forum": Kind(_l("New posts in the threads and boards I follow"), DIGEST, "everyone"),
    "alerts": Kind(_l("New published submissions in the areas and topics I watch"), DIGEST, "everyone",
                   (DIGEST, OFF)),
}


class NotificationSetting(db.Model):
    """One row per person who changed anything; everyone else has the defaults."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=False)
    quiet_start: Mapped[str] = mapped_column(String(5), default=QUIET_START)
    quiet_end: Mapped[str] = mapped_column(String(5), default=QUIET_END)
    modes: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def mode(self, kind: str) -> str:
        chosen = (self.modes or {}).get(kind)
        return chosen if chosen in KINDS[kind].modes else KINDS[kind].default


class DigestItem(db.Model):
    """A line kept for someone's next daily digest e-mail (address and language taken when kept)."""

    __tablename__ = "digest_item"
    __table_args__ = (Index("ix_digest_item_sent_user", "sent_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    body: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


# Who may use which channel.

def can_email(user) -> bool:
    """A citizen proved the address; staff and moderators were given theirs by an administrator."""
    return bool(user.email) and (user.email_verified_at is not None or is_staff(user) or is_moderator(user))


def can_sms(user) -> bool:
    """SMS only to a phone the person proved is theirs."""
    return bool(user.phone) and user.phone_verified_at is not None


def kinds_for(user) -> list[str]:
    """The kinds this person can receive, for the settings page."""
    audiences = {"everyone"} | ({"staff"} if is_staff(user) else set()) | (
        {"moderators"} if is_moderator(user) else set())
    return [name for name, kind in KINDS.items() if kind.audience in audiences]


def settings_for(user) -> NotificationSetting:
    """The stored row, or the defaults (not added to the session): e-mail on; SMS off for
    staff, who cost the state money by it, and on for others with a verified phone."""
    stored = db.session.get(NotificationSetting, user.id)
    return stored if stored is not None else _defaults(user)


def settings_of(users) -> dict[int, NotificationSetting]:
    """settings_for of many people in one query (everyone a step or a digest tells)."""
    users = list(users)
    stored = {row.user_id: row for row in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_([user.id for user in users])))}
    return {user.id: stored.get(user.id) or _defaults(user) for user in users}


def _defaults(user) -> NotificationSetting:
    return NotificationSetting(user_id=user.id, email=True, sms=can_sms(user) and not is_staff(user),
                               quiet_start=QUIET_START, quiet_end=QUIET_END, modes={})


def save_settings(user, email: bool, sms: bool, quiet_start: str, quiet_end: str, modes: dict[str, str]):
    """Store a person's choices; a bad value raises ValidationError naming its field."""
    start, end = _parse_time("quiet_start", quiet_start), _parse_time("quiet_end", quiet_end)
    if sms and not can_sms(user):
        raise ValidationError("sms", _("Verify a phone number before choosing SMS."))
    allowed = kinds_for(user)
    clean = {}
    for kind, mode in modes.items():
        if kind not in allowed or mode not in KINDS[kind].modes:
            raise ValidationError(f"mode_{kind}", _("Choose one of the options."))
        clean[kind] = mode
    setting = db.session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id)
    setting.email, setting.sms = email, sms
    setting.quiet_start, setting.quiet_end = start, end
    setting.modes, setting.updated_at = clean, utcnow()
    db.session.add(setting)
    db.session.commit()
    return setting


def _parse_time(field: str, value: str) -> str:
    try:
        parsed = time.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(field, _("Enter a time as hh:mm, for example 21:00.")) from None
    if len((value or "").strip()) != 5:
        raise ValidationError(field, _("Enter a time as hh:mm, for example 21:00."))
    return parsed.strftime("%H:%M")


# Quiet hours.

def quiet_until(now: datetime, start: str = QUIET_START, end: str = QUIET_END) -> datetime | None:
    """When `now` (naive UTC) falls in the quiet hours, the moment they end (naive UTC)."""
    local = now + VN_OFFSET
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    clock = local.time()
    if begin == finish:
        return None
    if begin < finish:
        inside = begin <= clock < finish
        end_day = local.date()
    else:  # over midnight, as 21:00-07:00
        inside = clock >= begin or clock < finish
        end_day = local.date() + timedelta(days=1) if clock >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish) - VN_OFFSET


def send_sms(recipient: str, body: str, user=None, submission_id: int | None = None, now: datetime | None = None):
    """Enqueue an SMS that waits for the end of the quiet hours (the person's, or the defaults
    for someone without an account) when it is written at night."""
    setting = settings_for(user) if user is not None else None
    start, end = (setting.quiet_start, setting.quiet_end) if setting else (QUIET_START, QUIET_END)
    message = services.enqueue(Channel.SMS, recipient, body, user_id=getattr(user, "id", None),
                               submission_id=submission_id)
    later = quiet_until(now or utcnow(), start, end) if current_app.config.get("SMS_QUIET_HOURS", True) else None
    if later is not None:
        message.next_attempt_at = later
    return message


# Unsubscribe links (RFC 8058 one-click), signed per person and kind.

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notify-unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or (
            data.get("k") not in KINDS and data.get("k") != ALL_DIGESTS):
        return None
    return data["u"], data["k"]


def kind_label(kind: str) -> str:
    return _("Every daily digest") if kind == ALL_DIGESTS else str(KINDS[kind].label)


def unsubscribe(user_id: int, kind: str) -> None:
    """Stop the e-mails of one kind (the inbox keeps its lines): the kind turns to "inbox only",
    or for a digest link every kind now in a digest."""
    setting = db.session.get(NotificationSetting, user_id)
    if setting is None:
        setting = NotificationSetting(user_id=user_id, email=True, sms=False, quiet_start=QUIET_START,
                                      quiet_end=QUIET_END, modes={})
        db.session.add(setting)
    modes = dict(setting.modes or {})
    if kind == ALL_DIGESTS:
        for name in KINDS:
            if setting.mode(name) == DIGEST:
                modes[name] = OFF
    else:
        modes[kind] = OFF
    setting.modes, setting.updated_at = modes, utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # the account was erased since the e-mail went out: nothing left to stop
        db.session.rollback()


def unsubscribe_url(user_id: int, kind: str) -> str:
    return services.public_url("notify.unsubscribe", signature=unsubscribe_token(user_id, kind))


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def absolute(link: str | None) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}{link}" if link else base


def send_email(user, kind: str, subject: str, body: str, submission_id: int | None = None):
    """An e-mail to an account holder, with the unsubscribe link in the text and the headers."""
    url = unsubscribe_url(user.id, kind)
    text = f"{body}\n\n-- \n" + _("To stop these e-mails (%(kind)s): %(url)s", kind=kind_label(kind), url=url) + "\n"
    message = services.enqueue(Channel.EMAIL, user.email, text, subject=subject[:200], user_id=user.id,
                               submission_id=submission_id)
    message.headers = unsubscribe_headers(url)
    return message


# Telling people.

def tell(users, kind: str, body, link: str | None = None, submission_id: int | None = None) -> None:
    """The inbox line for each person, always; then, as each chose for this kind, an e-mail and
    an SMS now, or a line kept for the daily digest. `body` is a lazy_gettext string, rendered
    in each person's language. Added to the session: the caller's commit stores it all."""
    people = {user.id: user for user in users if user is not None}.values()
    if not people:
        return
    services.notify_users(people, body, link=link, submission_id=submission_id)
    settings = settings_of(people)
    for user in sorted(people, key=lambda u: u.id):
        setting = settings[user.id]
        mode = setting.mode(kind)
        if mode == OFF:
            continue
        with force_locale(user.locale or "vi"):
            text = str(body)
            if mode == DIGEST:
                if setting.email and can_email(user):
                    keep_for_digest(user, kind, text, link)
                continue
            if setting.email and can_email(user):
                send_email(user, kind, _("Góp Ý: %(line)s", line=text), f"{text}\n\n{absolute(link)}\n",
                           submission_id=submission_id)
            if setting.sms and can_sms(user):
                send_sms(user.phone, f"Gop Y: {text} {absolute(link)}", user=user, submission_id=submission_id)


def keep_for_digest(user, kind: str, text: str, link: str | None) -> None:
    db.session.add(DigestItem(user_id=user.id, kind=kind, body=text[:500], link=link, email=user.email,
                              locale=user.locale or "vi"))


def pending_digest_items() -> list[DigestItem]:
    return list(db.session.scalars(select(DigestItem).where(DigestItem.sent_at.is_(None))
                                   .order_by(DigestItem.user_id, DigestItem.id)))
