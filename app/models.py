"""Every area's models, imported once so the metadata (and Alembic) sees all tables."""
from app.accounts.models import (  # noqa: F401
    Identity,
    Organisation,
    OrganisationMember,
    PasswordReset,
    RecoveryCode,
    User,
    VerificationCode,
)
from app.agencies.models import Agency  # noqa: F401
from app.api.models import ApiCall, ApiToken, WebhookEndpoint  # noqa: F401
from app.desk.models import ResponseTemplate  # noqa: F401
from app.forum.models import Badge, Board, Follow, Panelist, Post, PostVote, Thread, ThreadRead  # noqa: F401
from app.moderation.models import Appeal, Decision, FilterWord, Flag, Suspension  # noqa: F401
from app.notify.models import Notification, OutboxMessage, SmsOptOut  # noqa: F401
from app.notify.preferences import DigestItem, NotificationSetting  # noqa: F401
from app.privacy.models import DataExport, ReadLogEntry  # noqa: F401
from app.sms.models import SmsInbound, SmsPart, SmsPending  # noqa: F401
from app.stats.models import StatsAgency, StatsArea, StatsRun, StatsSnapshot  # noqa: F401
from app.submissions.alerts import AlertSubscription  # noqa: F401
from app.submissions.models import (  # noqa: F401
    AnswerDraft,
    Attachment,
    Consent,
    DeadlineRule,
    Rating,
    Submission,
    SubmissionEvent,
    SubmissionFollower,
    Support,
    SupportCode,
    Topic,
)
from app.submissions.storage import AttachmentBlob  # noqa: F401
