"""Assisted intake at the commune's one-stop counter and on the hotline: staff file a
submission for a resident who came in person or called, then print the receipt."""
from dataclasses import fields

from flask import abort, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.common.errors import keeps_input_on_expired_token
from app.common.permissions import can_print_receipt, role_required
from app.common.rendering import form_page, render, run_form, see_other, wants_fragment
from app.common.roles import Role
from app.common.security import mark_personal
from app.feedback import bp, services
from app.feedback.forms import AssistedSubmissionForm
from app.submissions import codes, intake, lookups, topics
from app.submissions.states import CHANNEL_LABELS

# Every desk role: the receiving office's coordinators and the agencies' officers and leads
# all sit at a counter or answer the hotline somewhere.
COUNTER_ROLES = Role.STAFF


def _form(**kwargs) -> AssistedSubmissionForm:
    # The resident is Vietnamese whatever language the staff member reads: topics in Vietnamese.
    form = AssistedSubmissionForm(topics=topics.topic_choices("vi", _("Choose a topic")), **kwargs)
    form.refresh_ward_choices()
    return form


@bp.get("/tai-quay")
@role_required(*COUNTER_ROLES)
def counter_new():
    """The form staff fill in for a resident; the htmx answer is the form alone."""
    mark_personal()
    return form_page("feedback/counter.html", "feedback/_counter_form.html", form=_form(formdata=None))


@bp.post("/tai-quay")
@keeps_input_on_expired_token
@role_required(*COUNTER_ROLES)
def counter_create():
    """File the submission for the resident, then show its receipt to print; or re-render
    the form with every value kept (422)."""
    mark_personal()
    form = _form()
    if "refresh_wards" in request.form:  # the no-JS step: the communes of the chosen province
        form.ward_code.data = None
        return form_page("feedback/counter.html", "feedback/_counter_form.html", form=form)
    done, submission = run_form(form, lambda: services.file_for_resident(
        _input(form), request.files.getlist("attachments"), current_user))
    if not done:
        return form_page("feedback/counter.html", "feedback/_counter_form.html", form=form)
    if wants_fragment():  # the receipt is a page of its own, to print: htmx loads it whole
        return make_response("", 204, {"HX-Redirect": url_for("feedback.receipt", submission_id=submission.id)})
    return see_other("feedback.receipt", submission_id=submission.id)


def _input(form: AssistedSubmissionForm) -> intake.SubmissionInput:
    names = {f.name for f in fields(intake.SubmissionInput)} - {"locale"}
    values = {name: form[name].data for name in names if name in form}
    return intake.SubmissionInput(**values, locale="vi")


@bp.get("/tai-quay/<id:submission_id>/bien-nhan")
@role_required(*COUNTER_ROLES)
def receipt(submission_id: int):
    """The receipt to print and hand over: the code in large print, the QR code of the
    tracking page, and how the consent was recorded."""
    submission = lookups.get(submission_id)
    if submission is None or not can_print_receipt(current_user, submission):
        abort(404)
    mark_personal()
    url = services.lookup_url(submission.code)
    consent, recorder = services.processing_consent(submission)
    qr = Markup(services.qr_svg(url, _("QR code of the tracking page")))  # segno's own SVG, no user text
    return render("feedback/receipt.html", submission=submission, code=codes.display(submission.code),
                  lookup_url=url, qr=qr, consent=consent, recorder=recorder,
                  channel=CHANNEL_LABELS.get(submission.channel, submission.channel))
