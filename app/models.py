"""Every area's models, imported once so the metadata (and Alembic) sees all tables."""
from app.accounts.models import Identity, User, VerificationCode  # noqa: F401
from app.agencies.models import Agency  # noqa: F401
from app.feedback.models import Attachment, Consent, Submission, SubmissionEvent, Topic  # noqa: F401
from app.notify.models import Notification, OutboxMessage  # noqa: F401
from app.desk.models import AnswerDraft, DeadlineRule, Rating  # noqa: F401
from app.forum.models import Badge, Board, Follow, Panelist, Post, PostVote, Thread, ThreadRead  # noqa: F401
from app.moderation.models import Appeal, Flag, FilterWord, ModerationAction, Suspension  # noqa: F401
