"""Policy dialogues: schedule one and seat its panel (the forum's service does the work)."""
from flask_login import current_user

from app.admin import bp
from app.common.errors import keeps_input_on_expired_token
from app.common.rendering import form_page, run_form, see_other
from app.forum import services as forum
from app.forum.forms import DialogueForm


@bp.route("/doi-thoai", methods=["GET", "POST"])
@keeps_input_on_expired_token
def dialogues():
    """Schedule a policy dialogue in a board and name its panel."""
    form = DialogueForm()
    form.board_id.choices = [(board.id, board.name) for board in forum.boards()]
    done, thread = run_form(form, lambda: forum.create_dialogue(
        current_user, form.board_id.data, form.title.data, form.body.data, form.starts_at.data,
        form.ends_at.data, [line for line in form.panel.data.splitlines() if line.strip()]))
    if done:
        return see_other("forum.thread", thread_id=thread.id)
    return form_page("admin/dialogues.html", form=form)
