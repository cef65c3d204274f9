"""Account routes: register, sign in/out, profile, verification, my submissions."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import bp, services
from app.accounts.forms import LoginForm, ProfileForm, RegisterForm, VerifyForm, normalize_identifier
from app.accounts.models import User
from app.common import paging
from app.common.forms import ButtonForm
from app.common.errors import Conflict, ValidationError, keeps_input_on_expired_token
from app.common.i18n import safe_next
from app.common.permissions import login_required
from app.common.ratelimit import hashed_key
from app.common.rendering import render
from app.common.security import mark_personal
from app.extensions import db, limiter, login_manager
from app.notify.models import Channel


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_LIMIT"]


@bp.route("/dang-ky", methods=["GET", "POST"])
@keeps_input_on_expired_token
def register():
    """Open an account for a person or an organisation."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(form.kind.data, form.full_name.data, form.identifier_kind, form.identifier.data,
                                     form.password.data, form.org_name.data, form.tax_code.data,
                                     form.org_foreign.data, str(get_locale()))
        except Conflict as error:
            form.identifier.errors.append(error.message)
        else:
            login_user(user)
            flash(_("Your account is ready."))
            return redirect(url_for("accounts.profile"), 303)
    return render("accounts/register.html", form=form, status=422 if form.errors else 200)


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def _account_key() -> str:
    """The account a sign-in names, however it is typed; hashed, so the store holds no address."""
    raw = request.form.get("identifier", "")
    parsed = normalize_identifier(raw)
    return hashed_key("account", ":".join(parsed) if parsed else raw.strip().lower())


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, scope="login-account",
               deduct_when=lambda response: response.status_code != 303)  # only failures count
@keeps_input_on_expired_token
def login():
    """Sign in with an e-mail address or a mobile number and a password."""
    form = LoginForm()
    if form.validate_on_submit():
        parsed = normalize_identifier(form.identifier.data)
        user = services.authenticate(*parsed, form.password.data) if parsed else None
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("accounts.submissions")), 303)
        form.password.errors.append(_("The e-mail address or number and the password do not match."))
    return render("accounts/login.html", form=form, status=422 if form.errors else 200)


@bp.post("/dang-xuat")
def logout():
    """Sign out (a POST, so a link on another site cannot sign anyone out)."""
    if ButtonForm().validate_on_submit():
        logout_user()
    return redirect(url_for("core.index"), 303)


@bp.route("/tai-khoan", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def profile():
    """Edit the profile; contacts changed here must be verified again."""
    mark_personal()
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        values = {name: form[name].data for name in
                  ("kind", "full_name", "email", "phone", "org_name", "tax_code", "org_foreign", "locale")}
        try:
            services.update_profile(current_user, **values)
        except ValidationError as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("Your profile is saved."))
            return redirect(url_for("accounts.profile"), 303)
    return render("accounts/profile.html", form=form, action_form=ButtonForm(), status=422 if form.errors else 200)


@bp.post("/tai-khoan/xac-minh/<channel>")
@login_required
def send_code(channel: str):
    """Send a verification code to the account's e-mail address or phone."""
    _check_channel(channel)
    if ButtonForm().validate_on_submit():
        try:
            services.send_verification_code(current_user, channel)
        except ValidationError as error:
            flash(error.message, "error")
            return redirect(url_for("accounts.profile"), 303)
    return redirect(url_for("accounts.verify", channel=channel), 303)


@bp.route("/tai-khoan/xac-minh/<channel>/nhap-ma", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def verify(channel: str):
    """Type the code that was sent, to prove the contact belongs to this account."""
    _check_channel(channel)
    mark_personal()
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            services.confirm_verification_code(current_user, channel, form.code.data)
        except ValidationError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Verified. Thank you."))
            return redirect(url_for("accounts.submissions"), 303)
    return render("accounts/verify.html", form=form, channel=channel, status=422 if form.errors else 200)


@bp.get("/tai-khoan/gop-y")
@login_required
def submissions():
    """My submissions, and the guest ones I can claim with a verified contact."""
    mark_personal()
    page = services.my_submissions(current_user, paging.requested_page())
    return render("accounts/submissions.html", "accounts/_submission_list.html", page=page,
                  claimable=services.claimable_submissions(current_user), action_form=ButtonForm())


@bp.post("/tai-khoan/gop-y/nhan")
@login_required
def claim():
    """Attach guest submissions sent with my verified contact to my account."""
    if ButtonForm().validate_on_submit():
        count = services.claim_submissions(current_user)
        flash(_("%(n)d submissions were added to your account.", n=count))
    return redirect(url_for("accounts.submissions"), 303)


def _check_channel(channel: str) -> None:
    if channel not in (Channel.EMAIL, Channel.SMS):
        abort(404)
