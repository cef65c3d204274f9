"""Working days allowed per kind of submission (the submission core's deadline rules)."""
from flask import flash, request
from flask_babel import gettext as _

from app.admin import bp
from app.admin.forms import DeadlineRuleForm
from app.common.rendering import form_status, render, see_other
from app.submissions import deadlines
from app.submissions.states import Kind


def _forms(posted_kind: str | None) -> dict[str, DeadlineRuleForm]:
    """One form per kind, showing the rule in force; only the posted one reads the request."""
    forms = {}
    for kind in Kind.ALL:
        data = dict(classify_days=deadlines.classify_days(kind), answer_days=deadlines.answer_days(kind))
        formdata = None if kind != posted_kind else request.form
        forms[kind] = DeadlineRuleForm(formdata=formdata, prefix=kind, data=data)
    return forms


@bp.route("/han-xu-ly", methods=["GET", "POST"])
def deadline_rules():
    """Working days to classify and to answer, per kind of submission."""
    posted = request.form.get("kind") if request.method == "POST" else None
    forms = _forms(posted)
    form = forms.get(posted)
    if form is not None and form.validate():
        deadlines.set_rule(posted, form.classify_days.data, form.answer_days.data)
        flash(_("Saved."))
        return see_other("admin.deadline_rules")
    return render("admin/deadlines.html", forms=forms, status=form_status(*forms.values()))
