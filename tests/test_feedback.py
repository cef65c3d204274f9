"""Submitting feedback: the form, validation that keeps every value, retries, uploads."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.submissions.models import Consent, Submission
from tests.conftest import csrf_token, form_value
from tests.factories import any_topic_id


def _form_data(html: str, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(html),
        "idempotency_key": form_value(html, "idempotency_key"),
        "kind": "concern",
        "topic_id": str(any_topic_id()),
        "province_code": "",
        "ward_code": "",
        "title": "Sóng di động yếu tại thôn",
        "content": "Thôn chúng tôi không có sóng 4G ổn định, không làm được thủ tục trực tuyến.",
        "contact_name": "Lò Văn Thử",
        "contact_phone": "0912 345 678",
        "submitter_kind": "individual",
        "consent_processing": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (21.0, 1.0, 0.0)}  # GPS IFD: a latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_form_page_is_vietnamese_by_default(client):
    response = client.get("/gop-y/moi")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Gửi góp ý" in html and "Phản ánh, vướng mắc" in html


def test_guest_submission_gets_code_and_private_page(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    response = client.post("/gop-y/moi", data=_form_data(html))
    assert response.status_code == 303, re.findall(r'<a href="#[^"]+">([^<]+)', response.get_data(as_text=True))
    private = client.get(response.headers["Location"])
    page = private.get_data(as_text=True)
    submission = db.session.scalar(select(Submission))
    assert submission.contact_phone == "0912345678"
    assert re.fullmatch(r"\d{10}", submission.code)
    assert submission.code[:3] + " " + submission.code[3:6] in page
    assert "0912345678" in page  # the submitter sees their own details
    assert private.headers["Cache-Control"] == "private, no-store"
    purposes = {c.purpose: c.granted for c in db.session.scalars(select(Consent))}
    assert purposes == {"processing": True, "publish": False, "anonymous": False}


def test_retried_submission_creates_one_record(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html)
    first = client.post("/gop-y/moi", data=dict(data))
    second = client.post("/gop-y/moi", data=dict(data))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(db) == 1


def test_reused_key_with_different_text_is_a_new_submission(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    first = client.post("/gop-y/moi", data=_form_data(html))
    # Back restores the same page, with the same one-time key; the person writes another.
    second = client.post("/gop-y/moi", data=_form_data(html, title="Một góp ý khác hẳn",
                                                         content="Nội dung thứ hai, khác với lần gửi trước."))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] != second.headers["Location"]
    assert _count(db) == 2


def test_form_page_is_never_stored_so_back_fetches_a_fresh_key(client):
    response = client.get("/gop-y/moi")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_invalid_form_keeps_every_value_and_links_errors(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html, title="Ôi", contact_phone="12345", consent_processing=None)
    response = client.post("/gop-y/moi", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#title"' in page and 'href="#contact_phone"' in page and 'href="#consent_processing"' in page
    assert "Thôn chúng tôi không có sóng 4G ổn định" in page
    assert 'value="Ôi"' in page and 'value="12345"' in page
    assert _count(db) == 0


def test_expired_csrf_token_keeps_typed_text(client, db, app):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html, csrf_token="expired-or-forged-token")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/gop-y/moi", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Thôn chúng tôi không có sóng 4G ổn định" in page
    assert "Mọi nội dung bạn đã nhập vẫn còn nguyên" in page
    assert csrf_token(page) != "expired-or-forged-token"
    assert _count(db) == 0


def test_script_in_fields_is_shown_as_text(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    attack = "<script>alert(1)</script> tiêu đề"
    response = client.post("/gop-y/moi", data=_form_data(html, title=attack, content=attack * 2))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_commune_list_without_javascript_keeps_text(client):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    response = client.post("/gop-y/moi", data=_form_data(html, province_code="1", refresh_wards="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Phường Hoàn Kiếm" in page and "Thôn chúng tôi" in page
    assert "app-error-summary" not in page


def test_commune_list_fragment_for_htmx(client, htmx_headers):
    response = client.get("/gop-y/xa-phuong?province_code=1", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="ward-field">') and "<html" not in page
    assert "Phường Hoàn Kiếm" in page
    assert "HX-Request" in response.headers["Vary"]


def test_ward_must_belong_to_province(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    hoan_kiem = "70"  # a Hà Nội ward, sent with Hồ Chí Minh City
    response = client.post("/gop-y/moi", data=_form_data(html, province_code="79", ward_code=hoan_kiem))
    assert response.status_code == 422
    assert _count(db) == 0


@pytest.mark.parametrize("name,payload,message", [
    ("big.pdf", b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024), "lớn hơn 5 MB"),
    ("huge.jpg", b"\xff\xd8\xff" + b"0" * (21 * 1024 * 1024), "lớn hơn 20 MB"),
    ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "không phải ảnh"),
    ("page.jpg", b"<html><body><script>alert(1)</script></body></html>", "không phải ảnh"),
    ("empty.png", b"", None),
])
def test_bad_uploads_are_refused_with_text_kept(client, db, name, payload, message):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html)
    data["attachments"] = (io.BytesIO(payload), name)
    response = client.post("/gop-y/moi", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    if message is None:  # an empty file input is no attachment at all
        assert response.status_code in (303, 422)
        return
    assert response.status_code == 422
    assert message in page and "Thôn chúng tôi" in page
    assert _count(db) == 0


def test_png_bomb_is_refused(client, db):
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 megapixels, a few kilobytes
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html)
    data["attachments"] = (io.BytesIO(bomb.getvalue()), "bomb.png")
    response = client.post("/gop-y/moi", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "quá lớn" in response.get_data(as_text=True) or "không phải ảnh" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_stored_image_has_no_exif(client, db, app):
    original = _jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html)
    data["attachments"] = (io.BytesIO(original), "anh.jpg")
    response = client.post("/gop-y/moi", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    private_url = response.headers["Location"]
    page = client.get(private_url).get_data(as_text=True)
    link = re.search(r'href="(/tep/\d+\?t=[0-9a-f]+)"', page).group(1)
    served = client.get(link)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    stored = Image.open(io.BytesIO(served.data))
    assert not stored.getexif() and "exif" not in stored.info
    # Without the private link, the file is not there.
    assert client.get(link.split("?")[0]).status_code == 404


def test_four_files_are_refused(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html)
    data["attachments"] = [(io.BytesIO(b"%PDF-1.4 test"), f"doc{i}.pdf") for i in range(4)]
    response = client.post("/gop-y/moi", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "tối đa 3 tệp" in response.get_data(as_text=True)


def test_guest_must_leave_a_phone_or_an_email(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    response = client.post("/gop-y/moi", data=_form_data(html, contact_phone=""))
    assert response.status_code == 422
    assert 'href="#contact_phone"' in response.get_data(as_text=True)
    assert _count(db) == 0


def test_organisation_must_give_a_tax_code_unless_foreign(client, db):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    domestic = client.post("/gop-y/moi", data=_form_data(html, submitter_kind="organisation", org_name="Công ty A"))
    assert domestic.status_code == 422 and 'href="#tax_code"' in domestic.get_data(as_text=True)
    foreign = client.post("/gop-y/moi", data=_form_data(html, submitter_kind="organisation", org_name="Acme GmbH",
                                                          org_foreign="y"))
    assert foreign.status_code == 303
    submission = db.session.scalar(select(Submission))
    assert (submission.submitter_kind, submission.org_name, submission.org_foreign) == ("organisation", "Acme GmbH",
                                                                                        True)


@pytest.mark.parametrize("number", [0, -1, 2**31, 2**63, 10**30])
def test_a_province_code_no_database_holds_is_no_province(client, htmx_headers, number):
    form = client.get(f"/gop-y/moi?province_code={number}")
    assert form.status_code == 200
    assert '<option value="" selected>' in form.get_data(as_text=True).split('id="province_code"', 1)[1]
    fragment = client.get(f"/gop-y/xa-phuong?province_code={number}", headers=htmx_headers)
    assert fragment.status_code == 200 and 'id="ward-field"' in fragment.get_data(as_text=True)
    plain = client.get(f"/gop-y/xa-phuong?province_code={number}")
    assert plain.status_code == 303 and plain.headers["Location"] == "/gop-y/moi"


@pytest.mark.parametrize("field", ["province_code", "ward_code", "topic_id"])
@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_posted_number_no_database_holds_is_refused_with_422(client, db, field, number):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    response = client.post("/gop-y/moi", data=_form_data(html, **{"province_code": "1", field: str(number)}))
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert _count(db) == 0


def test_without_a_province_the_form_says_how_to_list_the_communes(client):
    empty = client.get("/gop-y/moi").get_data(as_text=True)
    listed = client.get("/gop-y/moi?province_code=1").get_data(as_text=True)
    assert 'id="ward_code-hint"' in empty
    assert 'id="ward_code-hint"' not in listed and "Phường Hoàn Kiếm" in listed
