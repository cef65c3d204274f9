"""Account forms: register, sign in, profile, contact verification."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.validators import ValidationError as FieldError

from app.common.forms import SPEAKER_CHOICES, BaseForm, OrganisationFields
from app.common.validators import normalize_identifier, normalize_mobile


class RegisterForm(OrganisationFields, BaseForm):
    organisation_kind_field = "kind"

    kind = RadioField(_l("Account for"), choices=SPEAKER_CHOICES, default="individual",
                      validators=[DataRequired(_l("Choose who the account is for."))])
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter your full name.")), Length(max=120, message=_l("At most 120 characters."))])
    identifier = StringField(_l("E-mail address or mobile number"), validators=[
        DataRequired(_l("Enter an e-mail address or a mobile number."))])
    org_name = StringField(_l("Organisation name"), validators=[Length(max=200, message=_l("At most 200 characters."))])
    tax_code = StringField(_l("Tax code"))  # required or not: OrganisationFields decides
    org_foreign = BooleanField(_l("A foreign organisation"))
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("Password again"), validators=[EqualTo("password", _l("The two passwords differ."))])

    def validate_identifier(self, field):
        parsed = normalize_identifier(field.data)
        if not parsed:
            raise FieldError(_l("Enter an e-mail address like name@example.vn or a mobile number like 0912 345 678."))
        self.identifier_kind, field.data = parsed


class LoginForm(BaseForm):
    identifier = StringField(_l("E-mail address or mobile number"), validators=[
        DataRequired(_l("Enter an e-mail address or a mobile number."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ProfileForm(OrganisationFields, BaseForm):
    organisation_kind_field = "kind"

    kind = RadioField(_l("Account for"), choices=SPEAKER_CHOICES)
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter your full name.")), Length(max=120, message=_l("At most 120 characters."))])
    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Mobile phone number"), validators=[Optional()])
    org_name = StringField(_l("Organisation name"), validators=[Length(max=200, message=_l("At most 200 characters."))])
    tax_code = StringField(_l("Tax code"))  # required or not: OrganisationFields decides
    org_foreign = BooleanField(_l("A foreign organisation"))
    locale = SelectField(_l("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])

    def validate_email(self, field):
        if field.data:
            parsed = normalize_identifier(field.data)
            if not parsed or parsed[0] != "email":
                raise FieldError(_l("Enter an e-mail address like name@example.vn."))
            field.data = parsed[1]

    def validate_phone(self, field):
        if field.data:
            phone = normalize_mobile(field.data)
            if not phone:
                raise FieldError(_l("Enter a Vietnamese mobile number, like 0912 345 678."))
            field.data = phone


class VerifyForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code we sent you.")),
                                               Length(min=6, max=6, message=_l("The code has 6 digits."))])



class ForgotForm(BaseForm):
    identifier = StringField(_l("E-mail address or mobile number"), validators=[
        DataRequired(_l("Enter an e-mail address or a mobile number."))])

    def validate_identifier(self, field):
        parsed = normalize_identifier(field.data)
        if not parsed:
            raise FieldError(_l("Enter an e-mail address like name@example.vn or a mobile number like 0912 345 678."))
        self.identifier_kind, field.data = parsed


class ResetForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("New password again"), validators=[
        EqualTo("password", _l("The two passwords differ."))])


class ChangePasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("New password again"), validators=[
        EqualTo("password", _l("The two passwords differ."))])


class TwoFactorCodeForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")),
                                               Length(max=20, message=_l("At most 20 characters."))])


class PasswordConfirmForm(BaseForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
