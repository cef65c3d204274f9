"""Forum boards and who may post in them (the forum's service does the work)."""
from flask_login import current_user

from app.admin import bp
from app.common.errors import keeps_input_on_expired_token
from app.common.rendering import form_page, run_form, see_other
from app.forum import services as forum
from app.forum.forms import BoardForm


@bp.route("/chuyen-muc", methods=["GET", "POST"])
@keeps_input_on_expired_token
def boards():
    """The boards, and a form that creates one."""
    form = BoardForm()
    done, board = run_form(form, lambda: forum.create_board(
        current_user, form.name.data, form.slug.data, form.description.data, form.post_policy.data))
    if done:
        return see_other("forum.board", slug=board.slug)
    return form_page("admin/boards.html", form=form, boards=forum.boards())
