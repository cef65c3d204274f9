"""Administrators read the log of staff opening submitters' personal data."""
from app.admin import bp
from app.common import paging
from app.common.rendering import render
from app.privacy import readlog


@bp.get("/quyen-rieng-tu/nhat-ky-doc")
def read_log():
    """Who on the staff read whose personal data, newest first, a page at a time."""
    return render("admin/read_log.html", page=readlog.page(paging.requested_page()))
