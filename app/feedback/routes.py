"""Feedback routes: the form, its commune list fragment, and creating the submission."""
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common import paging
from app.common.errors import keeps_input_on_expired_token
from app.common.params import int_arg
from app.common.rendering import form_page, render, run_form, see_other, wants_fragment
from app.common.security import mark_personal
from app.feedback import bp, services
from app.feedback.forms import PublicListForm, SubmissionForm
from app.submissions import intake, topics


def _form(province_code: int | None = None, **kwargs) -> SubmissionForm:
    choices = topics.topic_choices(str(get_locale()), _("Choose a topic"))
    form = SubmissionForm(guest=not current_user.is_authenticated, topics=choices, **kwargs)
    if province_code is not None:
        form.province_code.data = province_code
    form.refresh_ward_choices()
    return form


@bp.get("")
def index():
    """Published submissions, filtered and searched without diacritics; the htmx answer is
    the list alone, for filters and "more"."""
    form = PublicListForm(request.args, topics=topics.topic_choices(str(get_locale()), _("All topics")))
    page = None
    if form.validate():
        filters = services.PublicFilters(query=form.q.data or "", kind=form.kind.data, topic_id=form.topic.data,
                                         province_code=form.province.data, status=form.status.data)
        page = services.public_submissions(filters, paging.requested_page())
    return form_page("feedback/index.html", "feedback/_list.html", form=form, page=page)


@bp.get("/moi")
def new():
    """The submission form; ?province_code= preselects a province (the no-JS commune step)."""
    # Never kept by the browser: Back must fetch a form with a fresh one-time key, or a
    # second, different submission sent from the restored page would meet the first's key.
    mark_personal()
    return form_page("feedback/new.html", form=_form(_province_arg(), formdata=None))


@bp.post("/moi")
@keeps_input_on_expired_token
def create():
    """Create the submission, or re-render the form with every value kept."""
    mark_personal()  # the re-rendered form holds what the person typed
    form = _form()
    if "refresh_wards" in request.form:
        # The no-JS step: show the communes of the chosen province, keep the rest.
        form.ward_code.data = None
        return form_page("feedback/new.html", form=form)
    done, result = run_form(form, lambda: intake.submit_feedback(_input(form), request.files.getlist("attachments"),
                                                                 current_user))
    if not done:
        return form_page("feedback/new.html", form=form)
    _submission, token = result
    return see_other("tracking.private", token=token, sent=1)


@bp.get("/xa-phuong")
def wards():
    """The commune select for a province: a fragment for htmx, the form for everyone else."""
    province_code = _province_arg()
    if not wants_fragment():
        return see_other("feedback.new", province_code=province_code)
    return render("feedback/_ward_field.html", form=_form(province_code, formdata=None))


def _province_arg() -> int | None:
    """?province_code=, or None for anything that cannot be a province (a typo, 10**30)."""
    return int_arg("province_code", low=1)


def _input(form: SubmissionForm) -> intake.SubmissionInput:
    fields = intake.SubmissionInput.__dataclass_fields__
    values = {name: form[name].data for name in fields if name in form and name != "locale"}
    return intake.SubmissionInput(**values, locale=str(get_locale()))
