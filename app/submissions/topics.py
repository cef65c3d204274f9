"""The topic tree: what the forms offer, and how administrators grow it."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.common.errors import ValidationError
from app.common.text import clean_line
from app.extensions import db
from app.submissions.models import Topic


def topic_choices(locale: str, placeholder: str) -> dict:
    """Topics grouped under their parent for <optgroup>s; the "" group holds the placeholder."""
    topics = db.session.scalars(select(Topic).where(Topic.active).order_by(Topic.position, Topic.id)).all()
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    choices = {"": [("", placeholder)]}
    for root in children.get(None, []):
        members = children.get(root.id) or [root]
        choices[root.localized_name(locale)] = [(t.id, t.localized_name(locale)) for t in members]
    return choices


def top_level_topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).where(Topic.parent_id.is_(None)).order_by(Topic.position)))


def topic_tree() -> list[Topic]:
    """Every topic, the top-level ones first (the admin list)."""
    return list(db.session.scalars(select(Topic).order_by(Topic.parent_id.is_not(None), Topic.position)))


def add_topic(slug: str, name: str, parent_id: int | None) -> Topic:
    """A new topic; its slug (lower case, used in links) must be new, its parent must exist."""
    slug = clean_line(slug).lower()
    if db.session.scalar(select(Topic.id).where(Topic.slug == slug)):
        raise ValidationError("slug", _("This code is already used."))
    if parent_id is not None and db.session.get(Topic, parent_id) is None:
        raise ValidationError("parent_id", _("Choose one of the options."))
    topic = Topic(slug=slug, name=clean_line(name), parent_id=parent_id)
    db.session.add(topic)
    db.session.commit()
    return topic
