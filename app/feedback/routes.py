"""Feedback routes: the form (with "is it one of these?" before sending), its commune list
fragment, creating the submission; the public list and the public page of a published
submission, with supporting and following it."""
from flask import abort, current_app, flash, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common import paging
from app.common.errors import keeps_input_on_expired_token
from app.common.forms import ButtonForm
from app.common.params import int_arg
from app.common.permissions import login_required
from app.common.rendering import form_page, form_status, render, run_form, see_other, wants_fragment
from app.common.security import mark_personal
from app.extensions import limiter
from app.feedback import bp, services
from app.feedback.forms import GuestSupportForm, SimilarForm, SubmissionForm, SupportCodeForm
from app.forum.services import discussions_of
from app.submissions import intake, lookups, publication, similar, supports, topics
from app.submissions.filters import PublicListForm

PENDING_SUPPORT = "support_code"  # the session key of a guest's support awaiting its code


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
        page = services.public_submissions(form.filters(), paging.requested_page())
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
    """Create the submission; or first show the published ones like it ("is it one of
    these?", every value kept); or re-render the form with every value kept."""
    mark_personal()  # the re-rendered form holds what the person typed
    form = _form()
    if "refresh_wards" in request.form:
        # The no-JS step: show the communes of the chosen province, keep the rest.
        form.ward_code.data = None
        return form_page("feedback/new.html", form=form, reattach=_chosen_files())
    if "edit" in request.form:  # back from "is it one of these?" to change the text
        return form_page("feedback/new.html", form=form)
    matches = _similar_first(form)
    if matches:
        return render("feedback/similar.html", form=form, matches=matches,
                      files_chosen=any(f and f.filename for f in request.files.getlist("attachments")),
                      support_form=_step_support_form(form))
    done, result = run_form(form, lambda: intake.submit_feedback(_input(form), request.files.getlist("attachments"),
                                                                 current_user))
    if not done:
        return form_page("feedback/new.html", form=form, reattach=_chosen_files())
    _submission, token = result
    return see_other("tracking.private", token=token, sent=1)


def _chosen_files() -> list[str]:
    """The names of the files sent with a form that comes back (an error, an expired token):
    a browser cannot put files back in a file input, so the page names each one to choose
    again instead of letting them vanish."""
    return [file.filename for file in request.files.getlist("attachments") if file and file.filename][:10]


def _similar_first(form: SubmissionForm) -> list:
    """The published submissions to offer before this one is sent: none when the sender has
    seen them already, when this is a retry of a form already stored, or when the form has
    errors to show first."""
    if form.similar_checked.data or intake.already_received(form.idempotency_key.data):
        return []
    if not form.validate_on_submit():
        return []
    return similar.similar_published(form.title.data, form.topic_id.data, form.province_code.data)


def _step_support_form(form: SubmissionForm):
    """Supporting one of the similar instead: a button when signed in, else the phone the
    sender typed, ready for the code."""
    if current_user.is_authenticated:
        return ButtonForm(formdata=None)
    return GuestSupportForm(formdata=None, phone=form.contact_phone.data or "")


@bp.get("/tuong-tu")
def similar_list():
    """The published submissions like the title being typed: the htmx hints under the title.
    Without htmx, the public search for the same words."""
    form = SimilarForm(request.args)
    if not wants_fragment():
        return see_other("feedback.index", q=(form.title.data or "")[:100])
    matches = []
    if form.validate():
        matches = similar.similar_published(form.title.data or "", form.topic_id.data, form.province_code.data)
    return render("feedback/_similar.html", matches=matches)


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


# The public page of a published submission, and what the public does there.

@bp.get("/<code>")
def show(code: str):
    """A published submission in full, as published: content, answer, steps, discussions,
    supports; no personal data."""
    return render("feedback/show.html", **_show_context(_published(code)))


def _published(code: str):
    submission = lookups.find_by_code(code)
    if submission is None or not publication.is_published(submission):
        abort(404)
    return submission


def _show_context(submission, guest_form=None, button_form=None, message: str | None = None) -> dict:
    signed_in = current_user.is_authenticated
    return dict(
        submission=submission,
        public=services.public_page(submission),
        discussions=discussions_of(submission),
        open_to_public=supports.is_open_to_the_public(submission),
        supported=supports.has_supported(submission, current_user),
        following=supports.is_following(submission, current_user),
        signed_in=signed_in,
        button_form=button_form or (ButtonForm(formdata=None) if signed_in else None),
        guest_form=guest_form or (None if signed_in else GuestSupportForm(formdata=None)),
        message=message,
    )


def _support_limit() -> str:
    return current_app.config["SUPPORT_CODE_LIMIT"]


@bp.post("/<code>/ung-ho")
@limiter.limit(_support_limit, exempt_when=lambda: current_user.is_authenticated)
def support(code: str):
    """"This concerns me too": counted at once for an account (once), or after a code sent
    to a guest's phone."""
    submission = _published(code)
    if current_user.is_authenticated:
        form = ButtonForm()
        done, counted = run_form(form, lambda: supports.support_as_user(submission, current_user))
        if not done:
            return _actions_answer(submission, button_form=form)
        message = _("Thank you: your support is counted.") if counted else _("Your support was already counted.")
        return _actions_answer(submission, message=message)
    form = GuestSupportForm()
    done, pending = run_form(form, lambda: supports.request_phone_support(submission, form.phone.data))
    if not done:
        return form_page("feedback/show.html", form=form, **_show_context(submission, guest_form=form))
    session[PENDING_SUPPORT] = pending.id
    return see_other("feedback.support_code", code=code)


@bp.get("/<code>/ung-ho/ma")
def support_code(code: str):
    """The guest types the code sent to their phone."""
    submission = _published(code)
    if PENDING_SUPPORT not in session:
        return see_other("feedback.show", code=code)
    return form_page("feedback/support_code.html", form=SupportCodeForm(formdata=None), submission=submission)


@bp.post("/<code>/ung-ho/ma")
def confirm_support(code: str):
    """Check the code: the support counts (once per phone)."""
    submission = _published(code)
    form = SupportCodeForm()
    done, counted = run_form(form, lambda: supports.confirm_phone_support(submission, session.get(PENDING_SUPPORT),
                                                                         form.code.data))
    if not done:
        return form_page("feedback/support_code.html", form=form, submission=submission)
    session.pop(PENDING_SUPPORT, None)
    flash(_("Thank you: your support is counted.") if counted else _("Your support was already counted."))
    return see_other("feedback.show", code=code, _anchor="actions")


@bp.post("/<code>/theo-doi")
@login_required
def follow(code: str):
    """Follow a published submission: each public step comes to the inbox."""
    return _follow_step(code, supports.follow, _("You follow this submission: its steps will come to your inbox."))


@bp.post("/<code>/bo-theo-doi")
@login_required
def unfollow(code: str):
    """Stop following it."""
    return _follow_step(code, supports.unfollow, _("You no longer follow this submission."))


def _follow_step(code: str, step, done_message: str):
    submission = _published(code)
    form = ButtonForm()
    done, _changed = run_form(form, lambda: step(submission, current_user))
    if not done:
        return _actions_answer(submission, button_form=form)
    return _actions_answer(submission, message=done_message)


def _actions_answer(submission, button_form=None, message: str | None = None):
    """After a support or a follow: the actions block for htmx, else back to the page (303);
    a refused form (its token expired) comes back with its message (422)."""
    context = _show_context(submission, button_form=button_form, message=message)
    status = form_status(button_form) if button_form is not None else 200
    if wants_fragment():
        return render("feedback/_actions.html", status=status, **context)
    if status != 200:
        return render("feedback/show.html", status=status, **context)
    flash(message)
    return see_other("feedback.show", code=submission.code, _anchor="actions")
