"""Moderation routes: flagging, the review queue, actions, the public log, appeals, the word list."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.forms import ButtonForm
from app.common import paging
from app.common.errors import Conflict, ValidationError, keeps_input_on_expired_token
from app.common.permissions import login_required, role_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.moderation import bp, services
from app.moderation.forms import ActionForm, AppealForm, FlagForm, WordForm
from app.moderation.models import FilterWord

TARGETS = {"bai": ("post", Post), "chu-de": ("thread", Thread)}


def _target_or_404(kind: str, target_id: int):
    """A post or thread the current reader can see, and its type name."""
    if kind not in TARGETS:
        abort(404)
    target_type, model = TARGETS[kind]
    target = db.session.get(model, target_id) if forum.valid_id(target_id) else None
    thread_id = target.thread_id if target_type == "post" and target else target_id
    if target is None or forum.get_thread(thread_id, current_user) is None:
        abort(404)
    return target_type, target


def _back_to(target_type: str, target) -> str:
    if target_type == "post":
        return url_for("forum.post", post_id=target.id)
    return url_for("forum.thread", thread_id=target.id)


@bp.route("/kiem-duyet/bao-cao/<kind>/<id:target_id>", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def flag(kind: str, target_id: int):
    """Flag a post or a thread for moderators, with a reason; once per person per item."""
    target_type, target = _target_or_404(kind, target_id)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag(current_user, target_type, target.id, form.reason.data, form.note.data or "")
        except ValidationError as error:
            form[error.field or "reason"].errors = list(form[error.field or "reason"].errors) + [error.message]
        except Conflict as error:
            flash(error.message)
            return redirect(_back_to(target_type, target), 303)
        else:
            flash(_("Thank you. Moderators will look at it."))
            return redirect(_back_to(target_type, target), 303)
    return render("moderation/flag.html", form=form, kind=kind, target_id=target.id, back=_back_to(target_type, target),
                  status=422 if form.errors else 200)


@bp.get("/kiem-duyet")
@role_required("moderator", "admin")
def queue():
    """The review queue: held posts, flagged items with reasons and counts, appeals."""
    mark_personal()
    return render("moderation/queue.html", held=services.held_posts(), flagged=services.flagged_items(),
                  appeals=services.open_appeals(), form=_action_form(), button_form=ButtonForm())


def _action_form(formdata=None) -> ActionForm:
    form = ActionForm(formdata=formdata) if formdata is not None else ActionForm(formdata=None)
    form.board_id.choices = [("", "")] + [(b.id, b.name) for b in forum.boards()]
    return form


@bp.post("/kiem-duyet/hanh-dong/<kind>/<id:target_id>")
@role_required("moderator", "admin")
def act(kind: str, target_id: int):
    """Carry out a moderator's action; every one is logged."""
    target_type, target = _target_or_404(kind, target_id)
    form = _action_form(request.form)
    if form.validate_on_submit():
        try:
            services.act(current_user, form.action.data, target_type, target.id, form.rule.data or "",
                         form.note.data or "", form.days.data, form.board_id.data, form.minutes.data)
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(_("Done: %(action)s.", action=services.action_label(form.action.data)))
    else:
        flash(" ".join(message for messages in form.errors.values() for message in messages), "error")
    return redirect(request.form.get("back") if request.form.get("back") == url_for("moderation.queue")
                    else _back_to(target_type, target), 303)


@bp.get("/kiem-duyet/nhat-ky")
def log():
    """The public moderation log: what was done, when and under which rule; no one's data."""
    page = services.public_log(paging.requested_page())
    return render("moderation/log.html", "moderation/_log.html", page=page)


@bp.route("/kiem-duyet/khang-nghi/<id:action_id>", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def appeal(action_id: int):
    """The author of a moderated item asks, once, for the decision to be reviewed."""
    entry = services.appealable_action(current_user, action_id) or abort(404)
    mark_personal()
    form = AppealForm()
    already = services.has_appealed(action_id)
    if not already and form.validate_on_submit():
        try:
            services.appeal(current_user, action_id, form.text.data)
        except ValidationError as error:
            form.text.errors = list(form.text.errors) + [error.message]
        except Conflict as error:
            flash(error.message)
            return redirect(url_for("notify.inbox"), 303)
        else:
            flash(_("Your appeal is sent. A moderator will review the decision."))
            return redirect(url_for("notify.inbox"), 303)
    return render("moderation/appeal.html", form=form, entry=entry, already=already, status=422 if form.errors else 200)


@bp.post("/kiem-duyet/khang-nghi/<id:appeal_id>/quyet-dinh")
@role_required("moderator", "admin")
def decide(appeal_id: int):
    """Accept an appeal (undo the decision) or refuse it; both are logged."""
    if ButtonForm().validate_on_submit():
        try:
            services.decide_appeal(current_user, appeal_id, request.form.get("outcome") == "overturn")
        except Conflict as error:
            flash(error.message, "error")
    return redirect(url_for("moderation.queue"), 303)


@bp.route("/kiem-duyet/tu-cam", methods=["GET", "POST"])
@role_required("admin")
@keeps_input_on_expired_token
def words():
    """Administrators edit the word filter's list."""
    form = WordForm()
    if form.validate_on_submit():
        try:
            services.add_word(current_user, form.word.data)
        except (ValidationError, Conflict) as error:
            form.word.errors = list(form.word.errors) + [error.message]
        else:
            return redirect(url_for("moderation.words"), 303)
    items = db.session.query(FilterWord).order_by(FilterWord.word).all()
    return render("moderation/words.html", form=form, items=items, button_form=ButtonForm(),
                  status=422 if form.errors else 200)


@bp.post("/kiem-duyet/tu-cam/<id:word_id>/xoa")
@role_required("admin")
def remove_word(word_id: int):
    """Take a word off the filter list."""
    if ButtonForm().validate_on_submit():
        services.remove_word(current_user, word_id)
    return redirect(url_for("moderation.words"), 303)


@bp.app_template_filter("reason_label")
def reason_label_filter(reason: str) -> str:
    return services.reason_label(reason)


@bp.app_template_filter("mod_action_label")
def action_label_filter(action: str) -> str:
    return services.action_label(action)


@bp.app_template_filter("hold_label")
def hold_label_filter(reason: str) -> str:
    return services.hold_label(reason)


@bp.app_context_processor
def moderation_helpers():
    return {"moderation_form": _action_form}
