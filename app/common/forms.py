"""The base form: friendly messages for an expired token, values always kept."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError as FieldError

from app.common.validators import normalize_tax_code

# Who speaks: a person, or an organisation (with a name and a tax code).
SPEAKER_CHOICES = [("individual", _l("An individual")), ("organisation", _l("An organisation or business"))]


def optional_int(value):
    """A select's coercion: a whole number, or None for its empty first choice."""
    return int(value) if value not in (None, "", "None") else None


def optional_str(value):
    return value or None


class BaseForm(FlaskForm):
    class Meta:
        # WTForms' own messages come in English; ours are in the catalog.
        def get_translations(self, form):
            return _WTFormsMessages()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "csrf_token" in self.errors:
            # The person did nothing wrong: the page sat open too long, or the session
            # cookie was lost on a flaky link. The re-rendered form carries a fresh token.
            self.csrf_token.errors = [
                str(_l("This form was open for a long time, so for your safety it must be sent again. "
                       "Everything you typed is still here: check it and press the button again."))
            ]
        return valid

    @property
    def error_list(self):
        """(field id, message) pairs for the error summary at the top of the page; a message
        that belongs to no field links to the form itself."""
        # Not from self.errors: WTForms files form_errors there under "" (3.2), no field's name.
        # Messages may be lazy strings (the expired-token one is): str() renders them now.
        fields = [(field.id, str(message)) for field in self for message in field.errors]
        return [*fields, *(("", str(message)) for message in self.form_errors)]


class ButtonForm(BaseForm):
    """A button with no fields: it carries only the CSRF token (sign out, vote, follow ...)."""


def show_error(form, error, fallback: str | None = None) -> None:
    """Put a service's refusal (a DomainError) on the form: on the field it names when the
    form has that field, else on `fallback`, else in the summary at the top."""
    field = getattr(error, "field", None)
    name = field if field in form else fallback
    if name in form:
        form[name].errors = [*form[name].errors, error.message]
    else:
        form.form_errors.append(error.message)


class _WTFormsMessages:
    """Route the few built-in WTForms messages we rely on through our own catalog."""

    _messages = {
        "This field is required.": _l("This field is required."),
        "Not a valid choice.": _l("Choose one of the options."),
        "Not a valid integer value.": _l("Enter a whole number."),
        "Invalid email address.": _l("Enter an e-mail address like name@example.vn."),
    }

    def gettext(self, string):
        return str(self._messages.get(string, string))

    def ngettext(self, singular, plural, n):
        return singular if n == 1 else plural


class OrganisationFields:
    """Checks for the org_name / tax_code / org_foreign fields of a form that can speak for an
    organisation; `organisation_kind_field` names the radio that says whether it does."""

    organisation_kind_field = "submitter_kind"

    def _for_organisation(self) -> bool:
        return self[self.organisation_kind_field].data == "organisation"

    def validate_org_name(self, field):
        if self._for_organisation() and not (field.data or "").strip():
            raise FieldError(_l("Enter the organisation's name."))

    def validate_tax_code(self, field):
        if field.data:
            normalized = normalize_tax_code(field.data)
            if not normalized:
                raise FieldError(_l("Enter a valid tax code: 10 digits, or 13 for a branch (0100109106-001)."))
            field.data = normalized
        elif self._for_organisation() and not self.org_foreign.data:
            raise FieldError(_l("Enter the organisation's tax code."))
