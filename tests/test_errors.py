"""Nothing a user sends produces a 500: friendly 404, 405, 413 pages in their language."""
import pytest


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_wrong_method_is_a_friendly_405(client):
    response = client.delete("/gop-y/moi")
    assert response.status_code == 405
    assert "Không thực hiện được thao tác này" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


def test_too_large_body_is_a_friendly_413(client, app):
    response = client.post("/gop-y/moi", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/tra-cuu?code=%00%ff", "/tra-cuu/%00", "/tra-cuu/rieng/..%2f..%2fetc", "/tep/999999?t=x",
    "/gop-y/xa-phuong?province_code=abc", "/static/../../wsgi.py", "/static/css/app.css",
    "/gop-y/moi?province_code=99999", "/ngon-ngu/en?next=//evil.example",
])
def test_odd_requests_never_500(client, db, url):
    assert client.get(url).status_code < 500


@pytest.mark.parametrize("field,value", [
    ("kind", "hack"), ("topic_id", "not-a-number"), ("topic_id", "999999"), ("province_code", "-1"),
    ("ward_code", "abc"), ("idempotency_key", "'; DROP TABLE submission; --"), ("title", "x" * 100_000),
    ("content", "\u202e\u200b" * 50), ("contact_email", "a@@b"), ("tax_code", "０１２"), ("title", "nul\x00byte"),
])
def test_hostile_form_values_get_4xx_not_5xx(client, db, field, value):
    from tests.conftest import csrf_token
    from tests.test_feedback import _form_data

    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = _form_data(html, **{field: value})
    response = client.post("/gop-y/moi", data=data)
    assert 300 <= response.status_code < 500, response.status_code
    assert csrf_token(html)


def test_nul_bytes_are_dropped_from_forms_and_refused_in_paths(client, db):
    from tests.conftest import csrf_token
    from tests.factories import PASSWORD, make_user

    make_user(email="nul@example.vn")
    html = client.get("/dang-nhap").get_data(as_text=True)
    response = client.post("/dang-nhap", data={"csrf_token": csrf_token(html), "identifier": "nul\x00@example.vn",
                                               "password": PASSWORD})
    assert response.status_code == 303  # the NUL is gone before any code sees the value
    assert client.get("/tra-cuu/12%0034").status_code == 400
