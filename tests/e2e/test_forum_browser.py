"""The forum in a real browser (Chromium), with JavaScript on and off: a citizen replies,
quotes and flags; a moderator hides the post from the queue and the log shows it; a
suspended account cannot post. Runs on the SQLite suite only (it shares the test app)."""
import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.common.roles import Role
from app.extensions import db as _db
from tests.factories import PASSWORD
from tests.forum_support import established, make_thread, suspended

# The browser is tests/e2e/conftest.py's: one Chromium for the session, launched with the
# flags this closed network needs; a missing Chromium fails the run instead of skipping it.


@pytest.fixture(scope="module")
def server(app):
    if app.config["SQLALCHEMY_DATABASE_URI"] != "sqlite://":
        pytest.skip("the browser tests share the in-memory SQLite app")
    live = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()


def _sign_in(browser, server, email: str, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/dang-nhap")
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    return page


def _ready():
    """Hand the rows to the server thread: commit and end this thread's transaction."""
    _db.session.commit()
    _db.session.remove()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_citizen_replies_quotes_and_flags_then_moderator_hides(browser, server, javascript):
    moderator = established(Role.MODERATOR, full_name="Phạm Thu Kiểm")
    thread = make_thread(moderator, title="Sóng 4G ở vùng cao", body="Bài mở đầu về sóng di động.")
    citizen = established(full_name="Hoàng Văn Dân")
    thread_url = f"{server}/dien-dan/thao-luan/{thread.id}"
    citizen_email, moderator_email = citizen.email, moderator.email
    _ready()

    page = _sign_in(browser, server, citizen_email, javascript)
    page.goto(thread_url)
    page.fill("#body", "Thôn tôi cũng không có sóng ổn định.")
    page.click("text=Gửi trả lời")
    expect(page.locator("article", has_text="Thôn tôi cũng không có sóng")).to_have_count(1)

    page.locator("article", has_text="Bài mở đầu").get_by_role("link", name="Trích dẫn").click()
    expect(page.locator("#body")).to_have_value(re.compile("Bài mở đầu về sóng di động."))
    page.fill("#body", page.input_value("#body") + "Đồng ý, cần báo nhà mạng.")
    page.click("text=Gửi trả lời")
    expect(page.locator("article blockquote", has_text="Bài mở đầu")).to_have_count(1)

    if javascript:  # htmx swaps only the vote button
        opening = page.locator("article", has_text="Bài mở đầu").first
        opening.get_by_role("button", name="Bình chọn (0)").click()
        opening.get_by_role("button", name="Bình chọn (1)").wait_for()

    page.locator("article", has_text="Thôn tôi cũng không có sóng").get_by_role("link", name="Báo cáo vi phạm").click()
    page.check("input[value=offensive]")
    page.click("text=Gửi báo cáo")
    expect(page.locator("main")).to_contain_text("Người kiểm duyệt sẽ xem xét")

    mod = _sign_in(browser, server, moderator_email, javascript)
    mod.goto(f"{server}/kiem-duyet")
    item = mod.locator(".app-mod-item", has_text="Thôn tôi cũng không có sóng")
    assert "Xúc phạm hoặc lăng mạ (1)" in item.inner_text()
    item.locator("select[name=rule]").first.select_option("offensive")
    item.get_by_role("button", name="Ẩn", exact=True).click()
    expect(mod.locator("main")).to_contain_text("Đã thực hiện: Đã ẩn.")

    page.goto(thread_url)
    assert "Thôn tôi cũng không có sóng" not in page.content()
    page.goto(f"{server}/kiem-duyet/nhat-ky")
    assert "Đã ẩn" in page.content() and "Xúc phạm hoặc lăng mạ" in page.content()
    assert "Hoàng Văn Dân" not in page.locator("main").inner_text()
    page.context.close()
    mod.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_suspended_account_cannot_post(browser, server, javascript):
    thread = make_thread(title="Chủ đề để thử tài khoản bị khoá")
    user = suspended()
    thread_url, email = f"{server}/dien-dan/thao-luan/{thread.id}", user.email
    _ready()
    page = _sign_in(browser, server, email, javascript)
    page.goto(thread_url)
    assert "bị tạm khoá đến" in page.content() and "Spam lặp lại" in page.content()
    page.fill("#body", "Tôi vẫn muốn đăng bài.")
    page.click("text=Gửi trả lời")
    expect(page.locator("main")).to_contain_text("Spam lặp lại")
    page.goto(thread_url)
    assert "Tôi vẫn muốn đăng bài." not in page.content()
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_moderator_pages_pass_axe_and_a_post_is_hidden_from_its_thread(browser, server, javascript):
    from tests.e2e.test_accessibility import AXE, BLOCKING

    moderator = established(Role.MODERATOR, full_name="Phạm Thu Kiểm")
    thread = make_thread(moderator, title="Chủ đề để kiểm duyệt", body="Bài mở đầu của chủ đề.")
    author = established(full_name="Lý Thị Viết")
    from app.forum import services as forum
    forum.reply(author, thread, "Bài quảng cáo cần ẩn đi.")
    urls = [f"{server}/dien-dan/thao-luan/{thread.id}", f"{server}/kiem-duyet/nguoi-dung/{author.id}",
            f"{server}/kiem-duyet/tu-cam", f"{server}/kiem-duyet/mau-tra-loi", f"{server}/kiem-duyet"]
    email = moderator.email
    _ready()
    page = _sign_in(browser, server, email, javascript)
    page.goto(urls[0])
    menu = page.locator("article", has_text="Bài quảng cáo cần ẩn đi.").locator("details.app-mod")
    menu.get_by_text("Kiểm duyệt bài này").click()
    menu.locator("select[name=rule]").first.select_option("spam")
    menu.get_by_role("button", name="Ẩn", exact=True).click()
    expect(page.locator("main")).to_contain_text("Đã thực hiện: Đã ẩn.")
    if javascript:  # axe runs in the page
        for url in urls:
            checker = page.context.browser.new_context(locale="vi-VN", bypass_csp=True,
                                                       storage_state=page.context.storage_state()).new_page()
            checker.goto(url)
            checker.add_script_tag(path=str(AXE))
            result = checker.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            blocking = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                        for v in result["violations"] if v["impact"] in BLOCKING]
            assert not blocking, f"{url}:\n" + "\n".join(blocking)
            checker.context.close()
    page.context.close()
