"""Agencies that receive and answer submissions (the agencies area's service does the work)."""
from flask import flash
from flask_babel import gettext as _

from app.admin import bp
from app.admin.forms import AgencyForm
from app.agencies import services as agencies
from app.common.rendering import form_page, run_form, see_other


@bp.route("/co-quan", methods=["GET", "POST"])
def agencies_page():
    """Agencies: the list, and a form that adds one."""
    form = AgencyForm()
    done, _agency = run_form(form, lambda: agencies.add_agency(form.code.data, form.name.data, form.level.data))
    if done:
        flash(_("Saved."))
        return see_other("admin.agencies_page")
    return form_page("admin/agencies.html", form=form, agencies=agencies.all_agencies())
