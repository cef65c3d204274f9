"""Forum routes: boards, threads, posts, votes, follows, search, and the boards, badges and
dialogues administrators set up."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.errors import keeps_input_on_expired_token
from app.common.forms import ButtonForm
from app.common.moved import moved
from app.common.paging import requested_page
from app.common.params import id_arg
from app.common.permissions import is_moderator, login_required
from app.common.rendering import form_page, render, run_form, see_other, wants_fragment
from app.forum import bp, markup, services
from app.forum.forms import AnswerForm, EditForm, PostForm, QuestionForm, ThreadForm
from app.forum.models import Visibility

# Threads lived under /dien-dan/chu-de/, but "chu-de" is a topic everywhere else (/quan-tri/chu-de).
moved(bp, "/dien-dan/<slug>/chu-de-moi", "forum.new_thread", ("GET", "POST"))
moved(bp, "/dien-dan/chu-de/<id:thread_id>", "forum.thread")
moved(bp, "/dien-dan/chu-de/<id:thread_id>/tra-loi", "forum.reply", ("GET", "POST"))
moved(bp, "/dien-dan/chu-de/<id:thread_id>/giai-dap/<id:post_id>", "forum.mark_answer", ("POST",))
moved(bp, "/dien-dan/chu-de/<id:thread_id>/theo-doi", "forum.follow_thread", ("POST",))
# The forum's administration joined the one administration area.
moved(bp, "/dien-dan/quan-tri/chuyen-muc", "admin.boards", ("GET", "POST"))
moved(bp, "/dien-dan/quan-tri/huy-hieu", "admin.badges", ("GET", "POST"))
moved(bp, "/dien-dan/quan-tri/hoi-dap", "admin.dialogues", ("GET", "POST"))


def _board_or_404(slug: str):
    return services.board_by_slug(slug) or abort(404)


def _thread_or_404(thread_id: int):
    return services.get_thread(thread_id, current_user) or abort(404)


def _post_or_404(post_id: int):
    return services.visible_post(post_id, current_user) or abort(404)


def _flash_errors(form) -> None:
    """A button's refusal, said on the page the button leads back to."""
    flash(" ".join(message for _field_id, message in form.error_list), "error")


@bp.get("/dien-dan")
def index():
    """The list of boards."""
    return render("forum/index.html", boards=services.boards())


@bp.get("/dien-dan/<slug>")
def board(slug: str):
    """A board's threads, pinned first, a small page at a time."""
    item = _board_or_404(slug)
    return render("forum/board.html", "forum/_threads.html", board=item,
                  page=services.thread_page(item, requested_page(), current_user),
                  following=services.is_following(current_user, board=item), action_form=ButtonForm())


@bp.post("/dien-dan/<slug>/theo-doi")
@login_required
def follow_board(slug: str):
    """Follow a board (new threads come to the inbox), or stop following."""
    item = _board_or_404(slug)
    run_form(ButtonForm(), lambda: services.toggle_follow(current_user, board=item))
    return see_other("forum.board", slug=item.slug)


@bp.route("/dien-dan/<slug>/thao-luan-moi", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def new_thread(slug: str):
    """Start a thread, optionally about a published submission (?code= fills its tracking code)."""
    item = _board_or_404(slug)
    form = ThreadForm()
    if not form.is_submitted():
        form.submission_code.data = request.args.get("code", "")[:20]
    else:
        done, thread = run_form(form, lambda: services.create_thread(
            current_user, item, form.title.data, form.body.data, form.submission_code.data or ""))
        if done:
            if thread.status == Visibility.HELD:
                flash(_("Your thread waits for a moderator's approval before others can see it."))
            return see_other("forum.thread", thread_id=thread.id)
    return form_page("forum/new_thread.html", form=form, board=item)


@bp.get("/dien-dan/thao-luan/<id:thread_id>")
def thread(thread_id: int):
    """A thread, a small page of posts at a time; htmx's "load more" gets only the posts."""
    item = _thread_or_404(thread_id)
    if item.is_dialogue:
        return _dialogue(item, QuestionForm(formdata=None))
    page = services.post_page(item, requested_page(), current_user)
    last_read = services.mark_read(current_user, item) if not wants_fragment() else None
    return render("forum/thread.html", "forum/_posts.html", thread=item, page=page, last_read=last_read,
                  form=PostForm(formdata=None), action_form=ButtonForm(),
                  following=services.is_following(current_user, thread=item), about=services.submission_shown(item),
                  replies=services.reply_offer(current_user, item), moderates=is_moderator(current_user))


def _dialogue(item, form):
    """A dialogue's page: its panel, and the questions most voted (or, once closed, answered) first."""
    members = services.panel(item)
    return form_page("forum/dialogue.html", "forum/_questions.html", form=form, thread=item,
                     page=services.question_page(item, requested_page(), current_user),
                     opening=services.opening_post(item), panel=members,
                     panel_badges=services.badges_for([m.user for m in members]),
                     answer_form=AnswerForm(formdata=None), action_form=ButtonForm(),
                     following=services.is_following(current_user, thread=item), about=services.submission_shown(item),
                     moderates=is_moderator(current_user))


@bp.get("/dien-dan/thao-luan/<id:thread_id>/tra-loi")
@login_required
def reply_form(thread_id: int):
    """The reply form on its own page; ?quote= starts it with a quote of that post."""
    item = _thread_or_404(thread_id)
    form = PostForm(formdata=None)
    quoted = services.quotable_post(item, id_arg("quote"))
    if quoted:
        form.body.data = markup.quote(quoted.body_source, quoted.author.display_name)
        form.quote_of.data = str(quoted.id)
    return render("forum/reply.html", form=form, thread=item)


@bp.post("/dien-dan/thao-luan/<id:thread_id>/tra-loi")
@login_required
@keeps_input_on_expired_token
def reply(thread_id: int):
    """Post a reply (or, in a dialogue, a question)."""
    item = _thread_or_404(thread_id)
    form = QuestionForm() if item.is_dialogue else PostForm()
    done, post = run_form(form, lambda: services.reply(current_user, item, form.body.data, form.data.get("quote_of")))
    if done:
        if post.status == Visibility.HELD:
            flash(_("Your post waits for a moderator's approval before others can see it."))
        return see_other("forum.post", post_id=post.id)
    if item.is_dialogue:
        return _dialogue(item, form)
    return form_page("forum/reply.html", form=form, thread=item)


@bp.get("/dien-dan/bai/<id:post_id>")
def post(post_id: int):
    """Go to the page of the thread that holds this post."""
    item = _post_or_404(post_id)
    page = None if item.thread.is_dialogue else services.page_of_post(item)
    return see_other("forum.thread", thread_id=item.thread_id, page=page if page and page > 1 else None,
                     _anchor=f"p{item.id}")


@bp.route("/dien-dan/bai/<id:post_id>/sua", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def edit(post_id: int):
    """Edit my post within the time allowed; a moderator's edit of someone's post is theirs to log."""
    item = _post_or_404(post_id)
    rights = services.rights_for(current_user, [item], item.thread)[item.id]
    if rights.revise:
        return redirect(url_for("moderation.edit", post_id=item.id), 303 if request.method == "GET" else 307)
    if not rights.edit:
        abort(403)
    form = EditForm(data={"body": item.body_source} if request.method == "GET" else None)
    if form.is_submitted():
        done, _post = run_form(form, lambda: services.edit_post(current_user, item, form.body.data))
        if done:
            return see_other("forum.post", post_id=item.id)
    return form_page("forum/edit.html", form=form, post=item)


@bp.post("/dien-dan/bai/<id:post_id>/xoa")
@login_required
def delete(post_id: int):
    """Delete my own post (a placeholder stays so the thread still reads)."""
    item = _post_or_404(post_id)
    form = ButtonForm()
    done, _result = run_form(form, lambda: services.delete_own_post(current_user, item))
    if not done:
        _flash_errors(form)
    return see_other("forum.thread", thread_id=item.thread_id)


@bp.post("/dien-dan/bai/<id:post_id>/binh-chon")
@login_required
def vote(post_id: int):
    """Vote for a post or take the vote back; htmx swaps just the button."""
    item = _post_or_404(post_id)
    form = ButtonForm()
    done, voted = run_form(form, lambda: services.toggle_vote(current_user, item))
    if wants_fragment():
        voted = voted if done else services.has_voted(current_user, item)
        return render("forum/_vote.html", post=item, voted=voted, action_form=ButtonForm())
    if not done:
        _flash_errors(form)
    return see_other("forum.post", post_id=item.id)


@bp.post("/dien-dan/thao-luan/<id:thread_id>/giai-dap/<id:post_id>")
@login_required
def mark_answer(thread_id: int, post_id: int):
    """The thread's author or an official marks the post that settles the question."""
    item = _thread_or_404(thread_id)
    target = _post_or_404(post_id)
    run_form(ButtonForm(), lambda: services.mark_answer(current_user, item, target))
    return see_other("forum.post", post_id=target.id)


@bp.post("/dien-dan/thao-luan/<id:thread_id>/theo-doi")
@login_required
def follow_thread(thread_id: int):
    """Follow a thread (replies come to the inbox), or stop following."""
    item = _thread_or_404(thread_id)
    run_form(ButtonForm(), lambda: services.toggle_follow(current_user, thread=item))
    return see_other("forum.thread", thread_id=item.id)


@bp.post("/dien-dan/bai/<id:post_id>/tra-loi-cau-hoi")
@login_required
@keeps_input_on_expired_token
def answer(post_id: int):
    """A panel member answers a dialogue question in place."""
    question = _post_or_404(post_id)
    form = AnswerForm()
    done, _answer = run_form(form, lambda: services.answer_question(current_user, question, form.body.data))
    if not done:
        _flash_errors(form)
    return see_other("forum.thread", thread_id=question.thread_id, _anchor=f"p{question.id}")


@bp.get("/dien-dan/hop-thu")
def inbox():
    """The forum's inbox became the one inbox of the account; old links still arrive there."""
    return redirect(url_for("notify.inbox"), 301)


@bp.get("/dien-dan/tim-kiem")
def search():
    """Search threads and posts; diacritics are optional ("chuyen doi so")."""
    query = request.args.get("q", "")[:200]
    page = services.search(query, requested_page())
    return render("forum/search.html", "forum/_search_results.html", query=query, page=page)
