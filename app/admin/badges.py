"""Forum badges: experts and verified identities (the forum's service does the work)."""
from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.common.errors import keeps_input_on_expired_token
from app.common.rendering import form_page, run_form, see_other
from app.forum import services as forum
from app.forum.forms import BadgeForm


@bp.route("/huy-hieu", methods=["GET", "POST"])
@keeps_input_on_expired_token
def badges():
    """Grant a badge to an account by its e-mail address."""
    form = BadgeForm()
    done, _badge = run_form(form, lambda: forum.grant_badge(
        current_user, form.email.data, form.kind.data, form.label.data))
    if done:
        flash(_("The badge is granted."))
        return see_other("admin.badges")
    return form_page("admin/badges.html", form=form)
