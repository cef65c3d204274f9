"""Who among the moderators is told of what: the one table for the forum's review queue and
appeals. Below the forum, so the forum can tell of a held post and moderation of flags and
appeals the same way."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.common.roles import Role
from app.extensions import db
from app.notify import preferences
from app.notify import services as notify

# event -> (the kind moderators set in their settings, the line; the link is the review queue)
MODERATORS_TOLD = {
    "flag": ("review_queue", _l("A post in “%(title)s” was flagged and waits in the review queue.")),
    "held": ("review_queue", _l("A post in “%(title)s” was held and waits in the review queue.")),
    "appeal": ("appeal", _l("An appeal against a moderation decision waits for you.")),
}


class _Filled:
    """A line of the table with its values, rendered in each moderator's language when read."""

    def __init__(self, line, **values):
        self.line, self.values = line, values

    def __str__(self) -> str:
        return str(self.line) % self.values


def moderators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.MODERATOR, User.active.is_(True))
                                   .order_by(User.id)))


def tell_moderators(event: str, **values) -> None:
    """Added to the session: the caller's commit stores it with the change."""
    kind, line = MODERATORS_TOLD[event]
    preferences.tell(moderators(), kind, _Filled(line, **values), link=notify.local_url("moderation.queue"))
