"""Desk routes: the queue, a submission with the actions allowed now, each action as a plain
POST (303) that htmx enhances (the same route answers the updated fragment), on-time rates."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common import paging
from app.common import places
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.permissions import handles, role_required
from app.common.roles import Role
from app.common.rendering import render, wants_fragment
from app.common.security import mark_personal
from app.desk import bp, services
from app.desk.forms import ACTION_BUTTONS, ACTION_FORMS, QueueFilterForm
from app.extensions import db
from app.submissions import similar, topics, workflow

STAFF = Role.STAFF


@bp.get("/can-bo")
@role_required(*STAFF)
def queue():
    """The queue: everything for coordinators, the agency's own for officers and leads."""
    mark_personal()
    form = QueueFilterForm(request.args)
    _filter_choices(form)
    if not form.validate():
        form = QueueFilterForm(formdata=None)
        _filter_choices(form)
    page = services.queue_page(current_user, _queue_filter(form), paging.requested_page())
    return render("desk/queue.html", "desk/_queue.html", form=form, results=page)


def _filter_choices(form: QueueFilterForm) -> None:
    locale = str(get_locale())
    form.topic.choices = topics.topic_choices(locale, _("Any"))
    form.province.choices = [("", _("Any"))] + places.provinces()


def _queue_filter(form: QueueFilterForm) -> services.QueueFilter:
    return services.QueueFilter(q=(form.q.data or "").strip(), status=form.status.data or "",
                                kind=form.kind.data or "", topic=form.topic.data, province=form.province.data,
                                due=form.due.data or "", mine=bool(form.mine.data),
                                unassigned=bool(form.unassigned.data), sort=form.sort.data or "due")


@bp.get("/can-bo/ho-so/<id:submission_id>")
@role_required(*STAFF)
def show(submission_id: int):
    """One submission with everything the desk needs, and the actions allowed now."""
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    return render("desk/show.html", "desk/_case.html", **_case_context(submission))


@bp.post("/can-bo/ho-so/<id:submission_id>/<action>")
@role_required(*STAFF)
def act(submission_id: int, action: str):
    """Take one step; a refused or stale step re-renders the case with the typed text kept."""
    if action not in ACTION_FORMS:
        abort(404)
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    form = _action_form(action, submission)
    status, message = 422, None
    if form.validate():
        try:
            _perform(action, submission, form)
        except ValidationError as error:
            db.session.rollback()
            (form[error.field].errors if error.field in form else form.version.errors).append(error.message)
        except Conflict as error:
            db.session.rollback()
            status, message = 409, error.message
            form.version.data = str(submission.version)  # show the latest; their text stays
        except PermissionDenied as error:
            db.session.rollback()
            status, message = 403, error.message
        else:
            return _after_step(submission)
    submission = services.visible(current_user, submission_id) or abort(404)
    context = _case_context(submission, failed=(action, form), message=message)
    return render("desk/show.html", "desk/_case.html", status=status, **context)


def _after_step(submission):
    text = _("Saved.")
    if wants_fragment():
        if not handles(current_user, submission):  # transferred away: nothing more to show
            return render("desk/_gone.html", message=text)
        return render("desk/_case.html", **_case_context(submission, message=text, success=True))
    flash(text)
    if not handles(current_user, submission):
        return redirect(url_for("desk.queue"), 303)
    return redirect(url_for("desk.show", submission_id=submission.id), 303)


def _perform(action: str, submission, form) -> None:
    version = form.version_number
    user = current_user._get_current_object()
    data = {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "version")}
    steps = {
        "classify": lambda: workflow.classify(submission, user, version, data["kind"], data["topic_id"], data["note"]),
        "reject": lambda: workflow.reject(submission, user, version, data["reason"], data["note"]),
        "assign": lambda: workflow.assign(submission, user, version, data["agency_id"], data["note"]),
        "transfer": lambda: workflow.transfer(submission, user, version, data["agency_id"], data["reason"]),
        "take": lambda: workflow.take(submission, user, version),
        "request_info": lambda: workflow.request_info(submission, user, version, data["question"]),
        "draft": lambda: workflow.draft(submission, user, version, data["body"]),
        "send_back": lambda: workflow.send_back(submission, user, version, data["comment"]),
        "answer": lambda: workflow.approve(submission, user, version),
        "close": lambda: workflow.close(submission, user, version, data["note"]),
        "merge": lambda: workflow.merge(submission, user, version, data["original_code"]),
        "note": lambda: workflow.note(submission, user, version, data["text"]),
    }
    steps[action]()


def _action_form(action: str, submission, formdata=True):
    form_class = ACTION_FORMS[action]
    form = form_class(prefix=action) if formdata else form_class(formdata=None, prefix=action)
    locale = str(get_locale())
    if "topic_id" in form:
        form.topic_id.choices = topics.topic_choices(locale, _("Choose a topic"))
        if not formdata:
            form.kind.data, form.topic_id.data = submission.kind, submission.topic_id
    if "agency_id" in form:
        form.agency_id.choices = services.agency_choices(locale, _("Choose an agency"))
    if not formdata:
        form.version.data = str(submission.version)
    return form


def _case_context(submission, failed=None, message=None, success=False) -> dict:
    actions = workflow.allowed_actions(current_user, submission)
    forms = {action: _action_form(action, submission, formdata=False) for action in actions}
    if failed and failed[0] in forms:
        forms[failed[0]] = failed[1]
    return dict(submission=submission, forms=forms, buttons=ACTION_BUTTONS, open_action=failed and failed[0],
                message=message, success=success, draft=workflow.current_draft(submission),
                duplicates=similar.duplicates_of(submission) if "merge" in forms else [])


@bp.get("/can-bo/dung-han")
@role_required(*STAFF)
def on_time():
    """Each agency's on-time rate, and how much it has overdue now."""
    return render("desk/on_time.html", rows=services.on_time_rates())
