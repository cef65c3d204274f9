"""Forum services: reading pages, writing threads and posts, votes, follows, search, the changes
moderators' decisions make to forum content, and the boards, badges and dialogues
administrators set up. Before anything is written, the moderation policy is asked."""
import difflib
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts import oidc, organisations
from app.accounts.models import Identity, User
from app.common import paging
from app.common.errors import PermissionDenied, ValidationError
from app.common.paging import Page
from app.common.params import valid_id
from app.common.permissions import (
    can_delete,
    can_edit,
    can_mark_answer,
    can_write_in,
    is_admin,
    is_moderator,
    is_panelist,
    signed_in,
)
from app.common.text import clean_block, search_key
from app.common.time import utcnow
from app.extensions import db
from app.forum import markup
from app.forum.markup import clean_line
from app.forum.models import (
    Badge,
    BadgeKind,
    Board,
    Follow,
    Panelist,
    Post,
    PostPolicy,
    PostRevision,
    PostVote,
    Thread,
    ThreadRead,
    Visibility,
)
from app.moderation import notices, policy
from app.notify import preferences
from app.notify import services as notify
from app.submissions import lookups

POSTS_PER_PAGE = 10
THREADS_PER_PAGE = 15
MAX_BODY = 5000
MIN_BODY = 2


@dataclass(frozen=True)
class PostRights:
    """What the viewer may see and do with one post: the page shows these answers."""

    read: bool = True  # the body shows; a hidden or deleted post's only to moderators
    respond: bool = False  # vote, quote, report: signed in, the post public, the dialogue not closed
    edit: bool = False  # the author's own edit
    revise: bool = False  # a moderator's edit of someone else's post, with a note
    delete: bool = False
    mark: bool = False  # mark (or unmark) it as the answer that settles the thread
    answer: bool = False  # a panel member answers this dialogue question


# Reading


def boards() -> list[Board]:
    return list(db.session.scalars(select(Board).order_by(Board.position, Board.id)))


def board_by_slug(slug: str) -> Board | None:
    if not re.fullmatch(r"[a-z0-9-]{1,64}", slug or ""):
        return None  # never hand the database a NUL or an overlong key
    return db.session.scalar(select(Board).where(Board.slug == slug))


def find_board(board_id: int | None) -> Board | None:
    return db.session.get(Board, board_id) if valid_id(board_id) else None


def find_thread(thread_id: int | None) -> Thread | None:
    """A thread by id, whatever its visibility (moderators' decisions reach held and hidden ones)."""
    return db.session.get(Thread, thread_id) if valid_id(thread_id) else None


def find_post(post_id: int | None) -> Post | None:
    return db.session.get(Post, post_id) if valid_id(post_id) else None


def thread_page(board: Board, page: int, viewer) -> Page:
    """Pinned first, then the liveliest; counted by the board's stored count, not COUNT(*)."""
    number = paging.page_number(page)
    query = (select(Thread).where(Thread.board_id == board.id, _visible_threads(viewer))
             .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
             .limit(THREADS_PER_PAGE).offset((number - 1) * THREADS_PER_PAGE))
    threads = list(db.session.scalars(query))
    return Page.counted(threads, number, board.thread_count, THREADS_PER_PAGE,
                        {"unread": unread_thread_ids(viewer, threads)})


def _visible_threads(viewer):
    if is_moderator(viewer):
        return Thread.status != Visibility.DELETED
    if signed_in(viewer):
        return or_(Thread.status == Visibility.PUBLISHED,
                   and_(Thread.status == Visibility.HELD, Thread.author_id == viewer.id))
    return Thread.status == Visibility.PUBLISHED


def get_thread(thread_id: int, viewer) -> Thread | None:
    """A thread the viewer may open: published, or held and theirs, or any but deleted for moderators."""
    thread = find_thread(thread_id)
    if thread is None or thread.status == Visibility.DELETED:
        return None
    if thread.status == Visibility.PUBLISHED or is_moderator(viewer):
        return thread
    if thread.status == Visibility.HELD and signed_in(viewer) and thread.author_id == viewer.id:
        return thread
    return None


def visible_post(post_id: int, viewer) -> Post | None:
    """A post in a thread the viewer may open (the post itself may be a placeholder)."""
    post = find_post(post_id)
    if post is None or get_thread(post.thread_id, viewer) is None:
        return None
    return post


def _listed_posts(viewer):
    """Held posts show only to their author and moderators; hidden and deleted ones leave a
    placeholder so the numbering and the quotes around them still make sense."""
    if is_moderator(viewer):
        return True
    if signed_in(viewer):
        return or_(Post.status != Visibility.HELD, Post.author_id == viewer.id)
    return Post.status != Visibility.HELD


def post_page(thread: Thread, page: int, viewer) -> Page:
    """One small page of a thread, by the (thread_id, id) index: page 1 of 1,000 posts costs
    what page 1 of 10 costs."""
    number = paging.page_number(page)
    query = (select(Post).where(Post.thread_id == thread.id, _listed_posts(viewer)).order_by(Post.id)
             .limit(POSTS_PER_PAGE).offset((number - 1) * POSTS_PER_PAGE))
    posts = list(db.session.scalars(query))
    return Page.counted(posts, number, thread.post_count, POSTS_PER_PAGE, _post_extras(posts, viewer, thread))


def question_page(thread: Thread, page: int, viewer) -> Page:
    """A dialogue's questions by votes; once it closes, answered questions come first."""
    order = [Post.score.desc(), Post.id]
    if thread.dialogue_closed:
        order.insert(0, Post.answered_at.is_(None))
    query = select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(False), Post.answer_to_id.is_(None),
                               _listed_posts(viewer)).order_by(*order)
    result = paging.fetch(query, page, POSTS_PER_PAGE)
    answers: dict[int, list[Post]] = {}
    if result.items:
        for answer in db.session.scalars(select(Post).where(Post.answer_to_id.in_([q.id for q in result.items]),
                                                            Post.status == Visibility.PUBLISHED).order_by(Post.id)):
            answers.setdefault(answer.answer_to_id, []).append(answer)
    everyone = result.items + [answer for group in answers.values() for answer in group]
    result.extra = _post_extras(everyone, viewer, thread, panelist_ids(thread))
    result.extra["answers"] = answers
    return result


def page_of_post(post: Post) -> int:
    """The page of its thread a post is on, for links from the inbox and after a reply."""
    before = db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == post.thread_id,
                                                                           Post.id < post.id))
    return before // POSTS_PER_PAGE + 1


def has_voted(user, post: Post) -> bool:
    if not signed_in(user):
        return False
    return db.session.scalar(select(PostVote.id).where(PostVote.post_id == post.id,
                                                       PostVote.user_id == user.id)) is not None


def opening_post(thread: Thread) -> Post | None:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)).limit(1))


def quotable_post(thread: Thread, post_id: int | None) -> Post | None:
    """A public post of this thread, which a reply may quote."""
    post = find_post(post_id)
    return post if post and post.thread_id == thread.id and post.status == Visibility.PUBLISHED else None


def _post_extras(posts: list[Post], viewer, thread: Thread, panel_ids=()) -> dict:
    """Badges, the viewer's votes and rights: one query each for the whole page, never one per post."""
    voted: set[int] = set()
    if signed_in(viewer) and posts:
        voted = set(db.session.scalars(select(PostVote.post_id).where(
            PostVote.user_id == viewer.id, PostVote.post_id.in_([p.id for p in posts]))))
    return {"badges": badges_for([p.author for p in posts]), "voted": voted,
            "rights": rights_for(viewer, posts, thread, panel_ids)}


def rights_for(viewer, posts: list[Post], thread: Thread, panel_ids=()) -> dict[int, PostRights]:
    """PostRights by post id, from the one permission module's rules."""
    moderator, marks, on_panel, now = (is_moderator(viewer), can_mark_answer(viewer, thread),
                                       is_panelist(viewer, panel_ids), utcnow())
    rights = {}
    for post in posts:
        public = post.status == Visibility.PUBLISHED
        editable = can_edit(viewer, post, now)
        own = signed_in(viewer) and post.author_id == viewer.id
        rights[post.id] = PostRights(
            read=moderator or post.status not in (Visibility.HIDDEN, Visibility.DELETED),
            respond=signed_in(viewer) and public and not thread.dialogue_closed,
            edit=editable and own, revise=editable and moderator and not own, delete=can_delete(viewer, post),
            mark=marks and not post.is_opening, answer=on_panel and public)
    return rights


def badges_for(users) -> dict[int, list[tuple[str, str]]]:
    """(kind, label) badges by user id: agency official, expert, organisation, verified."""
    users = {user.id: user for user in users if user is not None}
    result: dict[int, list[tuple[str, str]]] = {uid: [] for uid in users}
    if not users:
        return result
    granted = db.session.execute(select(Badge.user_id, Badge.kind, Badge.label).where(Badge.user_id.in_(users))).all()
    strong_ids = set(db.session.scalars(select(Identity.user_id).where(Identity.user_id.in_(users),
                                                                       Identity.assurance_level >= 2)))
    # The organisation badge follows a verified organisation the account acts for, never what
    # the account declares about itself.
    organisation_names = organisations.verified_names(users)
    for uid, user in users.items():
        if user.is_staff and user.agency:
            result[uid].append(("official", user.agency.name))
        if uid in organisation_names:
            result[uid].append(("organisation", organisation_names[uid]))
    for uid, kind, label in granted:
        result[uid].append((kind, label))
    for uid in strong_ids:
        if not any(kind == BadgeKind.VERIFIED for kind, _label in result[uid]):
            result[uid].append((BadgeKind.VERIFIED, ""))
    return result


def is_expert(user) -> bool:
    if not signed_in(user):
        return False
    expert = select(Badge.id).where(Badge.user_id == user.id, Badge.kind == BadgeKind.EXPERT)
    return db.session.scalar(expert) is not None


def panel(thread: Thread) -> list[Panelist]:
    return list(db.session.scalars(select(Panelist).where(Panelist.thread_id == thread.id).order_by(Panelist.id)))


def panelist_ids(thread: Thread) -> list[int]:
    """The accounts seated on a dialogue's panel (permissions.is_panelist asks about them)."""
    return list(db.session.scalars(select(Panelist.user_id).where(Panelist.thread_id == thread.id)))


def is_locked_for(user, thread: Thread) -> bool:
    """A locked thread takes replies from moderators only."""
    return thread.locked and not is_moderator(user)


def reply_offer(viewer, thread: Thread) -> str | None:
    """What the thread page offers under the posts: the reply form ("open"), a sign-in link
    ("sign_in"), the locked notice ("locked"), the board's policy ("officials"), or nothing (a
    thread not yet public)."""
    if not signed_in(viewer):
        return "sign_in"
    if is_locked_for(viewer, thread):
        return "locked"
    if not can_write_in(viewer, thread.board, thread, is_expert(viewer)):
        return "officials"
    return "open" if thread.status == Visibility.PUBLISHED else None


def submission_shown(thread: Thread):
    """The submission a thread is about, shown with its status while its sender agrees to publish it."""
    submission = thread.submission
    return submission if submission is not None and submission.consent_publish else None


def discussions_of(submission) -> list[Thread]:
    """Public threads about a submission, for its status page; none unless its sender agreed to publish."""
    if not submission.consent_publish:
        return []
    return list(db.session.scalars(select(Thread).where(Thread.submission_id == submission.id,
                                                         Thread.status == Visibility.PUBLISHED).limit(3)))


# Unread markers


def unread_thread_ids(viewer, threads: list[Thread]) -> set[int]:
    if not signed_in(viewer) or not threads:
        return set()
    read = dict(db.session.execute(select(ThreadRead.thread_id, ThreadRead.read_at).where(
        ThreadRead.user_id == viewer.id, ThreadRead.thread_id.in_([t.id for t in threads]))).all())
    return {t.id for t in threads if t.id not in read or t.last_post_at > read[t.id]}


def mark_read(viewer, thread: Thread):
    """Remember that the viewer has read the thread; return when they last had, to mark what is new."""
    if not signed_in(viewer):
        return None
    row = db.session.scalar(select(ThreadRead).where(ThreadRead.user_id == viewer.id,
                                                     ThreadRead.thread_id == thread.id))
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
                                        max=format_decimal(MAX_BODY), n=format_decimal(len(body))))
    if markup.quote_depth(body) > markup.MAX_QUOTE_DEPTH:
        raise ValidationError("body", _("Quotes can be nested at most %(n)d deep.", n=markup.MAX_QUOTE_DEPTH))
    return body


def _clean_title(title: str) -> str:
    title = clean_line(title)
    if not 5 <= len(title) <= 200:
        raise ValidationError("title", _("The title must be 5 to 200 characters long."))
    return title


def _ensure_can_write(user, board: Board, thread: Thread | None = None) -> None:
    """Refuse a post the author may not make, naming the body so the form comes back with the
    text and the reason (a 422), never a bare 403 page that loses what was typed."""
    if not signed_in(user):
        raise PermissionDenied()
    try:
        policy.ensure_can_post(user)
    except PermissionDenied as refused:
        raise ValidationError("body", refused.message) from refused
    if not can_write_in(user, board, thread, is_expert(user)):
        raise ValidationError("body", _("Only officials and experts post in this board."))


def trust_facts(user) -> policy.TrustFacts:
    """What the person's trust level is earned from: time, threads read, posts published, and
    their moderation record."""
    override, last_against = policy.moderation_record(user.id)
    read = db.session.scalar(select(func.count()).select_from(ThreadRead).where(ThreadRead.user_id == user.id))
    published = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.author_id == user.id, Post.status == Visibility.PUBLISHED))
    return policy.TrustFacts(joined_at=user.created_at, threads_read=read, published_posts=published,
                             last_decision_against=last_against, override=override)


def trust_of(user) -> int:
    return policy.trust_level(trust_facts(user))


def _posting_facts(user, thread: Thread | None, key: str) -> policy.PostingFacts:
    """What the policy decides from: the author's recent posts, a repeat of this text, the thread's slow mode."""
    now = utcnow()
    mine = select(func.count()).select_from(Post).where(Post.author_id == user.id)
    repeat = select(Post.id).where(Post.author_id == user.id, Post.search_text == key,
                                   Post.created_at > now - policy.DUPLICATE_WINDOW).limit(1)
    slow = thread.slow_mode_minutes if thread is not None else 0
    last = (select(func.max(Post.created_at)).where(Post.thread_id == thread.id, Post.author_id == user.id)
            if slow else None)
    return policy.PostingFacts(
        posts_last_minute=db.session.scalar(mine.where(Post.created_at > now - policy.SHORT_WINDOW)),
        posts_last_day=db.session.scalar(mine.where(Post.created_at > now - policy.LONG_WINDOW)),
        same_text_recently=db.session.scalar(repeat) is not None,
        published_posts=db.session.scalar(mine.where(Post.status == Visibility.PUBLISHED)),
        slow_mode_minutes=slow,
        last_post_in_thread=db.session.scalar(last) if slow else None,
        trust=trust_of(user),
    )


def _new_post(user, thread: Thread | None, body: str, extra_text: str = "", **values) -> Post:
    """A post the policy allows, published or held as the policy says."""
    key = search_key(body)
    facts = _posting_facts(user, thread, key)
    policy.check_posting(user, facts)
    reason = policy.hold_reason(user, f"{extra_text} {body}", markup.link_count(body), facts)
    return Post(author_id=user.id, body_source=body, body_html=markup.render(body), search_text=key,
                status=Visibility.HELD if reason else Visibility.PUBLISHED, held_reason=reason, **values)


def _linked_submission(code: str):
    """A submission a thread may link to: one its submitter agreed to publish."""
    submission = lookups.find_by_code(re.sub(r"[^0-9]", "", code or ""))
    if submission is None or not submission.consent_publish:
        raise ValidationError("submission_code", _("No published submission has this code."))
    return submission


def create_thread(user, board: Board, title: str, body: str, submission_code: str = "") -> Thread:
    """Start a thread with its opening post, optionally about a published submission (by its
    tracking code); a held opening post holds the thread too."""
    _ensure_can_write(user, board)
    title, body = _clean_title(title), _clean_body(body)
    submission = _linked_submission(submission_code) if (submission_code or "").strip() else None
    post = _new_post(user, None, body, extra_text=title, is_opening=True)
    thread = Thread(board_id=board.id, author_id=user.id, title=title, search_text=search_key(title),
                    status=Visibility.HELD if post.status == Visibility.HELD else Visibility.PUBLISHED,
                    submission_id=submission.id if submission else None)
    db.session.add(thread)
    db.session.flush()
    post.thread_id = thread.id
    db.session.add(post)
    db.session.add(Follow(user_id=user.id, thread_id=thread.id))
    db.session.flush()
    if post.status == Visibility.PUBLISHED:
        publish(post)
    else:
        notices.tell_moderators("held", title=title)
    db.session.commit()
    return thread


def reply(user, thread: Thread, body: str, quote_of_id: int | None = None) -> Post:
    """Add a post to a thread (in a dialogue: a question from the public)."""
    _ensure_can_write(user, thread.board, thread)
    if is_locked_for(user, thread):
        raise ValidationError("body", _("This thread is locked."))
    if thread.status != Visibility.PUBLISHED:
        raise ValidationError("body", _("This thread is not open for replies."))
    if thread.dialogue_closed:
        raise ValidationError("body", _("This dialogue has closed: no more questions can be asked."))
    body = _clean_body(body)
    quoted = quotable_post(thread, quote_of_id)
    post = _new_post(user, thread, body, thread_id=thread.id, quote_of_id=quoted.id if quoted else None)
    db.session.add(post)
    db.session.flush()
    if post.status == Visibility.PUBLISHED:
        publish(post)
    else:
        notices.tell_moderators("held", title=thread.title)
    _follow_quietly(user, thread)
    db.session.commit()
    return post


def answer_question(user, question: Post, body: str) -> Post:
    """A panel member answers a dialogue question in place."""
    thread = question.thread
    if not thread.is_dialogue or question.is_opening or question.answer_to_id:
        raise ValidationError("body", _("Only a question of a dialogue can be answered."))
    if not is_panelist(user, panelist_ids(thread)):
        raise PermissionDenied(_("Only the panel answers questions."))
    policy.ensure_can_post(user)
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
        # Forum news defaults to the daily digest: ten replies in a day make one e-mail.
        preferences.tell(followers, "forum", _l("New post in “%(title)s”", title=thread.title),
                         link=notify.local_url("forum.post", post_id=post.id))


def _follow_quietly(user, thread: Thread) -> None:
    exists = db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.thread_id == thread.id))
    if not exists:
        db.session.add(Follow(user_id=user.id, thread_id=thread.id))


def _write_body(post: Post, body: str, editor) -> None:
    """Replace a post's text, keeping the one it had (moderators see the changes)."""
    if body != post.body_source:
        db.session.add(PostRevision(post_id=post.id, body_source=post.body_source, editor_id=editor.id))
    post.body_source, post.body_html, post.search_text = body, markup.render(body), search_key(body)
    post.edited_at = utcnow()


@dataclass(frozen=True)
class Change:
    """One edit of a post: who made it, when, and the text as (operation, words) parts."""

    at: object
    editor: str
    parts: list[tuple[str, str]]


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words removed ("delete"), added ("insert") and kept ("equal"), in order (difflib)."""
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("insert", "".join(new[j1:j2])))
        if op == "equal":
            parts.append(("equal", "".join(old[i1:i2])))
    return parts


def post_history(post: Post) -> list[Change]:
    """Each edit of a post, newest first, as the words it removed and added."""
    revisions = list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                        .order_by(PostRevision.id)))
    editors = {user.id: user.display_name for user in db.session.scalars(
        select(User).where(User.id.in_({r.editor_id for r in revisions if r.editor_id})))}
    texts = [revision.body_source for revision in revisions] + [post.body_source]
    changes = [Change(at=revision.created_at, editor=editors.get(revision.editor_id, ""),
                      parts=word_diff(texts[index], texts[index + 1])) for index, revision in enumerate(revisions)]
    return changes[::-1]


def edit_post(user, post: Post, body: str) -> Post:
    """The author edits their post within the time allowed (a moderator edits their own any time)."""
    if not (can_edit(user, post) and post.author_id == user.id):
        raise PermissionDenied(_("The time to edit this post has passed."))
    policy.ensure_can_post(user)
    _write_body(post, _clean_body(body), user)
    reason = policy.edit_hold_reason(user, post.body_source)
    if reason and post.status == Visibility.PUBLISHED:
        post.status, post.held_reason = Visibility.HELD, reason
        notices.tell_moderators("held", title=db.session.get(Thread, post.thread_id).title)
    db.session.commit()
    return post


def delete_own_post(user, post: Post) -> None:
    if not can_delete(user, post):
        if signed_in(user) and post.author_id == user.id and post.is_opening:
            raise ValidationError(None, _("The opening post cannot be deleted; ask a moderator to remove the thread."))
        raise PermissionDenied()
    post.status = Visibility.DELETED
    db.session.commit()


def toggle_vote(user, post: Post) -> bool:
    """Vote for a post (or a dialogue question), or take the vote back; True when voted."""
    if not signed_in(user):
        raise PermissionDenied()
    policy.ensure_not_suspended(user)
    if post.status != Visibility.PUBLISHED:
        raise PermissionDenied()
    if post.author_id == user.id:
        raise ValidationError(None, _("You cannot vote for your own post."))
    if post.thread.dialogue_closed:
        raise ValidationError(None, _("This dialogue has closed: votes are final."))
    removed = db.session.execute(delete(PostVote).where(PostVote.post_id == post.id,
                                                        PostVote.user_id == user.id)).rowcount
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
    policy.ensure_not_suspended(user)
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
    if not signed_in(user):
        return False
    condition = Follow.thread_id == thread.id if thread else Follow.board_id == board.id
    return db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, condition)) is not None


# What moderators' decisions change. The moderation services call these and commit, with
# the decision's log entry, in one transaction.


def held_posts(limit: int = 20) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.status == Visibility.HELD).order_by(Post.id).limit(limit)))


def _counted_in(item: Post | Thread) -> int | None:
    """The board whose thread count includes this thread, if any."""
    if not isinstance(item, Thread) or item.status != Visibility.PUBLISHED:
        return None
    return item.board_id


def _recount(before: int | None, after: int | None) -> None:
    # Board pages are paged by the stored count; keep it true when threads move, hide or come back.
    if before == after:
        return
    for board_id, delta in ((before, -1), (after, 1)):
        board = db.session.get(Board, board_id) if board_id else None
        if board:
            board.thread_count = max(0, board.thread_count + delta)


def set_visibility(item: Post | Thread, status: str) -> None:
    """Hide, restore or delete a post or a thread."""
    before = _counted_in(item)
    item.status = status
    _recount(before, _counted_in(item))


def approve(item: Post | Thread) -> None:
    """Let a held post or thread through (its followers hear of it), or bring back a hidden one."""
    if item.status == Visibility.HELD:
        publish(item if isinstance(item, Post) else opening_post(item))
    else:
        set_visibility(item, Visibility.PUBLISHED)


def lock_thread(thread: Thread, locked: bool) -> None:
    thread.locked = locked


def pin_thread(thread: Thread, pinned: bool) -> None:
    thread.pinned = pinned


def move_thread(thread: Thread, board: Board) -> None:
    before = _counted_in(thread)
    thread.board_id = board.id
    _recount(before, _counted_in(thread))


def set_slow_mode(thread: Thread, minutes: int) -> None:
    thread.slow_mode_minutes = minutes


def revise(moderator, post: Post, body: str, note: str) -> Post:
    """A moderator's edit of someone's post; the note shows under it."""
    _write_body(post, _clean_body(body), moderator)
    post.edit_note = note
    return post


# Search


def search(query: str, page: int) -> Page:
    """Threads whose title or posts contain the words, ignoring diacritics, newest activity first.

    Both LIKEs are served by trigram indexes on PostgreSQL (migration 0014), and the page is
    fetched with one row more to know whether a next one exists: nothing counts the matches."""
    key = search_key(clean_line(query))[:100]
    if len(key) < 2:
        return Page(items=[], page=paging.page_number(page), has_next=False, per_page=THREADS_PER_PAGE)
    return paging.fetch(search_query(key), page, THREADS_PER_PAGE)


def search_query(key: str):
    """Published threads whose title, or one of whose published posts, contains `key` (a search key)."""
    in_posts = select(Post.thread_id).where(Post.search_text.contains(key, autoescape=True),
                                            Post.status == Visibility.PUBLISHED)
    condition = and_(Thread.status == Visibility.PUBLISHED,
                     or_(Thread.search_text.contains(key, autoescape=True), Thread.id.in_(in_posts)))
    return select(Thread).where(condition).order_by(Thread.last_post_at.desc(), Thread.id.desc())


# Administration: plain values and the acting administrator in, the new entity out.


def _ensure_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied()


def create_board(admin, name: str, slug: str, description: str, post_policy: str) -> Board:
    _ensure_admin(admin)
    name = clean_line(name)[:120]
    if not name:
        raise ValidationError("name", _("Enter a name."))
    if post_policy not in PostPolicy.ALL:
        raise ValidationError("post_policy", _("Choose who may post."))
    slug = re.sub(r"[^a-z0-9-]+", "-", search_key(clean_line(slug) or name)).strip("-")[:64]
    if not slug or db.session.scalar(select(Board.id).where(Board.slug == slug)):
        raise ValidationError("slug", _("Choose another address: this one is taken."))
    board = Board(name=name, slug=slug, description=clean_line(description)[:500],
                  post_policy=post_policy, position=len(boards()))
    db.session.add(board)
    db.session.commit()
    return board


def _account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == clean_line(email).lower()))


def grant_badge(admin, email: str, kind: str, label: str) -> Badge:
    _ensure_admin(admin)
    if kind not in BadgeKind.GRANTED:
        raise ValidationError("kind", _("Choose a badge."))
    user = _account(email)
    if user is None:
        raise ValidationError("email", _("No account has this e-mail address."))
    badge = db.session.scalar(select(Badge).where(Badge.user_id == user.id, Badge.kind == kind))
    if badge is None:
        badge = Badge(user_id=user.id, kind=kind, granted_by_id=admin.id)
        db.session.add(badge)
    badge.label = clean_line(label)[:120]
    db.session.commit()
    return badge


def create_dialogue(admin, board_id: int, title: str, body: str, starts_at, ends_at, panel_emails: list[str]) -> Thread:
    """A dialogue: a thread with a schedule and a panel of officials and experts."""
    _ensure_admin(admin)
    board = find_board(board_id)
    if board is None:
        raise ValidationError("board_id", _("Choose a board."))
    if not ends_at or not starts_at or ends_at <= starts_at:
        raise ValidationError("ends_at", _("The session must end after it starts."))
    members = []
    for email in panel_emails:
        user = _account(email)
        if user is None:
            raise ValidationError("panel", _("No account has the e-mail address %(email)s.",
                                             email=clean_line(email).lower()))
        required = current_app.config.get("PANEL_REQUIRED_LEVEL", 0)
        if required and oidc.level_of(user) < required:
            raise ValidationError("panel", _("%(email)s has not signed in with an identity verified in person, "
                                             "which a panel seat requires.", email=clean_line(email).lower()))
        members.append(user)
    if not members:
        raise ValidationError("panel", _("Name at least one panel member."))
    thread = create_thread(admin, board, title, body)
    thread.dialogue_starts_at, thread.dialogue_ends_at = starts_at, ends_at
    db.session.add_all(Panelist(thread_id=thread.id, user_id=user.id) for user in members)
    db.session.commit()
    return thread
