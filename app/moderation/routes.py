"""Moderation routes: flagging, the review queue, moderators' decisions and edits, the public
log, appeals, and the word list."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.errors import keeps_input_on_expired_token
from app.common.forms import ButtonForm
from app.common.moved import moved
from app.common.paging import requested_page
from app.common.permissions import login_required, role_required
from app.common.rendering import form_page, form_status, render, run_form, see_other
from app.common.roles import Role
from app.common.security import mark_personal
from app.forum import services as forum
from app.moderation import bp, services
from app.moderation.forms import (
    AppealForm,
    CannedReplyForm,
    FlagForm,
    ModeratorEditForm,
    RestrictForm,
    TrustForm,
    WordForm,
    decision_form,
)

# The kinds of item in a moderation address, and the target type each is logged as.
TARGETS = {"bai": "post", "thao-luan": "thread"}

# Threads were "chu-de" (a topic, elsewhere), and a decision was an "action" (hanh-dong).
moved(bp, "/kiem-duyet/bao-cao/chu-de/<id:target_id>", "moderation.flag", ("GET", "POST"), kind="thao-luan")
moved(bp, "/kiem-duyet/hanh-dong/chu-de/<id:target_id>", "moderation.decide", ("POST",), kind="thao-luan")
moved(bp, "/kiem-duyet/hanh-dong/bai/<id:target_id>", "moderation.decide", ("POST",), kind="bai")


def _target_or_404(kind: str, target_id: int):
    """A post or thread the current reader can see, and its target type."""
    target_type = TARGETS.get(kind) or abort(404)
    if target_type == "post":
        target = forum.visible_post(target_id, current_user)
    else:
        target = forum.get_thread(target_id, current_user)
    return target_type, target or abort(404)


def _back_to(target_type: str, target) -> str:
    if target_type == "post":
        return url_for("forum.post", post_id=target.id)
    return url_for("forum.thread", thread_id=target.id)


def _flash_errors(form) -> None:
    """A decision's refusal, said on the page the moderator goes back to."""
    flash(" ".join(message for _field_id, message in form.error_list), "error")


@bp.route("/kiem-duyet/bao-cao/<kind>/<id:target_id>", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def flag(kind: str, target_id: int):
    """Flag a post or a thread for moderators, with a reason; once per person per item."""
    target_type, target = _target_or_404(kind, target_id)
    back = _back_to(target_type, target)
    form = FlagForm()
    if form.is_submitted():
        done, item = run_form(form, lambda: services.flag(
            current_user, target_type, target.id, form.reason.data, form.note.data or ""), "reason")
        if done:
            flash(_("Thank you. Moderators will look at it.") if item else
                  _("You have already flagged this. Moderators will look at it."))
            return redirect(back, 303)
    return form_page("moderation/flag.html", form=form, kind=kind, target_id=target.id, back=back)


@bp.get("/kiem-duyet")
@role_required(*Role.MODERATORS)
def queue():
    """The review queue: held posts, flagged items with reasons and counts, appeals."""
    mark_personal()
    appeals = services.open_appeals()
    return render("moderation/queue.html", held=services.held_posts(), flagged=services.flagged_items(),
                  appeals=appeals, decidable=services.appeals_for(current_user, appeals),
                  form=decision_form(), button_form=ButtonForm())


@bp.post("/kiem-duyet/quyet-dinh/<kind>/<id:target_id>")
@role_required(*Role.MODERATORS)
def decide(kind: str, target_id: int):
    """Carry out a moderator's decision; every one is logged."""
    target_type, target = _target_or_404(kind, target_id)
    form = decision_form(submitted=True)
    done, _entry = run_form(form, lambda: services.decide(
        current_user, form.decision.data, target_type, target.id, form.rule.data or "", form.note.data or "",
        form.days.data, form.board_id.data, form.minutes.data, form.canned.data), "decision")
    if done:
        flash(_("Done: %(decision)s.", decision=services.decision_label(form.decision.data)))
    else:
        _flash_errors(form)
    queue_url = url_for("moderation.queue")
    return redirect(queue_url if request.form.get("back") == queue_url else _back_to(target_type, target), 303)


@bp.route("/kiem-duyet/bai/<id:post_id>/sua", methods=["GET", "POST"])
@role_required(*Role.MODERATORS)
@keeps_input_on_expired_token
def edit(post_id: int):
    """A moderator edits someone's post, citing the rule, with a note the author is told."""
    post = forum.visible_post(post_id, current_user) or abort(404)
    if not forum.rights_for(current_user, [post], post.thread)[post.id].revise:
        abort(403)
    form = ModeratorEditForm(data={"body": post.body_source} if request.method == "GET" else None)
    if form.is_submitted():
        done, _entry = run_form(form, lambda: services.edit_post(
            current_user, post, form.body.data, form.rule.data or "", form.note.data or ""))
        if done:
            return see_other("forum.post", post_id=post.id)
    return form_page("moderation/edit.html", form=form, post=post)


@bp.get("/kiem-duyet/nhat-ky")
def log():
    """The public moderation log: what was decided, when and under which rule; no one's data."""
    page = services.public_log(requested_page())
    return render("moderation/log.html", "moderation/_log.html", page=page)


@bp.route("/kiem-duyet/khang-nghi/<id:decision_id>", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def appeal(decision_id: int):
    """The author of a moderated item asks, once, for the decision to be reviewed."""
    entry = services.appealable_decision(current_user, decision_id) or abort(404)
    mark_personal()
    form = AppealForm()
    already = services.has_appealed(decision_id)
    if form.is_submitted() and not already:
        done, _appeal = run_form(form, lambda: services.appeal(current_user, decision_id, form.text.data), "text")
        if done:
            flash(_("Your appeal is sent. A moderator will review the decision."))
            return see_other("notify.inbox")
    return form_page("moderation/appeal.html", form=form, entry=entry, already=already)


@bp.post("/kiem-duyet/khang-nghi/<id:appeal_id>/quyet-dinh")
@role_required(*Role.MODERATORS)
def decide_appeal(appeal_id: int):
    """Accept an appeal (undo the decision) or refuse it; both are logged."""
    form = ButtonForm()
    done, _appeal = run_form(form, lambda: services.decide_appeal(
        current_user, appeal_id, request.form.get("outcome") == "overturn"))
    if not done:
        _flash_errors(form)
    return see_other("moderation.queue")


@bp.route("/kiem-duyet/tu-cam", methods=["GET", "POST"])
@role_required(*Role.MODERATORS)
@keeps_input_on_expired_token
def words():
    """Moderators keep the word filter's list; every change shows below it (who, when, what)."""
    form = WordForm()
    if form.is_submitted():
        done, _word = run_form(form, lambda: services.add_word(current_user, form.word.data), "word")
        if done:
            return see_other("moderation.words")
    mark_personal()  # the change log names moderators
    return form_page("moderation/words.html", form=form, items=services.words(), changes=services.word_changes(),
                     button_form=ButtonForm())


@bp.post("/kiem-duyet/tu-cam/<id:word_id>/xoa")
@role_required(*Role.MODERATORS)
def remove_word(word_id: int):
    """Take a word off the filter list."""
    run_form(ButtonForm(), lambda: services.remove_word(current_user, word_id))
    return see_other("moderation.words")


def _person_or_404(user_id: int):
    return services.find_person(user_id) or abort(404)


def _person_page(person, trust_form=None, restrict_form=None):
    mark_personal()
    trust_form = trust_form or TrustForm(formdata=None, prefix="trust")
    restrict_form = restrict_form or RestrictForm(formdata=None, prefix="restrict")
    return render("moderation/person.html", status=form_status(trust_form, restrict_form), person=person,
                  record=services.person_record(person), trust_form=trust_form, restrict_form=restrict_form)


@bp.get("/kiem-duyet/nguoi-dung/<id:user_id>")
@role_required(*Role.MODERATORS)
def person(user_id: int):
    """One person as moderators see them: posts, flags received and raised, decisions and
    restrictions, trust level; and the forms to silence, suspend or set the level."""
    return _person_page(_person_or_404(user_id))


@bp.post("/kiem-duyet/nguoi-dung/<id:user_id>/tin-cay")
@role_required(*Role.MODERATORS)
def set_trust(user_id: int):
    """Set a person's trust level by hand, or give it back to what they earn; logged."""
    item = _person_or_404(user_id)
    form = TrustForm(prefix="trust")
    done, _entry = run_form(form, lambda: services.set_trust(
        current_user, item, int(form.level.data) if form.level.data else None, form.note.data or ""), "level")
    if done:
        flash(_("Trust level saved."))
        return see_other("moderation.person", user_id=item.id)
    return _person_page(item, trust_form=form)


@bp.post("/kiem-duyet/nguoi-dung/<id:user_id>/han-che")
@role_required(*Role.MODERATORS)
def restrict(user_id: int):
    """Silence or suspend a person for some days; they are told why and may appeal."""
    item = _person_or_404(user_id)
    form = RestrictForm(prefix="restrict")
    done, _entry = run_form(form, lambda: services.restrict(
        current_user, item, form.kind.data, form.days.data, form.rule.data or "", form.note.data or ""), "kind")
    if done:
        flash(_("Done: %(decision)s.", decision=services.decision_label(form.kind.data)))
        return see_other("moderation.person", user_id=item.id)
    return _person_page(item, restrict_form=form)


@bp.route("/kiem-duyet/mau-tra-loi", methods=["GET", "POST"])
@role_required(*Role.MODERATORS)
@keeps_input_on_expired_token
def canned():
    """The saved replies moderators choose from in the decision form."""
    form = CannedReplyForm()
    if form.is_submitted():
        done, _reply = run_form(form, lambda: services.add_canned_reply(current_user, form.title.data,
                                                                        form.text.data), "title")
        if done:
            return see_other("moderation.canned")
    return form_page("moderation/canned.html", form=form, items=services.canned_replies(), button_form=ButtonForm())


@bp.post("/kiem-duyet/mau-tra-loi/<id:reply_id>/xoa")
@role_required(*Role.MODERATORS)
def remove_canned(reply_id: int):
    """Take a saved reply off the list."""
    run_form(ButtonForm(), lambda: services.remove_canned_reply(current_user, reply_id))
    return see_other("moderation.canned")


@bp.get("/kiem-duyet/bai/<id:post_id>/lich-su")
@role_required(*Role.MODERATORS)
def history(post_id: int):
    """Every earlier version of a post, each shown as the changes that led to the next."""
    post = forum.visible_post(post_id, current_user) or abort(404)
    mark_personal()
    return render("moderation/history.html", post=post, changes=forum.post_history(post))
