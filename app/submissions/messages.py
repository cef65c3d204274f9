"""The messages a step produces: for the submitter (a receipt the moment it is accepted, then
each public step) and those following the submission, for the staff whose turn it is (the one
table STAFF_TOLD), composed here in each person's language and handed finished to notify
(inbox, e-mail, SMS); for machines, the step announced to whoever listens (the API's
webhooks). All inside the step's own transaction."""
from blinker import Namespace
from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.common.roles import Role
from app.extensions import db
from app.notify import preferences
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions import codes, deadlines, supports
from app.submissions.lookups import private_token
from app.submissions.models import AnswerDraft, Submission
from app.submissions.states import STATUS_LABELS, STEP_LABELS, IntakeChannel, Status, status_label, step_label

_signals = Namespace()
# Sent for every recorded step, the first ("submit") included, before the step commits:
# a listener adds what it must send to the session, so it is stored with the step or not at
# all. The core knows no listener; the API connects its webhooks at start-up.
step_recorded = _signals.signal("submission-step-recorded")


def announce(submission, event) -> None:
    """Hand a recorded step to the listeners, inside the step's transaction; the first step
    sends the submitter's receipt, and every step tells the staff STAFF_TOLD names."""
    if event.action == "submit":
        send_receipt(submission)
    tell_staff(submission, event)
    step_recorded.send(submission, event=event)


# The receipt, whatever the intake (web form, API, SMS, the commune desk).

# Intakes that answer with a receipt SMS of their own: the SMS conversation replies with the
# code, and the counter sends the printed receipt's lookup link; one SMS each, not two.
SMS_RECEIPT_OF_ITS_OWN = (IntakeChannel.SMS, IntakeChannel.COUNTER, IntakeChannel.PHONE)


def send_receipt(submission) -> None:
    """The code grouped for reading aloud, how to look it up (web and SMS) and the date to
    expect news by, in the submitter's language, by e-mail and SMS and in their inbox."""
    with force_locale(submission.locale or "vi"):
        code = codes.display(submission.code)
        lookup_url = notify.public_url("tracking.show", code=submission.code)
        # The latest the answer is due: routed by the coordinators' deadline, then answered in time.
        answer_by = deadlines.answer_due(submission.kind, submission.due_date) if submission.due_date else None
        due = format_date(answer_by, "long") if answer_by else None
        number = current_app.config.get("SMS_GATEWAY_NUMBER") or ""
        context = dict(submission=submission, code=code, lookup_url=lookup_url, due=due, sms_number=number,
                       sms_syntax=f"TC {submission.code}", private_url=private_url(submission))
        if submission.user is not None:
            notify.notify_users([submission.user], _l("We received your submission %(code)s.", code=code),
                                link=submitter_link(submission),
                                submission_id=submission.id)
        if submission.contact_email:
            notify.enqueue(Channel.EMAIL, submission.contact_email, render_template("submissions/receipt.txt",
                                                                                     **context),
                           subject=_("Received: submission %(code)s", code=code),
                           html=render_template("submissions/receipt.html", **context),
                           user_id=submission.user_id, submission_id=submission.id)
        if submission.contact_phone and submission.channel not in SMS_RECEIPT_OF_ITS_OWN:
            short = format_date(answer_by, "dd/MM/yyyy") if answer_by else None  # a full year, typed on a keypad
            preferences.send_sms(submission.contact_phone, receipt_sms(submission.code, number, short),
                                 user=submission.user, submission_id=submission.id)


def receipt_sms(code: str, number: str, due: str | None) -> str:
    """The code first and grouped, so a cut at 160 characters never loses it."""
    grouped = codes.display(code)
    if number:
        text = _("Gop Y: received, code %(code)s. Status: send TC %(raw)s to %(number)s.", code=grouped, raw=code,
                 number=number)
    else:
        text = _("Gop Y: received, code %(code)s.", code=grouped)
    if due:
        text += " " + _("Answer by %(date)s.", date=due)
    return text


# The staff whose turn it is: step -> (who, the kind they set in their settings, the line).
COORDINATORS, AGENCY, LEADS, DRAFT_AUTHOR, HANDLER = "coordinators", "agency", "leads", "draft_author", "handler"
STAFF_TOLD = {
    "submit": ((COORDINATORS, "case_new", _l("New submission %(code)s in the receiving queue.")),),
    "assign": ((AGENCY, "case_new", _l("Submission %(code)s was assigned to your agency.")),),
    "transfer": ((AGENCY, "case_new", _l("Submission %(code)s was transferred to your agency.")),),
    "provide_info": ((HANDLER, "case_citizen", _l("The citizen supplied the information asked for on %(code)s.")),),
    "draft": ((LEADS, "draft", _l("A draft answer to %(code)s awaits your approval.")),),
    "send_back": ((DRAFT_AUTHOR, "draft", _l("Your draft answer to %(code)s was sent back.")),),
    "reopen": ((HANDLER, "case_citizen", _l("Reconsideration requested on %(code)s.")),),
}
# The daily reminders job (reminders.py) tells the same people of deadlines.
DEADLINE_TOLD = {
    "due_soon": (HANDLER, "deadline", _l("Submission %(code)s is due in 2 working days.")),
    "overdue": (HANDLER, "deadline", _l("Submission %(code)s is overdue.")),
}


def tell_staff(submission, event) -> None:
    for audience, kind, line in STAFF_TOLD.get(event.action, ()):
        _tell(submission, audience, kind, line, actor_id=event.actor_id)


def tell_of_deadline(submission, which: str) -> None:
    audience, kind, line = DEADLINE_TOLD[which]
    _tell(submission, audience, kind, line)


def _tell(submission, audience: str, kind: str, line, actor_id: int | None = None) -> None:
    people = [person for person in staff(submission, audience) if person.id != actor_id]
    text = _Filled(line, code=codes.display(submission.code))
    preferences.tell(people, kind, text, link=desk_link(submission),
                     submission_id=submission.id)


class _Filled:
    """A line of the table with its values, rendered in each reader's language when read."""

    def __init__(self, line, **values):
        self.line, self.values = line, values

    def __str__(self) -> str:
        return str(self.line) % self.values


def staff(submission, audience: str) -> list:
    """The active accounts an audience names for this submission."""
    # The core may not import accounts (a layer above it): the class is the one the
    # submission's own relationship maps.
    user = Submission.user.property.mapper.class_
    query = select(user).where(user.active.is_(True)).order_by(user.id)
    if audience == COORDINATORS:
        return list(db.session.scalars(query.where(user.role == Role.COORDINATOR)))
    if audience == DRAFT_AUTHOR:
        author = db.session.scalar(select(AnswerDraft.author_id).where(AnswerDraft.submission_id == submission.id))
        return list(db.session.scalars(query.where(user.id == author))) if author else []
    if audience == HANDLER and submission.assignee_id:
        return list(db.session.scalars(query.where(user.id == submission.assignee_id)))
    if submission.agency_id is None:  # nobody at an agency yet: the receiving office
        return staff(submission, COORDINATORS)
    roles = (Role.LEAD,) if audience == LEADS else Role.AGENCY_STAFF
    return list(db.session.scalars(query.where(user.agency_id == submission.agency_id, user.role.in_(roles))))


def tell_submitter(submission, event) -> None:
    """Tell the submitter (and those of duplicates merged into it) of a public step, in
    their own language, by inbox, e-mail and SMS; written in the step's transaction."""
    targets = _submitters(submission)
    for target in targets:
        with force_locale(target.locale or "vi"):
            _tell_one(target, submission, event)
    tell_followers(submission, event, already_told={target.user_id for target in targets if target.user_id})


def tell_followers(submission, event, already_told: set[int] = frozenset()) -> None:
    """Those following a published submission: a line in their inbox, and an e-mail when
    they proved their address, in their own language. Never SMS: a follower asked to read
    along, not to be texted."""
    if not supports.is_open_to_the_public(submission):
        return
    people = [person for person in supports.followers(submission) if person.id not in already_told]
    if not people:
        return
    code = codes.display(submission.code)
    step, status = STEP_LABELS.get(event.action, event.action), STATUS_LABELS.get(submission.status, submission.status)
    line = _l("Submission %(code)s that you follow: %(step)s. Status: %(status)s.", code=code, step=step,
              status=status)
    notify.notify_users(people, line, link=notify.local_url("feedback.show", code=submission.code),
                        submission_id=submission.id)
    url = notify.public_url("feedback.show", code=submission.code)
    settings = preferences.settings_of(people)
    for person in people:
        mode = settings[person.id].mode("followed")
        if not (person.email and person.email_verified_at and settings[person.id].email) or mode == preferences.OFF:
            continue
        with force_locale(person.locale or "vi"):
            if mode == preferences.DIGEST:
                preferences.keep_for_digest(person, "followed", str(line),
                                            notify.local_url("feedback.show", code=submission.code))
                continue
            preferences.send_email(person, "followed", _("Submission %(code)s: %(status)s", code=code,
                                                         status=status_label(submission.status)),
                                   f"{line}\n\n{url}\n", submission_id=submission.id)


def _submitters(submission) -> list:
    duplicates = db.session.scalars(select(Submission).where(Submission.merged_into_id == submission.id)).all()
    return [submission, *duplicates]


def _tell_one(target, submission, event) -> None:
    status, step = status_label(submission.status), step_label(event.action)
    public_url = notify.public_url("tracking.show", code=target.code)
    # The agency waits for the submitter's answer: the message asks for it.
    context = dict(submission=submission, target=target, event=event, status=status, step=step,
                   must_answer=submission.status == Status.AWAITING_INFO, public_url=public_url,
                   private_url=private_url(target))
    code = codes.display(target.code)
    if target.user is not None:
        line = _("Submission %(code)s: %(step)s. Status: %(status)s.", code=code, step=step, status=status)
        notify.notify_users([target.user], line, link=submitter_link(target), submission_id=target.id)
    if target.contact_email:
        notify.enqueue(Channel.EMAIL, target.contact_email, render_template("submissions/step.txt", **context),
                       subject=_("Your submission %(code)s: %(status)s", code=code, status=status),
                       html=render_template("submissions/step.html", **context), user_id=target.user_id,
                       submission_id=target.id)
    if target.contact_phone:
        preferences.send_sms(target.contact_phone, sms_line(target.code, status, public_url), user=target.user,
                             submission_id=target.id)


def sms_line(code: str, status: str, url: str) -> str:
    """The code first, so a cut at 160 characters never loses it."""
    return _("Gop Y: submission %(code)s is now: %(status)s. %(url)s", code=code, status=status, url=url)


def submitter_link(submission) -> str:
    """An inbox line about a submission, for the account holder who sent it: their private page
    (through the account, so no private token is stored in the inbox)."""
    return notify.local_url("tracking.mine", code=submission.code)


def desk_link(submission) -> str:
    """An inbox line about a submission, for agency staff: the desk's case page."""
    return notify.local_url("desk.show", submission_id=submission.id)


def private_url(target) -> str:
    return notify.public_url("tracking.private", token=private_token(target.idempotency_key))
