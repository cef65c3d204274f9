"""axe-core over the desk pages of issue 14 in a real browser: the queue with its bulk form,
a case with the template chooser and a paged timeline, the earlier events, the answer
templates and their form, the transfer page."""
from pathlib import Path

import pytest

from app.common.roles import Role
from app.desk import answers
from app.submissions import workflow
from tests.e2e.test_desk_path import _sign_in, live  # noqa: F401  (the live server fixture)
from tests.factories import agency_id, make_staff, make_submission

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def _axe(page, url) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_desk_pages_have_no_serious_accessibility_violation(app, db, live, browser, lang):  # noqa: F811
    base, _inbox, _sms = live
    coordinator = make_staff(Role.COORDINATOR, email=f"dieuphoi-{lang}@example.vn")
    lead = make_staff(Role.LEAD, "BKHCN", email=f"lanhdao-{lang}@example.vn", full_name="Phạm Quốc Bảo")
    officer = make_staff(Role.OFFICER, "BKHCN", email=f"chuyenvien-{lang}@example.vn", full_name="Trần Thị Hoa")
    make_submission(title="Chưa phân loại")
    submission, _token = make_submission(title="Sóng di động yếu")
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    workflow.take(submission, officer, submission.version)
    for index in range(12):
        workflow.note(submission, officer, submission.version, f"Ghi chú số {index}")
    template = answers.save_template(lead.agency_id, "Đã tiếp thu", "Kính gửi {xung_ho}, góp ý {ma_so}.")
    locale = "vi-VN" if lang == "vi" else "en-GB"
    found = []
    for who, urls in ((coordinator, ["/can-bo"]),
                      (officer, [f"/can-bo/ho-so/{submission.id}?template={template.id}"]),
                      (lead, ["/can-bo", f"/can-bo/ho-so/{submission.id}", "/can-bo/mau-tra-loi",
                              f"/can-bo/mau-tra-loi/{template.id}", "/can-bo/mau-tra-loi/moi",
                              f"/can-bo/ho-so/{submission.id}/buoc/transfer", "/can-bo/dung-han"])):
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale}, bypass_csp=True)
        page = _sign_in(context, base, who.email)
        earlier = None
        for url in urls:
            found += _axe(page, base + url)
            link = page.locator("#earlier-events a")
            if earlier is None and link.count():
                earlier = link.get_attribute("href")
        if earlier:
            found += _axe(page, base + earlier)
        context.close()
    assert not found, "\n".join(found)
