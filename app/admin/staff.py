"""Staff accounts and their roles (the accounts area's service does the work)."""
from flask import abort, flash
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts import staff as accounts
from app.admin import bp
from app.admin.forms import StaffForm
from app.agencies.services import agency_choices
from app.common.rendering import form_page, run_form, see_other
from app.common.roles import role_label
from app.common.security import mark_personal


def _form(user=None) -> StaffForm:
    form = StaffForm(obj=user) if user else StaffForm()
    form.role.choices = [(role, role_label(role)) for role in accounts.STAFF_ROLES]
    form.agency_id.choices = agency_choices(str(get_locale()), _("No agency"))
    return form


def _values(form: StaffForm) -> dict:
    return dict(full_name=form.full_name.data, role=form.role.data, agency_id=form.agency_id.data,
                active=form.active.data, password=form.password.data)


@bp.route("/can-bo", methods=["GET", "POST"])
def staff():
    """Staff accounts: the list, and a form that creates one."""
    mark_personal()
    form = _form()
    done, _user = run_form(form, lambda: accounts.create_staff(form.email.data, **_values(form)))
    if done:
        flash(_("Saved."))
        return see_other("admin.staff")
    return form_page("admin/staff.html", form=form, staff=accounts.staff_members())


@bp.route("/can-bo/<id:user_id>", methods=["GET", "POST"])
def staff_edit(user_id: int):
    """Change a staff member's role, agency or access."""
    mark_personal()
    user = accounts.staff_member(user_id) or abort(404)
    form = _form(user)
    done, _user = run_form(form, lambda: accounts.update_staff(user, **_values(form)))
    if done:
        flash(_("Saved."))
        return see_other("admin.staff")
    return form_page("admin/staff_edit.html", form=form, user=user)
