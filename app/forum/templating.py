"""What forum templates need besides what their routes pass: names cleaned for display, the
viewer's standing (moderator, suspended and why), answered by the permission module and the
moderation policy."""
from flask import Flask
from flask_login import current_user

from app.common.permissions import is_moderator
from app.forum.markup import clean_line
from app.moderation import policy


def register(app: Flask) -> None:
    # Names are cleaned when accounts are saved; the filter also covers rows from imports and old data.
    app.jinja_env.filters.update(clean_name=clean_line, suspension_reason=policy.suspension_reason)
    app.jinja_env.globals.update(
        viewer_moderates=lambda: is_moderator(current_user),
        viewer_suspension=lambda: policy.active_suspension(current_user),
    )
