"""The administrators' start page: a link to everything an administrator manages."""
from app.admin import bp
from app.common.rendering import render


@bp.get("")
def index():
    """Every section of the administration area."""
    return render("admin/index.html")
