"""Organisations asking for their badge: an administrator reads the document and decides
(the accounts area's organisation service does the work)."""
from flask import abort, flash
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import organisations
from app.accounts.identity_forms import ReviewForm
from app.admin import bp
from app.common import paging
from app.common.errors import keeps_input_on_expired_token
from app.common.rendering import form_page, render, run_form, see_other
from app.common.security import mark_personal
from app.submissions import attachments


@bp.get("/to-chuc")
def organisation_requests():
    """Requests waiting for a decision, oldest first."""
    return render("admin/organisations.html", page=organisations.pending_requests(paging.requested_page()))


@bp.route("/to-chuc/<id:organisation_id>", methods=["GET", "POST"])
@keeps_input_on_expired_token
def organisation_review(organisation_id: int):
    """One request: the organisation, its owner, the document, the decision."""
    mark_personal()
    organisation = organisations.find(organisation_id) or abort(404)
    form = ReviewForm()
    done, decided = run_form(form, lambda: organisations.review(
        current_user, organisation.id, form.decision.data == "approve", form.note.data))
    if done:
        flash(_("The organisation is verified.") if decided.verified else _("The request is refused."))
        return see_other("admin.organisation_requests")
    return form_page("admin/organisation.html", form=form, organisation=organisation,
                     has_document=organisations.document(organisation) is not None)


@bp.get("/to-chuc/<id:organisation_id>/giay-to")
def organisation_document(organisation_id: int):
    """The document the owner sent, only to administrators."""
    organisation = organisations.find(organisation_id) or abort(404)
    stored = organisations.document(organisation) or abort(404)
    return attachments.serve(stored) or abort(404)
