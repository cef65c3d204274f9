"""Two-way SMS: the gateway's signed webhook, each message id processed once, the limit per
number, long messages joined, the syntax (GY, DONG Y, TC, HUY) and every reply in one SMS."""
import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.common.roles import Role
from app.common.text import sms_text
from app.common.time import utcnow
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel, OutboxMessage
from app.sms import replies
from app.sms.models import SmsPart, SmsPending
from app.sms.services import SIGNATURE_HEADER, sign
from app.submissions.models import Submission
from app.submissions.states import STATUS_LABELS, ConsentMethod, IntakeChannel
from tests.factories import make_staff, make_submission

SECRET = "khoa-chung-cua-cong-sms"
PHONE = "0912345678"
URL = "/sms/nhan"


@pytest.fixture(autouse=True)
def _secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_SECRET", SECRET)


def post(client, payload, secret=SECRET, signature=None):
    body = json.dumps(payload).encode()
    header = signature if signature is not None else sign(body, secret)
    return client.post(URL, data=body, headers={SIGNATURE_HEADER: header, "Content-Type": "application/json"})


_counter = iter(range(1, 10**6))


def text_from(client, text, phone=PHONE, **extra):
    return post(client, {"id": f"gw-{next(_counter)}", "from": phone, "text": text, **extra})


def sent_to(phone=PHONE) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.body).where(
        OutboxMessage.channel == Channel.SMS, OutboxMessage.recipient == phone).order_by(OutboxMessage.id)))


def test_a_bad_signature_is_refused_with_403_and_nothing_is_done(client):
    body = {"id": "gw-bad", "from": PHONE, "text": "GY Duong hong"}
    assert post(client, body, secret="doan-mo").status_code == 403
    assert post(client, body, signature="").status_code == 403
    assert db.session.scalar(select(SmsPending)) is None and sent_to() == []


def test_with_no_secret_configured_every_message_is_refused(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_SECRET", "")
    assert post(client, {"id": "gw-1", "from": PHONE, "text": "GY x"}, secret="").status_code == 403


def test_malformed_messages_get_400(client):
    assert post(client, {"id": "gw-1", "from": "12345", "text": "GY x"}).status_code == 400
    assert post(client, {"id": "gw-2", "from": PHONE}).status_code == 400
    part_past_the_end = {"id": "gw-3", "from": PHONE, "text": "x", "part": 3, "parts": 2, "ref": "r"}
    assert post(client, part_past_the_end).status_code == 400
    body = b"not json"
    response = client.post(URL, data=body, headers={SIGNATURE_HEADER: sign(body, SECRET)})
    assert response.status_code == 400


def test_the_same_message_id_is_processed_once(client):
    payload = {"id": "gw-replay", "from": PHONE, "text": "GY Duong vao thon bi sat lo"}
    first, again = post(client, payload), post(client, payload)
    assert first.json == {"status": "processed"} and again.json == {"status": "duplicate"}
    assert len(sent_to()) == 1


def test_a_number_over_its_hourly_limit_gets_429_and_no_reply(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_INBOUND_PER_HOUR", 3)
    statuses = [text_from(client, "xin chao").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(sent_to()) == 3
    assert text_from(client, "xin chao", phone="0987654321").status_code == 200  # another number is not limited


def test_a_long_message_is_processed_once_when_every_part_is_here(client):
    parts = ["GY Duong lien thon Na Hang bi sat lo nang sau tran mua ", "lu, xe may khong qua duoc, ",
             "de nghi xa sua som."]
    # The gateway may post the parts in any order.
    answers = [text_from(client, parts[i], ref="ab12", part=i + 1, parts=3).json["status"] for i in (2, 0)]
    assert answers == ["waiting", "waiting"] and sent_to() == []
    assert text_from(client, parts[1], ref="ab12", part=2, parts=3).json["status"] == "processed"
    pending = db.session.scalar(select(SmsPending))
    assert pending.content == "".join(parts)[3:]
    assert db.session.scalar(select(SmsPart)) is None
    assert len(sent_to()) == 1


def test_the_parts_of_a_long_message_that_never_completed_are_dropped_after_a_day(client):
    db.session.add(SmsPart(phone=PHONE, reference="cu", part=1, total=2, text="GY phan mat ",
                           received_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    text_from(client, "phan moi", ref="moi", part=2, parts=2)
    assert [p.reference for p in db.session.scalars(select(SmsPart))] == ["moi"]


def test_unknown_syntax_gets_the_help_text(client):
    text_from(client, "Cho toi hoi ve dat dai")
    text_from(client, "GY")  # a GY with nothing to send
    assert sent_to() == [replies.help_text(), replies.help_text()]
    assert "GY" in replies.help_text() and "TC" in replies.help_text() and "HUY" in replies.help_text()


def test_gy_files_nothing_until_dong_y_then_records_the_sms_consent(client, app):
    text_from(client, "gy: Đèn đường thôn 3 hỏng đã hai tháng")
    assert db.session.scalar(select(Submission)) is None
    assert "DONG Y" in sent_to()[-1] and "/quyen-rieng-tu" in sent_to()[-1]
    text_from(client, "Dong y")
    submission = db.session.scalar(select(Submission))
    assert submission.content == "Đèn đường thôn 3 hỏng đã hai tháng"
    assert submission.channel == IntakeChannel.SMS and submission.contact_phone == PHONE
    processing = next(c for c in submission.consents if c.purpose == "processing")
    assert processing.granted and processing.method == ConsentMethod.SMS
    assert processing.notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert sent_to()[-1] == replies.received(submission.code) and submission.code in sent_to()[-1]
    assert db.session.scalar(select(SmsPending)) is None


def test_dong_y_with_nothing_waiting_files_nothing(client):
    text_from(client, "DONG Y")
    assert db.session.scalar(select(Submission)) is None
    assert sent_to() == [replies.nothing_to_agree()]


@pytest.mark.parametrize("form", ["TC {code}", "{code}", "tc {spaced}"])
def test_a_code_alone_or_after_tc_gets_the_status(client, form):
    submission, _token = make_submission(contact_phone="0987000111")  # its receipt goes elsewhere
    spaced = f"{submission.code[:3]} {submission.code[3:6]} {submission.code[6:]}"
    text_from(client, form.format(code=submission.code, spaced=spaced))
    assert sent_to() == [replies.status(submission.code, submission.status)]
    assert sms_text("Đã tiếp nhận") in sent_to()[0]  # the status, in Vietnamese, unaccented


def test_an_unknown_code_says_so(client):
    text_from(client, "TC 1234567894")
    assert sent_to() == [replies.unknown_code("1234567894")]


def test_huy_stops_every_message_but_its_confirmation(client):
    submission, _token = make_submission(contact_phone="0987000111")
    text_from(client, "GY Cho hoi", phone="0987000111")
    text_from(client, "Huy", phone="0987000111")
    assert notify.sms_opted_out("0987000111")
    assert sent_to("0987000111")[-1] == replies.stopped()
    before = len(sent_to("0987000111"))
    text_from(client, f"TC {submission.code}", phone="0987000111")
    text_from(client, "DONG Y", phone="0987000111")  # the waiting GY was dropped with the HUY
    assert len(sent_to("0987000111")) == before
    assert db.session.scalar(select(Submission).where(Submission.channel == IntakeChannel.SMS)) is None


def test_writing_gy_after_huy_is_answered_again(client):
    text_from(client, "HUY")
    text_from(client, "GY Xin sua cau")
    assert not notify.sms_opted_out(PHONE)
    assert "DONG Y" in sent_to()[-1]


def _every_reply() -> list[str]:
    code = "1234567894"
    texts = [replies.help_text(), replies.consent_request(notify.public_url("core.privacy")), replies.received(code),
             replies.nothing_to_agree(), replies.unknown_code("12345678901234"), replies.stopped()]
    texts += [replies.status(code, status) for status in STATUS_LABELS]
    return texts


def test_every_reply_fits_one_gsm7_sms_in_vietnamese_unaccented(app):
    with app.test_request_context():
        texts = _every_reply()
    with force_locale("vi"):
        assert sms_text(str(STATUS_LABELS["received"])) in replies.status("1234567894", "received")
    for text in texts:
        assert replies.septets(text) is not None, f"not GSM-7: {text!r}"
        assert replies.fits_one_sms(text), f"{replies.septets(text)} septets: {text!r}"
        assert text == sms_text(text)
    assert any("Gop Y da nhan" in text for text in texts), "the replies are not in Vietnamese"


def test_gsm7_counting_knows_the_extension_table_and_refuses_accents():
    assert replies.septets("a[b]") == 6
    assert replies.septets("Góp") is None
    assert not replies.fits_one_sms("x" * 161) and replies.fits_one_sms("x" * 160)


def test_the_desk_marks_an_sms_submission_and_offers_a_call_back(client, login_as, htmx_headers):
    by_sms, _t = make_submission(title="Đèn đường hỏng", channel=IntakeChannel.SMS, contact_phone="0987000222")
    by_web, _t = make_submission(title="Cầu treo xuống cấp")
    login_as(make_staff(Role.COORDINATOR))
    with force_locale("vi"):
        badge = "Qua SMS"
    queue = client.get("/can-bo", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    rows = {title: queue.split(title)[1].split("</li>")[0] for title in ("Đèn đường hỏng", "Cầu treo xuống cấp")}
    assert badge in rows["Đèn đường hỏng"] and badge not in rows["Cầu treo xuống cấp"]
    case = client.get(f"/can-bo/ho-so/{by_sms.id}", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert badge in case and 'href="tel:0987000222"' in case
    fragment = client.get(f"/can-bo/ho-so/{by_sms.id}", headers={**htmx_headers, "Accept-Language": "vi"})
    assert badge in fragment.get_data(as_text=True)
    assert badge not in client.get(f"/can-bo/ho-so/{by_web.id}", headers={"Accept-Language": "vi"}).get_data(
        as_text=True)


def test_the_call_back_number_is_never_on_the_public_pages(client):
    submission, _t = make_submission(channel=IntakeChannel.SMS, contact_phone="0987000333", consent_publish=True)
    for url in (f"/tra-cuu/{submission.code}", f"/gop-y/{submission.code}"):
        html = client.get(url).get_data(as_text=True)
        assert "0987000333" not in html and "tel:" not in html


def test_notify_sends_no_sms_to_a_number_that_said_huy_but_still_sends_email(app):
    with app.test_request_context():
        notify.opt_out_sms(PHONE)
        db.session.commit()
        assert notify.enqueue(Channel.SMS, PHONE, "Gop Y: ho so da duoc tra loi") is None
        assert notify.enqueue(Channel.SMS, "0987000444", "Gop Y: ho so da duoc tra loi") is not None
        assert notify.enqueue(Channel.EMAIL, "dan@example.vn", "Góp ý đã được trả lời", subject="Góp Ý") is not None
        db.session.commit()
    assert sent_to() == [] and len(sent_to("0987000444")) == 1
