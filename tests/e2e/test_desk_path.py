"""The whole path in a real browser (Chromium), with JavaScript on and off: a guest
submits; a coordinator classifies and assigns; an officer asks for information; the guest
answers from the private link; the officer drafts; the lead approves; the guest sees the
answer and rates it. E-mails reach a real SMTP server (aiosmtpd); SMS go to the file backend."""
import json
import re
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from playwright import sync_api as playwright_api

from app.common.roles import Role
from app.extensions import db as ext_db
from tests.factories import PASSWORD, make_staff
from tests.test_notify import Inbox, _free_port

# The browser is tests/e2e/conftest.py's: one Chromium for the session, launched with the
# flags this closed network needs; a missing Chromium fails the run instead of skipping it.


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the test output stays readable
        pass


@pytest.fixture()
def live(app, tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "SMS_FILE", str(tmp_path / "sms.log"))
    # wsgiref, not Werkzeug's dev server: when a browser drops the connection right after a
    # 303, Werkzeug's server can skip the response's close(), and with it the in-process
    # delivery that, as in gunicorn, runs once the response is out.
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", inbox, tmp_path / "sms.log"
    server.shutdown()
    smtp.stop()


def _sign_in(context, base, email):
    page = context.new_page()
    page.goto(f"{base}/dang-nhap")
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tai-khoan/.*|.*/$"))
    return page


def _take_step(page, step, fields=None, select=None):
    page.click(f'details:has(form[action$="/{step}"]) > summary')
    form = page.locator(f'form[action$="/{step}"]')
    for selector, value in (select or {}).items():
        form.locator(selector).select_option(label=value)
    for selector, value in (fields or {}).items():
        form.locator(selector).fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_full_path_in_a_browser(app, db, live, browser, javascript):
    base, inbox, sms_file = live
    coordinator_email, officer_email, lead_email = "dp@example.vn", "cv@example.vn", "ld@example.vn"
    make_staff(Role.COORDINATOR, email=coordinator_email)
    make_staff(Role.OFFICER, "BKHCN", email=officer_email)
    make_staff(Role.LEAD, "BKHCN", email=lead_email)
    ext_db.session.remove()  # the server thread shares the test database: leave it idle
    new_context = lambda: browser.new_context(java_script_enabled=javascript, locale="vi-VN")  # noqa: E731

    guest = new_context().new_page()
    guest.goto(f"{base}/gop-y/moi")
    guest.check("#kind-0")
    guest.select_option("#topic_id", index=1)
    guest.fill("#title", "Xã Minh Quang chưa có sóng 4G")
    guest.fill("#content", "Thôn Nà Hang không có sóng 4G, người dân không làm được dịch vụ công trực tuyến.")
    guest.fill("#contact_name", "Lò Thị Thử")
    guest.fill("#contact_phone", "0912 345 678")
    guest.fill("#contact_email", "lo.thi.thu@example.vn")
    guest.check("#consent_processing")
    guest.click("main form button[type=submit]:not([name])")
    guest.wait_for_url(re.compile(r".*/tra-cuu/rieng/[0-9a-f]{40}.*"))
    private_url = guest.url.split("?")[0]
    code = re.sub(r"\D", "", guest.locator(".app-panel__code").inner_text())

    coordinator = _sign_in(new_context(), base, coordinator_email)
    coordinator.goto(f"{base}/can-bo?q=minh+quang")
    coordinator.click("text=Xã Minh Quang chưa có sóng 4G")
    _take_step(coordinator, "classify", select={"select[name='classify-kind']": "Phản ánh, vướng mắc"})
    _take_step(coordinator, "assign", select={"select[name='assign-agency_id']": "Bộ Khoa học và Công nghệ"})
    playwright_api.expect(coordinator.locator("#case")).to_contain_text("Đã chuyển xử lý")

    officer = _sign_in(new_context(), base, officer_email)
    officer.goto(f"{base}/can-bo")
    officer.click("text=Xã Minh Quang chưa có sóng 4G")
    _take_step(officer, "take")
    playwright_api.expect(officer.locator("#case")).to_contain_text("Đang xử lý")
    _take_step(officer, "request_info", fields={"textarea": "Xin cho biết vị trí cụ thể của thôn."})
    playwright_api.expect(officer.locator("#case")).to_contain_text("Chờ bổ sung")

    guest.goto(private_url)
    guest.fill("#reply", "Thôn Nà Hang, cách trung tâm xã 7 km.")
    guest.click("form[action$='/bo-sung'] button[type=submit]")
    playwright_api.expect(guest.locator("#status")).to_contain_text("Đang xử lý")

    officer.reload()
    _take_step(officer, "draft",
               fields={"textarea": "Bộ đã đề nghị doanh nghiệp viễn thông lắp trạm BTS trong quý tới."})
    lead = _sign_in(new_context(), base, lead_email)
    lead.goto(officer.url)
    _take_step(lead, "answer")
    playwright_api.expect(lead.locator("#case")).to_contain_text("Đã trả lời")

    guest.goto(private_url)
    playwright_api.expect(guest.locator("#status")).to_contain_text("lắp trạm BTS")
    guest.check("#stars-0")  # five stars, the first choice
    guest.click("form[action$='/danh-gia'] button[type=submit]")
    playwright_api.expect(guest.locator("main")).to_contain_text("5/5")

    # The receipt, then assigned, taken, information requested, answered: five of each for the
    # guest; the staff are told of their own turns by e-mail too, never by the guest's address.
    def guest_mail():
        return [message for message in inbox.messages if message["To"] == "lo.thi.thu@example.vn"]

    _wait_for(lambda: len(guest_mail()) >= 5, explain=lambda: (len(inbox.messages), _outbox(app)))
    time.sleep(0.5)
    assert len(guest_mail()) == 5
    subjects = [message["Subject"] for message in guest_mail()]
    assert all(code in subject.replace(" ", "") for subject in subjects)  # grouped for reading
    assert any("Đã trả lời" in subject for subject in subjects)
    staff_mail = {message["To"] for message in inbox.messages} - {"lo.thi.thu@example.vn"}
    assert officer_email in staff_mail and staff_mail <= {coordinator_email, officer_email, lead_email}
    lines = [json.loads(line) for line in sms_file.read_text("utf-8").splitlines()]
    assert len(lines) == len(guest_mail()) and all(code.replace(" ", "") in line["text"].replace(" ", "")
                                                   and len(line["text"]) <= 160 for line in lines)

def _wait_for(condition, seconds: float = 10, explain=lambda: "") -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not condition():
        print("outbox:", explain())  # shown by pytest with the failure
    assert condition()


def _outbox(app) -> list:
    from sqlalchemy import select

    from app.notify.models import OutboxMessage

    with app.app_context():
        return [(m.id, m.channel, m.status, m.attempts, m.last_error, m.recipient, str(m.created_at), str(m.sent_at))
                for m in ext_db.session.scalars(select(OutboxMessage))]
