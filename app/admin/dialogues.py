"""Policy dialogues: schedule one and seat its panel (the forum's service does the work)."""
from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.common.errors import keeps_input_on_expired_token
from app.common.permissions import public_may_ask
from app.common.rendering import form_page, run_form, see_other
from app.forum import services as forum
from app.forum.forms import DialogueForm


@bp.route("/doi-thoai", methods=["GET", "POST"])
@keeps_input_on_expired_token
def dialogues():
    """Schedule a policy dialogue in a board and name its panel."""
    form = DialogueForm()
    boards = forum.boards()
    # An officials-only board is marked: the public asks in the dialogue, but nowhere else there.
    form.board_id.choices = [(board.id, board.name if public_may_ask(board) else
                              _("%(name)s (officials only)", name=board.name)) for board in boards]
    done, thread = run_form(form, lambda: forum.create_dialogue(
        current_user, form.board_id.data, form.title.data, form.body.data, form.starts_at.data,
        form.ends_at.data, [line for line in form.panel.data.splitlines() if line.strip()]))
    if done:
        if not public_may_ask(thread.board):
            flash(_("“%(board)s” is for officials only: the public can ask questions in this dialogue, "
                    "but cannot start threads or reply elsewhere in the board.", board=thread.board.name), "warning")
        return see_other("forum.thread", thread_id=thread.id)
    closed = [board.name for board in boards if not public_may_ask(board)]
    return form_page("admin/dialogues.html", form=form, closed_boards=closed)
