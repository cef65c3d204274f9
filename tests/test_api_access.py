"""Every API route (read from the URL map, so a new one is swept by itself) for every kind of
caller: anonymous, a token with each single scope, one with all of them, another agency's,
a revoked and an expired one. Scopes decide who gets in; an agency's token reads only its own
cases' contacts; a revoked or expired token gets 401 everywhere."""
import io

import pytest

from app.api import tokens
from app.api.tokens import Scope
from app.submissions import attachments
from app.submissions.models import Attachment
from tests.api_support import bearer, expire, make_token, routed_case

CALLERS = ("anonymous", *Scope.ALL, "all", "other_agency", "revoked", "expired")
OWN_CASE_ROUTES = {"api_v1.case", "api_v1.case_attachment", "api_v1.take_step"}
PHONE = "0912345678"


def _caller(kind: str):
    """(scopes held, headers, kind of agency); None scopes for anonymous."""
    if kind == "anonymous":
        return frozenset({Scope.READ_PUBLIC}), {}, False
    if kind in (Scope.READ_PUBLIC, Scope.CREATE_SUBMISSIONS):
        token, value = make_token(kind)
    elif kind in Scope.AGENCY_ONLY:
        token, value = make_token(kind, agency="BKHCN")
    else:
        token, value = make_token(*Scope.ALL, agency="BTC" if kind == "other_agency" else "BKHCN")
    if kind == "revoked":
        tokens.revoke(token)
    if kind == "expired":
        expire(token)
    return token.scope_set, bearer(value), kind in ("revoked", "expired")


def _values(case, attachment_id: int) -> dict:
    return {"code": case.code, "attachment_id": attachment_id, "step": "note", "province_code": 1, "fmt": "json",
            "service_code": "vien-thong", "service_request_id": case.code, "token": case.idempotency_key}


def _body(endpoint: str, case) -> dict:
    if endpoint == "api_v1.take_step":
        return {"json": {"version": case.version, "text": "Ghi chú nội bộ"}}
    if endpoint == "api_v1.create_submission":
        return {"json": {"kind": "concern", "topic": "vien-thong", "title": "Sóng yếu ở bản", "contact_name": "Lò Mai",
                         "content": "Cả bản không có sóng 4G ổn định để làm thủ tục.", "contact_phone": "0987654321",
                         "consent_processing": True}}
    if endpoint == "open311.create_request":
        return {"data": {"service_code": "vien-thong", "first_name": "Lò", "last_name": "Mai", "phone": "0987654321",
                         "description": "Cả bản không có sóng 4G ổn định để làm thủ tục."}}
    return {}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api_v1.", "open311.")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                view = app.view_functions[rule.endpoint]
                scope = getattr(view, "api_operation", None) and view.api_operation.scope
                if rule.endpoint == "open311.create_request":
                    scope = Scope.CREATE_SUBMISSIONS
                yield rule, method, scope


def _with_key(headers: dict, endpoint: str, call: dict) -> None:
    """Open311 clients send the token as api_key; the sweep sends it the way each client does."""
    if endpoint.startswith("open311.") and headers:
        key = headers["Authorization"].removeprefix("Bearer ")
        if "data" in call:
            call["data"]["api_key"] = key
        else:
            call["query_string"] = {"api_key": key}
        headers.clear()


@pytest.mark.parametrize("kind", CALLERS)
def test_every_api_route_for_every_scope(app, client, db, kind):
    case, _t = routed_case("BKHCN", consent_publish=True)
    stored = attachments.store(b"%PDF-1.4 test", "application/pdf", "don.pdf")
    item = Attachment(submission_id=case.id, storage_key=stored.storage_key, original_name="don.pdf",
                      content_type="application/pdf", size=stored.size)
    db.session.add(item)
    db.session.commit()
    scopes, headers, invalid = _caller(kind)
    swept = 0
    for rule, method, scope in _routes(app):
        values = {name: _values(case, item.id)[name] for name in rule.arguments}
        url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
        call = _body(rule.endpoint, db.session.merge(case))
        call_headers = dict(headers)
        _with_key(call_headers, rule.endpoint, call)
        response = client.open(url, method=method, headers=call_headers, **call)
        status, text = response.status_code, response.get_data(as_text=True)
        where = (kind, method, url, status, text[:200])
        if invalid:
            assert status == 401, where
        elif kind == "other_agency" and rule.endpoint in OWN_CASE_ROUTES:
            assert status == 404, where  # the case exists, but not for this agency
        elif scope is None or scope in scopes:
            assert status in (200, 201), where
        else:
            assert status == (401 if kind == "anonymous" else 403), where
        reads_own_cases = kind in (Scope.READ_CASES, "all") and rule.endpoint.startswith("api_v1.case")
        if not reads_own_cases and rule.endpoint != "api_v1.create_submission":
            assert PHONE not in text, where
        swept += 1
        db.session.rollback()
    assert swept >= 20


def test_another_agencys_token_sees_none_of_the_cases(client, db):
    case, _t = routed_case("BKHCN")
    _token, value = make_token(*Scope.ALL, agency="BTC")
    listing = client.get("/api/v1/cases", headers=bearer(value))
    assert listing.status_code == 200 and listing.get_json()["items"] == []
    for url in (f"/api/v1/cases/{case.code}", f"/api/v1/cases/{case.code}/attachments/1"):
        assert client.get(url, headers=bearer(value)).status_code == 404
    step = client.post(f"/api/v1/cases/{case.code}/steps/take", json={"version": case.version}, headers=bearer(value))
    assert step.status_code == 404


def test_an_attachment_is_served_to_the_agency_handling_the_case_only(client, db):
    case, _t = routed_case("BKHCN")
    stored = attachments.store(b"%PDF-1.4 test", "application/pdf", "don.pdf")
    db.session.add(Attachment(submission_id=case.id, storage_key=stored.storage_key, original_name="don.pdf",
                              content_type="application/pdf", size=stored.size))
    db.session.commit()
    _token, value = make_token(Scope.READ_CASES, agency="BKHCN")
    listed = client.get(f"/api/v1/cases/{case.code}", headers=bearer(value)).get_json()["attachments"]
    download = client.get(listed[0]["url"].replace("http://localhost", ""), headers=bearer(value))
    assert download.status_code == 200 and download.get_data() == b"%PDF-1.4 test"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert io.BytesIO(download.get_data()).read(4) == b"%PDF"


def test_a_token_whose_acting_officer_left_the_agency_handles_nothing(client, db):
    case, _t = routed_case("BKHCN")
    token, value = make_token(Scope.READ_CASES, agency="BKHCN")
    token.acting_user.active = False
    db.session.commit()
    assert client.get("/api/v1/cases", headers=bearer(value)).get_json()["items"] == []
    assert client.get(f"/api/v1/cases/{case.code}", headers=bearer(value)).status_code == 404
