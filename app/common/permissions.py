"""Who may do what: route decorators and object checks, in one place."""
from functools import wraps

from flask import abort, make_response, request, url_for
from flask_login import current_user

from app.common.rendering import wants_fragment


def login_required(view):
    """Like Flask-Login's, but an htmx request gets HX-Redirect instead of a login page
    squeezed into a fragment."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            target = url_for("accounts.login", next=request.full_path.rstrip("?"))
            if wants_fragment():
                response = make_response("", 204)
                response.headers["HX-Redirect"] = target
                return response
            return make_response("", 303, {"Location": target})
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_view_private(user, submission, token_ok: bool = False) -> bool:
    """The submitter (by account or private link) and the staff handling it see personal data."""
    if token_ok:
        return True
    if not user or not user.is_authenticated:
        return False
    if submission.user_id == user.id:
        return True
    if user.has_role("admin", "coordinator"):
        return True
    return user.is_staff and submission.agency_id is not None and user.agency_id == submission.agency_id


# The forum and its moderation.

def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role("moderator", "admin"))


def is_official(user) -> bool:
    """Agency staff, who speak for their agency in the forum."""
    return bool(user and user.is_authenticated and user.is_staff and user.agency_id)


def can_post_in_board(user, board, is_expert: bool = False) -> bool:
    if board.post_policy == "everyone":
        return True
    return is_official(user) or is_expert or is_moderator(user)


def can_mark_answer(user, thread) -> bool:
    return bool(user and user.is_authenticated and (thread.author_id == user.id or is_official(user) or is_moderator(user)))
