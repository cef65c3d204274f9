"""Identity routes: sign in or link an account through an OpenID Connect provider (VNeID),
and the organisations an account asks to verify or acts for."""
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.accounts import bp, oidc, organisations
from app.accounts.identity_forms import MemberForm, OrganisationRequestForm
from app.common import paging
from app.common.errors import keeps_input_on_expired_token
from app.common.forms import ButtonForm
from app.common.i18n import safe_next
from app.common.permissions import login_required
from app.common.rendering import form_page, render, run_form, see_other
from app.common.security import mark_personal
from app.extensions import limiter

_LINKING = "oidc_link"  # the provider a signed-in person is linking, until they come back
_NEXT = "oidc_next"


@bp.context_processor
def _identity_context() -> dict:
    """The sign-in buttons and the identity part of the account page, for the account pages."""
    def identity_summary() -> dict:
        found = oidc.identities(current_user)
        return {"identities": found, "level": max((i.assurance_level for i in found), default=0),
                "linked": {identity.provider for identity in found}, "labels": labels}

    configured = oidc.providers()
    labels = {provider.name: provider.label for provider in configured}
    return {"oidc_providers": configured, "identity_summary": identity_summary}


def _provider(name: str) -> oidc.Provider:
    provider = oidc.find_provider(name)
    if provider is None:
        abort(404)
    return provider


def _failed(error: oidc.SignInFailed, provider: oidc.Provider | None = None):
    return render("accounts/oidc_error.html", status=error.status, message=error.message, provider=provider)


@bp.get("/dang-nhap/dinh-danh/<provider>")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def oidc_start(provider: str):
    """Go to the identity provider's sign-in page (state, nonce and PKCE kept in the session)."""
    chosen = _provider(provider)
    session.pop(_LINKING, None)
    session[_NEXT] = safe_next(request.args.get("next"), "")
    try:
        return oidc.start(chosen.name, url_for("accounts.oidc_callback", provider=chosen.name, _external=True))
    except oidc.SignInFailed as error:
        return _failed(error, chosen)


@bp.post("/tai-khoan/dinh-danh/<provider>")
@login_required
def oidc_link(provider: str):
    """Link an identity to the signed-in account (a POST: another site cannot start it)."""
    chosen = _provider(provider)
    if not ButtonForm().validate_on_submit():
        return see_other("accounts.profile")
    session[_LINKING] = chosen.name
    try:
        return oidc.start(chosen.name, url_for("accounts.oidc_callback", provider=chosen.name, _external=True))
    except oidc.SignInFailed as error:
        return _failed(error, chosen)


@bp.get("/dang-nhap/dinh-danh/<provider>/ve")
def oidc_callback(provider: str):
    """Where the provider sends the person back: check everything, then sign in or link."""
    chosen = _provider(provider)
    linking = session.pop(_LINKING, None) == chosen.name and current_user.is_authenticated
    target = safe_next(session.pop(_NEXT, None), url_for("accounts.submissions"))
    try:
        claims = oidc.finish(chosen.name)
        if linking:
            oidc.link(current_user, chosen, claims)
            flash(_("Your identity is linked to this account."))
            return see_other("accounts.profile")
        user = oidc.sign_in(chosen, claims)
    except oidc.SignInFailed as error:
        return _failed(error, chosen)
    login_user(user)
    return redirect(target, 303)


@bp.route("/tai-khoan/to-chuc", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def organisations_page():
    """My organisations, and a request to verify one (with a document)."""
    mark_personal()
    form = OrganisationRequestForm()
    if form.is_submitted():
        upload = request.files.get("document")
        done, organisation = run_form(form, lambda: organisations.request_verification(
            current_user, form.name.data, form.tax_code.data, upload if upload and upload.filename else None))
        if done:
            flash(_("Your organisation is verified.") if organisation.verified
                  else _("Your request is sent. An administrator will check the document."))
            return see_other("accounts.organisations_page")
    return form_page("accounts/organisations.html", form=form, organisations=organisations.of_user(current_user),
                     level=oidc.level_of(current_user))


def _acting(organisation_id: int):
    organisation = organisations.find(organisation_id)
    if organisation is None or not organisations.acts_for(current_user, organisation):
        abort(404)
    return organisation


@bp.route("/tai-khoan/to-chuc/<id:organisation_id>", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def organisation(organisation_id: int):
    """One organisation: its members (the owner adds them) and the submissions it sent."""
    mark_personal()
    found = _acting(organisation_id)
    form = MemberForm()
    if form.is_submitted():
        done, _member = run_form(form, lambda: organisations.add_member(current_user, found, form.identifier.data))
        if done:
            flash(_("The member is added."))
            return see_other("accounts.organisation", organisation_id=found.id)
    return form_page("accounts/organisation.html", form=form, organisation=found, button_form=ButtonForm(),
                     owner=found.owner_id == current_user.id,
                     page=organisations.submissions(found, paging.requested_page()))


@bp.post("/tai-khoan/to-chuc/<id:organisation_id>/thanh-vien/<id:member_id>/xoa")
@login_required
def remove_member(organisation_id: int, member_id: int):
    """The owner takes someone off the organisation."""
    found = _acting(organisation_id)
    form = ButtonForm()
    done, _nothing = run_form(form, lambda: organisations.remove_member(current_user, found, member_id))
    if done:
        flash(_("The member is removed."))
    for _field_id, message in form.error_list:
        flash(message, "error")
    return see_other("accounts.organisation", organisation_id=found.id)
