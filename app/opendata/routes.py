"""Open-data routes: the page (what there is, the licence, the downloads for the filters
chosen, the nightly dump with its checksums), the data dictionary, the files themselves."""
from flask import abort, current_app, request, send_from_directory
from flask_babel import get_locale
from flask_babel import gettext as _

from app.common import export
from app.common.rendering import form_page, render
from app.opendata import bp, dump, exports
from app.submissions import topics
from app.submissions.filters import PublicListForm

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.vi"


def _form() -> PublicListForm:
    return PublicListForm(request.args, topics=topics.topic_choices(str(get_locale()), _("All topics")))


@bp.get("")
def index():
    """What the open data holds, its licence, and the files for the filters chosen."""
    form = _form()
    form.validate()
    query = {key: value for key, value in request.args.items() if key != "sort" and value}
    return form_page("opendata/index.html", form=form, query=query, licence_url=LICENCE_URL,
                     manifest=dump.read_manifest(current_app.config["OPENDATA_DIR"]))


@bp.get("/tu-dien")
def dictionary():
    """Every column of every file: its name, type and meaning."""
    return render("opendata/dictionary.html", datasets=export.DATASETS.values(), licence_url=LICENCE_URL)


@bp.get("/gop-y.<fmt>")
def submissions(fmt: str):
    """The published submissions the filters select (all of them without filters), streamed."""
    return _download(fmt, exports.SUBMISSIONS)


@bp.get("/buoc-xu-ly.<fmt>")
def events(fmt: str):
    """The public steps of the published submissions the filters select, streamed."""
    return _download(fmt, exports.EVENTS)


def _download(fmt: str, dataset: export.Dataset):
    if fmt not in export.FORMATS:
        abort(404)
    form = _form()
    if not form.validate():
        # A filter no list offers: the page says which, in the reader's language (422).
        return form_page("opendata/index.html", form=form, query={}, licence_url=LICENCE_URL,
                         manifest=dump.read_manifest(current_app.config["OPENDATA_DIR"]))
    filters = form.filters()
    return export.download(fmt, dataset.name, dataset.columns, dataset.rows(filters))


@bp.get("/ban-sao/<name>")
def dump_file(name: str):
    """A file of the nightly dump, or its SHA256SUMS."""
    directory = current_app.config["OPENDATA_DIR"]
    if name not in dump.published_names(directory):
        abort(404)
    response = send_from_directory(directory, name, as_attachment=name.endswith(".gz"), max_age=3600)
    if name.endswith(".gz"):
        response.headers["Content-Type"] = "application/gzip"
    return response
