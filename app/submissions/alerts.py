"""Area and topic alerts: "tell me about new published submissions in my commune / on this
topic", gathered once a day into the digest (notify.digests calls `collect`)."""
from datetime import datetime

from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, or_, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from app.common.errors import ValidationError
from app.common.places import is_ward_of, province_name, ward_name
from app.common.time import utcnow
from app.extensions import db
from app.notify import digests, preferences
from app.notify import services as notify
from app.submissions import codes, publication
from app.submissions.models import Submission, Topic

MAX_PER_PERSON = 20


class AlertSubscription(db.Model):
    """One watched place (a province, or one commune of it) or topic of one account."""

    __tablename__ = "alert_subscription"
    __table_args__ = (Index("ix_alert_subscription_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    province_code: Mapped[int | None]
    ward_code: Mapped[int | None]
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # New submissions received after this moment are the next digest's news.
    seen_until: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    topic = relationship(Topic)

    def label(self, locale: str = "vi") -> str:
        if self.topic_id:
            return self.topic.localized_name(locale) if self.topic else ""
        if self.ward_code:
            return f"{ward_name(self.province_code, self.ward_code)}, {province_name(self.province_code)}"
        return province_name(self.province_code)


def register(app: Flask) -> None:
    digests.register_source(app, collect)


def subscriptions(user) -> list[AlertSubscription]:
    return list(db.session.scalars(select(AlertSubscription).where(AlertSubscription.user_id == user.id)
                                   .order_by(AlertSubscription.id)))


def subscribe(user, province_code: int | None = None, ward_code: int | None = None,
              topic_id: int | None = None) -> AlertSubscription:
    """Watch a place or a topic (once: the same again returns the first)."""
    if topic_id is not None:
        if db.session.get(Topic, topic_id) is None:
            raise ValidationError("topic_id", _l("Choose a topic."))
        province_code = ward_code = None
    elif province_code is None or not province_name(province_code):
        raise ValidationError("province_code", _l("Choose a province or a topic."))
    elif ward_code is not None and not is_ward_of(province_code, ward_code):
        raise ValidationError("ward_code", _l("Choose a commune of this province."))
    existing = db.session.scalar(select(AlertSubscription).where(
        AlertSubscription.user_id == user.id, AlertSubscription.topic_id.is_(topic_id) if topic_id is None
        else AlertSubscription.topic_id == topic_id,
        AlertSubscription.province_code.is_(None) if province_code is None
        else AlertSubscription.province_code == province_code,
        AlertSubscription.ward_code.is_(None) if ward_code is None else AlertSubscription.ward_code == ward_code))
    if existing is not None:
        return existing
    if len(subscriptions(user)) >= MAX_PER_PERSON:
        raise ValidationError("topic_id" if topic_id else "province_code",
                              _l("You can watch at most %(n)d places and topics.", n=MAX_PER_PERSON))
    item = AlertSubscription(user_id=user.id, province_code=province_code, ward_code=ward_code, topic_id=topic_id)
    db.session.add(item)
    db.session.commit()
    return item


def unsubscribe(user, subscription_id: int) -> None:
    item = db.session.get(AlertSubscription, subscription_id)
    if item is not None and item.user_id == user.id:
        db.session.delete(item)
        db.session.commit()


def collect(now: datetime) -> int:
    """Keep a digest line for each new published submission each subscription matches."""
    kept = 0
    subscriptions = db.session.scalars(select(AlertSubscription).options(joinedload(AlertSubscription.user))
                                       .order_by(AlertSubscription.id)).all()
    settings = preferences.settings_of({item.user for item in subscriptions if item.user is not None})
    for item in subscriptions:
        user = item.user
        if user is None or not user.active or settings[user.id].mode("alerts") == preferences.OFF:
            item.seen_until = now
            continue
        setting = settings[user.id]
        if not (setting.email and preferences.can_email(user)):
            item.seen_until = now
            continue
        for submission in _news(item, now):
            with force_locale(user.locale or "vi"):
                line = _l("New in %(watch)s: %(code)s %(title)s", watch=item.label(user.locale or "vi"),
                          code=codes.display(submission.code), title=publication.redact(submission, submission.title))
                preferences.keep_for_digest(user, "alerts", str(line),
                                            notify.local_url("feedback.show", code=submission.code))
            kept += 1
        item.seen_until = now
    return kept


def _news(item: AlertSubscription, now: datetime) -> list[Submission]:
    query = select(Submission).where(Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None),
                                     Submission.received_at > item.seen_until, Submission.received_at <= now)
    if item.topic_id:
        sub_topics = select(Topic.id).where(or_(Topic.id == item.topic_id, Topic.parent_id == item.topic_id))
        query = query.where(Submission.topic_id.in_(sub_topics))
    else:
        query = query.where(Submission.province_code == item.province_code)
        if item.ward_code:
            query = query.where(Submission.ward_code == item.ward_code)
    return list(db.session.scalars(query.order_by(Submission.id).limit(50)))
