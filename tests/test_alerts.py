"""Who is told what: the receipt at submission, the staff and moderators whose turn it is, each
person's settings (channels, digest, quiet hours), the daily digest, area and topic alerts,
and the unsubscribe link that works signed out."""
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db as ext_db
from app.forum import services as forum
from app.moderation import services as moderation
from app.notify import backends, preferences
from app.notify.digests import send_digests
from app.notify.models import Channel, Notification, OutboxMessage
from app.notify.preferences import DigestItem, NotificationSetting
from app.submissions import alerts, codes, deadlines, reminders, supports, workflow
from bench.pages import PAGE_GZIP_BUDGET
from tests.conftest import csrf_token
from tests.factories import agency_id, any_topic_id, make_staff, make_submission, make_user
from tests.forum_support import established, make_board, make_thread, newcomer


def _outbox(channel: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(ext_db.session.scalars(query))


def _inbox(user) -> list[Notification]:
    return list(ext_db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                       .order_by(Notification.id)))


def _verified(role: str = Role.CITIZEN, **values):
    return make_user(role, email_verified_at=utcnow(), **values)


# The receipt

def test_guest_with_phone_and_email_gets_one_sms_and_one_email_receipt_with_the_code(app, db):
    submission, _token = make_submission(contact_phone="0912345678", contact_email="khach@example.vn")
    grouped = codes.display(submission.code)
    [sms] = _outbox(Channel.SMS)
    [mail] = _outbox(Channel.EMAIL)
    assert sms.recipient == "0912345678" and grouped in sms.body and len(sms.body) <= 160
    assert f"TC {submission.code}" in sms.body and app.config["SMS_GATEWAY_NUMBER"] in sms.body
    answer_by = deadlines.answer_due(submission.kind, submission.due_date)
    assert answer_by.strftime("%d/%m/%Y") in sms.body
    assert mail.recipient == "khach@example.vn" and grouped in mail.subject and grouped in mail.body
    assert f"TC {submission.code}" in mail.body and f"/tra-cuu/{submission.code}" in mail.body
    assert "Mã tra cứu" in mail.body and "Bạn sẽ nhận được trả lời chậm nhất ngày" in mail.body  # Vietnamese first
    assert grouped in mail.html


def test_receipt_is_in_the_submitters_language(app, db):
    make_submission(contact_phone=None, contact_email="en@example.com", locale="en")
    [mail] = _outbox(Channel.EMAIL)
    assert "Its tracking code is" in mail.body and "Mã tra cứu" not in mail.body


def test_the_same_form_sent_twice_gets_one_receipt(app, db):
    first, _token = make_submission(idempotency_key="k" * 32, contact_email="a@example.vn")
    again, _token = make_submission(idempotency_key="k" * 32, contact_email="a@example.vn")
    assert first.id == again.id and len(_outbox(Channel.EMAIL)) == 1


# The staff: a full desk walk, step -> who is told (an inbox line linking to the case)

WALK = [
    ("submit", {"coordinator"}),
    ("assign", {"officer", "lead"}),
    ("take", set()),
    ("request_info", set()),
    ("provide_info", {"officer"}),  # the officer who took the case
    ("draft", {"lead"}),
    ("send_back", {"officer"}),  # the draft's author
    ("draft_again", {"lead"}),
    ("answer", set()),
    ("reopen", {"officer"}),
    ("transfer", {"other_officer"}),  # the staff of the agency it moves to
]


def test_a_full_desk_walk_tells_each_staff_role_its_turn(app, db):
    people = {"coordinator": make_staff(Role.COORDINATOR), "officer": make_staff(Role.OFFICER, "BKHCN"),
              "lead": make_staff(Role.LEAD, "BKHCN"), "other_officer": make_staff(Role.OFFICER, "BTC")}
    coordinator, officer, lead = people["coordinator"], people["officer"], people["lead"]
    submission = None
    seen = {name: 0 for name in people}

    def take(step):
        nonlocal submission
        if step == "submit":
            submission, _token = make_submission()
            return
        version = submission.version
        actions = {
            "assign": lambda: workflow.assign(submission, coordinator, version, agency_id("BKHCN")),
            "take": lambda: workflow.take(submission, officer, version),
            "request_info": lambda: workflow.request_info(submission, officer, version, "Xin ảnh chụp."),
            "provide_info": lambda: workflow.provide_info(submission, "Ảnh đã gửi kèm."),
            "draft": lambda: workflow.draft(submission, officer, version, "Chúng tôi đã lắp trạm mới."),
            "send_back": lambda: workflow.send_back(submission, lead, version, "Nêu rõ thời gian."),
            "draft_again": lambda: workflow.draft(submission, officer, version, "Trạm mới hoạt động từ tháng 3."),
            "answer": lambda: workflow.answer(submission, lead, version),
            "reopen": lambda: workflow.reopen(submission, "Sóng vẫn yếu."),
            "transfer": lambda: workflow.transfer(submission, coordinator, version, agency_id("BTC"),
                                                  "Đúng thẩm quyền"),
        }
        actions[step]()

    for step, expected in WALK:
        take(step)
        told = set()
        for name, person in people.items():
            lines = _inbox(person)
            if len(lines) > seen[name]:
                told.add(name)
                newest = lines[-1]
                assert newest.link == f"/can-bo/ho-so/{submission.id}", (step, name)
                assert codes.display(submission.code) in newest.body
            seen[name] = len(lines)
        assert told == expected, f"{step}: told {sorted(told)}, expected {sorted(expected)}"
    # Staff get e-mail by default, never SMS (it costs money), each with a one-click unsubscribe.
    staff_mail = [m for m in _outbox(Channel.EMAIL) if m.user_id in {p.id for p in people.values()}]
    assert staff_mail and all(m.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
                              for m in staff_mail)
    assert not [m for m in _outbox(Channel.SMS) if m.user_id in {p.id for p in people.values()}]


def test_deadline_in_two_working_days_and_overdue_reach_the_handlers_once(app, db):
    officer = make_staff(Role.OFFICER, "BKHCN")
    coordinator = make_staff(Role.COORDINATOR)
    today = deadlines.today()
    soon, _t = make_submission()
    late, _t = make_submission()
    for submission in (soon, late):
        workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    last_working_day = today - timedelta(days=1)
    while not deadlines.is_working_day(last_working_day):
        last_working_day -= timedelta(days=1)
    soon.due_date, late.due_date = deadlines.add_working_days(today, 2), last_working_day
    ext_db.session.commit()
    before = len(_inbox(officer))
    assert reminders.warn_staff_of_deadlines(today) == 2
    lines = [n.body for n in _inbox(officer)[before:]]
    assert any(codes.display(soon.code) in line and "2 ngày làm việc" in line for line in lines)
    assert any(codes.display(late.code) in line and "quá hạn" in line for line in lines)
    # The next working day the first is no longer "in 2 days" and the second not newly overdue.
    assert reminders.warn_staff_of_deadlines(deadlines.add_working_days(today, 1)) == 0


# Moderators

def test_moderators_are_told_of_held_posts_flags_and_appeals(app, db):
    moderator = established(Role.MODERATOR, email_verified_at=utcnow())
    thread = make_thread(board=make_board())
    assert _inbox(moderator) == []
    forum.reply(newcomer(), thread, "Bài đầu tiên của tài khoản mới, xin chào mọi người.")  # held
    assert len(_inbox(moderator)) == 1 and _inbox(moderator)[-1].link == "/kiem-duyet"
    post = forum.reply(established(), thread, "Một ý kiến bình thường về sóng di động.")
    moderation.flag(established(), "post", post.id, "spam")
    moderation.flag(established(), "post", post.id, "spam")  # the second flag on the same item adds nothing
    assert len(_inbox(moderator)) == 2 and thread.title in _inbox(moderator)[-1].body
    author = established()
    hidden = forum.reply(author, thread, "Bài sẽ bị ẩn rồi khiếu nại.")
    decision = moderation.decide(moderator, "hide", "post", hidden.id, "spam")
    moderation.appeal(author, decision.id, "Tôi không quảng cáo, xin xem lại.")
    assert len(_inbox(moderator)) == 3 and "khiếu nại" in _inbox(moderator)[-1].body
    assert len([m for m in _outbox(Channel.EMAIL) if m.user_id == moderator.id]) == 3


# Digests

def test_ten_forum_replies_in_a_day_make_one_email(app, db):
    follower = _verified()
    author = established(Role.MODERATOR)
    thread = make_thread(author=author, board=make_board())
    forum.toggle_follow(follower, thread=thread)
    for number in range(10):
        forum.reply(author, thread, f"Trả lời số {number + 1} về sóng di động ở thôn.")
    assert len(_inbox(follower)) == 10  # the inbox has every line at once
    assert [m for m in _outbox(Channel.EMAIL) if m.recipient == follower.email] == []  # no e-mail yet
    assert send_digests() == 1
    [mail] = [m for m in _outbox(Channel.EMAIL) if m.recipient == follower.email]
    assert mail.body.count(thread.title) == 10 and "10" in mail.subject
    assert mail.headers["List-Unsubscribe"].startswith("<http") and "/tai-khoan/thong-bao/huy/" in mail.body
    assert send_digests() == 0  # each line goes once


def test_a_person_who_chose_immediate_gets_each_reply_at_once(app, db):
    follower = _verified()
    preferences.save_settings(follower, True, False, "21:00", "07:00", {"forum": preferences.IMMEDIATE})
    author = established(Role.MODERATOR)
    thread = make_thread(author=author, board=make_board())
    forum.toggle_follow(follower, thread=thread)
    forum.reply(author, thread, "Trả lời thứ nhất về sóng di động.")
    forum.reply(author, thread, "Trả lời thứ hai về sóng di động.")
    assert len([m for m in _outbox(Channel.EMAIL) if m.recipient == follower.email]) == 2
    assert send_digests() == 0


def test_area_and_topic_alerts_bring_new_published_submissions_in_the_digest(app, db):
    watcher = _verified()
    alerts.subscribe(watcher, province_code=1)
    published, _t = make_submission(province_code=1, consent_publish=True, title="Sóng yếu ở phường Ba Đình")
    make_submission(province_code=1, consent_publish=False, title="Riêng tư, không công khai")
    make_submission(province_code=2, consent_publish=True, title="Ở tỉnh khác")
    later = utcnow() + timedelta(seconds=1)
    assert send_digests(later) == 1
    [mail] = [m for m in _outbox(Channel.EMAIL) if m.recipient == watcher.email]
    assert codes.display(published.code) in mail.body and "Riêng tư" not in mail.body and "tỉnh khác" not in mail.body
    assert send_digests(later + timedelta(seconds=1)) == 0  # seen once


def test_subscribing_to_a_topic_from_the_settings_page(client, db, login_as):
    user = login_as("citizen")
    topic_id = any_topic_id()
    page = client.get("/tai-khoan/thong-bao/cai-dat")
    response = client.post("/tai-khoan/thong-bao/theo-doi", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                                "topic_id": topic_id})
    assert response.status_code == 303
    assert [item.topic_id for item in alerts.subscriptions(user)] == [topic_id]
    bad = client.post("/tai-khoan/thong-bao/theo-doi", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert bad.status_code == 422 and "Chọn một tỉnh" in bad.get_data(as_text=True)


# Unsubscribe, signed out

def test_unsubscribe_link_works_signed_out_confirm_then_one_click(app, client, db):
    user = _verified()
    url = preferences.unsubscribe_url(user.id, "forum")
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "Ngừng nhận" in page.get_data(as_text=True)
    assert preferences.settings_for(user).mode("forum") == preferences.DIGEST  # a GET changes nothing
    done = client.post("/" + path)  # a mail client's one-click POST: no session, no CSRF token
    assert done.status_code == 303
    ext_db.session.expire_all()
    assert preferences.settings_for(user).mode("forum") == preferences.OFF
    assert client.get(done.headers["Location"]).status_code == 200


def test_unsubscribe_page_fits_the_page_budget(client, db):
    """Its path is signed, so tests/test_budgets.py (fixed paths) cannot list it: measured here."""
    path = "/tai-khoan/thong-bao/huy/" + preferences.unsubscribe_token(_verified().id, "forum")
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers.get("Content-Encoding") == "gzip"
    assert len(response.get_data()) <= PAGE_GZIP_BUDGET


def test_an_unsubscribe_link_of_an_erased_account_answers_without_error(client, db):
    path = "/tai-khoan/thong-bao/huy/" + preferences.unsubscribe_token(987654, "forum")
    assert client.post(path).status_code == 303


def test_a_forged_unsubscribe_link_is_refused(client, db):
    forged = preferences.unsubscribe_token(1, "forum")[:-2] + "xx"
    assert client.get(f"/tai-khoan/thong-bao/huy/{forged}").status_code == 404
    assert client.post(f"/tai-khoan/thong-bao/huy/{forged}").status_code == 404


def test_the_smtp_backend_writes_the_unsubscribe_headers(app, db):
    headers = preferences.unsubscribe_headers("https://gopy.example/huy")
    backends.send_email("a@example.vn", "Thử", "Nội dung", message_id="<thu-headers@gopy.local>", headers=headers)
    raw = (Path(app.instance_path) / "mail" / "thu-headers@gopy.local.eml").read_bytes()
    written = message_from_bytes(raw, policy=default_policy)
    assert written["List-Unsubscribe"] == "<https://gopy.example/huy>"
    assert written["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# Quiet hours

@pytest.mark.parametrize(("local_time", "postponed_to"), [
    ("22:30", "07:00"), ("03:00", "07:00"), ("10:00", None), ("07:00", None), ("21:00", "07:00"),
])
def test_quiet_hours_postpone_sms_to_their_end(app, db, monkeypatch, local_time, postponed_to):
    monkeypatch.setitem(app.config, "SMS_QUIET_HOURS", True)
    local = datetime.combine(datetime(2026, 12, 1).date(), datetime.strptime(local_time, "%H:%M").time())
    now = local - timedelta(hours=7)  # naive UTC
    message = preferences.send_sms("0912345678", "Gop Y: thu", now=now)
    ext_db.session.commit()
    if postponed_to is None:
        assert message.next_attempt_at <= utcnow()
    else:
        moment = message.next_attempt_at + timedelta(hours=7)
        assert moment.strftime("%H:%M") == postponed_to and moment > local


def test_a_persons_own_quiet_hours_count(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_QUIET_HOURS", True)
    user = make_user(phone="0987654321", phone_verified_at=utcnow())
    preferences.save_settings(user, True, True, "12:00", "13:30", {})
    noon = datetime(2026, 12, 1, 5, 15)  # 12:15 in Vietnam
    message = preferences.send_sms(user.phone, "Gop Y: thu", user=user, now=noon)
    assert (message.next_attempt_at + timedelta(hours=7)).strftime("%H:%M") == "13:30"


# Settings

def test_defaults_staff_email_not_sms_and_citizens_with_a_verified_phone_sms(app, db):
    officer = make_staff(Role.OFFICER, "BKHCN", phone="0911111111", phone_verified_at=utcnow())
    citizen = make_user(phone="0922222222", phone_verified_at=utcnow())
    assert preferences.settings_for(officer).email and not preferences.settings_for(officer).sms
    assert preferences.settings_for(citizen).sms
    assert preferences.settings_for(citizen).mode("forum") == preferences.DIGEST
    assert "case_new" in preferences.kinds_for(officer) and "case_new" not in preferences.kinds_for(citizen)


def test_settings_page_and_fragment(client, db, login_as, htmx_headers):
    login_as("officer")
    page = client.get("/tai-khoan/thong-bao/cai-dat")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "mode_case_new" in html and "mode_review_queue" not in html
    fragment = client.get("/tai-khoan/thong-bao/cai-dat", headers=htmx_headers)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert 'id="notification-settings"' in fragment.get_data(as_text=True)


def test_settings_are_saved_with_303(client, db, login_as):
    user = login_as("officer")
    token = csrf_token(client.get("/tai-khoan/thong-bao/cai-dat").get_data(as_text=True))
    response = client.post("/tai-khoan/thong-bao/cai-dat", data={
        "csrf_token": token, "email": "y", "quiet_start": "22:00", "quiet_end": "06:30",
        "mode_case_new": "digest", "mode_case_citizen": "immediate", "mode_draft": "off", "mode_deadline": "immediate",
        "mode_forum": "digest", "mode_alerts": "digest", "mode_followed": "immediate"})
    assert response.status_code == 303
    stored = ext_db.session.get(NotificationSetting, user.id)
    assert stored.quiet_start == "22:00" and stored.mode("case_new") == "digest" and stored.mode("draft") == "off"


@pytest.mark.parametrize(("bad", "message"), [
    ({"quiet_start": "25:99"}, "Nhập giờ theo dạng hh:mm"),
    ({"quiet_end": "sáng"}, "Nhập giờ theo dạng hh:mm"),
    ({"mode_forum": "hourly"}, "Hãy chọn một trong các lựa chọn"),
    ({"sms": "y"}, "Hãy xác minh số điện thoại"),  # no verified phone
])
def test_bad_settings_answer_422_with_values_kept(client, db, login_as, bad, message):
    user = login_as("citizen")
    token = csrf_token(client.get("/tai-khoan/thong-bao/cai-dat").get_data(as_text=True))
    data = {"csrf_token": token, "email": "y", "quiet_start": "21:00", "quiet_end": "07:00", "mode_forum": "digest",
            "mode_alerts": "digest", "mode_followed": "immediate", **bad}
    response = client.post("/tai-khoan/thong-bao/cai-dat", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    for name, value in bad.items():
        if name.startswith("quiet"):
            assert f'value="{value}"' in html
    assert ext_db.session.get(NotificationSetting, user.id) is None


def test_digest_items_are_kept_only_for_people_with_email_on(app, db):
    follower = _verified()
    preferences.save_settings(follower, False, False, "21:00", "07:00", {})
    author = established(Role.MODERATOR)
    thread = make_thread(author=author, board=make_board())
    forum.toggle_follow(follower, thread=thread)
    forum.reply(author, thread, "Một trả lời về sóng di động.")
    assert len(_inbox(follower)) == 1
    assert ext_db.session.scalar(select(DigestItem.id)) is None


def test_the_public_list_filtered_by_a_province_offers_the_alert_signed_in(client, db, login_as):
    assert "theo-doi" not in client.get("/gop-y?province=1").get_data(as_text=True)  # signed out: no button
    user = login_as("citizen")
    html = client.get("/gop-y?province=1").get_data(as_text=True)
    assert 'action="/tai-khoan/thong-bao/theo-doi"' in html and 'name="province_code" value="1"' in html
    response = client.post("/tai-khoan/thong-bao/theo-doi", data={"csrf_token": csrf_token(html), "province_code": "1"})
    assert response.status_code == 303 and [item.province_code for item in alerts.subscriptions(user)] == [1]


def test_followers_of_a_published_submission_get_an_unsubscribable_email_unless_they_stopped(app, db):
    coordinator = make_staff(Role.COORDINATOR)
    reader, stopped = _verified(), _verified()
    submission, _t = make_submission(consent_publish=True)
    for person in (reader, stopped):
        supports.follow(submission, person)
    preferences.unsubscribe(stopped.id, "followed")
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    [mail] = [m for m in _outbox(Channel.EMAIL) if m.user_id in (reader.id, stopped.id)]
    assert mail.recipient == reader.email and "List-Unsubscribe" in mail.headers
    assert len(_inbox(stopped)) == 1  # the inbox keeps every line
