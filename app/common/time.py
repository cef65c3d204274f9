"""Times are stored as naive UTC and shown in Asia/Ho_Chi_Minh by the Babel filters."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
