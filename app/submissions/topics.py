"""The topic tree, as the forms offer it."""
from sqlalchemy import select

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
