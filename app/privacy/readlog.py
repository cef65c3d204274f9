"""The log of staff reading a submitter's personal data: one call from each page that shows it,
read by administrators (paged) and by the person in their export."""
from sqlalchemy import func, select

from app.common.logs import route_pattern
from app.common.paging import Page
from app.extensions import db
from app.privacy.models import ReadLogEntry


def record(staff, submission) -> None:
    """Note that `staff` was just shown `submission`'s personal data, on this route (its
    pattern, never its URL, which may hold a private link)."""
    db.session.add(ReadLogEntry(staff_id=staff.id, submission_id=submission.id,
                                subject_user_id=submission.user_id, route=route_pattern()[:120]))
    db.session.commit()


def page(number: int, per_page: int = 50) -> Page:
    """Newest first."""
    total = db.session.scalar(select(func.count()).select_from(ReadLogEntry))
    items = list(db.session.scalars(select(ReadLogEntry).order_by(ReadLogEntry.created_at.desc(),
                                                                  ReadLogEntry.id.desc())
                                    .offset((number - 1) * per_page).limit(per_page)))
    return Page.counted(items, number, total, per_page)
