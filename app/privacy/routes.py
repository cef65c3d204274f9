"""A person's data rights from their account: see and withdraw consents, export everything
held about them, erase the account."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, logout_user

from app.common.errors import ValidationError
from app.common.forms import ButtonForm
from app.common.permissions import login_required, role_required
from app.common.rendering import form_page, render, run_form, see_other
from app.common.roles import Role
from app.common.security import mark_personal
from app.privacy import bp, export, services
from app.privacy.forms import EraseForm
from app.privacy.models import ExportStatus
from app.submissions import storage

PURPOSES = f"any({services.PUBLISH}, {services.PROCESSING})"


@bp.get("/tai-khoan/du-lieu")
@login_required
def mine():
    """My data: what was agreed to, with a button to withdraw it; export; erase."""
    mark_personal()
    return render("privacy/mine.html", consents=services.consents_of(current_user), labels=services.PURPOSE_LABELS,
                  export=export.latest(current_user), button_form=ButtonForm(),
                  may_erase=current_user.role == Role.CITIZEN)


@bp.post(f"/tai-khoan/du-lieu/dong-y/<id:submission_id>/<{PURPOSES}:purpose>")
@role_required(Role.CITIZEN)
def withdraw(submission_id: int, purpose: str):
    """Withdraw one consent given with one of my submissions."""
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(current_user, submission_id, purpose) or abort(404)
        except ValidationError as error:
            flash(str(error.message), "error")
            return see_other("privacy.mine")
        flash(_("Your consent is withdrawn."))
    return see_other("privacy.mine")


@bp.post("/tai-khoan/du-lieu/xuat")
@login_required
def request_export():
    """Start preparing my data for download."""
    if ButtonForm().validate_on_submit():
        export.request_export(current_user)
    return see_other("privacy.export_status")


@bp.get("/tai-khoan/du-lieu/xuat")
@login_required
def export_status():
    """Where my export stands: the page polls itself (htmx) while it is prepared."""
    mark_personal()
    item = export.latest(current_user)
    return render("privacy/export.html", "privacy/_export_status.html", export=item,
                  ready=export.downloadable(current_user), waiting=item is not None and item.status in
                  ExportStatus.WAITING, failed=item is not None and item.status == ExportStatus.FAILED,
                  button_form=ButtonForm())


@bp.get("/tai-khoan/du-lieu/xuat/tai-ve")
@login_required
def download():
    """My export's ZIP, to me alone, until it expires; otherwise back to its status page."""
    item = export.downloadable(current_user)
    if item is None:
        return redirect(url_for("privacy.export_status"), 303)
    response = storage.serve(item.storage_key, export.CONTENT_TYPE, export.DOWNLOAD_NAME, as_attachment=True)
    if response is None:
        return redirect(url_for("privacy.export_status"), 303)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tai-khoan/xoa", methods=["GET", "POST"])
@role_required(Role.CITIZEN)
def erase():
    """Delete my account, confirmed with my password (or a sign-in just made, without one)."""
    mark_personal()
    form = EraseForm()
    has_password = bool(current_user.password_hash)
    if form.is_submitted():
        done, _nothing = run_form(form, lambda: _erase(form, has_password), "password")
        if done:
            logout_user()
            flash(_("Your account is deleted."))
            return see_other("core.index")
    return form_page("privacy/erase.html", form=form, has_password=has_password)


def _erase(form: EraseForm, has_password: bool) -> None:
    if has_password and not current_user.check_password(form.password.data or ""):
        raise ValidationError("password", _("The password is not right."))
    if not has_password and not login_fresh():
        raise ValidationError("password", _("Sign out and sign in again, then delete the account at once."))
    services.erase_account(current_user._get_current_object())
