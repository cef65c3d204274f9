"""The JSON API v1: public data, an agency's cases and steps, new submissions, and the HTTP
habits (cursors, ETag, problems in the caller's language, rate limits, the call log)."""
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api import tokens
from app.api.models import ApiCall
from app.api.tokens import Scope
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.notify.models import Channel, Notification, OutboxMessage
from app.submissions import workflow
from app.submissions.models import Consent, Submission, SubmissionEvent
from app.submissions.states import Status
from tests.api_support import bearer, expire, make_token, routed_case
from tests.desk_helpers import post_step
from tests.factories import agency_id, make_staff, make_submission, make_user

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def _new_body(**values) -> dict:
    body = {"kind": "concern", "topic": "vien-thong", "title": "Sóng di động yếu ở bản Nà Hang",
            "content": "Cả bản không có sóng 4G ổn định, không làm được thủ tục trực tuyến.",
            "contact_name": "Lò Thị Mai", "contact_phone": "0912 345 678", "consent_processing": True}
    body.update(values)
    return body


def test_public_list_holds_published_submissions_and_no_personal_data(client, db):
    published, _t = make_submission(consent_publish=True, contact_email="mai@example.vn")
    make_submission(title="Một góp ý không công khai")
    response = client.get("/api/v1/submissions")
    assert response.status_code == 200 and response.mimetype == "application/json"
    items = response.get_json()["items"]
    assert [item["code"] for item in items] == [published.code]
    text = response.get_data(as_text=True)
    assert "0912345678" not in text and "mai@example.vn" not in text and "Lò Văn Thử" not in text
    assert items[0]["title"] == published.title and items[0]["status"] == Status.RECEIVED


def test_filters_narrow_the_list(client, db):
    kept, _t = routed_case("BKHCN", consent_publish=True)
    routed_case("BTC", consent_publish=True)
    make_submission(consent_publish=True)
    for query in ("agency=BKHCN", "status=assigned&agency=bkhcn", "topic=vien-thong&agency=BKHCN"):
        codes = [i["code"] for i in client.get(f"/api/v1/submissions?{query}").get_json()["items"]]
        assert codes == [kept.code], query
    assert client.get("/api/v1/submissions?topic=du-lieu").get_json()["items"] == []


def test_cursor_pages_reach_every_item_once_and_link_the_next(client, db):
    made = {make_submission(consent_publish=True, title=f"Góp ý số {n} về sóng")[0].code for n in range(5)}
    seen, url, pages = [], "/api/v1/submissions?limit=2", 0
    while url:
        response = client.get(url)
        page = response.get_json()
        seen += [item["code"] for item in page["items"]]
        url = page["links"]["next"]
        assert bool(url) == ("Link" in response.headers)
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_updated_since_with_order_asc_syncs_changes(client, db):
    first, _t = make_submission(consent_publish=True)
    second, _t = make_submission(consent_publish=True, title="Một góp ý khác về dữ liệu mở")
    mark = second.updated_at
    coordinator = make_staff(Role.COORDINATOR)
    workflow.assign(first, coordinator, first.version, agency_id("BKHCN"))
    since = (mark + timedelta(microseconds=1)).isoformat() + "Z"
    items = client.get(f"/api/v1/submissions?order=asc&updated_since={since}").get_json()["items"]
    assert [i["code"] for i in items] == [first.code] and items[0]["status"] == Status.ASSIGNED


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=101", "status=gone", "cursor=not-ours",
                                   "updated_since=yesterday", "province=99999999999999999999", "order=sideways",
                                   "cursor=WyJ4IiwgMV0"])
def test_bad_input_is_a_400_problem_never_a_500(client, db, query):
    response = client.get(f"/api/v1/submissions?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["errors"] and problem["type"].endswith("#problem-invalid-input")


def test_problems_speak_the_callers_language(client, db):
    vietnamese = client.get("/api/v1/submissions?limit=0").get_json()
    english = client.get("/api/v1/submissions?limit=0", headers={"Accept-Language": "en"}).get_json()
    assert english["title"] == "Some values are not valid"
    assert vietnamese["title"] != english["title"] and vietnamese["errors"][0]["name"] == "limit"
    assert client.get("/api/v1/khong-co", headers={"Accept-Language": "en"}).get_json()["status"] == 404


def test_one_submission_answers_304_when_unchanged_and_hides_unpublished_text(client, db):
    submission, _t = make_submission()
    response = client.get(f"/api/v1/submissions/{submission.code}")
    body = response.get_json()
    assert body["status"] == Status.RECEIVED and body["title"] is None and body["content"] is None
    assert [step["step"] for step in body["timeline"]] == ["submit"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    again = client.get(f"/api/v1/submissions/{submission.code}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(f"/api/v1/submissions/{submission.code}",
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get("/api/v1/submissions/1234567890").status_code == 404
    assert client.get("/api/v1/submissions/99999999999999999999").status_code == 404


def test_cases_show_the_agencys_own_cases_with_contact_and_nothing_else(client, db):
    own, _t = routed_case("BKHCN", contact_email="mai@example.vn")
    other, _t = routed_case("BTC")
    _token, value = make_token(Scope.READ_CASES, agency="BKHCN")
    page = client.get("/api/v1/cases", headers=bearer(value))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert [item["code"] for item in page.get_json()["items"]] == [own.code]
    assert page.get_json()["items"][0]["contact"]["email"] == "mai@example.vn"
    case = client.get(f"/api/v1/cases/{own.code}", headers=bearer(value)).get_json()
    assert case["contact"]["phone"] == "0912345678" and case["steps"] == ["take", "note"]
    assert client.get(f"/api/v1/cases/{other.code}", headers=bearer(value)).status_code == 404


def test_a_token_without_the_scope_is_refused(client, db):
    _token, public = make_token(Scope.READ_PUBLIC)
    assert client.get("/api/v1/cases").status_code == 401
    refused = client.get("/api/v1/cases", headers=bearer(public))
    assert refused.status_code == 403 and "insufficient_scope" in refused.headers["WWW-Authenticate"]


def test_revoked_expired_and_malformed_tokens_get_401_even_on_public_data(client, db):
    revoked, revoked_value = make_token(Scope.READ_PUBLIC)
    expired, expired_value = make_token(Scope.READ_PUBLIC)
    tokens.revoke(revoked)
    expire(expired)
    malformed = {"Authorization": "Basic eA=="}
    for headers in (bearer(revoked_value), bearer(expired_value), bearer("gopy_wrong"), malformed):
        response = client.get("/api/v1/submissions", headers=headers)
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers, headers


def test_every_call_is_logged_with_its_token_and_last_use_shown(client, db):
    token, value = make_token(Scope.READ_PUBLIC)
    client.get("/api/v1/topics", headers=bearer(value))
    client.get("/api/v1/submissions?limit=0", headers=bearer(value))
    calls = db.session.scalars(select(ApiCall).where(ApiCall.token_id == token.id).order_by(ApiCall.id)).all()
    assert [(c.method, c.path, c.status) for c in calls] == [("GET", "/api/v1/topics", 200),
                                                             ("GET", "/api/v1/submissions", 400)]
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_rate_limit_is_per_token_with_ratelimit_headers(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATELIMIT_ENABLED", True)
    app.extensions.pop("api_limiter", None)  # a fresh window for this test
    _token, value = make_token(Scope.READ_PUBLIC, rate_limit=10)
    _other, other_value = make_token(Scope.READ_PUBLIC, rate_limit=10)
    answers = [client.get("/api/v1/topics", headers=bearer(value)) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[0].headers["RateLimit-Limit"] == "10" and answers[0].headers["RateLimit-Remaining"] == "9"
    assert int(answers[-1].headers["Retry-After"]) >= 0 and answers[-1].mimetype == "application/problem+json"
    assert client.get("/api/v1/topics", headers=bearer(other_value)).status_code == 200
    app.extensions.pop("api_limiter", None)


def test_creating_validates_like_the_web_form_in_the_callers_language(client, db):
    _token, value = make_token(Scope.CREATE_SUBMISSIONS)
    headers = {**bearer(value), "Accept-Language": "en"}
    response = client.post("/api/v1/submissions", json=_new_body(contact_phone="12345", province=1, commune=999999),
                           headers=headers)
    assert response.status_code == 400
    refused = {e["name"]: e["reason"] for e in response.get_json()["errors"]}
    assert set(refused) == {"contact_phone", "commune"}
    assert "Vietnamese mobile number" in refused["contact_phone"]
    missing = client.post("/api/v1/submissions", json=_new_body(consent_processing=False), headers=bearer(value))
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["name"] == "consent_processing"
    assert client.post("/api/v1/submissions", data="x", headers=bearer(value)).status_code == 415
    assert client.post("/api/v1/submissions", json=_new_body()).status_code == 401


def test_creating_records_consents_attachments_and_a_retry_makes_one_record(client, db):
    _token, value = make_token(Scope.CREATE_SUBMISSIONS)
    headers = {**bearer(value), "Idempotency-Key": "mot-cua-xa-2026-000123"}
    form = {**_new_body(consent_publish="true"), "attachments": (io.BytesIO(PNG), "anh.png")}
    form.pop("consent_processing")
    form["consent_processing"] = "true"
    first = client.post("/api/v1/submissions", data=form, headers=headers, content_type="multipart/form-data")
    assert first.status_code == 201, first.get_data(as_text=True)
    created = first.get_json()
    assert first.headers["Location"].endswith(f"/api/v1/submissions/{created['code']}") and not created["replayed"]
    again = client.post("/api/v1/submissions", json=_new_body(consent_publish=True), headers=headers)
    assert again.status_code == 201 and again.get_json()["code"] == created["code"] and again.get_json()["replayed"]
    assert db.session.scalar(select(Submission).where(Submission.code == created["code"])) is not None
    assert len(db.session.scalars(select(Submission)).all()) == 1
    submission = db.session.scalar(select(Submission))
    purposes = {c.purpose: c.granted for c in db.session.scalars(select(Consent))}
    assert purposes == {"processing": True, "publish": True, "anonymous": False}
    assert [a.content_type for a in submission.attachments] == ["image/jpeg"]  # re-encoded, as on the web
    assert submission.contact_phone == "0912345678" and submission.contact_name == "Lò Thị Mai"
    assert client.get(created["private_url"].replace("http://localhost", "")).status_code == 200


def test_a_key_reused_for_different_text_is_refused(client, db):
    _token, value = make_token(Scope.CREATE_SUBMISSIONS)
    headers = {**bearer(value), "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/submissions", json=_new_body(), headers=headers).status_code == 201
    other = client.post("/api/v1/submissions", json=_new_body(title="Một nội dung hoàn toàn khác"), headers=headers)
    assert other.status_code == 422 and other.mimetype == "application/problem+json"


def _timeline(submission):
    events = db.session.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id == submission.id)
                                .order_by(SubmissionEvent.id)).all()
    return [(e.action, e.from_status, e.to_status, e.is_public, e.public_note, e.internal_note) for e in events]


def _told(submission):
    """What the submitter was told (the staff's own notices depend on who existed when)."""
    outbox = db.session.scalars(select(OutboxMessage).where(OutboxMessage.submission_id == submission.id,
                                                            OutboxMessage.user_id == submission.user_id,
                                                            OutboxMessage.channel != Channel.WEBHOOK)).all()
    inbox = db.session.scalars(select(Notification).where(Notification.submission_id == submission.id,
                                                          Notification.user_id == submission.user_id)).all()
    return sorted(m.channel for m in outbox), len(inbox)


def test_a_step_through_the_api_is_the_same_as_one_at_the_desk(client, db, login_as):
    citizen = make_user(Role.CITIZEN)
    at_desk, _t = routed_case("BKHCN", user=citizen)
    by_api, _t = routed_case("BKHCN", user=citizen)
    officer = make_staff(Role.OFFICER, "BKHCN")
    _token, value = make_token(Scope.READ_CASES, Scope.WRITE_CASES, agency="BKHCN")
    login_as(officer)
    assert post_step(client, at_desk, "take").status_code == 303
    assert post_step(client, at_desk, "request_info", question="Xin cho biết tên thôn cụ thể.").status_code == 303
    client.post("/dang-xuat", data={})
    api = client.application.test_client()
    version = api.get(f"/api/v1/cases/{by_api.code}", headers=bearer(value)).get_json()["version"]
    taken = api.post(f"/api/v1/cases/{by_api.code}/steps/take", json={"version": version}, headers=bearer(value))
    assert taken.status_code == 200 and taken.get_json()["status"] == Status.IN_PROGRESS
    asked = api.post(f"/api/v1/cases/{by_api.code}/steps/request_info", headers=bearer(value),
                     json={"version": taken.get_json()["version"], "text": "Xin cho biết tên thôn cụ thể."})
    assert asked.status_code == 200 and asked.get_json()["status"] == Status.AWAITING_INFO
    db.session.expire_all()
    assert _timeline(by_api) == _timeline(at_desk)
    assert _told(by_api) == _told(at_desk) and _told(by_api)[1] == 4  # received, assigned, taken, asked
    # The desk and the submitter's timeline show the API's step like any other.
    login_as(officer)
    desk_page = client.get(f"/can-bo/ho-so/{by_api.id}").get_data(as_text=True)
    assert "Xin cho biết tên thôn cụ thể." in desk_page
    public = api.get(f"/api/v1/submissions/{by_api.code}").get_json()
    assert [s["step"] for s in public["timeline"]] == ["submit", "assign", "take", "request_info"]


def test_a_stale_version_is_409_and_a_step_not_open_is_refused(client, db):
    case, _t = routed_case("BKHCN")
    _token, value = make_token(Scope.READ_CASES, Scope.WRITE_CASES, agency="BKHCN")
    stale = client.post(f"/api/v1/cases/{case.code}/steps/take", json={"version": case.version - 1},
                        headers=bearer(value))
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    answer = client.post(f"/api/v1/cases/{case.code}/steps/answer", json={"version": case.version},
                         headers=bearer(value))
    assert answer.status_code in (403, 409)
    empty = client.post(f"/api/v1/cases/{case.code}/steps/note", json={"version": case.version, "text": " "},
                        headers=bearer(value))
    assert empty.status_code == 400 and empty.get_json()["errors"][0]["name"] == "text"
    _read, read_only = make_token(Scope.READ_CASES, agency="BKHCN")
    assert client.post(f"/api/v1/cases/{case.code}/steps/take", json={"version": case.version},
                       headers=bearer(read_only)).status_code == 403
    assert client.post(f"/api/v1/cases/{case.code}/steps/close", json={"version": case.version},
                       headers=bearer(value)).status_code == 404


def test_a_leads_token_approves_the_officers_draft_and_transfers(client, db):
    case, _t = routed_case("BKHCN", consent_publish=True)
    _officer, officer_value = make_token(Scope.READ_CASES, Scope.WRITE_CASES, agency="BKHCN")
    _lead, lead_value = make_token(Scope.READ_CASES, Scope.WRITE_CASES, agency="BKHCN", role=Role.LEAD)
    step = lambda value, name, **body: client.post(  # noqa: E731
        f"/api/v1/cases/{case.code}/steps/{name}", headers=bearer(value),
        json={"version": db.session.get(Submission, case.id).version, **body})
    assert step(officer_value, "take").status_code == 200
    db.session.expire_all()
    drafted = step(officer_value, "draft", text="Doanh nghiệp viễn thông sẽ lắp trạm trong quý tới.")
    assert drafted.status_code == 200 and "answer" not in drafted.get_json()["steps"]
    draft = client.get(f"/api/v1/cases/{case.code}", headers=bearer(officer_value)).get_json()["draft"]
    assert draft["state"] == "pending"
    db.session.expire_all()
    answered = step(lead_value, "answer")
    assert answered.status_code == 200 and answered.get_json()["status"] == Status.ANSWERED
    assert client.get(f"/api/v1/submissions/{case.code}").get_json()["answer"]["text"].startswith("Doanh nghiệp")
    other, _t = routed_case("BKHCN")
    version = other.version
    moved = client.post(f"/api/v1/cases/{other.code}/steps/transfer", headers=bearer(lead_value),
                        json={"version": version, "agency": "BTC", "text": "Thuộc thẩm quyền Bộ Tài chính."})
    assert moved.status_code == 200
    assert moved.get_json() == {"code": other.code, "status": Status.ASSIGNED, "version": None, "steps": []}
    assert client.get(f"/api/v1/cases/{other.code}", headers=bearer(lead_value)).status_code == 404


def test_reference_data_and_statistics(client, db):
    routed_case("BKHCN")
    assert any(t["slug"] == "vien-thong" for t in client.get("/api/v1/topics").get_json())
    assert len(client.get("/api/v1/provinces").get_json()) == 34
    assert client.get("/api/v1/provinces/1/communes").get_json()[0]["code"]
    assert client.get("/api/v1/provinces/999/communes").status_code == 404
    stats = client.get("/api/v1/statistics").get_json()
    assert stats["total"] == 1 and stats["by_status"]["assigned"] == 1


def test_the_openapi_document_describes_every_route_of_the_api(app, client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = {(rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}"), method)
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api_v1.") and
              rule.endpoint != "api_v1.openapi" for method in rule.methods - {"HEAD", "OPTIONS"}}
    routes = {(path.replace("{id:", "{"), method) for path, method in routes}
    assert documented == routes
    english = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).get_json()
    assert english["paths"]["/cases"]["get"]["summary"] == "The agency's own cases, with contact details"
    assert document["paths"]["/cases"]["get"]["summary"] != english["paths"]["/cases"]["get"]["summary"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_guide_and_reference_read_in_both_languages(client, db, lang):
    headers = {"Accept-Language": lang}
    guide = client.get("/api", headers=headers)
    assert guide.status_code == 200 and f'lang="{lang}"' in guide.get_data(as_text=True)
    for tag in ("submissions", "cases", "reference"):
        page = client.get(f"/api/tham-chieu/{tag}", headers=headers).get_data(as_text=True)
        assert "/api/v1/" in page and "<script" not in page.split("</head>")[1]
    assert client.get("/api/tham-chieu/nothing").status_code == 404
    text = client.get("/api/tham-chieu/cases", headers=headers).get_data(as_text=True)
    expected = "Needs a token with the scope read:cases." if lang == "en" else "read:cases"
    assert expected in text


def test_json_is_compact_and_caches_are_told_what_varies(client, db):
    response = client.get("/api/v1/topics")
    assert "Authorization" in response.headers["Vary"] and "Accept-Language" in response.headers["Vary"]
    assert json.loads(response.get_data()) and response.headers["Content-Language"] == "vi"
    assert utcnow()
