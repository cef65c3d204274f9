"""Account routes: register, sign in/out, profile, verification, my submissions."""
from flask import current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import bp, services
from app.accounts.forms import LoginForm, ProfileForm, RegisterForm, VerifyForm
from app.accounts.models import User
from app.common import paging
from app.common.errors import keeps_input_on_expired_token
from app.common.forms import ButtonForm
from app.common.i18n import safe_next
from app.common.permissions import login_required
from app.common.ratelimit import hashed_key
from app.common.rendering import form_page, render, run_form, see_other
from app.common.security import mark_personal
from app.common.validators import normalize_identifier
from app.extensions import db, limiter, login_manager
from app.notify.models import Channel

# The channels a contact is verified through: a URL segment, so any other is a 404.
CHANNELS = f"any({Channel.EMAIL}, {Channel.SMS})"
PROFILE_FIELDS = ("kind", "full_name", "email", "phone", "org_name", "tax_code", "org_foreign", "locale")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/dang-ky", methods=["GET", "POST"])
@keeps_input_on_expired_token
def register():
    """Open an account for a person or an organisation."""
    form = RegisterForm()
    if form.is_submitted():
        done, user = run_form(form, lambda: services.register(
            form.kind.data, form.full_name.data, form.identifier_kind, form.identifier.data, form.password.data,
            form.org_name.data, form.tax_code.data, form.org_foreign.data, str(get_locale())), "identifier")
        if done:
            login_user(user)
            flash(_("Your account is ready."))
            return see_other("accounts.profile")
    return form_page("accounts/register.html", form=form)


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
    if form.is_submitted():
        done, user = run_form(form, lambda: services.authenticate(form.identifier.data, form.password.data))
        if done:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("accounts.submissions")), 303)
    return form_page("accounts/login.html", form=form)


@bp.post("/dang-xuat")
def logout():
    """Sign out (a POST, so a link on another site cannot sign anyone out)."""
    if ButtonForm().validate_on_submit():
        logout_user()
    return see_other("core.index")


@bp.route("/tai-khoan", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def profile():
    """Edit the profile; contacts changed here must be verified again."""
    mark_personal()
    form = ProfileForm(obj=current_user)
    if form.is_submitted():
        # Read once validated: the form's checks normalise what was typed (e-mail case, phone).
        done, _user = run_form(form, lambda: services.update_profile(
            current_user, **{name: form[name].data for name in PROFILE_FIELDS}))
        if done:
            flash(_("Your profile is saved."))
            return see_other("accounts.profile")
    return form_page("accounts/profile.html", form=form, button_form=ButtonForm(),
                     contacts=services.contacts(current_user))


@bp.post(f"/tai-khoan/xac-minh/<{CHANNELS}:channel>")
@login_required
def send_code(channel: str):
    """Send a verification code to the account's e-mail address or phone."""
    form = ButtonForm()
    done, _nothing = run_form(form, lambda: services.send_verification_code(current_user, channel))
    if not done:
        # A button has no field to show the refusal beside: the profile page says it.
        for _field_id, message in form.error_list:
            flash(message, "error")
        return see_other("accounts.profile")
    return see_other("accounts.verify", channel=channel)


@bp.route(f"/tai-khoan/xac-minh/<{CHANNELS}:channel>/nhap-ma", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def verify(channel: str):
    """Type the code that was sent, to prove the contact belongs to this account."""
    mark_personal()
    form = VerifyForm()
    if form.is_submitted():
        done, _nothing = run_form(form, lambda: services.confirm_verification_code(current_user, channel,
                                                                                   form.code.data))
        if done:
            flash(_("Verified. Thank you."))
            return see_other("accounts.submissions")
    return form_page("accounts/verify.html", form=form, by_email=channel == Channel.EMAIL)


@bp.get("/tai-khoan/gop-y")
@login_required
def submissions():
    """My submissions, and the guest ones I can claim with a verified contact."""
    mark_personal()
    return render("accounts/submissions.html", "accounts/_submission_list.html",
                  page=services.my_submissions(current_user, paging.requested_page()),
                  claimable=services.claimable_submissions(current_user), button_form=ButtonForm())


@bp.post("/tai-khoan/gop-y/nhan")
@login_required
def claim():
    """Attach guest submissions sent with my verified contact to my account."""
    if ButtonForm().validate_on_submit():
        count = services.claim_submissions(current_user)
        flash(_("%(n)d submissions were added to your account.", n=count))
    return see_other("accounts.submissions")
