"""Account routes: register, sign in (in one or two steps) and out, profile, verification, my
submissions, password change and reset, two-step sign-in."""
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import bp, services, twofactor
from app.accounts.forms import (
    ChangePasswordForm,
    ForgotForm,
    LoginForm,
    PasswordConfirmForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    TwoFactorCodeForm,
    VerifyForm,
)
from app.accounts.models import User
from app.common import paging
from app.common.errors import ValidationError, keeps_input_on_expired_token
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


# Where a half-signed-in person (password right, second step to come) is kept: not
# Flask-Login's keys, so nothing treats them as signed in until the code is right.
PENDING = "two_factor_pending"
PENDING_SECONDS = 300
PENDING_TRIES = 5
# A secret and recovery codes shown on the enrolment page, until a code confirms them.
ENROLMENT = "two_factor_enrolment"
# Pages a signed-in person whose role requires two-step sign-in may open before turning it on.
ENROLMENT_OPEN = {"accounts.two_factor", "accounts.two_factor_setup", "accounts.logout", "core.static",
                  "core.set_language"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account of a session or remember-me cookie, only while the cookie's session version
    is the account's (sign-out, a password change and a suspension raise it) and it is active."""
    number, _sep, version = user_id.partition(":")
    if not (number.isascii() and number.isdigit() and version.isascii() and version.isdigit()) or len(number) > 18:
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active or str(user.session_version or 1) != version:
        return None
    return user


@bp.before_app_request
def _two_factor_required():
    """A signed-in account whose role must use two-step sign-in (REQUIRE_2FA_ROLES) turns it on first."""
    if (current_user.is_authenticated and not current_user.has_two_factor and twofactor.required_for(current_user)
            and request.endpoint not in ENROLMENT_OPEN):
        flash(_("Your role signs in in two steps. Turn on two-step sign-in to continue."))
        return see_other("accounts.two_factor_setup")
    return None


@bp.context_processor
def _password_rule():
    """The hint every new-password field shows, from the rule's configuration."""
    return {"password_hint": lambda: _("At least %(n)d characters, not a common password and not built from your "
                                       "name, e-mail or phone.", n=current_app.config["PASSWORD_MIN_LENGTH"])}


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _identifier_key() -> str:
    """The contact a form names, however it is typed; hashed, so the store holds no address."""
    raw = request.form.get("identifier", "")
    parsed = normalize_identifier(raw)
    return hashed_key("contact", ":".join(parsed) if parsed else raw.strip().lower())


def _contact_limit() -> str:
    return current_app.config["CONTACT_MESSAGE_LIMIT"]


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_contact_limit, methods=["POST"], key_func=_identifier_key, scope="register-contact")
@keeps_input_on_expired_token
def register():
    """Open an account for a person or an organisation. The answer is the same page whether
    the contact was new or already had an account (which is told by a message instead)."""
    form = RegisterForm()
    if form.is_submitted():
        done, _user = run_form(form, lambda: services.register(
            form.kind.data, form.full_name.data, form.identifier_kind, form.identifier.data, form.password.data,
            form.org_name.data, form.tax_code.data, form.org_foreign.data, str(get_locale())), "identifier")
        if done:
            return see_other("accounts.registered")
    return form_page("accounts/register.html", form=form)


@bp.get("/dang-ky/da-gui")
def registered():
    """What every registration is answered with: look at your messages, then sign in."""
    return render("accounts/registered.html")


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def _account_key() -> str:
    """The account a sign-in names, however it is typed; hashed, so the store holds no address."""
    raw = request.form.get("identifier", "")
    parsed = normalize_identifier(raw)
    return hashed_key("account", ":".join(parsed) if parsed else raw.strip().lower())


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"two-factor:{pending.get('id', 'none')}"


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
            target = safe_next(request.args.get("next"), url_for("accounts.submissions"))
            if user.has_two_factor:
                # Half signed in: the second step finishes it; until then nobody is signed in.
                logout_user()
                session[PENDING] = {"id": user.id, "v": user.session_version, "at": int(time.time()),
                                    "remember": bool(form.remember.data), "next": target, "tries": 0}
                return see_other("accounts.login_code")
            login_user(user, remember=form.remember.data)
            return redirect(target, 303)
    return form_page("accounts/login.html", form=form)


def _pending_user() -> User | None:
    """The account whose password was right a moment ago, waiting for its second step."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("id", 0)))
    if user is None or not user.active or user.session_version != pending.get("v") or not user.has_two_factor:
        return None
    return user


def _code_limit() -> str:
    return current_app.config["TWO_FACTOR_LIMIT"]


@bp.route("/dang-nhap/ma-xac-thuc", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_pending_key, scope="two-factor",
               deduct_when=lambda response: response.status_code != 303)  # only wrong codes count
@keeps_input_on_expired_token
def login_code():
    """The second step of a two-step sign-in: the authenticator app's code, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return see_other("accounts.login")
    form = TwoFactorCodeForm()
    if form.is_submitted():
        done, _nothing = run_form(form, lambda: _second_step(user, form.code.data))
        if done:
            pending = session.pop(PENDING)
            login_user(user, remember=pending.get("remember", False))
            return redirect(safe_next(pending.get("next"), url_for("accounts.submissions")), 303)
        pending = dict(session[PENDING], tries=session[PENDING].get("tries", 0) + 1)
        session[PENDING] = pending
        if pending["tries"] >= PENDING_TRIES:
            session.pop(PENDING, None)
            flash(_("Too many wrong codes. Sign in again."), "error")
            return see_other("accounts.login")
    return form_page("accounts/login_code.html", form=form)


def _second_step(user: User, code: str) -> None:
    if not twofactor.verify(user, code):
        raise ValidationError("code", _("This code is not right. Type the code the app shows now, or a recovery "
                                        "code."))


@bp.post("/dang-xuat")
def logout():
    """Sign out on every device (a POST, so a link on another site cannot sign anyone out):
    the account's session version goes up, so no copy of a session or remember-me cookie works."""
    if ButtonForm().validate_on_submit():
        if current_user.is_authenticated:
            services.end_sessions(current_user._get_current_object())
        logout_user()
        session.pop(PENDING, None)
    return see_other("core.index")


def _stay_signed_in(user: User) -> None:
    """After the session version went up, keep this device signed in under the new one."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


@bp.route("/tai-khoan/mat-khau", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def change_password():
    """Choose a new password, given the current one; every other device is signed out."""
    mark_personal()
    form = ChangePasswordForm()
    if form.is_submitted():
        user = current_user._get_current_object()
        done, _user = run_form(form, lambda: services.change_password(user, form.current.data, form.password.data))
        if done:
            _stay_signed_in(user)
            flash(_("Your password is changed. Every other device was signed out."))
            return see_other("accounts.profile")
    return form_page("accounts/change_password.html", form=form)


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_LIMIT"]


@bp.route("/tai-khoan/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_contact_limit, methods=["POST"], key_func=_identifier_key, scope="reset-contact")
@keeps_input_on_expired_token
def forgot():
    """Ask for a link to choose a new password, by e-mail or SMS."""
    form = ForgotForm()
    if form.is_submitted():
        done, _nothing = run_form(form, lambda: services.request_password_reset(form.identifier_kind,
                                                                                form.identifier.data))
        if done:
            return see_other("accounts.forgot_sent")
    return form_page("accounts/forgot.html", form=form)


@bp.get("/tai-khoan/quen-mat-khau/da-gui")
def forgot_sent():
    """The same answer whether or not an account has that contact."""
    return render("accounts/forgot_sent.html")


@bp.route("/tai-khoan/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
@keeps_input_on_expired_token
def reset(token: str):
    """Choose a new password with the link that was sent (once, within the hour)."""
    mark_personal()
    if services.live_reset(token) is None:
        return render("accounts/reset_expired.html")
    form = ResetForm()
    if form.is_submitted():
        done, _user = run_form(form, lambda: services.reset_password(token, form.password.data))
        if done:
            logout_user()
            flash(_("Your password is changed and every device was signed out. Sign in with the new password."))
            return see_other("accounts.login")
    return form_page("accounts/reset.html", form=form)


@bp.get("/tai-khoan/xac-thuc-hai-buoc")
@login_required
def two_factor():
    """Two-step sign-in: whether it is on, and the way to turn it on or off."""
    mark_personal()
    return render("accounts/two_factor.html", form=PasswordConfirmForm(),
                  codes_left=twofactor.recovery_codes_left(current_user) if current_user.has_two_factor else 0,
                  required=twofactor.required_for(current_user))


@bp.route("/tai-khoan/xac-thuc-hai-buoc/bat", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def two_factor_setup():
    """Turn on two-step sign-in: the secret (as text and as a QR code), the recovery codes, and a
    code from the app to show it holds the secret."""
    mark_personal()
    if current_user.has_two_factor:
        return see_other("accounts.two_factor")
    enrolment = session.get(ENROLMENT)
    if not isinstance(enrolment, dict) or enrolment.get("user") != current_user.id:
        enrolment = session[ENROLMENT] = {"user": current_user.id, "secret": twofactor.new_secret(),
                                          "codes": twofactor.new_recovery_codes()}
    form = TwoFactorCodeForm()
    if form.is_submitted():
        done, _user = run_form(form, lambda: twofactor.enable(current_user._get_current_object(),
                                                              enrolment["secret"], enrolment["codes"],
                                                              form.code.data))
        if done:
            session.pop(ENROLMENT, None)
            flash(_("Two-step sign-in is on."))
            return see_other("accounts.two_factor")
    uri = twofactor.provisioning_uri(current_user, enrolment["secret"])
    return form_page("accounts/two_factor_setup.html", form=form, secret=enrolment["secret"],
                     codes=enrolment["codes"], qr=twofactor.qr_svg(uri))


@bp.post("/tai-khoan/xac-thuc-hai-buoc/tat")
@login_required
def two_factor_disable():
    """Turn two-step sign-in off, given the password."""
    mark_personal()
    form = PasswordConfirmForm()
    done, _user = run_form(form, lambda: twofactor.disable(current_user._get_current_object(), form.password.data))
    if done:
        flash(_("Two-step sign-in is off."))
        return see_other("accounts.two_factor")
    return form_page("accounts/two_factor.html", form=form, codes_left=twofactor.recovery_codes_left(current_user),
                     required=twofactor.required_for(current_user))


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
