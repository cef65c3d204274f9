"""My notification settings: channels, immediate or daily digest per kind, quiet hours for
SMS, and the places and topics I watch (area and topic alerts)."""
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import Optional

from app.accounts import bp
from app.common import places
from app.common.forms import BaseForm, ButtonForm, optional_int
from app.common.permissions import login_required
from app.common.rendering import form_page, run_form, see_other
from app.common.security import mark_personal
from app.notify import preferences
from app.submissions import alerts, topics

SETTINGS_PAGE, SETTINGS_FRAGMENT = "accounts/notification_settings.html", "accounts/_notification_settings.html"


class SettingsForm(BaseForm):
    email = BooleanField(_l("By e-mail"))
    sms = BooleanField(_l("By SMS (to your verified phone)"))
    quiet_start = StringField(_l("No SMS from"))
    quiet_end = StringField(_l("until"))


def settings_form(user, formdata=None) -> SettingsForm:
    """The form with one choice per kind this person can receive, filled from their settings."""
    kinds = preferences.kinds_for(user)

    class Form(SettingsForm):
        pass

    for kind in kinds:
        choices = [(mode, preferences.MODE_LABELS[mode]) for mode in preferences.KINDS[kind].modes]
        setattr(Form, f"mode_{kind}", RadioField(preferences.KINDS[kind].label, choices=choices))
    stored = preferences.settings_for(user)
    form = Form(formdata=formdata, email=stored.email, sms=stored.sms, quiet_start=stored.quiet_start,
                quiet_end=stored.quiet_end, **{f"mode_{kind}": stored.mode(kind) for kind in kinds})
    form.kinds = kinds
    return form


class WatchForm(BaseForm):
    province_code = SelectField(_l("Province or city"), coerce=optional_int, validators=[Optional()])
    ward_code = SelectField(_l("Commune or ward"), coerce=optional_int, validators=[Optional()], validate_choice=False)
    topic_id = SelectField(_l("or a topic"), coerce=optional_int, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", _l("Choose a province"))] + places.provinces()
        self.ward_code.choices = [("", _l("Whole province"))] + places.wards(self.province_code.data)
        self.topic_id.choices = topics.topic_choices(str(get_locale()), _("Choose a topic"))


def _page(form=None, watch_form=None):
    form = form or settings_form(current_user)
    province = request.args.get("province_code", type=int)
    watch_form = watch_form or WatchForm(formdata=None, province_code=province)
    status_form = watch_form if watch_form.errors else form
    return form_page(SETTINGS_PAGE, SETTINGS_FRAGMENT, form=status_form, settings=form, watch_form=watch_form,
                     watched=alerts.subscriptions(current_user), button_form=ButtonForm(),
                     can_sms=preferences.can_sms(current_user))


@bp.route("/tai-khoan/thong-bao/cai-dat", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Choose how each kind of notification reaches me; POST saves (303), bad input answers 422."""
    mark_personal()
    if request.method == "GET":
        return _page()
    form = settings_form(current_user, formdata=request.form)
    done, _saved = run_form(form, lambda: preferences.save_settings(
        current_user, form.email.data, form.sms.data, form.quiet_start.data, form.quiet_end.data,
        {kind: form[f"mode_{kind}"].data for kind in form.kinds}), "quiet_start")
    if done:
        return see_other("accounts.notification_settings")
    return _page(form=form)


@bp.post("/tai-khoan/thong-bao/theo-doi")
@login_required
def watch():
    """Watch a province, a commune or a topic: new published submissions there come in the digest."""
    mark_personal()
    form = WatchForm()
    done, _item = run_form(form, lambda: alerts.subscribe(current_user, form.province_code.data,
                                                          form.ward_code.data, form.topic_id.data), "province_code")
    if done:
        return see_other("accounts.notification_settings")
    return _page(watch_form=form)


@bp.post("/tai-khoan/thong-bao/theo-doi/<id:subscription_id>/bo")
@login_required
def unwatch(subscription_id: int):
    """Stop watching a place or topic."""
    form = ButtonForm()
    if form.validate_on_submit():
        alerts.unsubscribe(current_user, subscription_id)
    return see_other("accounts.notification_settings")
