"""The messages a step produces: for the submitter, composed here in their language and
handed finished to notify (inbox, e-mail, SMS); for machines, the step announced to whoever
listens (the API's webhooks). Both inside the step's own transaction."""
from blinker import Namespace
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions.lookups import private_token
from app.submissions.models import Submission
from app.submissions.states import Status, status_label, step_label

_signals = Namespace()
# Sent for every recorded step, the first ("submit") included, before the step commits:
# a listener adds what it must send to the session, so it is stored with the step or not at
# all. The core knows no listener; the API connects its webhooks at start-up.
step_recorded = _signals.signal("submission-step-recorded")


def announce(submission, event) -> None:
    """Hand a recorded step to the listeners, inside the step's transaction."""
    step_recorded.send(submission, event=event)


def tell_submitter(submission, event) -> None:
    """Tell the submitter (and those of duplicates merged into it) of a public step, in
    their own language, by inbox, e-mail and SMS; written in the step's transaction."""
    for target in _followers(submission):
        with force_locale(target.locale or "vi"):
            _tell_one(target, submission, event)


def _followers(submission) -> list:
    duplicates = db.session.scalars(select(Submission).where(Submission.merged_into_id == submission.id)).all()
    return [submission, *duplicates]


def _tell_one(target, submission, event) -> None:
    status, step = status_label(submission.status), step_label(event.action)
    public_url = notify.public_url("tracking.show", code=target.code)
    # The agency waits for the submitter's answer: the message asks for it.
    context = dict(submission=submission, target=target, event=event, status=status, step=step,
                   must_answer=submission.status == Status.AWAITING_INFO, public_url=public_url,
                   private_url=private_url(target))
    if target.user is not None:
        line = _("Submission %(code)s: %(step)s. Status: %(status)s.", code=target.code, step=step, status=status)
        notify.notify_users([target.user], line, submission_id=target.id)
    if target.contact_email:
        notify.enqueue(Channel.EMAIL, target.contact_email, render_template("submissions/step.txt", **context),
                       subject=_("Your submission %(code)s: %(status)s", code=target.code, status=status),
                       html=render_template("submissions/step.html", **context), user_id=target.user_id,
                       submission_id=target.id)
    if target.contact_phone:
        notify.enqueue(Channel.SMS, target.contact_phone, sms_line(target.code, status, public_url),
                       user_id=target.user_id, submission_id=target.id)


def sms_line(code: str, status: str, url: str) -> str:
    """The code first, so a cut at 160 characters never loses it."""
    return _("Gop Y: submission %(code)s is now: %(status)s. %(url)s", code=code, status=status, url=url)


def private_url(target) -> str:
    return notify.public_url("tracking.private", token=private_token(target.idempotency_key))
