"""Who may do what: the route decorators and every object check, written once here.

The rules read plain attributes (`user.role`, `user.agency_id`, `submission.agency_id`,
`post.author_id` ...) and import no feature, so every area asks the same question the same
way: the desk's case access, the workflow's actor parts, queue scoping and private-data access
are all built from `handling_scope`."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, make_response, request, url_for
from flask_login import current_user

from app.common.rendering import wants_fragment
from app.common.roles import Role
from app.common.time import utcnow

# The parts a person plays for one submission (the workflow's actors).
COORDINATOR, OFFICER, LEAD = "coordinator", "officer", "lead"
# An author may edit a forum post for this long; moderators at any time.
EDIT_WINDOW = timedelta(minutes=30)


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

    # Read by tests/test_access.py, which sweeps every endpoint: the rule travels with the view
    # (functools.wraps copies it onto any decorator applied later).
    wrapped.requires_login = True
    return wrapped


def role_required(*roles: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # for tests/test_access.py, like requires_login
        return wrapped

    return decorator


def restrict_blueprint(blueprint, *roles: str) -> None:
    """Every view of `blueprint`, whichever module adds it, needs one of `roles`: the check
    runs before each of them and cannot be forgotten on a new page."""
    blueprint.allowed_roles = frozenset(roles)  # read by tests/test_access.py
    blueprint.requires_login = True

    @blueprint.before_request
    @role_required(*roles)
    def _guard():
        return None


def signed_in(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user, *roles: str) -> bool:
    return signed_in(user) and user.role in roles


# Submissions: who handles one, and so who sees its personal data.

@dataclass(frozen=True)
class HandlingScope:
    """Which submissions a person handles: all of them, one agency's, or none."""

    everything: bool = False
    agency_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.agency_id is None


def handling_scope(user) -> HandlingScope:
    """Coordinators route every submission; an officer or a lead handles what their agency
    has been given. Administrators and moderators handle none (separation of duties)."""
    if has_role(user, Role.COORDINATOR):
        return HandlingScope(everything=True)
    if has_role(user, *Role.AGENCY_STAFF) and user.agency_id is not None:
        return HandlingScope(agency_id=user.agency_id)
    return HandlingScope()


def handles(user, submission) -> bool:
    """The one rule: this person is on the staff handling this submission."""
    scope = handling_scope(user)
    return scope.everything or (scope.agency_id is not None and submission.agency_id == scope.agency_id)


def handling_roles(user, submission) -> set[str]:
    """The workflow's parts this person plays for this submission."""
    roles = set()
    if not handles(user, submission):
        return roles
    if user.role == Role.COORDINATOR:
        roles.add(COORDINATOR)
    if user.role in Role.AGENCY_STAFF:
        roles.add(OFFICER)
        if user.role == Role.LEAD:
            roles.add(LEAD)
    return roles


def can_print_receipt(user, submission) -> bool:
    """The receipt of a submission filed for a resident: the staff member who recorded it
    at the counter or on the hotline, and the staff handling it."""
    if not is_staff(user):
        return False
    return handles(user, submission) or any(c.recorded_by_id == user.id for c in submission.consents)


def keeps_templates(user) -> bool:
    """An agency's leads keep its answer templates; its officers draft with them."""
    return has_role(user, Role.LEAD) and user.agency_id is not None


def is_submitter(user, submission) -> bool:
    return signed_in(user) and submission.user_id is not None and submission.user_id == user.id


def can_see_private(user, submission, token_ok: bool = False) -> bool:
    """The submitter (by account or private link) and the staff handling it see personal data."""
    return token_ok or is_submitter(user, submission) or handles(user, submission)


def is_staff(user) -> bool:
    return has_role(user, *Role.STAFF)


# The forum and its moderation.

def is_moderator(user) -> bool:
    return has_role(user, *Role.MODERATORS)


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def is_official(user) -> bool:
    """Agency staff, who speak for their agency in the forum."""
    return is_staff(user) and user.agency_id is not None


def can_post_in_board(user, board, is_expert: bool = False) -> bool:
    """Start a thread or reply in a board: everyone in an open board; officials, experts and
    moderators in an officials-only one."""
    if board.post_policy == "everyone":
        return True
    return is_official(user) or is_expert or is_moderator(user)


def can_ask_in_dialogue(user, thread) -> bool:
    """A policy dialogue exists to take the public's questions: anyone signed in may ask,
    whatever the posting policy of the board it is scheduled in."""
    return signed_in(user) and thread.is_dialogue


def can_write_in(user, board, thread=None, is_expert: bool = False) -> bool:
    """The one answer to "may this person post here": a dialogue's question, or a post the
    board's policy allows."""
    if thread is not None and can_ask_in_dialogue(user, thread):
        return True
    return can_post_in_board(user, board, is_expert)


def public_may_ask(board) -> bool:
    """Whether a plain citizen could post in the board itself (the dialogue form warns when not)."""
    return board.post_policy == "everyone"


def can_mark_answer(user, thread) -> bool:
    return signed_in(user) and (thread.author_id == user.id or is_official(user) or is_moderator(user))


def can_edit(user, post, now: datetime | None = None) -> bool:
    """Moderators at any time; the author within EDIT_WINDOW of posting."""
    if not signed_in(user) or post.is_deleted:
        return False
    if is_moderator(user):
        return True
    return post.author_id == user.id and (now or utcnow()) - post.created_at <= EDIT_WINDOW


def can_delete(user, post) -> bool:
    """Authors delete their own replies; a thread's opening post goes with the thread."""
    return signed_in(user) and not post.is_deleted and post.author_id == user.id and not post.is_opening


def can_decide_appeal(user, decision) -> bool:
    """An appeal is reviewed by someone other than the moderator who acted: another moderator,
    or an administrator when the team has one moderator (administrators moderate too). An
    automatic decision (no moderator) is any moderator's to review."""
    return is_moderator(user) and (decision.moderator_id is None or decision.moderator_id != user.id)


def is_panelist(user, panelist_ids) -> bool:
    """On a dialogue's panel: `panelist_ids` are the users the forum seated on it."""
    return signed_in(user) and user.id in set(panelist_ids)
