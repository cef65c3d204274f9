"""Times are stored as naive UTC and shown in Asia/Ho_Chi_Minh by the Babel filters."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Vietnam observes no daylight saving, but the zone database is still the one source of truth.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def from_vietnam_time(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in Vietnam, as the naive UTC the database stores."""
    if value is None:
        return None
    return value.replace(tzinfo=VIETNAM).astimezone(UTC).replace(tzinfo=None)


def to_vietnam_time(value: datetime | None) -> datetime | None:
    """A stored naive UTC time as the wall-clock time in Vietnam (for a form's input)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(VIETNAM).replace(tzinfo=None)
