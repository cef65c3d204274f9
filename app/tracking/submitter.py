"""The submitter's own page, reached by the private link (or from the owning account), and the
steps taken from it: answer a request for information, ask for reconsideration, rate the
answer. The private link is the key."""
from flask import abort, flash, g, request
from flask_babel import gettext as _
from flask_login import current_user

from app.common.permissions import is_submitter, login_required
from app.common.rendering import form_page, render, run_form, see_other, wants_fragment
from app.common.security import mark_personal
from app.submissions import lookups, ratings, workflow
from app.submissions.states import Status
from app.tracking import bp
from app.tracking.forms import ProvideInfoForm, RatingForm, ReconsiderForm
from app.tracking.status import status_context


@bp.get("/tra-cuu/rieng/<token>")
def private(token: str):
    """The submitter's own page: their details and files, and the forms for the step the
    submission waits for."""
    submission = _submission(token)
    g.referrer_policy = "no-referrer"  # the link is the key: never leak it to another site
    if wants_fragment():  # the status polled from the private page, notes included
        return render("tracking/_status.html", **status_context(submission, token))
    return render("tracking/private.html", **_page_context(submission, token, just_sent="sent" in request.args))


@bp.post("/tra-cuu/rieng/<token>/bo-sung")
def provide_info(token: str):
    """Answer the agency's question; its deadline clock starts again."""
    return _submitter_step(token, ProvideInfoForm, "provide_info_form", _("Sent. The agency has your answer."), "reply",
                           lambda submission, form: workflow.provide_info(submission, form.reply.data,
                                                                          user=_owner(submission)))


@bp.post("/tra-cuu/rieng/<token>/xem-xet-lai")
def reconsider(token: str):
    """Ask for the answer to be reconsidered, within 30 days."""
    return _submitter_step(token, ReconsiderForm, "reconsider_form", _("Your request for reconsideration was sent."),
                           "reason", lambda submission, form: workflow.reopen(submission, form.reason.data,
                                                                              user=_owner(submission)))


@bp.post("/tra-cuu/rieng/<token>/danh-gia")
def rate(token: str):
    """Rate the answer once, 1 to 5, with an optional comment."""
    if not ratings.can_rate(_submission(token)):
        flash(_("This answer cannot be rated now."), "error")
        return see_other("tracking.private", token=token)
    return _submitter_step(token, RatingForm, "rating_form", _("Thank you for your rating."), "stars",
                           lambda submission, form: ratings.rate_answer(submission, form.stars.data,
                                                                        form.comment.data))


@bp.get("/tai-khoan/gop-y/<code>/rieng")
@login_required
def mine(code: str):
    """An account holder reaches the private page of their own submission."""
    submission = lookups.find_by_code(code)
    if submission is None or not is_submitter(current_user, submission):
        abort(404)
    return see_other("tracking.private", token=lookups.private_token(submission.idempotency_key))


def _submitter_step(token: str, form_class, form_key: str, done_message: str, error_field: str, step):
    """Validate the form and take the step, then back to the private page (303); or the
    page again with the form, its values and the refusal (422)."""
    submission = _submission(token)
    form = form_class()
    done, _result = run_form(form, lambda: step(submission, form), error_field)
    if not done:
        return form_page("tracking/private.html", form=form, **_page_context(submission, token, **{form_key: form}))
    flash(done_message)
    return see_other("tracking.private", token=token)


def _page_context(submission, token: str, just_sent: bool = False, **sent_forms) -> dict:
    """What the private page shows: the forms the submission's state calls for (None: not
    shown), a form just sent and refused in place of its empty twin, and the status block."""
    rating = ratings.rating_of(submission)
    answered = submission.status in Status.RATEABLE
    forms = dict(
        provide_info_form=ProvideInfoForm(formdata=None) if submission.status == Status.AWAITING_INFO else None,
        reconsider_form=ReconsiderForm(formdata=None) if answered else None,
        rating_form=RatingForm(formdata=None) if answered and rating is None else None,
    )
    forms.update({key: form for key, form in sent_forms.items() if key in forms})
    return dict(token=token, just_sent=just_sent, rating=rating, **forms, **status_context(submission, token))


def _submission(token: str):
    mark_personal()
    return lookups.find_by_token(token) or abort(404)


def _owner(submission):
    return current_user if is_submitter(current_user, submission) else None
