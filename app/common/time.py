"""Times are stored as naive UTC and shown in Asia/Ho_Chi_Minh by the Babel filters."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
