"""Before submitting, "is it one of these?": published submissions like the title, as htmx
hints under the title (a fragment within 2 KB) and, without JavaScript, as a step between the
form and the confirmation that keeps every value; the desk's merge suggests the same."""
import gzip
import re

import pytest
from sqlalchemy import func, select, text

from app.common.roles import Role
from app.extensions import db as ext_db
from app.submissions import similar, workflow
from app.submissions.models import Submission
from tests.conftest import csrf_token, form_value
from tests.factories import any_topic_id, make_staff, make_submission

FRAGMENT_BUDGET = 2_048


@pytest.fixture()
def published(db):
    submission, _ = make_submission(consent_publish=True, title="Mất sóng di động ở thôn Nà Hang")
    make_submission(consent_publish=False, title="Mất sóng di động ở thôn Nà Hang, riêng tư")
    return submission


def _form(client, **overrides) -> dict:
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "idempotency_key": form_value(html, "idempotency_key"),
            "kind": "concern", "topic_id": str(any_topic_id()), "province_code": "", "ward_code": "",
            "title": "Thôn Nà Hang mất sóng di động", "content": "Cả tuần nay thôn không gọi được điện thoại.",
            "contact_name": "Lò Văn Thử", "contact_phone": "0912 345 678", "submitter_kind": "individual",
            "consent_processing": "y", "legal_reference": "Luật Viễn thông 2023"}
    data.update(overrides)
    return data


def _count() -> int:
    return ext_db.session.scalar(select(func.count()).select_from(Submission))


def test_hints_under_the_title_list_published_look_alikes(client, published, htmx_headers):
    response = client.get("/gop-y/tuong-tu?title=th%C3%B4n+N%C3%A0+Hang+m%E1%BA%A5t+s%C3%B3ng",
                          headers={**htmx_headers, "Accept-Encoding": "gzip"})
    body = gzip.decompress(response.get_data()).decode() if response.headers.get("Content-Encoding") else \
        response.get_data(as_text=True)
    assert f'href="/gop-y/{published.code}"' in body and "riêng tư" not in body
    assert 'name="similar_checked"' in body and "<html" not in body
    assert len(response.get_data()) <= FRAGMENT_BUDGET


def test_hints_ignore_diacritics_and_stay_empty_for_unrelated_titles(client, published, htmx_headers):
    found = client.get("/gop-y/tuong-tu?title=mat+song+di+dong+thon+na+hang", headers=htmx_headers)
    assert published.code in found.get_data(as_text=True)
    unrelated = client.get("/gop-y/tuong-tu?title=Ph%C3%AD+%C4%91%C4%83ng+k%C3%BD+s%C3%A1ng+ch%E1%BA%BF",
                           headers=htmx_headers).get_data(as_text=True)
    assert "/gop-y/" not in unrelated.replace('hx-get="/gop-y/tuong-tu"', "") and "similar_checked" not in unrelated
    assert client.get("/gop-y/tuong-tu?title=ab", headers=htmx_headers).status_code == 200


def test_without_htmx_the_hints_address_is_the_public_search(client, published):
    response = client.get("/gop-y/tuong-tu?title=song+di+dong")
    assert response.status_code == 303 and response.headers["Location"].endswith("/gop-y?q=song+di+dong")


def test_without_javascript_a_step_shows_them_and_keeps_every_value(client, published):
    data = _form(client)
    step = client.post("/gop-y/moi", data=data)
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "Có phải một trong các góp ý này?" in html
    assert f'href="/gop-y/{published.code}"' in html and _count() == 2
    for name in ("title", "content", "contact_name", "contact_phone", "idempotency_key", "legal_reference",
                 "consent_processing", "kind", "topic_id"):
        assert re.search(rf'<input type="hidden" name="{name}" value="{re.escape(data[name])}">', html), name
    assert '<input type="hidden" name="similar_checked" value="1">' in html
    sent = client.post("/gop-y/moi", data={**data, "similar_checked": "1"})
    assert sent.status_code == 303 and "/tra-cuu/rieng/" in sent.headers["Location"] and _count() == 3
    again = client.post("/gop-y/moi", data=data)  # a retry of the stored form: no step, the same record
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"] and _count() == 3


def test_the_step_offers_to_support_one_instead(client, published):
    html = client.post("/gop-y/moi", data=_form(client)).get_data(as_text=True)
    assert f'action="/gop-y/{published.code}/ung-ho"' in html
    assert '<input type="hidden" name="phone" value="0912345678">' in html  # the guest's phone, ready


def test_the_step_goes_back_to_the_form_with_every_value(client, published):
    data = _form(client)
    back = client.post("/gop-y/moi", data={**data, "similar_checked": "1", "edit": "1"})
    html = back.get_data(as_text=True)
    assert back.status_code == 200 and 'value="Thôn Nà Hang mất sóng di động"' in html
    assert "Cả tuần nay thôn không gọi được điện thoại." in html and _count() == 2


def test_with_htmx_the_hints_mark_the_form_and_it_is_sent_at_once(client, published):
    data = _form(client, similar_checked="1")
    assert client.post("/gop-y/moi", data=data).status_code == 303


def test_a_form_with_errors_shows_its_errors_not_the_step(client, published):
    response = client.post("/gop-y/moi", data=_form(client, content="ngắn"))
    assert response.status_code == 422 and "Có phải một trong các góp ý này?" not in response.get_data(as_text=True)


def test_the_step_page_fits_one_window(client, published):
    html = client.post("/gop-y/moi", data=_form(client)).get_data()
    assert len(gzip.compress(html)) <= 14_600


def test_merged_submissions_are_not_suggested(client, published, htmx_headers):
    duplicate, _ = make_submission(consent_publish=True, title="Thôn Nà Hang mất sóng di động hoàn toàn")
    workflow.merge(duplicate, make_staff(Role.COORDINATOR), duplicate.version, published.code)
    body = client.get("/gop-y/tuong-tu?title=thon+na+hang+mat+song+di+dong", headers=htmx_headers).get_data(
        as_text=True)
    assert published.code in body and duplicate.code not in body


def test_the_desk_merge_suggests_duplicates_and_shows_supports(client, published, login_as):
    copy, _ = make_submission(title="Thôn Nà Hang bị mất sóng di động")
    unrelated, _ = make_submission(title="Phí đăng ký sáng chế còn cao")
    login_as(make_staff(Role.COORDINATOR))
    html = client.get(f"/can-bo/ho-so/{copy.id}").get_data(as_text=True)
    suggestions = html.split("Các góp ý có thể trùng", 1)[1].split("</ul>", 1)[0]
    assert f"/can-bo/ho-so/{published.id}" in suggestions and f"/can-bo/ho-so/{unrelated.id}" not in suggestions
    assert f"/can-bo/ho-so/{copy.id}" not in suggestions
    from app.submissions import supports
    from tests.factories import make_user

    supports.support_as_user(published, make_user())
    assert "Lượt ủng hộ" in client.get(f"/can-bo/ho-so/{published.id}").get_data(as_text=True)


@pytest.mark.parametrize("a, b", [("mat song di dong o thon na hang", "song di dong yeu tai thon na hang"),
                                  ("khong co song di dong", "song di dong yeu tai thon na hang"),
                                  ("phi dang ky sang che", "de nghi mo du lieu xe buyt"), ("", "abc")])
def test_the_fallback_measures_like_pg_trgm(db, a, b):
    # What PostgreSQL 15's pg_trgm answers for these pairs (asked directly when the suite runs on it).
    expected = {("mat song di dong o thon na hang", "song di dong yeu tai thon na hang"): 0.62857145,
                ("khong co song di dong", "song di dong yeu tai thon na hang"): 0.31428573,
                ("phi dang ky sang che", "de nghi mo du lieu xe buyt"): 0.046511628, ("", "abc"): 0.0}.get((a, b))
    if ext_db.engine.dialect.name == "postgresql":
        expected = ext_db.session.execute(text("SELECT similarity(:a, :b)"), {"a": a, "b": b}).scalar()
    if expected is not None:
        assert similar.similarity(a, b) == pytest.approx(expected, abs=1e-6)
    assert 0 <= similar.similarity(a, b) <= 1
