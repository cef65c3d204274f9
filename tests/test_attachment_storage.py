"""Uploads in production: PDFs rewritten without what could run or identify their author,
names that follow the detected type, and files kept where every node can serve them (the
database, an S3-compatible store on loopback, or disk behind nginx)."""
import io
import re

import pikepdf
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.cli import migrate_from_disk
from app.submissions import attachments, storage
from app.submissions.models import Attachment
from tests.test_feedback import _form_data

ID_CARD = "001204012345"  # a citizen identity number, in the author metadata


def _dangerous_pdf() -> bytes:
    """A one-page PDF with author metadata, XMP, JavaScript on open and on the page, an
    embedded file, a form field and a link that launches a program."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.docinfo["/Author"] = f"Nguyễn Văn A, CCCD {ID_CARD}"
    pdf.docinfo["/Title"] = "Kiến nghị"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [f"CCCD {ID_CARD}"]
    script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')")))
    pdf.Root.OpenAction = script
    page = pdf.pages[0].obj
    page.AA = pikepdf.Dictionary(O=script)
    embedded = pikepdf.AttachedFileSpec(pdf, b"secret payload", filename="payload.exe")
    pdf.attachments["payload.exe"] = embedded
    field = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
        Rect=[0, 0, 50, 20]))
    launch = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 30, 50, 50],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc"))))
    page.Annots = pdf.make_indirect(pikepdf.Array([field, launch]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _keys_anywhere(pdf: pikepdf.Pdf) -> set[str]:
    found, seen = set(), set()

    def walk(obj):
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in obj.keys():  # noqa: SIM118  (a pikepdf Stream iterates its data, not its keys)
                found.add(key)
                if key == "/S":
                    found.add(f"action:{obj[key]}")
                if key not in ("/Parent", "/P"):
                    walk(obj[key])
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                walk(item)

    walk(pdf.trailer)
    return found


def test_the_test_pdf_is_dangerous():
    """The test below can fail: its file carries everything that must go."""
    data = _dangerous_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        keys = _keys_anywhere(pdf)
        assert {"/OpenAction", "/AA", "/JS", "/AcroForm", "/EmbeddedFiles", "/Metadata", "/Info"} <= keys
        assert ID_CARD in str(pdf.docinfo["/Author"])


def _upload(client, data: bytes, name: str):
    page = client.get("/gop-y/moi").get_data(as_text=True)
    form = _form_data(page)
    form["attachments"] = [(io.BytesIO(data), name)]
    return client.post("/gop-y/moi", data=form, content_type="multipart/form-data")


def _download(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/tep/\d+\?t=[0-9a-f]+)"', page).group(1)
    return client.get(link)


def test_pdf_named_html_is_rewritten_and_served_as_pdf(client, db):
    sent = _upload(client, _dangerous_pdf(), "file.html")
    assert sent.status_code == 303
    served = _download(client, sent)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert 'filename=file.pdf' in served.headers["Content-Disposition"]
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert ID_CARD.encode() not in served.data
    with pikepdf.open(io.BytesIO(served.data)) as pdf:
        keys = _keys_anywhere(pdf)
        assert not keys & {"/OpenAction", "/AA", "/JS", "/JavaScript", "/AcroForm", "/EmbeddedFiles", "/EmbeddedFile",
                           "/Metadata", "/Info", "action:/Launch", "action:/JavaScript"}
        assert len(pdf.pages) == 1
    item = db.session.scalar(select(Attachment))
    assert item.original_name == "file.pdf" and item.content_type == "application/pdf"


def test_a_pdf_that_cannot_be_read_is_refused(client, db):
    response = _upload(client, b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "ok.pdf")
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None


def test_files_are_kept_in_the_database_by_default(client, db):
    served = _download(client, _upload(client, _dangerous_pdf(), "kien-nghi.pdf"))
    item = db.session.scalar(select(Attachment))
    blob = db.session.get(storage.AttachmentBlob, item.storage_key)
    assert blob is not None and blob.data == served.data
    assert not storage.disk_path(item.storage_key).exists()


def test_files_on_disk_from_before_are_served_then_migrated(app, client, db):
    sent = _upload(client, _dangerous_pdf(), "cu.pdf")
    item = db.session.scalar(select(Attachment))
    data = storage.load(item.storage_key)
    # As an earlier version left it: on disk, not in the table.
    db.session.delete(db.session.get(storage.AttachmentBlob, item.storage_key))
    db.session.commit()
    path = storage.disk_path(item.storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    assert _download(client, sent).data == data
    result = CliRunner().invoke(migrate_from_disk, ["--delete"], catch_exceptions=False)
    assert "1 moved" in result.output
    assert db.session.get(storage.AttachmentBlob, item.storage_key).data == data and not path.exists()
    again = CliRunner().invoke(migrate_from_disk, [], catch_exceptions=False)
    assert "0 moved, 1 already stored, 0 missing" in again.output
    assert _download(client, sent).data == data


def test_disk_storage_behind_nginx_answers_x_accel_redirect(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_STORAGE", "disk")
    monkeypatch.setitem(app.config, "ATTACHMENT_ACCEL_PREFIX", "/_attachments/")
    served = _download(client, _upload(client, _dangerous_pdf(), "a.pdf"))
    key = db.session.scalar(select(Attachment.storage_key))
    assert served.headers["X-Accel-Redirect"] == f"/_attachments/{key[:2]}/{key}" and served.data == b""
    assert served.headers["Cache-Control"] == "private, no-store"


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 API server on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_storage_round_trip_through_the_app(app, client, db, monkeypatch, s3_server):
    import boto3

    settings = {"ATTACHMENT_STORAGE": "s3", "S3_ENDPOINT_URL": s3_server, "S3_BUCKET": "gopy-test",
                "S3_REGION": "ap-southeast-1", "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test"}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.delitem(app.extensions, "gopy_s3", raising=False)
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="ap-southeast-1", aws_access_key_id="test",
                      aws_secret_access_key="test")
    s3.create_bucket(Bucket="gopy-test", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    try:
        assert client.get("/readyz").json["checks"]["storage"] == "ok"
        sent = _upload(client, _dangerous_pdf(), "s3.pdf")
        key = db.session.scalar(select(Attachment.storage_key))
        stored = s3.get_object(Bucket="gopy-test", Key=key)["Body"].read()
        assert _download(client, sent).data == stored and ID_CARD.encode() not in stored
        assert db.session.get(storage.AttachmentBlob, key) is None
        attachments.remove(key)
        assert s3.list_objects_v2(Bucket="gopy-test").get("KeyCount") == 0
        monkeypatch.setitem(app.config, "S3_BUCKET", "no-such-bucket")
        assert client.get("/readyz").status_code == 503
    finally:
        app.extensions.pop("gopy_s3", None)
