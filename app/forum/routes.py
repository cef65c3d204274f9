"""Forum routes: boards, threads, posts, votes, follows, search and administration."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.forms import ButtonForm
from app.common.errors import ValidationError, keeps_input_on_expired_token
from app.common.permissions import can_mark_answer, is_moderator, login_required, role_required
from app.common.rendering import render, wants_fragment
from app.extensions import db
from app.forum import bp, markup, services
from app.forum.forms import AnswerForm, BadgeForm, BoardForm, DialogueForm, EditForm, PostForm, QuestionForm, ThreadForm
from app.forum.models import Post
from app.moderation import services as moderation


@bp.app_context_processor
def forum_helpers():
    return {"forum_suspension": lambda: moderation.active_suspension(current_user),
            "suspension_reason": moderation.suspension_reason,
            "is_moderator": lambda: is_moderator(current_user),
            "forum_discussions": lambda submission: services.threads_for_submission(submission.id)}


@bp.app_template_filter("clean_name")
def clean_name(name: str) -> str:
    """Names are cleaned when accounts are saved; this also covers rows from imports and old data."""
    return markup.clean_line(name)


def _page_arg() -> int | None:
    return request.args.get("page", type=int)


def _board_or_404(slug: str):
    return services.board_by_slug(slug) or abort(404)


def _thread_or_404(thread_id: int):
    return services.get_thread(thread_id, current_user) or abort(404)


def _post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id) if services.valid_id(post_id) else None
    if post is None or services.get_thread(post.thread_id, current_user) is None:
        abort(404)
    return post


def _field_error(form, error: ValidationError) -> None:
    field = form[error.field] if error.field and error.field in form else None
    if field is None:
        flash(error.message, "error")
    else:
        field.errors = list(field.errors) + [error.message]


@bp.get("/dien-dan")
def index():
    """The list of boards."""
    return render("forum/index.html", boards=services.boards())


@bp.get("/dien-dan/<slug>")
def board(slug: str):
    """A board's threads, pinned first, a small page at a time."""
    item = _board_or_404(slug)
    page = services.thread_page(item, _page_arg(), current_user)
    return render("forum/board.html", "forum/_threads.html", board=item, page=page,
                  following=services.is_following(current_user, board=item), action_form=ButtonForm())


@bp.post("/dien-dan/<slug>/theo-doi")
@login_required
def follow_board(slug: str):
    """Follow a board (new threads come to the inbox), or stop following."""
    item = _board_or_404(slug)
    if ButtonForm().validate_on_submit():
        services.toggle_follow(current_user, board=item)
    return redirect(url_for("forum.board", slug=slug), 303)


@bp.route("/dien-dan/<slug>/chu-de-moi", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def new_thread(slug: str):
    """Start a thread, optionally about a published submission."""
    item = _board_or_404(slug)
    form = ThreadForm()
    if request.method == "GET" and request.args.get("code"):
        form.submission_code.data = request.args.get("code", "")[:20]
    if form.validate_on_submit():
        try:
            submission = services.published_submission(form.submission_code.data) if form.submission_code.data else None
            thread = services.create_thread(current_user, item, form.title.data, form.body.data,
                                            submission.id if submission else None)
        except ValidationError as error:
            _field_error(form, error)
        else:
            if thread.status == "held":
                flash(_("Your thread waits for a moderator's approval before others can see it."))
            return redirect(url_for("forum.thread", thread_id=thread.id), 303)
    return render("forum/new_thread.html", form=form, board=item, status=422 if form.errors else 200)


@bp.get("/dien-dan/chu-de/<id:thread_id>")
def thread(thread_id: int):
    """A thread, a small page of posts at a time; htmx's "load more" gets only the posts."""
    item = _thread_or_404(thread_id)
    if item.is_dialogue:
        return _dialogue(item)
    page = services.post_page(item, _page_arg(), current_user)
    last_read = services.mark_read(current_user, item) if not wants_fragment() else None
    context = dict(thread=item, page=page, last_read=last_read, form=PostForm(formdata=None),
                   action_form=ButtonForm(), following=services.is_following(current_user, thread=item),
                   can_mark=can_mark_answer(current_user, item))
    return render("forum/thread.html", "forum/_posts.html", **context)


def _dialogue(item, question_form=None, status=200):
    page = services.question_page(item, _page_arg(), current_user)
    members = services.panel(item)
    return render("forum/dialogue.html", "forum/_questions.html", thread=item, page=page,
                  opening=services.opening_post(item), panel=members,
                  panel_badges=services.badges_for([m.user for m in members]),
                  is_panelist=services.is_panelist(current_user, item),
                  form=question_form or QuestionForm(formdata=None), answer_form=AnswerForm(formdata=None),
                  action_form=ButtonForm(), status=status)


@bp.get("/dien-dan/chu-de/<id:thread_id>/tra-loi")
@login_required
def reply_form(thread_id: int):
    """The reply form on its own page; ?quote= starts it with a quote of that post."""
    item = _thread_or_404(thread_id)
    form = PostForm(formdata=None)
    quote_id = request.args.get("quote", 0, type=int) or 0
    quoted = db.session.get(Post, quote_id) if services.valid_id(quote_id) else None
    if quoted and quoted.thread_id == item.id and quoted.status == "published":
        form.body.data = markup.quote(quoted.body_source, quoted.author.display_name)
        form.quote_of.data = str(quoted.id)
    return render("forum/reply.html", form=form, thread=item)


@bp.post("/dien-dan/chu-de/<id:thread_id>/tra-loi")
@login_required
@keeps_input_on_expired_token
def reply(thread_id: int):
    """Post a reply (or, in a dialogue, a question)."""
    item = _thread_or_404(thread_id)
    form = QuestionForm() if item.is_dialogue else PostForm()
    if form.validate_on_submit():
        quote_of = form.quote_of.data if "quote_of" in form else ""
        try:
            quote_id = int(quote_of) if str(quote_of).isdigit() and services.valid_id(int(quote_of)) else None
            post = services.reply(current_user, item, form.body.data, quote_id)
        except ValidationError as error:
            _field_error(form, error)
        else:
            if post.status == "held":
                flash(_("Your post waits for a moderator's approval before others can see it."))
            return redirect(url_for("forum.post", post_id=post.id), 303)
    if item.is_dialogue:
        return _dialogue(item, form, 422)
    return render("forum/reply.html", form=form, thread=item, status=422)


@bp.get("/dien-dan/bai/<id:post_id>")
def post(post_id: int):
    """Go to the page of the thread that holds this post."""
    item = _post_or_404(post_id)
    thread = services.get_thread(item.thread_id, current_user)
    page = None if thread.is_dialogue else services.page_of_post(item)
    target = url_for("forum.thread", thread_id=item.thread_id, page=page if page and page > 1 else None)
    return redirect(f"{target}#p{item.id}", 303)


@bp.route("/dien-dan/bai/<id:post_id>/sua", methods=["GET", "POST"])
@login_required
@keeps_input_on_expired_token
def edit(post_id: int):
    """Edit my post within the time allowed; moderators edit with a note."""
    item = _post_or_404(post_id)
    if not services.can_edit(current_user, item):
        abort(403)
    form = EditForm(obj=None, data={"body": item.body_source} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_post(current_user, item, form.body.data, form.rule.data or "", form.note.data or "")
        except ValidationError as error:
            _field_error(form, error)
        else:
            return redirect(url_for("forum.post", post_id=item.id), 303)
    return render("forum/edit.html", form=form, post=item, by_moderator=item.author_id != current_user.id,
                  status=422 if form.errors else 200)


@bp.post("/dien-dan/bai/<id:post_id>/xoa")
@login_required
def delete(post_id: int):
    """Delete my own post (a placeholder stays so the thread still reads)."""
    item = _post_or_404(post_id)
    if ButtonForm().validate_on_submit():
        try:
            services.delete_own_post(current_user, item)
        except ValidationError as error:
            flash(error.message, "error")
    return redirect(url_for("forum.thread", thread_id=item.thread_id), 303)


@bp.post("/dien-dan/bai/<id:post_id>/binh-chon")
@login_required
def vote(post_id: int):
    """Vote for a post or take the vote back; htmx swaps just the button."""
    item = _post_or_404(post_id)
    voted = services.has_voted(current_user, item)
    if ButtonForm().validate_on_submit():
        try:
            voted = services.toggle_vote(current_user, item)
        except ValidationError as error:
            if not wants_fragment():
                flash(error.message, "error")
        db.session.refresh(item)
    if wants_fragment():
        return render("forum/_vote.html", post=item, voted=voted, action_form=ButtonForm())
    return redirect(url_for("forum.post", post_id=item.id), 303)


@bp.post("/dien-dan/chu-de/<id:thread_id>/giai-dap/<id:post_id>")
@login_required
def mark_answer(thread_id: int, post_id: int):
    """The thread's author or an official marks the post that settles the question."""
    item = _thread_or_404(thread_id)
    target = _post_or_404(post_id)
    if ButtonForm().validate_on_submit():
        services.mark_answer(current_user, item, target)
    return redirect(url_for("forum.post", post_id=target.id), 303)


@bp.post("/dien-dan/chu-de/<id:thread_id>/theo-doi")
@login_required
def follow_thread(thread_id: int):
    """Follow a thread (replies come to the inbox), or stop following."""
    item = _thread_or_404(thread_id)
    if ButtonForm().validate_on_submit():
        services.toggle_follow(current_user, thread=item)
    return redirect(url_for("forum.thread", thread_id=item.id), 303)


@bp.post("/dien-dan/bai/<id:post_id>/tra-loi-cau-hoi")
@login_required
@keeps_input_on_expired_token
def answer(post_id: int):
    """A panel member answers a dialogue question in place."""
    question = _post_or_404(post_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_question(current_user, question, form.body.data)
        except ValidationError as error:
            flash(error.message, "error")
    return redirect(url_for("forum.thread", thread_id=question.thread_id) + f"#p{question.id}", 303)


@bp.get("/dien-dan/hop-thu")
def inbox():
    """The forum's inbox became the one inbox of the account; old links still arrive there."""
    return redirect(url_for("notify.inbox"), 301)


@bp.get("/dien-dan/tim-kiem")
def search():
    """Search threads and posts; diacritics are optional ("chuyen doi so")."""
    query = request.args.get("q", "")[:200]
    page = services.search(query, _page_arg())
    return render("forum/search.html", "forum/_search_results.html", query=query, page=page)


@bp.route("/dien-dan/quan-tri/chuyen-muc", methods=["GET", "POST"])
@role_required("admin")
@keeps_input_on_expired_token
def admin_boards():
    """Administrators create boards."""
    form = BoardForm()
    if form.validate_on_submit():
        try:
            item = services.create_board(current_user, form.name.data, form.slug.data, form.description.data,
                                         form.post_policy.data)
        except ValidationError as error:
            _field_error(form, error)
        else:
            return redirect(url_for("forum.board", slug=item.slug), 303)
    return render("forum/admin_boards.html", form=form, boards=services.boards(), status=422 if form.errors else 200)


@bp.route("/dien-dan/quan-tri/huy-hieu", methods=["GET", "POST"])
@role_required("admin")
@keeps_input_on_expired_token
def admin_badges():
    """Administrators grant the expert and identity-verified badges."""
    form = BadgeForm()
    if form.validate_on_submit():
        try:
            services.grant_badge(current_user, form.email.data, form.kind.data, form.label.data)
        except ValidationError as error:
            _field_error(form, error)
        else:
            flash(_("The badge is granted."))
            return redirect(url_for("forum.admin_badges"), 303)
    return render("forum/admin_badges.html", form=form, status=422 if form.errors else 200)


@bp.route("/dien-dan/quan-tri/hoi-dap", methods=["GET", "POST"])
@role_required("admin")
@keeps_input_on_expired_token
def admin_dialogue():
    """Administrators schedule a policy dialogue and name its panel."""
    form = DialogueForm()
    form.board_id.choices = [(b.id, b.name) for b in services.boards()]
    if form.validate_on_submit():
        try:
            item = services.create_dialogue(current_user, db.session.get(services.Board, form.board_id.data),
                                            form.title.data, form.body.data, form.starts_at.data, form.ends_at.data,
                                            [line for line in form.panel.data.splitlines() if line.strip()])
        except ValidationError as error:
            _field_error(form, error)
        else:
            return redirect(url_for("forum.thread", thread_id=item.id), 303)
    return render("forum/admin_dialogue.html", form=form, status=422 if form.errors else 200)
