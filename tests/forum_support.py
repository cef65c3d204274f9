"""Helpers for the forum and moderation tests: people of each standing, boards, and posting
forms with their CSRF token like a browser would (sign in with the login_as fixture)."""
import re
from datetime import timedelta

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Board, Post, Thread
from app.moderation.models import Suspension
from tests.factories import make_user

OLD = timedelta(days=60)


def established(role: str = Role.CITIZEN, **values):
    """An account old enough to post without being held and to count as a flagger."""
    return make_user(role, created_at=utcnow() - OLD, **values)


def newcomer(**values):
    return make_user(Role.CITIZEN, **values)


def suspended(**values):
    user = established(**values)
    db.session.add(Suspension(user_id=user.id, reason="Spam lặp lại", ends_at=utcnow() + timedelta(days=3)))
    db.session.commit()
    return user


def make_board(slug: str = "chuyen-doi-so", name: str = "Chuyển đổi số", policy: str = "everyone") -> Board:
    board = Board(slug=slug, name=name, description="Thảo luận về chuyển đổi số", post_policy=policy)
    db.session.add(board)
    db.session.commit()
    return board


def make_thread(author=None, board=None, title="Sóng 4G ở vùng cao", body="Ở thôn tôi sóng rất yếu.",
                replies=0) -> Thread:
    author = author or established(Role.MODERATOR)  # moderators are never held or rate-limited
    board = board or db.session.query(Board).first() or make_board()
    thread = forum.create_thread(author, board, title, body)
    for number in range(replies):
        forum.reply(author, thread, f"Ý kiến số {number + 1} về sóng di động ở thôn.")
    return thread


def token(client, url: str = "/dien-dan") -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"{url} has no CSRF token"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, page: str = "/dien-dan", **kwargs):
    data = dict(data or {})
    data["csrf_token"] = token(client, page)
    return client.post(url, data=data, **kwargs)


def posts_of(thread: Thread) -> list[Post]:
    return list(db.session.query(Post).filter(Post.thread_id == thread.id).order_by(Post.id))


def reload(obj):
    """The request ran in its own context and session: read the row again."""
    db.session.refresh(obj)
    return obj
