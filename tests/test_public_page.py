"""Reading and supporting what others sent: the public page of a published submission, "this
concerns me too" (once per account, once per verified phone for a guest), following it (its
steps in the inbox), and the public list sorted by supports."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db as ext_db
from app.notify.models import Channel, Notification, OutboxMessage
from app.submissions import supports, workflow
from app.submissions.models import Submission, SubmissionFollower, Support, SupportCode
from tests.conftest import csrf_token
from tests.factories import agency_id, make_staff, make_submission, make_user


@pytest.fixture()
def published(db):
    submission, _token = make_submission(
        consent_publish=True, title="Trạm y tế xã chưa kết nối hồ sơ sức khỏe điện tử",
        content="Gọi tôi 0912 345 678 nếu cần. Trạm y tế xã Tả Van vẫn ghi sổ tay.",
        contact_name="Vàng Thị Dính", legal_reference="Thông tư 46/2018/TT-BYT")
    return submission


def _count(submission) -> int:
    return ext_db.session.scalar(select(Submission.support_count).where(Submission.id == submission.id))


def _token(client, submission) -> str:
    return csrf_token(client.get(f"/gop-y/{submission.code}").get_data(as_text=True))


def test_the_public_page_shows_the_submission_as_published(client, published):
    html = client.get(f"/gop-y/{published.code}").get_data(as_text=True)
    assert "Trạm y tế xã chưa kết nối hồ sơ sức khỏe điện tử" in html and "Thông tư 46/2018/TT-BYT" in html
    assert "Trạm y tế xã Tả Van vẫn ghi sổ tay." in html
    assert "0912 345 678" not in html and "Vàng Thị Dính" not in html and "[…]" in html
    assert "Một người dân" in html  # a person's name is never published
    assert "Đã tiếp nhận góp ý" in html  # the timeline


def test_anonymity_and_organisations_are_shown_as_chosen(client, db):
    org = make_user(kind="organisation", org_name="Công ty Mây Xanh", tax_code="0100109106")
    named, _ = make_submission(user=org, consent_publish=True)
    hidden, _ = make_submission(user=org, consent_publish=True, anonymous_public=True)
    assert "Công ty Mây Xanh" in client.get(f"/gop-y/{named.code}").get_data(as_text=True)
    page = client.get(f"/gop-y/{hidden.code}").get_data(as_text=True)
    assert "Công ty Mây Xanh" not in page and "0100109106" not in page and "Ẩn danh" in page


def test_only_published_submissions_have_a_public_page(client, db):
    private, _ = make_submission(consent_publish=False)
    assert client.get(f"/gop-y/{private.code}").status_code == 404
    assert client.get("/gop-y/1234567894").status_code == 404  # a valid code no submission has
    assert client.post(f"/gop-y/{private.code}/ung-ho", data={}).status_code in (400, 404)


def test_the_public_list_links_the_public_page_and_sorts_by_supports(client, db, login_as):
    popular, _ = make_submission(consent_publish=True, title="Nhiều người quan tâm")
    make_submission(consent_publish=True, title="Ít người quan tâm")  # newer
    for _index in range(3):
        assert supports.support_as_user(popular, make_user())
    newest = client.get("/gop-y").get_data(as_text=True)
    assert newest.index("Ít người quan tâm") < newest.index("Nhiều người quan tâm")
    ordered = client.get("/gop-y?sort=supports").get_data(as_text=True)
    assert ordered.index("Nhiều người quan tâm") < ordered.index("Ít người quan tâm")
    assert f'href="/gop-y/{popular.code}"' in ordered and "3 lượt ủng hộ" in ordered
    assert client.get("/gop-y?sort=nope").status_code == 422


def test_an_account_supports_once(client, published, login_as):
    login_as("citizen")
    version = published.version
    for _press in range(2):
        response = client.post(f"/gop-y/{published.code}/ung-ho", data={"csrf_token": _token(client, published)})
        assert response.status_code == 303
    assert _count(published) == 1
    ext_db.session.refresh(published)
    assert published.version == version, "a support never makes an officer's open form stale"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "đã được ghi nhận từ trước" in page and "1 người ủng hộ góp ý này." in page and "Bạn đã ủng hộ" in page


def test_supporting_with_htmx_answers_the_actions_block(client, published, login_as, htmx_headers):
    login_as("citizen")
    response = client.post(f"/gop-y/{published.code}/ung-ho", data={"csrf_token": _token(client, published)},
                           headers=htmx_headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="actions"') and "<html" not in body
    assert "1 người ủng hộ góp ý này." in body and "HX-Request" in response.headers["Vary"]


def test_an_expired_token_keeps_the_page_and_says_why(client, published, login_as):
    login_as("citizen")
    response = client.post(f"/gop-y/{published.code}/ung-ho", data={"csrf_token": "old"})
    assert response.status_code in (400, 422)
    assert _count(published) == 0


def _guest_support(client, submission, phone: str) -> str:
    """Send the phone, read the code from the SMS in the outbox; returns the code."""
    response = client.post(f"/gop-y/{submission.code}/ung-ho", data={"csrf_token": _token(client, submission),
                                                                     "phone": phone})
    assert response.status_code == 303 and response.headers["Location"].endswith("/ung-ho/ma")
    sms = ext_db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)
                                 .order_by(OutboxMessage.id.desc())).first()
    assert sms.recipient == phone.replace(" ", "") and len(sms.body) <= 160 and sms.body.isascii()
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def _confirm(client, submission, code: str):
    return client.post(f"/gop-y/{submission.code}/ung-ho/ma", data={"csrf_token": _token(client, submission),
                                                                   "code": code})


def test_a_guest_supports_once_per_verified_phone(client, published):
    code = _guest_support(client, published, "0987 111 222")
    page = client.get(f"/gop-y/{published.code}/ung-ho/ma").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    wrong = _confirm(client, published, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and "Mã không đúng" in wrong.get_data(as_text=True)
    assert _count(published) == 0
    assert _confirm(client, published, code).status_code == 303
    assert _count(published) == 1
    again = _guest_support(client, published, "0987111222")
    assert _confirm(client, published, again).status_code == 303
    assert _count(published) == 1, "the same phone counts once"
    assert _confirm(client, published, again).status_code == 422, "a code is used once"
    other = _guest_support(client, published, "0987111333")
    _confirm(client, published, other)
    assert _count(published) == 2
    assert ext_db.session.scalar(select(func.count()).select_from(Support)) == 2


def _ask_support(client, submission, phone: str):
    return client.post(f"/gop-y/{submission.code}/ung-ho", data={"csrf_token": _token(client, submission),
                                                                   "phone": phone})


def test_a_guest_is_not_sent_codes_without_end(client, published):
    """The same rule as an account's codes (common.sendlimits): 3 an hour and 10 a day per number."""
    for _attempt in range(3):
        _guest_support(client, published, "0987111444")
    response = _ask_support(client, published, "0987111444")
    assert response.status_code == 429 and "tối đa 3 mã mỗi giờ" in response.get_data(as_text=True)
    assert _sms_to("0987111444") == 3
    for _hour in range(3):  # the hours pass, the day does not
        for row in ext_db.session.scalars(select(SupportCode)):
            row.created_at -= timedelta(hours=1)
        ext_db.session.commit()
        for _attempt in range(3):
            _ask_support(client, published, "0987111444")
    assert _sms_to("0987111444") == 10
    assert _ask_support(client, published, "0987111444").status_code == 429
    assert _sms_to("0987111444") == 10
    assert _ask_support(client, published, "0987111555").status_code == 303, "another number has its own count"


def _sms_to(phone: str) -> int:
    return ext_db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.recipient == phone))


def test_a_guest_has_one_live_code_at_a_time(client, published):
    old = _guest_support(client, published, "0987111666")
    new = _guest_support(client, published, "0987111666")
    live = ext_db.session.scalar(select(func.count()).select_from(SupportCode)
                                 .where(SupportCode.phone == "0987111666", SupportCode.expires_at > utcnow()))
    assert live == 1
    if old != new:
        assert _confirm(client, published, old).status_code == 422
    assert _confirm(client, published, new).status_code == 303
    assert _count(published) == 1


def test_wrong_codes_lock_a_number_for_the_day(client, published):
    """Five wrong tries kill a code; ten in a day lock the number: asking again buys no guesses."""
    first = _guest_support(client, published, "0987111777")
    wrong = "000000" if first != "000000" else "111111"
    assert [_confirm(client, published, wrong).status_code for _ in range(5)] == [422] * 5
    assert _confirm(client, published, first).status_code == 422, "dead after five wrong tries"
    second = _guest_support(client, published, "0987111777")
    wrong = "000000" if second != "000000" else "111111"
    assert [_confirm(client, published, wrong).status_code for _ in range(5)] == [422] * 5
    refused = _confirm(client, published, second)
    assert refused.status_code == 429, "ten wrong tries today: even the right code waits for tomorrow"
    locked = _ask_support(client, published, "0987111777")
    assert locked.status_code == 429 and "ngày mai" in locked.get_data(as_text=True)
    assert _sms_to("0987111777") == 2
    assert _count(published) == 0


def test_a_guest_phone_must_be_a_mobile_number(client, published):
    response = client.post(f"/gop-y/{published.code}/ung-ho", data={"csrf_token": _token(client, published),
                                                                     "phone": "12345"})
    assert response.status_code == 422 and "Nhập số di động Việt Nam" in response.get_data(as_text=True)


def test_an_account_and_its_verified_phone_count_once(client, published, login_as):
    user = make_user(phone="0987111555", phone_verified_at=utcnow())
    assert supports.support_as_user(published, user)
    login_as("anonymous")
    code = _guest_support(client, published, "0987111555")
    _confirm(client, published, code)
    assert _count(published) == 1


def test_following_brings_each_public_step_to_the_inbox(client, published, login_as):
    follower = login_as(make_user(locale="en", email_verified_at=utcnow()))
    response = client.post(f"/gop-y/{published.code}/theo-doi", data={"csrf_token": _token(client, published)})
    assert response.status_code == 303
    coordinator = make_staff(Role.COORDINATOR)
    workflow.assign(published, coordinator, published.version, agency_id("BKHCN"))
    workflow.note(published, coordinator, published.version, "Ghi chú nội bộ")  # internal: nobody is told
    lines = ext_db.session.scalars(select(Notification).where(Notification.user_id == follower.id)).all()
    assert len(lines) == 1
    assert lines[0].body.startswith(f"Submission {published.code[:3]}") and "you follow" in lines[0].body
    assert lines[0].link == f"/gop-y/{published.code}"
    assert ext_db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == follower.email))
    client.post(f"/gop-y/{published.code}/bo-theo-doi", data={"csrf_token": _token(client, published)})
    assert not ext_db.session.scalar(select(SubmissionFollower))
    workflow.take(published, make_staff(Role.OFFICER, "BKHCN"), published.version)  # public: nobody told now
    assert ext_db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.user_id == follower.id)) == 1


def test_the_submitter_is_not_told_twice_when_following(client, db, login_as):
    owner = login_as(make_user())
    submission, _ = make_submission(user=owner, consent_publish=True)
    client.post(f"/gop-y/{submission.code}/theo-doi", data={"csrf_token": _token(client, submission)})
    lines = select(func.count()).select_from(Notification).where(Notification.user_id == owner.id)
    before = ext_db.session.scalar(lines)  # the receipt's line
    workflow.assign(submission, make_staff(Role.COORDINATOR), submission.version, agency_id("BKHCN"))
    assert ext_db.session.scalar(lines) == before + 1


def test_a_merged_submission_points_to_its_original(client, db, login_as):
    original, _ = make_submission(consent_publish=True, title="Bản gốc về sóng di động")
    duplicate, _ = make_submission(consent_publish=True, title="Bản trùng về sóng di động")
    coordinator = make_staff(Role.COORDINATOR)
    workflow.merge(duplicate, coordinator, duplicate.version, original.code)
    html = client.get(f"/gop-y/{duplicate.code}").get_data(as_text=True)
    assert f'href="/gop-y/{original.code}"' in html and "Tôi cũng quan tâm" not in html
    login_as("citizen")
    response = client.post(f"/gop-y/{duplicate.code}/ung-ho", data={"csrf_token": _token(client, duplicate)})
    assert response.status_code == 422 and _count(duplicate) == 0


def test_the_public_page_in_english(client, published):
    html = client.get(f"/gop-y/{published.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Does this concern you too?" in html and "A citizen" in html
