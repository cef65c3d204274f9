"""Desk routes: the queue, a submission with the steps allowed now, each step as a plain
POST (303) that htmx enhances (the same route answers the updated fragment), on-time rates."""
from flask import abort, flash, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.agencies.services import agency_choices
from app.common import paging, places
from app.common.i18n import format_day
from app.common.params import id_arg
from app.common.permissions import handles, keeps_templates, role_required
from app.common.rendering import form_page, render, run_form, see_other, wants_fragment
from app.common.roles import Role
from app.common.security import mark_personal
from app.desk import answers, bp, services
from app.desk.forms import STEP_BUTTONS, STEP_FORMS, BulkForm, DeleteForm, QueueFilterForm, TemplateForm
from app.privacy import readlog
from app.submissions import ratings, similar, topics, workflow
from app.submissions.states import DraftState

STAFF = Role.STAFF


@bp.get("/can-bo")
@role_required(*STAFF)
def queue():
    """The queue: everything for coordinators, the agency's own for officers and leads."""
    mark_personal()
    form = QueueFilterForm(request.args)
    _filter_choices(form)
    if not form.validate():  # a filter that makes no sense shows the whole queue
        form = QueueFilterForm(formdata=None)
        _filter_choices(form)
    return _queue_page(form, _bulk_form(formdata=None))


def _queue_page(form, bulk_form, status: int | None = None):
    page = services.queue_page(current_user, _queue_filter(form), paging.requested_page())
    # The filters unfold when the URL holds anything but a search or the view.
    filters_open = bool(request.args.keys() - {"q", "view"})
    selected = set(bulk_form.ids.data or []) if bulk_form is not None else set()
    response = form_page("desk/queue.html", "desk/_queue.html", form=form, results=page, filters_open=filters_open,
                         bulk_form=bulk_form, selected=selected)
    if status:
        response.status_code = status
    return response


def _bulk_form(formdata=True):
    """The coordinators' form acting on several ticked submissions; None for everyone else."""
    if current_user.role != Role.COORDINATOR:
        return None
    form = BulkForm() if formdata else BulkForm(formdata=None)
    form.agency_id.choices = agency_choices(str(get_locale()), _("Choose an agency"))
    return form


@bp.post("/can-bo/hang-loat")
@role_required(Role.COORDINATOR)
def bulk():
    """Assign several submissions to one agency, or reject several as duplicates: all or none."""
    mark_personal()
    bulk_form = _bulk_form()
    done, count = run_form(bulk_form, lambda: services.bulk(current_user._get_current_object(), bulk_form.action.data,
                                                            bulk_form.ids.data or [], bulk_form.agency_id.data,
                                                            bulk_form.note.data))
    if done:
        flash(_("Done for %(n)s submissions.", n=count))
        return see_other("desk.queue")
    form = QueueFilterForm(formdata=None)
    _filter_choices(form)
    return _queue_page(form, bulk_form, status=422)


def _filter_choices(form: QueueFilterForm) -> None:
    locale = str(get_locale())
    form.topic.choices = topics.topic_choices(locale, _("Any"))
    form.province.choices = [("", _("Any"))] + places.provinces()


def _queue_filter(form: QueueFilterForm) -> services.QueueFilter:
    return services.QueueFilter(q=(form.q.data or "").strip(), status=form.status.data or "",
                                kind=form.kind.data or "", topic=form.topic.data, province=form.province.data,
                                due=form.due.data or "", mine=bool(form.mine.data),
                                unassigned=bool(form.unassigned.data), sort=form.sort.data or "due",
                                view=form.view.data or "")


@bp.get("/can-bo/ho-so/<id:submission_id>")
@role_required(*STAFF)
def show(submission_id: int):
    """One submission with everything the desk needs, and the steps allowed now. `?template=<id>`
    fills the draft with one of the agency's answer templates (a GET form, htmx on top)."""
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    readlog.record(current_user, submission)
    return render("desk/show.html", "desk/_case.html", **_case_context(submission, template_id=id_arg("template")))


# A step whose form is large (a picker of every agency) and rarely used: the case links to a
# page holding the form instead of carrying it, so the case fragment stays within its 2 KB.
OWN_PAGE_STEPS = ("transfer",)


@bp.get("/can-bo/ho-so/<id:submission_id>/buoc/<step>")
@role_required(*STAFF)
def step_page(submission_id: int, step: str):
    """One step's form on a page of its own (the case links here for the large ones)."""
    if step not in STEP_FORMS:
        abort(404)
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    if step not in workflow.allowed_steps(current_user, submission):
        flash(_("This step is not possible now."))
        return see_other("desk.show", submission_id=submission.id)
    return render("desk/step.html", submission=submission, step=step, form=_step_form(step, submission, False),
                  buttons=STEP_BUTTONS)


@bp.post("/can-bo/ho-so/<id:submission_id>/<step>")
@role_required(*STAFF)
def take_step(submission_id: int, step: str):
    """Take one step. Refused, the case comes back with the typed text kept: 422 with the
    reason on its field, or 409 with the reason on top and the latest version when the
    submission changed meanwhile. A step this person may not take answers the 403 page."""
    if step not in STEP_FORMS:
        abort(404)
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    form = _step_form(step, submission)
    done, _event = run_form(form, lambda: services.take_step(step, submission, current_user._get_current_object(),
                                                             form.version_number, form.arguments))
    if done:
        return _after_step(submission)
    # The workflow names the field of every value it refuses, so a refusal on no field is a
    # Conflict: the submission is no longer as the page showed it.
    conflict = " ".join(form.form_errors) or None
    submission = services.visible(current_user, submission_id) or abort(404)  # it may have left meanwhile
    if conflict:
        form.version.data = str(submission.version)
    context = _case_context(submission, failed=(step, form), message=conflict)
    return render("desk/show.html", "desk/_case.html", status=409 if conflict else 422, **context)


def _after_step(submission):
    text = _("Saved.")
    gone = not handles(current_user, submission)  # transferred away: nothing more to show
    if wants_fragment():
        if gone:
            return render("desk/_gone.html", message=text)
        return render("desk/_case.html", **_case_context(submission, message=text, success=True))
    flash(text)
    return see_other("desk.queue") if gone else see_other("desk.show", submission_id=submission.id)


def _step_form(step: str, submission, formdata=True):
    form_class = STEP_FORMS[step]
    form = form_class(prefix=step) if formdata else form_class(formdata=None, prefix=step)
    locale = str(get_locale())
    if "topic_id" in form:
        form.topic_id.choices = topics.topic_choices(locale, _("Choose a topic"))
        if not formdata:
            form.kind.data, form.topic_id.data = submission.kind, submission.topic_id
    if "agency_id" in form:
        form.agency_id.choices = agency_choices(locale, _("Choose an agency"))
    if "officer_id" in form:
        form.officer_id.choices = [("", _("Choose an officer"))] + [
            (person.id, person.full_name) for person in services.agency_staff(submission.agency_id)
            if person.id != submission.assignee_id]
    if not formdata:
        form.version.data = str(submission.version)
    return form


def _case_context(submission, failed=None, message=None, success=False, template_id=None) -> dict:
    """What _case.html shows, every decision made: the forms of the steps allowed now (the
    refused one as it was sent, the draft filled from a chosen template), the draft still
    waiting to be published, whose it is, the submitter's rating of the answer."""
    forms = {step: _step_form(step, submission, formdata=False)
             for step in workflow.allowed_steps(current_user, submission)}
    open_step = failed and failed[0]
    if failed and failed[0] in forms:
        forms[failed[0]] = failed[1]
    draft = workflow.current_draft(submission)
    if draft is not None and draft.state == DraftState.PUBLISHED:
        draft = None  # published: it is the answer in the timeline now
    templates = answers.templates_of(submission.agency_id) if "draft" in forms else []
    chosen = answers.template_of(submission.agency_id, template_id) if templates else None
    if chosen is not None and not failed:
        forms["draft"].body.data = answers.fill(chosen, submission, format_day)
        open_step = "draft"
    return dict(submission=submission, forms=forms, buttons=STEP_BUTTONS, open_step=open_step,
                own_page=OWN_PAGE_STEPS,
                timeline=services.timeline(submission),
                message=message, success=success, draft=draft, templates=templates, chosen=chosen,
                rating=ratings.rating_of(submission),
                assigned_to_you=submission.assignee_id == current_user.id,
                duplicates=similar.duplicates_of(submission) if "merge" in forms else [])


@bp.get("/can-bo/ho-so/<id:submission_id>/dien-bien")
@role_required(*STAFF)
def timeline(submission_id: int):
    """Earlier events of a case's timeline, in full: a page of its own, or (htmx) the items
    that take the place of the "earlier events" link."""
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    return render("desk/timeline.html", "desk/_timeline_items.html", submission=submission, full=True,
                  timeline=services.timeline(submission, id_arg("before")))


@bp.get("/can-bo/ho-so/<id:submission_id>/du-thao")
@role_required(*STAFF)
def draft(submission_id: int):
    """The whole answer draft, when it is too long to show in the case."""
    submission = services.visible(current_user, submission_id) or abort(404)
    mark_personal()
    return render("desk/draft.html", submission=submission, draft=workflow.current_draft(submission))


@bp.get("/can-bo/dung-han")
@role_required(*STAFF)
def on_time():
    """Each agency's on-time rate, and how much it has overdue now."""
    return render("desk/on_time.html", rows=services.on_time_rates())


@bp.get("/can-bo/mau-tra-loi")
@role_required(Role.LEAD)
def templates():
    """The agency's answer templates, which its leads keep."""
    return render("desk/templates.html", templates=answers.templates_of(_template_agency()),
                  placeholders=answers.PLACEHOLDERS, form=DeleteForm())


@bp.route("/can-bo/mau-tra-loi/moi", methods=["GET", "POST"])
@role_required(Role.LEAD)
def new_template():
    """Add an answer template to the agency."""
    agency_id = _template_agency()
    form = TemplateForm()
    done, _template = run_form(form, lambda: answers.save_template(agency_id, form.title.data, form.body.data))
    if done:
        flash(_("Saved."))
        return see_other("desk.templates")
    return form_page("desk/template_form.html", form=form, template=None, placeholders=answers.PLACEHOLDERS)


@bp.route("/can-bo/mau-tra-loi/<id:template_id>", methods=["GET", "POST"])
@role_required(Role.LEAD)
def edit_template(template_id: int):
    """Change one of the agency's answer templates."""
    template = answers.template_of(_template_agency(), template_id) or abort(404)
    form = TemplateForm(obj=template)
    done, _template = run_form(form, lambda: answers.save_template(template.agency_id, form.title.data,
                                                                   form.body.data, template))
    if done:
        flash(_("Saved."))
        return see_other("desk.templates")
    return form_page("desk/template_form.html", form=form, template=template, placeholders=answers.PLACEHOLDERS)


@bp.post("/can-bo/mau-tra-loi/<id:template_id>/xoa")
@role_required(Role.LEAD)
def delete_template(template_id: int):
    """Delete one of the agency's answer templates."""
    template = answers.template_of(_template_agency(), template_id) or abort(404)
    form = DeleteForm()
    if form.validate_on_submit():
        answers.delete_template(template)
        flash(_("Deleted."))
    return see_other("desk.templates")


def _template_agency() -> int:
    if not keeps_templates(current_user):
        abort(403)
    return current_user.agency_id
