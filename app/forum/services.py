"""Forum services: reading pages, writing threads and posts, votes, follows, search."""
import re
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Identity, User
from app.common import paging
from app.common.errors import PermissionDenied, ValidationError
from app.common.paging import Page
from app.common.permissions import can_mark_answer, can_post_in_board, is_moderator
from app.common.text import clean_block, search_key
from app.common.time import utcnow
from app.extensions import db
from app.forum import markup
from app.forum.markup import clean_line
from app.forum.models import Badge, Board, Follow, Panelist, Post, PostVote, Thread, ThreadRead, Visibility
from app.moderation import services as moderation
from app.notify import services as notify

POSTS_PER_PAGE = 10
THREADS_PER_PAGE = 15
MAX_BODY = 5000
MIN_BODY = 2
EDIT_WINDOW = timedelta(minutes=30)


def _page_number(page: int | None) -> int:
    return paging.page_number(page)


# Reading


def boards() -> list[Board]:
    return list(db.session.scalars(select(Board).order_by(Board.position, Board.id)))


def board_by_slug(slug: str) -> Board | None:
    if not re.fullmatch(r"[a-z0-9-]{1,64}", slug or ""):
        return None  # never hand the database a NUL or an overlong key
    return db.session.scalar(select(Board).where(Board.slug == slug))


def thread_page(board: Board, page: int | None, viewer) -> Page:
    number = _page_number(page)
    query = (select(Thread).where(Thread.board_id == board.id, _visible_threads(viewer))
             .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
             .limit(THREADS_PER_PAGE).offset((number - 1) * THREADS_PER_PAGE))
    threads = list(db.session.scalars(query))
    return Page.counted(threads, number, board.thread_count, THREADS_PER_PAGE, {"unread": unread_thread_ids(viewer, threads)})


def _visible_threads(viewer):
    if is_moderator(viewer):
        return Thread.status != Visibility.DELETED
    if viewer and viewer.is_authenticated:
        return or_(Thread.status == Visibility.PUBLISHED, and_(Thread.status == Visibility.HELD, Thread.author_id == viewer.id))
    return Thread.status == Visibility.PUBLISHED


def valid_id(value: int) -> bool:
    """An id a database integer can hold; a longer one in a URL is simply not found."""
    return 0 < value < 2**31


def get_thread(thread_id: int, viewer) -> Thread | None:
    thread = db.session.get(Thread, thread_id) if valid_id(thread_id) else None
    if thread is None or thread.status == Visibility.DELETED:
        return None
    if thread.status == Visibility.PUBLISHED or is_moderator(viewer):
        return thread
    if thread.status == Visibility.HELD and viewer and viewer.is_authenticated and thread.author_id == viewer.id:
        return thread
    return None


def _listed_posts(viewer):
    """Held posts show only to their author and moderators; hidden and deleted ones leave a
    placeholder so the numbering and the quotes around them still make sense."""
    if is_moderator(viewer):
        return True
    if viewer and viewer.is_authenticated:
        return or_(Post.status != Visibility.HELD, Post.author_id == viewer.id)
    return Post.status != Visibility.HELD


def post_page(thread: Thread, page: int | None, viewer) -> Page:
    """One small page of a thread, by the (thread_id, id) index: page 1 of 1,000 posts costs
    what page 1 of 10 costs."""
    number = _page_number(page)
    query = (select(Post).where(Post.thread_id == thread.id, _listed_posts(viewer)).order_by(Post.id)
             .limit(POSTS_PER_PAGE).offset((number - 1) * POSTS_PER_PAGE))
    posts = list(db.session.scalars(query))
    return Page.counted(posts, number, thread.post_count, POSTS_PER_PAGE, _post_extras(posts, viewer))


def question_page(thread: Thread, page: int | None, viewer) -> Page:
    """A dialogue's questions by votes; once it closes, answered questions come first."""
    number = _page_number(page)
    order = [Post.score.desc(), Post.id]
    if thread.dialogue_closed:
        order.insert(0, Post.answered_at.is_(None))
    questions = list(db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(False), Post.answer_to_id.is_(None),
                           _listed_posts(viewer)).order_by(*order)
        .limit(POSTS_PER_PAGE).offset((number - 1) * POSTS_PER_PAGE)))
    answers: dict[int, list[Post]] = {}
    if questions:
        for answer in db.session.scalars(select(Post).where(Post.answer_to_id.in_([q.id for q in questions]),
                                                            Post.status == Visibility.PUBLISHED).order_by(Post.id)):
            answers.setdefault(answer.answer_to_id, []).append(answer)
    total = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == thread.id, Post.is_opening.is_(False), Post.answer_to_id.is_(None), _listed_posts(viewer)))
    extras = _post_extras(questions + [a for group in answers.values() for a in group], viewer)
    extras["answers"] = answers
    return Page.counted(questions, number, total, POSTS_PER_PAGE, extras)


def page_of_post(post: Post) -> int:
    """The page of its thread a post is on, for links from the inbox and after a reply."""
    before = db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == post.thread_id,
                                                                           Post.id < post.id))
    return before // POSTS_PER_PAGE + 1


def has_voted(user, post: Post) -> bool:
    if not user or not user.is_authenticated:
        return False
    return db.session.scalar(select(PostVote.id).where(PostVote.post_id == post.id, PostVote.user_id == user.id)) is not None


def opening_post(thread: Thread) -> Post | None:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)).limit(1))


def _post_extras(posts: list[Post], viewer) -> dict:
    """Badges, the viewer's votes: one query each for the whole page, never one per post."""
    voted: set[int] = set()
    if viewer and viewer.is_authenticated and posts:
        voted = set(db.session.scalars(select(PostVote.post_id).where(
            PostVote.user_id == viewer.id, PostVote.post_id.in_([p.id for p in posts]))))
    return {"badges": badges_for([p.author for p in posts]), "voted": voted}


def badges_for(users) -> dict[int, list[tuple[str, str]]]:
    """(kind, label) badges by user id: agency official, expert, organisation, verified."""
    users = {user.id: user for user in users if user is not None}
    result: dict[int, list[tuple[str, str]]] = {uid: [] for uid in users}
    if not users:
        return result
    granted = db.session.execute(select(Badge.user_id, Badge.kind, Badge.label).where(Badge.user_id.in_(users))).all()
    strong_ids = set(db.session.scalars(select(Identity.user_id).where(Identity.user_id.in_(users), Identity.assurance_level >= 2)))
    for uid, user in users.items():
        if user.is_staff and user.agency:
            result[uid].append(("official", user.agency.name))
        if user.is_organisation:
            result[uid].append(("organisation", user.org_name or ""))
    for uid, kind, label in granted:
        result[uid].append((kind, label))
    for uid in strong_ids:
        if not any(kind == "verified" for kind, _label in result[uid]):
            result[uid].append(("verified", ""))
    return result


def is_expert(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return db.session.scalar(select(Badge.id).where(Badge.user_id == user.id, Badge.kind == "expert")) is not None


def is_panelist(user, thread: Thread) -> bool:
    if not user or not user.is_authenticated:
        return False
    return db.session.scalar(select(Panelist.id).where(Panelist.thread_id == thread.id, Panelist.user_id == user.id)) is not None


def panel(thread: Thread) -> list[Panelist]:
    return list(db.session.scalars(select(Panelist).where(Panelist.thread_id == thread.id).order_by(Panelist.id)))


# Unread markers


def unread_thread_ids(viewer, threads: list[Thread]) -> set[int]:
    if not viewer or not viewer.is_authenticated or not threads:
        return set()
    read = dict(db.session.execute(select(ThreadRead.thread_id, ThreadRead.read_at).where(
        ThreadRead.user_id == viewer.id, ThreadRead.thread_id.in_([t.id for t in threads]))).all())
    return {t.id for t in threads if t.id not in read or t.last_post_at > read[t.id]}


def mark_read(viewer, thread: Thread):
    """Remember that the viewer has read the thread; return when they last had, to mark what is new."""
    if not viewer or not viewer.is_authenticated:
        return None
    row = db.session.scalar(select(ThreadRead).where(ThreadRead.user_id == viewer.id, ThreadRead.thread_id == thread.id))
    previous = row.read_at if row else None
    if row is None:
        db.session.add(ThreadRead(user_id=viewer.id, thread_id=thread.id, read_at=utcnow()))
    else:
        row.read_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # two tabs opened the thread at once; either mark will do
        db.session.rollback()
    return previous


# Writing


def _clean_body(body: str) -> str:
    body = clean_block(markup.strip_controls(body))
    if len(body) < MIN_BODY:
        raise ValidationError("body", _("Write your post."))
    if len(body) > MAX_BODY:
        raise ValidationError("body", _("A post can be at most %(max)s characters; yours has %(n)s.",
                                        max=f"{MAX_BODY:,}", n=f"{len(body):,}"))
    if markup.quote_depth(body) > markup.MAX_QUOTE_DEPTH:
        raise ValidationError("body", _("Quotes can be nested at most %(n)d deep.", n=markup.MAX_QUOTE_DEPTH))
    return body


def _clean_title(title: str) -> str:
    title = clean_line(title)
    if not 5 <= len(title) <= 200:
        raise ValidationError("title", _("The title must be 5 to 200 characters long."))
    return title


def _ensure_can_write(user, board: Board) -> None:
    if not user or not user.is_authenticated:
        raise PermissionDenied()
    moderation.ensure_not_suspended(user)
    if not can_post_in_board(user, board, is_expert(user)):
        raise PermissionDenied(_("Only officials and experts post in this board."))


def _new_post(user, thread: Thread | None, body: str, extra_text: str = "", **values) -> Post:
    key = search_key(body)
    moderation.check_posting_limits(user, thread, key)
    reason = moderation.hold_reason(user, f"{extra_text} {body}", markup.link_count(body))
    return Post(author_id=user.id, body_source=body, body_html=markup.render(body), search_text=key,
                status=Visibility.HELD if reason else Visibility.PUBLISHED, held_reason=reason, **values)


def create_thread(user, board: Board, title: str, body: str, submission_id: int | None = None) -> Thread:
    """Start a thread with its opening post; a held opening post holds the thread too."""
    _ensure_can_write(user, board)
    title, body = _clean_title(title), _clean_body(body)
    post = _new_post(user, None, body, extra_text=title, is_opening=True)
    thread = Thread(board_id=board.id, author_id=user.id, title=title, search_text=search_key(title),
                    status=Visibility.HELD if post.status == Visibility.HELD else Visibility.PUBLISHED,
                    submission_id=submission_id)
    db.session.add(thread)
    db.session.flush()
    post.thread_id = thread.id
    db.session.add(post)
    db.session.add(Follow(user_id=user.id, thread_id=thread.id))
    db.session.flush()
    if post.status == Visibility.PUBLISHED:
        publish(post)
    db.session.commit()
    return thread


def reply(user, thread: Thread, body: str, quote_of_id: int | None = None) -> Post:
    """Add a post to a thread (in a dialogue: a question from the public)."""
    _ensure_can_write(user, thread.board)
    if thread.locked and not is_moderator(user):
        raise PermissionDenied(_("This thread is locked."))
    if thread.status != Visibility.PUBLISHED:
        raise PermissionDenied(_("This thread is not open for replies."))
    if thread.dialogue_closed:
        raise ValidationError("body", _("This dialogue has closed: no more questions can be asked."))
    body = _clean_body(body)
    quoted = db.session.get(Post, quote_of_id) if quote_of_id else None
    post = _new_post(user, thread, body, thread_id=thread.id,
                     quote_of_id=quoted.id if quoted and quoted.thread_id == thread.id else None)
    db.session.add(post)
    db.session.flush()
    if post.status == Visibility.PUBLISHED:
        publish(post)
    _follow_quietly(user, thread)
    db.session.commit()
    return post


def answer_question(user, question: Post, body: str) -> Post:
    """A panel member answers a dialogue question in place."""
    thread = question.thread
    if not thread.is_dialogue or question.is_opening or question.answer_to_id:
        raise ValidationError("body", _("Only a question of a dialogue can be answered."))
    if not is_panelist(user, thread):
        raise PermissionDenied(_("Only the panel answers questions."))
    moderation.ensure_not_suspended(user)
    body = _clean_body(body)
    post = Post(thread_id=thread.id, author_id=user.id, body_source=body, body_html=markup.render(body),
                search_text=search_key(body), answer_to_id=question.id)
    db.session.add(post)
    db.session.flush()
    question.answered_at = question.answered_at or utcnow()
    publish(post)
    db.session.commit()
    return post


def publish(post: Post) -> None:
    """Make a post public (now, or when a moderator approves it) and tell followers."""
    thread = db.session.get(Thread, post.thread_id)
    post.status = Visibility.PUBLISHED
    post.held_reason = None
    thread.post_count += 1
    thread.last_post_at = utcnow()
    if post.is_opening:
        if thread.status != Visibility.PUBLISHED:
            thread.status = Visibility.PUBLISHED
        thread.board.thread_count += 1
    db.session.flush()
    _notify_followers(post, thread)


def _notify_followers(post: Post, thread: Thread) -> None:
    targets = [Follow.thread_id == thread.id] + ([Follow.board_id == thread.board_id] if post.is_opening else [])
    followers = db.session.scalars(select(User).join(Follow, Follow.user_id == User.id).where(
        or_(*targets), Follow.user_id != post.author_id).distinct()).all()
    if followers:
        notify.notify_users(followers, _l("New post in “%(title)s”", title=thread.title),
                            link=notify.local_url("forum.post", post_id=post.id))


def _follow_quietly(user, thread: Thread) -> None:
    exists = db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.thread_id == thread.id))
    if not exists:
        db.session.add(Follow(user_id=user.id, thread_id=thread.id))


def can_edit(user, post: Post) -> bool:
    if not user or not user.is_authenticated or post.status == Visibility.DELETED:
        return False
    if is_moderator(user):
        return True
    return post.author_id == user.id and utcnow() - post.created_at <= EDIT_WINDOW


def edit_post(user, post: Post, body: str, rule: str = "", note: str = "") -> Post:
    """The author edits within the window; a moderator edits any time, with a note."""
    if not can_edit(user, post):
        raise PermissionDenied(_("The time to edit this post has passed."))
    moderation.ensure_not_suspended(user)
    body = _clean_body(body)
    by_moderator = post.author_id != user.id
    if by_moderator and not (rule and clean_line(note)):
        raise ValidationError("note", _("Give the rule and a note: the author is told why."))
    post.body_source, post.body_html, post.search_text = body, markup.render(body), search_key(body)
    post.edited_at = utcnow()
    if by_moderator:
        post.edit_note = clean_line(note)[:300]
        moderation.record_edit(user, post, rule, post.edit_note)
    elif post.status == Visibility.PUBLISHED and moderation.hold_reason(user, body, markup.link_count(body)) == "word_filter":
        # An edit must not sneak past the filter the first version was checked against.
        post.status, post.held_reason = Visibility.HELD, "word_filter"
    db.session.commit()
    return post


def delete_own_post(user, post: Post) -> None:
    if not user or not user.is_authenticated or post.author_id != user.id:
        raise PermissionDenied()
    if post.is_opening:
        raise ValidationError(None, _("The opening post cannot be deleted; ask a moderator to remove the thread."))
    post.status = Visibility.DELETED
    db.session.commit()


def toggle_vote(user, post: Post) -> bool:
    """Vote for a post (or a dialogue question), or take the vote back; True when voted."""
    if not user or not user.is_authenticated:
        raise PermissionDenied()
    moderation.ensure_not_suspended(user)
    if post.status != Visibility.PUBLISHED:
        raise PermissionDenied()
    if post.author_id == user.id:
        raise ValidationError(None, _("You cannot vote for your own post."))
    if post.thread.dialogue_closed:
        raise ValidationError(None, _("This dialogue has closed: votes are final."))
    removed = db.session.execute(delete(PostVote).where(PostVote.post_id == post.id, PostVote.user_id == user.id)).rowcount
    if removed:
        db.session.execute(update(Post).where(Post.id == post.id).values(score=Post.score - 1))
        db.session.commit()
        return False
    db.session.add(PostVote(post_id=post.id, user_id=user.id))
    try:
        db.session.flush()
    except IntegrityError:  # a double tap on a slow link: the first vote counts
        db.session.rollback()
        return True
    db.session.execute(update(Post).where(Post.id == post.id).values(score=Post.score + 1))
    db.session.commit()
    return True


def mark_answer(user, thread: Thread, post: Post) -> None:
    if not can_mark_answer(user, thread) or post.thread_id != thread.id or post.status != Visibility.PUBLISHED:
        raise PermissionDenied()
    moderation.ensure_not_suspended(user)
    thread.answer_post_id = None if thread.answer_post_id == post.id else post.id
    db.session.commit()


def toggle_follow(user, thread: Thread | None = None, board: Board | None = None) -> bool:
    condition = Follow.thread_id == thread.id if thread else Follow.board_id == board.id
    existing = db.session.scalar(select(Follow).where(Follow.user_id == user.id, condition))
    if existing:
        db.session.delete(existing)
    else:
        db.session.add(Follow(user_id=user.id, thread_id=thread.id if thread else None,
                              board_id=board.id if board else None))
    db.session.commit()
    return existing is None


def is_following(user, thread: Thread | None = None, board: Board | None = None) -> bool:
    if not user or not user.is_authenticated:
        return False
    condition = Follow.thread_id == thread.id if thread else Follow.board_id == board.id
    return db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, condition)) is not None


# Search


def _like(text: str) -> str:
    return "%" + re.sub(r"([%_\\])", r"\\\1", text) + "%"


def search(query: str, page: int | None) -> Page:
    """Threads whose title or posts contain the words, ignoring diacritics."""
    key = search_key(clean_line(query))[:100]
    number = _page_number(page)
    if len(key) < 2:
        return Page.counted([], number, 0, THREADS_PER_PAGE)
    pattern = _like(key)
    in_posts = select(Post.thread_id).where(Post.search_text.like(pattern, escape="\\"), Post.status == Visibility.PUBLISHED)
    condition = and_(Thread.status == Visibility.PUBLISHED,
                     or_(Thread.search_text.like(pattern, escape="\\"), Thread.id.in_(in_posts)))
    total = db.session.scalar(select(func.count()).select_from(Thread).where(condition))
    threads = list(db.session.scalars(select(Thread).where(condition).order_by(Thread.last_post_at.desc())
                                      .limit(THREADS_PER_PAGE).offset((number - 1) * THREADS_PER_PAGE)))
    return Page.counted(threads, number, total, THREADS_PER_PAGE)


def threads_for_submission(submission_id: int) -> list[Thread]:
    return list(db.session.scalars(select(Thread).where(Thread.submission_id == submission_id,
                                                         Thread.status == Visibility.PUBLISHED).limit(3)))


def published_submission(code: str):
    """A submission a thread may link to: one its submitter agreed to publish."""
    from app.submissions.models import Submission

    code = re.sub(r"\D", "", code or "")
    submission = db.session.scalar(select(Submission).where(Submission.code == code)) if code else None
    if submission is None or not submission.consent_publish:
        raise ValidationError("submission_code", _("No published submission has this code."))
    return submission


# Administration


def create_board(admin, name: str, slug: str, description: str, post_policy: str) -> Board:
    if not admin.has_role("admin"):
        raise PermissionDenied()
    name = clean_line(name)[:120]
    if not name:
        raise ValidationError("name", _("Enter a name."))
    slug = re.sub(r"[^a-z0-9-]+", "-", search_key(clean_line(slug) or name)).strip("-")[:64]
    if not slug or db.session.scalar(select(Board.id).where(Board.slug == slug)):
        raise ValidationError("slug", _("Choose another address: this one is taken."))
    board = Board(name=name, slug=slug, description=clean_line(description)[:500],
                  post_policy=post_policy, position=len(boards()))
    db.session.add(board)
    db.session.commit()
    return board


def grant_badge(admin, email: str, kind: str, label: str) -> Badge:
    if not admin.has_role("admin"):
        raise PermissionDenied()
    user = db.session.scalar(select(User).where(User.email == clean_line(email).lower()))
    if user is None:
        raise ValidationError("email", _("No account has this e-mail address."))
    badge = db.session.scalar(select(Badge).where(Badge.user_id == user.id, Badge.kind == kind))
    if badge is None:
        badge = Badge(user_id=user.id, kind=kind, granted_by_id=admin.id)
        db.session.add(badge)
    badge.label = clean_line(label)[:120]
    db.session.commit()
    return badge


def create_dialogue(admin, board: Board, title: str, body: str, starts_at, ends_at, panel_emails: list[str]) -> Thread:
    """A dialogue: a thread with a schedule and a panel of officials and experts."""
    if not admin.has_role("admin"):
        raise PermissionDenied()
    if not ends_at or not starts_at or ends_at <= starts_at:
        raise ValidationError("ends_at", _("The session must end after it starts."))
    members = []
    for email in panel_emails:
        email = clean_line(email).lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise ValidationError("panel", _("No account has the e-mail address %(email)s.", email=email))
        members.append(user)
    if not members:
        raise ValidationError("panel", _("Name at least one panel member."))
    thread = create_thread(admin, board, title, body)
    thread.dialogue_starts_at, thread.dialogue_ends_at = starts_at, ends_at
    db.session.add_all(Panelist(thread_id=thread.id, user_id=user.id) for user in members)
    db.session.commit()
    return thread
