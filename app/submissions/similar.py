"""Submissions like a title: "is it one of these?" before someone sends the same concern
again, and the duplicates the desk's merge suggests to a coordinator.

Titles are compared by trigram similarity on their diacritics-free key (title_key):
PostgreSQL's pg_trgm with its index; on SQLite the same measure computed here over the
candidates that share a word with the title, so both databases answer alike."""
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.common.text import contains_text, search_key
from app.extensions import db
from app.submissions.models import Submission
from app.submissions.search import published
from app.submissions.states import Status

# pg_trgm's similarity() of two titles about the same thing ("mất sóng di động ở thôn Nà
# Hang" and "sóng di động yếu tại thôn Nà Hang": 0.67) against two that merely share words
# ("không có sóng di động" and the same: 0.31).
THRESHOLD = 0.4
LIMIT = 5
MIN_KEY = 4  # fewer letters than this say nothing yet
SQLITE_CANDIDATES = 500
# Between two equally similar titles, the one on the same topic, then in the same province, first.
SAME_TOPIC_BONUS, SAME_PROVINCE_BONUS = 0.05, 0.02
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Match:
    submission: Submission
    score: float


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    found = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def similar_published(title: str, topic_id: int | None = None, province_code: int | None = None,
                      limit: int = LIMIT) -> list[Match]:
    """Up to `limit` published submissions whose title is like `title`, the most alike first."""
    return _ranked(search_key(title), list(published()), topic_id, province_code, limit)


def duplicates_of(submission: Submission, limit: int = LIMIT) -> list[Match]:
    """Submissions a coordinator may merge `submission` into: alike in title, not itself,
    not merged into another, not refused."""
    conditions = [Submission.id != submission.id, Submission.merged_into_id.is_(None),
                  Submission.status != Status.REJECTED]
    return _ranked(submission.title_key, conditions, submission.topic_id, submission.province_code, limit)


def _ranked(key: str, conditions: list, topic_id, province_code, limit: int) -> list[Match]:
    if len(key.replace(" ", "")) < MIN_KEY:
        return []
    if db.engine.dialect.name == "postgresql":
        scored = _postgresql(key, conditions, limit * 4)
    else:
        scored = _fallback(key, conditions)
    matches = [Match(submission, score) for submission, score in scored if score >= THRESHOLD]

    def rank(match: Match) -> tuple:
        same_topic = topic_id is not None and match.submission.topic_id == topic_id
        same_province = province_code is not None and match.submission.province_code == province_code
        bonus = SAME_TOPIC_BONUS * same_topic + SAME_PROVINCE_BONUS * same_province
        return match.score + bonus, match.submission.received_at

    return sorted(matches, key=rank, reverse=True)[:limit]


def _postgresql(key: str, conditions: list, limit: int) -> list[tuple[Submission, float]]:
    score = func.similarity(Submission.title_key, key)
    # `%` is pg_trgm's "similar enough" operator (threshold 0.3, below ours): it lets the
    # trigram index find the candidates instead of a scan of every title.
    query = (select(Submission, score).where(Submission.title_key.op("%")(key), *conditions)
             .order_by(score.desc(), Submission.id.desc()).limit(limit))
    return [(row[0], float(row[1])) for row in db.session.execute(query)]


def _fallback(key: str, conditions: list) -> list[tuple[Submission, float]]:
    words = [word for word in key.split() if len(word) >= 3] or key.split()
    shares_a_word = or_(*(contains_text(Submission.title_key, word) for word in words[:8]))
    candidates = db.session.scalars(select(Submission).where(shares_a_word, *conditions)
                                    .order_by(Submission.id.desc()).limit(SQLITE_CANDIDATES))
    return [(candidate, similarity(key, candidate.title_key)) for candidate in candidates]
