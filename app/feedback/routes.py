"""Feedback routes: the form, its commune list fragment, and creating the submission."""
from flask import redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common import paging
from app.common.errors import ValidationError, keeps_input_on_expired_token
from app.common.rendering import render, wants_fragment
from app.common.security import mark_personal
from app.feedback import bp, services
from app.submissions import intake, topics
from app.feedback.forms import PublicListForm, SubmissionForm


def _form(**kwargs) -> SubmissionForm:
    choices = topics.topic_choices(str(get_locale()), _("Choose a topic"))
    return SubmissionForm(guest=not current_user.is_authenticated, topics=choices, **kwargs)


@bp.get("/gop-y")
def index():
    """Published submissions, filtered and searched without diacritics; the htmx answer is
    the list alone, for filters and "more"."""
    form = PublicListForm(request.args, topics=topics.topic_choices(str(get_locale()), _("All topics")))
    if not form.validate():
        return render("feedback/index.html", "feedback/_list.html", form=form, results=None, status=422)
    filters = services.PublicFilters(query=form.q.data or "", kind=form.kind.data, topic_id=form.topic.data,
                                     province_code=form.province.data, status=form.status.data)
    results = services.public_submissions(filters, paging.requested_page())
    return render("feedback/index.html", "feedback/_list.html", form=form, results=results)


@bp.get("/gop-y/moi")
def new():
    """The submission form; ?province_code= preselects a province (the no-JS commune step)."""
    # Never kept by the browser: Back must fetch a form with a fresh one-time key, or a
    # second, different submission sent from the restored page would meet the first's key.
    mark_personal()
    form = _form(formdata=None)
    form.province_code.data = request.args.get("province_code", type=int)
    form.refresh_ward_choices()
    return render("feedback/new.html", form=form)


@bp.post("/gop-y/moi")
@keeps_input_on_expired_token
def create():
    """Create the submission, or re-render the form with every value kept."""
    mark_personal()  # the re-rendered form holds what the person typed
    form = _form()
    form.refresh_ward_choices()
    if "refresh_wards" in request.form:
        # The no-JS step: show the communes of the chosen province, keep the rest.
        form.ward_code.data = None
        return render("feedback/new.html", form=form)
    if not form.validate():
        return render("feedback/new.html", form=form, status=422)
    try:
        submission, token = intake.submit_feedback(_input(form), request.files.getlist("attachments"), current_user)
    except ValidationError as error:
        form[error.field].errors.append(error.message)
        return render("feedback/new.html", form=form, status=422)
    return redirect(url_for("tracking.private", token=token, sent=1), 303)


@bp.get("/gop-y/xa-phuong")
def wards():
    """The commune select for a province: a fragment for htmx, the form for everyone else."""
    province_code = request.args.get("province_code", type=int)
    if not wants_fragment():
        return redirect(url_for("feedback.new", province_code=province_code), 303)
    form = _form(formdata=None)
    form.province_code.data = province_code
    form.refresh_ward_choices()
    return render("feedback/_ward_field.html", form=form)


def _input(form: SubmissionForm) -> intake.SubmissionInput:
    fields = intake.SubmissionInput.__dataclass_fields__
    values = {name: form[name].data for name in fields if name in form and name != "locale"}
    return intake.SubmissionInput(**values, locale=str(get_locale()))
