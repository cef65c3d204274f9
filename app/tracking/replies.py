"""The submitter acts from the private page: answers a request for information, asks for
reconsideration, rates the answer. The private link (or the owning account) is the key."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import workflow
from app.common.errors import Conflict, ValidationError
from app.common.permissions import login_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.common.text import clean_block
from app.desk.models import Rating
from app.extensions import db
from app.feedback import services as feedback
from app.tracking import bp
from app.tracking.reply_forms import RatingForm, ReconsiderForm, ReplyForm
from app.workflow import Status


def reply_context(submission) -> dict:
    """The forms the private page shows for the submission's state now."""
    rating = db.session.scalar(select(Rating).where(Rating.submission_id == submission.id))
    answered = submission.status in (Status.ANSWERED, Status.CLOSED)
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
                  show_notes=True, poll_url=url_for("tracking.private", token=token), **context)


def _submission(token):
    mark_personal()
    return feedback.find_by_token(token) or abort(404)


@bp.post("/tra-cuu/rieng/<token>/bo-sung")
def provide_info(token: str):
    """Answer the agency's question; its deadline clock starts again."""
    submission = _submission(token)
    form = ReplyForm()
    if form.validate():
        try:
            workflow.provide_info(submission, form.reply.data, user=_owner(submission))
        except (ValidationError, Conflict) as error:
            db.session.rollback()
            form.reply.errors.append(error.message)
        else:
            flash(_("Sent. The agency has your answer."))
            return redirect(url_for("tracking.private", token=token), 303)
    return _private_page(submission, token, reply_form=form)


@bp.post("/tra-cuu/rieng/<token>/xem-xet-lai")
def reconsider(token: str):
    """Ask for the answer to be reconsidered, within 30 days."""
    submission = _submission(token)
    form = ReconsiderForm()
    if form.validate():
        try:
            workflow.reopen(submission, form.reason.data, user=_owner(submission))
        except (ValidationError, Conflict) as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
        else:
            flash(_("Your request for reconsideration was sent."))
            return redirect(url_for("tracking.private", token=token), 303)
    return _private_page(submission, token, reconsider_form=form)


@bp.post("/tra-cuu/rieng/<token>/danh-gia")
def rate(token: str):
    """Rate the answer once, 1 to 5, with an optional comment."""
    submission = _submission(token)
    form = RatingForm()
    answered = submission.status in (Status.ANSWERED, Status.CLOSED)
    exists = db.session.scalar(select(Rating.id).where(Rating.submission_id == submission.id))
    if not answered or exists:
        flash(_("This answer cannot be rated now."), "error")
        return redirect(url_for("tracking.private", token=token), 303)
    if form.validate():
        db.session.add(Rating(submission_id=submission.id, stars=form.stars.data,
                              comment=clean_block(form.comment.data or "") or None))
        db.session.commit()
        flash(_("Thank you for your rating."))
        return redirect(url_for("tracking.private", token=token), 303)
    return _private_page(submission, token, rating_form=form)


@bp.get("/tai-khoan/gop-y/<code>/rieng")
@login_required
def mine(code: str):
    """An account holder reaches the private page of their own submission."""
    submission = feedback.find_by_code(code)
    if submission is None or submission.user_id != current_user.id:
        abort(404)
    return redirect(url_for("tracking.private", token=feedback.private_token(submission.idempotency_key)), 303)


def _owner(submission):
    return current_user if current_user.is_authenticated and submission.user_id == current_user.id else None
