"""Assisted intake at the commune's one-stop counter: staff file for a resident (page and
fragment), the consent is recorded as given in person with who recorded it, the receipt has
the code and a QR code of the tracking page, the receipt goes by SMS; citizens are refused."""
import re

import pytest
import segno
from flask_babel import force_locale
from sqlalchemy import select

from app.common.roles import Role
from app.extensions import db
from app.feedback import services
from app.notify.models import Channel, OutboxMessage
from app.sms import replies
from app.submissions import codes
from app.submissions.models import Submission
from app.submissions.states import ConsentMethod, IntakeChannel
from tests.conftest import csrf_token, form_value
from tests.factories import any_topic_id, make_person, make_staff, make_submission

URL = "/gop-y/tai-quay"


@pytest.fixture()
def officer(db):
    return make_staff(Role.OFFICER, "BKHCN", full_name="Cán Bộ Một Cửa")


def _values(html: str, **changes) -> dict:
    values = {"csrf_token": csrf_token(html), "idempotency_key": form_value(html, "idempotency_key"),
              "channel": IntakeChannel.COUNTER, "kind": "concern", "topic_id": str(any_topic_id()),
              "title": "Đường liên thôn sạt lở sau mưa",
              "content": "Đoạn đường từ thôn 3 ra xã bị sạt lở, xe máy không qua được.",
              "contact_name": "Hà Thị Dân", "contact_phone": "0987 654 321", "submitter_kind": "individual",
              "consent_processing": "y"}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def test_the_staff_form_as_page_and_as_fragment(client, login_as, officer, htmx_headers):
    login_as(officer)
    page = client.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'id="counter-form"' in html
    assert 'name="channel"' in html and 'name="consent_processing"' in html
    assert page.headers["Cache-Control"] == "private, no-store"
    fragment = client.get(URL, headers=htmx_headers)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="counter-form">') and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_filing_records_the_consent_in_person_with_its_recorder_and_sends_the_receipt(client, login_as, officer):
    login_as(officer)
    response = client.post(URL, data=_values(client.get(URL).get_data(as_text=True), channel=IntakeChannel.PHONE))
    assert response.status_code == 303
    submission = db.session.scalar(select(Submission))
    assert response.headers["Location"].endswith(f"/gop-y/tai-quay/{submission.id}/bien-nhan")
    assert submission.channel == IntakeChannel.PHONE and submission.user_id is None
    assert submission.contact_name == "Hà Thị Dân" and submission.contact_phone == "0987654321"
    processing = next(c for c in submission.consents if c.purpose == "processing")
    assert processing.granted and processing.method == ConsentMethod.IN_PERSON
    assert processing.recorded_by_id == officer.id and processing.recorded_at is not None
    sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)).all()
    assert [(m.recipient, m.submission_id) for m in sms] == [("0987654321", submission.id)]
    assert submission.code in codes.normalize(sms[0].body) and f"/tra-cuu/{submission.code}" in sms[0].body


def test_a_retried_form_files_once_and_texts_once(client, login_as, officer):
    login_as(officer)
    values = _values(client.get(URL).get_data(as_text=True))
    assert client.post(URL, data=values).status_code == 303
    assert client.post(URL, data=values).status_code == 303
    assert len(db.session.scalars(select(Submission)).all()) == 1
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)).all()) == 1


def test_no_phone_no_sms_and_no_consent_no_filing(client, login_as, officer, htmx_headers):
    login_as(officer)
    html = client.get(URL).get_data(as_text=True)
    refused = client.post(URL, data=_values(html, consent_processing=None, contact_name="Người Không Đồng Ý"),
                          headers=htmx_headers)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Người Không Đồng Ý" in body and "<html" not in body
    assert db.session.scalar(select(Submission)) is None
    done = client.post(URL, data=_values(html, contact_phone=""), headers=htmx_headers)
    assert done.status_code == 204 and "/bien-nhan" in done.headers["HX-Redirect"]
    assert db.session.scalar(select(Submission)).contact_phone is None
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)) is None


def test_the_receipt_prints_the_code_and_a_qr_code_of_the_lookup_link(app, client, login_as, officer):
    login_as(officer)
    client.post(URL, data=_values(client.get(URL).get_data(as_text=True)))
    submission = db.session.scalar(select(Submission))
    page = client.get(f"/gop-y/tai-quay/{submission.id}/bien-nhan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    lookup = app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/tra-cuu/{submission.code}"
    assert codes.display(submission.code) in html and f'href="{lookup}"' in html
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL).group()
    # segno draws but cannot read QR codes: the SVG must be the one drawn from the lookup link.
    title = re.search(r"<title>(.*?)</title>", svg).group(1)
    expected = segno.make(lookup, error=services.QR_ERROR).svg_inline(
        scale=services.QR_SCALE, border=services.QR_BORDER, title=title, svgclass="app-receipt__qr", lineclass=None)
    assert svg == expected
    other = segno.make(lookup + "0", error=services.QR_ERROR).svg_inline(
        scale=services.QR_SCALE, border=services.QR_BORDER, title=title, svgclass="app-receipt__qr", lineclass=None)
    assert svg != other
    assert "Cán Bộ Một Cửa" in html  # who recorded the consent


def test_the_receipt_sms_fits_one_gsm7_message(app):
    with app.test_request_context(), force_locale("vi"):
        text = services.receipt_sms("1234567894")
    assert replies.fits_one_sms(text), text
    assert "123 456 7894" in text and "Gop Y" in text


@pytest.mark.parametrize("role", ["citizen", "organisation", "moderator", "admin"])
def test_people_who_are_not_staff_get_403(client, login_as, role):
    submission, _t = make_submission()
    login_as(make_person(role))
    html = client.get("/gop-y/moi").get_data(as_text=True)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"csrf_token": csrf_token(html)}).status_code == 403
    assert client.get(f"/gop-y/tai-quay/{submission.id}/bien-nhan").status_code == 403


def test_an_officer_of_another_agency_cannot_print_someone_elses_receipt(client, login_as, officer):
    login_as(officer)
    client.post(URL, data=_values(client.get(URL).get_data(as_text=True)))
    submission = db.session.scalar(select(Submission))
    login_as(make_staff(Role.OFFICER, "BTC"))
    assert client.get(f"/gop-y/tai-quay/{submission.id}/bien-nhan").status_code == 404
    login_as(make_staff(Role.COORDINATOR))  # the receiving office handles every submission
    assert client.get(f"/gop-y/tai-quay/{submission.id}/bien-nhan").status_code == 200


def test_the_desk_queue_links_to_the_counter_form(client, login_as, officer):
    login_as(officer)
    assert f'href="{URL}"' in client.get("/can-bo").get_data(as_text=True)
