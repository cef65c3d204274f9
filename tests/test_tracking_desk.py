"""The submitter's side of processing: polling that costs a 304, answering a request for
information, rating the answer and asking for reconsideration from the private page."""
import re

import pytest
from sqlalchemy import select

from app.common.roles import Role
from app.submissions import workflow
from app.submissions.models import Rating
from app.submissions.states import Status
from tests.factories import agency_id, make_staff, make_submission, make_user


@pytest.fixture()
def team(db):
    return dict(coordinator=make_staff(Role.COORDINATOR), officer=make_staff(Role.OFFICER, "BKHCN"),
                lead=make_staff(Role.LEAD, "BKHCN"))


def _in_progress(team, **values):
    submission, token = make_submission(**values)
    workflow.assign(submission, team["coordinator"], submission.version, agency_id("BKHCN"))
    workflow.take(submission, team["officer"], submission.version)
    return submission, token


def _answered(team, **values):
    submission, token = _in_progress(team, **values)
    workflow.draft(submission, team["officer"], submission.version, "Câu trả lời")
    workflow.answer(submission, team["lead"], submission.version)
    return submission, token


def _token_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_status_polling_answers_304_until_a_step(client, db, team, htmx_headers):
    submission, _token = make_submission()
    url = f"/tra-cuu/{submission.code}"
    first = client.get(url, headers=htmx_headers)
    assert first.status_code == 200 and 'hx-trigger="every 60s"' in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**htmx_headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    workflow.assign(submission, team["coordinator"], submission.version, agency_id("BKHCN"))
    changed = client.get(url, headers={**htmx_headers, "If-None-Match": etag})
    assert changed.status_code == 200 and "Đã chuyển xử lý" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)


def test_submitter_answers_request_for_information(client, db, team):
    submission, token = _in_progress(team)
    workflow.request_info(submission, team["officer"], submission.version, "Cho biết tên thôn?")
    page = client.get(f"/tra-cuu/rieng/{token}").get_data(as_text=True)
    assert "Cho biết tên thôn?" in page and "/bo-sung" in page
    empty = client.post(f"/tra-cuu/rieng/{token}/bo-sung", data={"csrf_token": _token_of(page), "reply": " "})
    assert empty.status_code == 422
    response = client.post(f"/tra-cuu/rieng/{token}/bo-sung",
                           data={"csrf_token": _token_of(page), "reply": "Thôn Nà Hang"})
    assert response.status_code == 303
    db.session.refresh(submission)
    assert submission.status == Status.IN_PROGRESS and submission.paused_on is None
    again = client.post(f"/tra-cuu/rieng/{token}/bo-sung", data={"csrf_token": _token_of(page), "reply": "Lần hai"})
    assert again.status_code == 422  # no longer awaiting: refused, nothing written
    assert [e.action for e in submission.events].count("provide_info") == 1


def test_submitter_rates_the_answer_once(client, db, team):
    submission, token = _answered(team)
    page = client.get(f"/tra-cuu/rieng/{token}").get_data(as_text=True)
    assert "Câu trả lời" in page and "/danh-gia" in page
    bad = client.post(f"/tra-cuu/rieng/{token}/danh-gia", data={"csrf_token": _token_of(page), "stars": "9"})
    assert bad.status_code == 422
    good = client.post(f"/tra-cuu/rieng/{token}/danh-gia",
                       data={"csrf_token": _token_of(page), "stars": "4", "comment": "Rõ ràng"})
    assert good.status_code == 303
    twice = client.post(f"/tra-cuu/rieng/{token}/danh-gia", data={"csrf_token": _token_of(page), "stars": "1"})
    assert twice.status_code == 303
    ratings = db.session.scalars(select(Rating)).all()
    assert [(r.stars, r.comment) for r in ratings] == [(4, "Rõ ràng")]


def test_submitter_asks_for_reconsideration(client, db, team):
    submission, token = _answered(team)
    page = client.get(f"/tra-cuu/rieng/{token}").get_data(as_text=True)
    response = client.post(f"/tra-cuu/rieng/{token}/xem-xet-lai",
                           data={"csrf_token": _token_of(page), "reason": "Chưa giải quyết được sóng"})
    assert response.status_code == 303
    db.session.refresh(submission)
    assert submission.status == Status.REOPENED


def test_rating_before_an_answer_is_refused(client, db, team):
    submission, token = _in_progress(team)
    page = client.get("/gop-y/moi").get_data(as_text=True)  # the private page offers no rating yet
    assert "/danh-gia" not in client.get(f"/tra-cuu/rieng/{token}").get_data(as_text=True)
    response = client.post(f"/tra-cuu/rieng/{token}/danh-gia", data={"csrf_token": _token_of(page), "stars": "5"})
    assert response.status_code == 303 and db.session.scalar(select(Rating.id)) is None


def test_account_holder_reaches_the_private_page_and_inbox(client, db, team, htmx_headers, login_as):
    citizen = make_user(Role.CITIZEN)
    submission, token = _in_progress(team, user=citizen)
    login_as(citizen)
    response = client.get(f"/tai-khoan/gop-y/{submission.code}/rieng")
    assert response.status_code == 303 and response.headers["Location"].endswith(token)
    inbox = client.get("/tai-khoan/thong-bao")
    assert inbox.status_code == 200 and submission.code in inbox.get_data(as_text=True)
    fragment = client.get("/tai-khoan/thong-bao", headers=htmx_headers).get_data(as_text=True)
    assert fragment.startswith('<div id="inbox">')


def test_answers_and_replies_stay_off_the_public_page_without_consent(client, db, team):
    submission, token = _in_progress(team, consent_publish=False)
    workflow.request_info(submission, team["officer"], submission.version, "Số nhà của bạn?")
    workflow.provide_info(submission, "Nhà số 12, ông Lò Văn Thử")
    workflow.draft(submission, team["officer"], submission.version, "Kính gửi ông Lò Văn Thử: đã xử lý.")
    workflow.answer(submission, team["lead"], submission.version)
    public = client.get(f"/tra-cuu/{submission.code}").get_data(as_text=True)
    polled = client.get(f"/tra-cuu/{submission.code}", headers={"HX-Request": "true"}).get_data(as_text=True)
    for html in (public, polled):
        assert "Lò Văn Thử" not in html and "Nhà số 12" not in html and "Đã trả lời" in html
    private = client.get(f"/tra-cuu/rieng/{token}").get_data(as_text=True)
    assert "Kính gửi ông Lò Văn Thử" in private and "Số nhà của bạn?" in private
    fragment = client.get(f"/tra-cuu/rieng/{token}", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith("<section")  # the fragment alone, not the page
    assert "Kính gửi ông Lò Văn Thử" in fragment.get_data(as_text=True)
    assert fragment.headers["Cache-Control"] == "private, no-store"


def test_published_answer_shows_on_the_public_page_with_consent(client, db, team):
    submission, _token = _answered(team, consent_publish=True)
    assert "Câu trả lời" in client.get(f"/tra-cuu/{submission.code}").get_data(as_text=True)
