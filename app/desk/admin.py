"""The administrators' area: staff accounts and roles, agencies, topics, deadline rules."""
import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.common.roles import Role
from app.agencies.models import Agency
from app.common.errors import ValidationError
from app.common.permissions import role_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.common.text import clean_line
from app.desk import bp, services
from app.submissions import deadlines
from app.desk.forms import AgencyForm, DeadlineRuleForm, StaffForm, TopicForm
from app.submissions.models import DeadlineRule
from app.extensions import db
from app.submissions.models import Topic
from app.submissions.states import Kind

STAFF_ROLES = (Role.COORDINATOR, Role.OFFICER, Role.LEAD, Role.MODERATOR, Role.ADMIN)


@bp.get("/quan-tri")
@role_required(Role.ADMIN)
def admin_index():
    """The administrators' start page."""
    return render("desk/admin/index.html")


def _staff_form(user=None) -> StaffForm:
    form = StaffForm(obj=user) if user else StaffForm()
    form.role.choices = [(role, role) for role in STAFF_ROLES]
    form.agency_id.choices = services.agency_choices(str(get_locale()), _("No agency"))
    return form


@bp.route("/quan-tri/can-bo", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_staff():
    """Staff accounts: the list, and a form that creates one."""
    mark_personal()
    form = _staff_form()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User).where(User.email == email)):
            form.email.errors.append(_("An account with this e-mail address already exists."))
        else:
            user = User(email=email)
            _apply_staff(user, form)
            user.set_password(form.password.data or secrets.token_urlsafe(12), current_app.config.get("PASSWORD_HASH_METHOD"))
            db.session.add(user)
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("desk.admin_staff"), 303)
    staff = db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.full_name)).all()
    return render("desk/admin/staff.html", form=form, staff=staff, status=422 if form.errors else 200)


@bp.route("/quan-tri/can-bo/<id:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_staff_edit(user_id: int):
    """Change a staff member's role, agency or access."""
    mark_personal()
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        abort(404)
    form = _staff_form(user)
    if form.validate_on_submit():
        _apply_staff(user, form)
        if form.password.data:
            user.set_password(form.password.data, current_app.config.get("PASSWORD_HASH_METHOD"))
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("desk.admin_staff"), 303)
    return render("desk/admin/staff_edit.html", form=form, user=user, status=422 if form.errors else 200)


def _apply_staff(user: User, form: StaffForm) -> None:
    user.full_name = clean_line(form.full_name.data)
    user.role, user.agency_id, user.active = form.role.data, form.agency_id.data, bool(form.active.data)


@bp.route("/quan-tri/han-xu-ly", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_deadlines():
    """Working days to classify and to answer, per kind of submission."""
    kind = request.form.get("kind") if request.method == "POST" else None
    forms = {}
    for each in Kind.ALL:
        rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == each))
        data = dict(classify_days=deadlines.classify_days(each), answer_days=deadlines.answer_days(each))
        forms[each] = DeadlineRuleForm(prefix=each, data=data) if each == kind else DeadlineRuleForm(
            formdata=None, prefix=each, data=data)
        if each == kind and forms[each].validate():
            rule = rule or DeadlineRule(kind=each)
            rule.classify_days, rule.answer_days = forms[each].classify_days.data, forms[each].answer_days.data
            db.session.add(rule)
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("desk.admin_deadlines"), 303)
    status = 422 if kind in forms and forms[kind].errors else 200
    return render("desk/admin/deadlines.html", forms=forms, status=status)


@bp.route("/quan-tri/co-quan", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_agencies():
    """Agencies: the list, and a form that adds one."""
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            services.add_with_unique_key(Agency, "code", clean_line(form.code.data).upper(),
                                         name=clean_line(form.name.data), level=form.level.data)
        except ValidationError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Saved."))
            return redirect(url_for("desk.admin_agencies"), 303)
    agencies = db.session.scalars(select(Agency).order_by(Agency.level, Agency.name)).all()
    return render("desk/admin/agencies.html", form=form, agencies=agencies, status=422 if form.errors else 200)


@bp.route("/quan-tri/chu-de", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_topics():
    """Topics: the tree, and a form that adds one."""
    form = TopicForm()
    roots = db.session.scalars(select(Topic).where(Topic.parent_id.is_(None)).order_by(Topic.position)).all()
    form.parent_id.choices = [("", _("None (a top-level topic)"))] + [(t.id, t.name) for t in roots]
    if form.validate_on_submit():
        try:
            services.add_with_unique_key(Topic, "slug", clean_line(form.slug.data).lower(),
                                         name=clean_line(form.name.data), parent_id=form.parent_id.data)
        except ValidationError as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Saved."))
            return redirect(url_for("desk.admin_topics"), 303)
    topics = db.session.scalars(select(Topic).order_by(Topic.parent_id.is_not(None), Topic.position)).all()
    return render("desk/admin/topics.html", form=form, topics=topics, status=422 if form.errors else 200)
