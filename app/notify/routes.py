"""The in-app inbox of an account holder."""
from flask import request
from sqlalchemy import select, update

from flask_login import current_user

from app.common.permissions import login_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.common.time import utcnow
from app.extensions import db
from app.notify import bp
from app.notify.models import Notification


@bp.get("/tai-khoan/thong-bao")
@login_required
def inbox():
    """My notifications, newest first; opening the inbox marks them read."""
    mark_personal()
    query = select(Notification).where(Notification.user_id == current_user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    page = db.paginate(query, page=request.args.get("trang", 1, type=int), per_page=20, error_out=False)
    db.session.execute(update(Notification).where(Notification.user_id == current_user.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return render("notify/inbox.html", "notify/_inbox.html", results=page)
