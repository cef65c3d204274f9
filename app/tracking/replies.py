"""The submitter acts from the private page: answers a request for information, asks for
reconsideration, rates the answer. The private link (or the owning account) is the key."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.submissions import workflow
from app.common.errors import Conflict, ValidationError
from app.common.permissions import login_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.extensions import db
from app.forum.services import discussions_of
from app.submissions import lookups, ratings
from app.tracking import bp
from app.tracking.reply_forms import RatingForm, ReconsiderForm, ReplyForm
from app.submissions.states import Status


def reply_context(submission) -> dict:
    """The forms the private page shows for the submission's state now."""
    rating = ratings.rating_of(submission)
    answered = submission.status in Status.RATEABLE
    return dict(
        reply_form=ReplyForm(formdata=None) if submission.status == Status.AWAITING_INFO else None,
        reconsider_form=ReconsiderForm(formdata=None) if answered else None,
        rating_form=RatingForm(formdata=None) if answered and rating is None else None,
        rating=rating,
    )


def _private_page(submission, token, status=422, **forms):
    context = reply_context(submission)
    context.update({key: value for key, value in forms.items() if key in context})
    return render("tracking/private.html", submission=submission, token=token, just_sent=False, status=status,
                  show_notes=True, poll_url=url_for("tracking.private", token=token),
                  discussions=discussions_of(submission), **context)


def _submission(token):
    mark_personal()
    return lookups.find_by_token(token) or abort(404)


@bp.post("/tra-cuu/rieng/<token>/bo-sung")
def provide_info(token: str):
    """Answer the agency's question; its deadline clock starts again."""
    return _submitter_step(token, ReplyForm, "reply_form", _("Sent. The agency has your answer."),
                           lambda submission, form: workflow.provide_info(submission, form.reply.data,
                                                                          user=_owner(submission)), "reply")


@bp.post("/tra-cuu/rieng/<token>/xem-xet-lai")
def reconsider(token: str):
    """Ask for the answer to be reconsidered, within 30 days."""
    return _submitter_step(token, ReconsiderForm, "reconsider_form", _("Your request for reconsideration was sent."),
                           lambda submission, form: workflow.reopen(submission, form.reason.data,
                                                                    user=_owner(submission)), "reason")


@bp.post("/tra-cuu/rieng/<token>/danh-gia")
def rate(token: str):
    """Rate the answer once, 1 to 5, with an optional comment."""
    if not ratings.can_rate(_submission(token)):
        flash(_("This answer cannot be rated now."), "error")
        return redirect(url_for("tracking.private", token=token), 303)
    return _submitter_step(token, RatingForm, "rating_form", _("Thank you for your rating."),
                           lambda submission, form: ratings.rate_answer(submission, form.stars.data, form.comment.data),
                           "stars")


def _submitter_step(token: str, form_class, form_key: str, done_message: str, act, error_field: str):
    """Validate the form, take the step, and go back to the private page (303); or show the
    page again with the form, its values and the refusal (422)."""
    submission = _submission(token)
    form = form_class()
    if form.validate():
        try:
            act(submission, form)
        except (ValidationError, Conflict) as error:
            db.session.rollback()
            form[error_field].errors.append(error.message)
        else:
            flash(done_message)
            return redirect(url_for("tracking.private", token=token), 303)
    return _private_page(submission, token, **{form_key: form})


@bp.get("/tai-khoan/gop-y/<code>/rieng")
@login_required
def mine(code: str):
    """An account holder reaches the private page of their own submission."""
    submission = lookups.find_by_code(code)
    if submission is None or submission.user_id != current_user.id:
        abort(404)
    return redirect(url_for("tracking.private", token=lookups.private_token(submission.idempotency_key)), 303)


def _owner(submission):
    return current_user if current_user.is_authenticated and submission.user_id == current_user.id else None
