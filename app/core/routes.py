"""Core routes: home, language switch, privacy notice, hashed static files."""
import mimetypes

from flask import Response, abort, current_app, has_request_context, redirect, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.common.assets import ONE_YEAR, STATIC_DIR, compressed, manifest, negotiate
from app.common.i18n import LANG_COOKIE, safe_next
from app.common.permissions import is_admin, is_staff
from app.common.rendering import render
from app.core import bp
from app.extensions import db
from app.privacy import notice
from app.tracking.forms import LookupForm

# The language a page offers to switch to, named in that language.
OTHER_LANGUAGE = {"vi": ("en", "English"), "en": ("vi", "Tiếng Việt")}


@bp.app_context_processor
def layout_answers() -> dict:
    """What the header shows, decided here from the permission rules, never in a template."""
    if not has_request_context():  # an e-mail rendered by a job has no header
        return {}
    code, name = OTHER_LANGUAGE.get(str(get_locale()), OTHER_LANGUAGE["en"])
    # Back to this very page after the switch; a form's POST has no page to go back to.
    here = request.full_path.rstrip("?") if request.method == "GET" else "/"
    return {
        "may_use_desk": is_staff(current_user),
        "may_administer": is_admin(current_user),
        "other_language": {"code": code, "name": name, "url": url_for("core.set_language", lang=code, next=here)},
    }


@bp.get("/")
def index():
    """What the platform is for, and the two things it offers: send feedback, look a code up."""
    return render("core/index.html", form=LookupForm(formdata=None))


@bp.get("/quyen-rieng-tu")
def privacy():
    """The privacy notice people agree to when they send feedback."""
    return render("core/privacy.html", notice=notice.facts())


@bp.get("/ngon-ngu/<lang>")
def set_language(lang: str):
    """Switch the language with a plain link; the choice is kept in a cookie and the profile."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    if current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang
        db.session.commit()
    response = redirect(safe_next(request.args.get("next"), url_for("core.index")), 303)
    response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.get("/static/<path:filename>")
def static(filename: str):
    """Static files by content-hashed name, cacheable for a year: a new file is a new name."""
    name = manifest.resolve(filename) or abort(404)
    encoding = negotiate(name, request.headers.get("Accept-Encoding", ""))
    if encoding:
        # Pre-compressed bytes, not a streamed file: Flask-Compress would skip gzip on a
        # stream, and would compress the same immutable file again on every request.
        response = Response(compressed(name, encoding), mimetype=mimetypes.guess_type(name)[0])
        response.headers["Content-Encoding"] = encoding
        response.set_etag(f"{filename}:{encoding}")
        response.vary.add("Accept-Encoding")
        response.make_conditional(request)
    else:
        response = send_from_directory(STATIC_DIR, name, max_age=ONE_YEAR)
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
