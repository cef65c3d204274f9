"""Issue 14, the desk in daily use: dates with four-digit years, phone numbers by the
numbering plan, Vietnamese alphabetical order, deadlines right to the day, finding work,
assigning to a named officer, answer templates, ratings, a paged timeline, uploads."""
import gzip
import io
import random
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.agencies.services import agency_choices
from app.common import places
from app.common.i18n import format_day, format_moment
from app.common.roles import Role
from app.common.text import vi_person_key, vi_sort_key, vi_sorted
from app.common.validators import normalize_mobile
from app.desk import answers
from app.desk import services as desk_services
from app.extensions import db as ext_db
from app.submissions import attachments, deadlines, ratings, workflow
from app.submissions.states import Status
from tests.conftest import csrf_token
from tests.desk_helpers import post_step
from tests.factories import agency_id, any_topic_id, make_staff, make_submission, pdf_bytes
from tests.test_feedback import _form_data as feedback_form_data


def test_timestamps_show_four_digit_years_in_both_languages(app):
    moment = datetime(2026, 11, 30, 23, 10)  # UTC: 06:10 on 1 December 2026 in Hà Nội
    with app.test_request_context():
        with force_locale("vi"):
            assert format_moment(moment) == "06:10 1/12/2026"
            assert format_day(date(2026, 12, 1), "short") == "1/12/2026"
        with force_locale("en"):
            assert format_moment(moment) == "12/1/2026, 6:10\u202fAM"
            assert format_day(date(2026, 12, 1), "short") == "12/1/2026"


@pytest.mark.parametrize("typed", ["0501234567", "0711234567", "0751234567", "0801234567", "0521234567",
                                   "+84 50 123 4567", "0241234567"])
def test_unallocated_prefixes_are_not_phone_numbers(typed):
    assert normalize_mobile(typed) is None


@pytest.mark.parametrize(("typed", "stored"), [("0912.345.678", "0912345678"), ("+84 321 234 567", "0321234567"),
                                               ("84 888 123 456", "0888123456"), ("0561234567", "0561234567")])
def test_allocated_mobile_numbers_are_kept_in_the_national_form(typed, stored):
    assert normalize_mobile(typed) == stored


def test_vietnamese_alphabetical_order():
    names = ["Đồng Tháp", "Cao Bằng", "Điện Biên", "Dương", "Cà Mau", "Đắk Lắk", "Ân", "Ăn", "An Giang",
             "Đồng Nai", "Gia Lai", "Ơn", "Ôn", "Oanh", "Ưng", "Uông", "Yên Bái", "Ê", "Eo"]
    assert vi_sorted(names) == ["An Giang", "Ăn", "Ân", "Cà Mau", "Cao Bằng", "Dương", "Đắk Lắk", "Điện Biên",
                                "Đồng Nai", "Đồng Tháp", "Eo", "Ê", "Gia Lai", "Oanh", "Ôn", "Ơn", "Uông", "Ưng",
                                "Yên Bái"]


def test_tones_weigh_only_between_equal_letters():
    assert vi_sorted(["hạ", "hà", "ha", "hả", "há", "hã", "hai"]) == ["ha", "hà", "há", "hả", "hã", "hạ", "hai"]
    assert vi_sort_key("Hà Nội") < vi_sort_key("Hải Phòng") < vi_sort_key("Hậu Giang")


def test_staff_names_sort_by_given_name():
    names = ["Trần Văn Đức", "Lê Thị Bình", "Nguyễn An", "Phạm Văn Dũng"]
    assert sorted(names, key=vi_person_key) == ["Nguyễn An", "Lê Thị Bình", "Phạm Văn Dũng", "Trần Văn Đức"]


def test_provinces_and_agency_picker_sort_the_vietnamese_way(app):
    names = [name for _code, name in places.provinces()]
    assert names.index("Cà Mau") < names.index("Cao Bằng")
    assert names.index("Đồng Tháp") < names.index("Gia Lai")
    assert names.index("Thành phố Đà Nẵng") < names.index("Đắk Lắk")
    assert names.index("Lào Cai") < names.index("Lâm Đồng")  # â is a letter after a
    choices = [name for _id, name in agency_choices("vi", "—")[1:] if name.startswith("Ủy ban nhân dân ")]
    short = [name.removeprefix("Ủy ban nhân dân ") for name in choices]
    assert short.index("Cà Mau") < short.index("Cao Bằng")
    assert short.index("Đồng Tháp") < short.index("Gia Lai") < short.index("Vĩnh Long")


# Deadlines right to the day.

@pytest.fixture()
def coordinator(db):
    return make_staff(Role.COORDINATOR, email="dieuphoi@example.vn")


@pytest.fixture()
def officer(db):
    return make_staff(Role.OFFICER, "BKHCN", email="chuyenvien@example.vn", full_name="Trần Thị Hoa")


@pytest.fixture()
def lead(db):
    return make_staff(Role.LEAD, "BKHCN", email="lanhdao@example.vn", full_name="Phạm Quốc Bảo")


def _assigned(coordinator, **values):
    submission, _token = make_submission(**values)
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    return submission


def _answered(coordinator, officer, lead, body="Trả lời"):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    workflow.draft(submission, officer, submission.version, body)
    workflow.answer(submission, lead, submission.version)
    return submission


@pytest.mark.parametrize(("start", "days", "due"), [
    # Saturday 4 May 2024 was worked in exchange for Monday 29 April: one working day after
    # Friday 3 May is that Saturday, not Monday 6 May (what the hand-written loop said).
    (date(2024, 5, 3), 1, date(2024, 5, 4)),
    (date(2024, 4, 26), 3, date(2024, 5, 4)),  # 29 April to 1 May off, then 2, 3 and 4 May
    # Saturday 26 April 2025 was worked for Friday 2 May.
    (date(2025, 4, 25), 1, date(2025, 4, 26)),
    # Saturday 22 August 2026 is worked for the 1 September bridge.
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
])
def test_substituted_working_saturdays_count(start, days, due):
    assert deadlines.add_working_days(start, days) == due
    assert deadlines.working_days_between(start, due) == days


def test_an_answer_counts_on_the_day_it_was_given_in_vietnam(db, coordinator, officer, lead):
    on_time = _answered(coordinator, officer, lead)
    late = _answered(coordinator, officer, lead)
    due = date(2026, 3, 10)
    on_time.due_date = late.due_date = due
    on_time.answered_at = datetime(2026, 3, 10, 16, 30)  # 23:30 on the due date in Hà Nội
    late.answered_at = datetime(2026, 3, 10, 23, 30)  # 06:30 the next morning: UTC still says the 10th
    ext_db.session.commit()
    row = next(r for r in desk_services.on_time_rates() if r.agency.code == "BKHCN")
    assert (row.answered, row.on_time) == (2, 1)


def test_before_routing_the_deadline_is_called_the_classification_deadline(db, client, coordinator, login_as):
    submission, token = make_submission()
    workflow.classify(submission, coordinator, submission.version, "concern", any_topic_id())
    login_as(coordinator)
    case = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert "Hạn phân loại" in case and "Hạn trả lời" not in case
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    case = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert "Hạn trả lời" in case and "Hạn phân loại" not in case


def test_a_reopened_case_gets_its_own_deadline(db, coordinator, officer, lead):
    submission = _answered(coordinator, officer, lead)
    submission.due_date = date(2020, 1, 10)  # the first answer's deadline, long past
    ext_db.session.commit()
    workflow.reopen(submission, "Câu trả lời chưa thỏa đáng")
    assert submission.status == Status.REOPENED
    assert submission.due_date == deadlines.add_working_days(deadlines.today(), deadlines.answer_days("concern"))
    assert not deadlines.is_overdue(submission)


# Finding work and assigning.

def test_the_default_queue_is_what_needs_action_mine_first(db, client, coordinator, officer, lead, login_as):
    done = _answered(coordinator, officer, lead)
    done.title = "Đã trả lời xong"
    waiting = _assigned(coordinator, title="Chưa ai nhận")
    mine = _assigned(coordinator, title="Của tôi xử lý")
    workflow.take(mine, officer, mine.version)
    ext_db.session.commit()
    login_as(officer)
    html = client.get("/can-bo").get_data(as_text=True)
    assert waiting.title in html and mine.title in html and done.title not in html
    assert html.index(mine.title) < html.index(waiting.title)
    finished = client.get("/can-bo?view=done").get_data(as_text=True)
    assert done.title in finished and waiting.title not in finished
    everything = client.get("/can-bo?view=all").get_data(as_text=True)
    assert done.title in everything and waiting.title in everything


def test_a_lead_sees_drafts_awaiting_approval_first(db, client, coordinator, officer, lead, login_as):
    first = _assigned(coordinator, title="Hạn sớm nhất")
    drafted = _assigned(coordinator, title="Có dự thảo chờ duyệt")
    drafted.due_date = date(2099, 1, 1)
    ext_db.session.commit()
    workflow.take(drafted, officer, drafted.version)
    workflow.draft(drafted, officer, drafted.version, "Dự thảo trả lời")
    login_as(lead)
    html = client.get("/can-bo").get_data(as_text=True)
    assert html.index(drafted.title) < html.index(first.title)


def test_colleagues_see_each_others_names(db, client, coordinator, officer, lead, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    login_as(lead)
    html = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert "Trần Thị Hoa" in html and "một đồng nghiệp" not in html


def test_a_lead_gives_a_case_to_a_named_officer_and_takes_it_back(db, client, coordinator, officer, lead, login_as):
    other = make_staff(Role.OFFICER, "BKHCN", full_name="Lê Văn Nam")
    stranger = make_staff(Role.OFFICER, "BTC", full_name="Người Bộ Khác")
    submission = _assigned(coordinator)
    login_as(lead)
    page = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert "Lê Văn Nam" in page and "Người Bộ Khác" not in page
    refused = post_step(client, submission, "assign_officer", officer_id=str(stranger.id))
    assert refused.status_code == 422 and submission.assignee_id is None
    response = post_step(client, submission, "assign_officer", officer_id=str(other.id))
    assert response.status_code == 303
    ext_db.session.refresh(submission)
    assert submission.assignee_id == other.id
    event = submission.events[-1]
    assert (event.action, event.actor_id, event.assignee_id, event.is_public) == ("assign_officer", lead.id, other.id,
                                                                                  False)
    response = post_step(client, submission, "take_back")
    assert response.status_code == 303
    ext_db.session.refresh(submission)
    assert submission.assignee_id is None
    assert (submission.events[-1].action, submission.events[-1].assignee_id) == ("take_back", other.id)
    timeline = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert timeline.count("→ Lê Văn Nam") == 2


def test_officers_cannot_give_cases_away(db, client, coordinator, officer, login_as):
    submission = _assigned(coordinator)
    login_as(officer)
    assert post_step(client, submission, "assign_officer", officer_id=str(officer.id)).status_code == 403


# Answering: templates and the citizen's rating.

def test_leads_keep_the_agency_templates(db, client, lead, officer, login_as):
    login_as(lead)
    page = client.get("/can-bo/mau-tra-loi/moi")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    refused = client.post("/can-bo/mau-tra-loi/moi", data={"csrf_token": token, "title": "Chuyển thẩm quyền",
                                                          "body": ""})
    assert refused.status_code == 422 and "Chuyển thẩm quyền" in refused.get_data(as_text=True)
    created = client.post("/can-bo/mau-tra-loi/moi", data={"csrf_token": token, "title": "Chuyển thẩm quyền",
                                                          "body": "Kính gửi {xung_ho}, góp ý {ma_so}."})
    assert created.status_code == 303
    template = answers.templates_of(lead.agency_id)[0]
    edited = client.post(f"/can-bo/mau-tra-loi/{template.id}", data={"csrf_token": token, "title": "Đã sửa",
                                                                     "body": "Nội dung mới {can_cu}"})
    ext_db.session.expire_all()
    assert edited.status_code == 303 and answers.templates_of(lead.agency_id)[0].title == "Đã sửa"
    assert "Đã sửa" in client.get("/can-bo/mau-tra-loi").get_data(as_text=True)
    other_lead = make_staff(Role.LEAD, "BTC")
    login_as(other_lead)
    assert client.get(f"/can-bo/mau-tra-loi/{template.id}").status_code == 404
    login_as(officer)
    assert client.get("/can-bo/mau-tra-loi").status_code == 403
    login_as(lead)
    assert client.post(f"/can-bo/mau-tra-loi/{template.id}/xoa", data={"csrf_token": token}).status_code == 303
    ext_db.session.expire_all()
    assert answers.templates_of(lead.agency_id) == []


def test_drafting_from_a_template_fills_the_placeholders(db, client, coordinator, officer, htmx_headers, login_as):
    submission = _assigned(coordinator, contact_name="Lò Văn Thử", legal_reference="Nghị định 13/2023/NĐ-CP")
    workflow.take(submission, officer, submission.version)
    template = answers.save_template(officer.agency_id, "Đã tiếp thu",
                                     "Kính gửi {xung_ho}. Góp ý {ma_so} theo {can_cu} đã được tiếp thu. {la}")
    login_as(officer)
    page = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert 'name="template"' in page and "Đã tiếp thu" in page
    filled = client.get(f"/can-bo/ho-so/{submission.id}?template={template.id}").get_data(as_text=True)
    code = submission.code[:3]
    assert "Kính gửi Ông/Bà Lò Văn Thử. Góp ý " + code in filled
    assert "theo Nghị định 13/2023/NĐ-CP đã được tiếp thu. {la}" in filled
    fragment = client.get(f"/can-bo/ho-so/{submission.id}?template={template.id}", headers=htmx_headers)
    html = fragment.get_data(as_text=True)
    assert html.startswith('<section id="case"') and "Ông/Bà Lò Văn Thử" in html
    other = answers.save_template(agency_id("BTC"), "Của bộ khác", "Không được dùng")
    foreign = client.get(f"/can-bo/ho-so/{submission.id}?template={other.id}")
    assert "Không được dùng" not in foreign.get_data(as_text=True)


def test_the_agency_sees_the_citizens_rating(db, client, coordinator, officer, lead, login_as):
    submission = _answered(coordinator, officer, lead)
    ratings.rate_answer(submission, 2, "Trả lời chung chung quá")
    login_as(officer)
    case = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert "2/5" in case and "Trả lời chung chung quá" in case
    on_time = client.get("/can-bo/dung-han").get_data(as_text=True)
    assert "2/5 (1 lượt đánh giá)" in on_time


# The case fragment stays small, however long its history.

LONG_TEXT = ("Căn cứ Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, cơ quan đã xem xét kỹ lưỡng "
             "từng nội dung góp ý của ông bà và trao đổi với các đơn vị liên quan để trả lời đầy đủ. ") * 60


def test_a_long_timeline_and_draft_keep_the_case_fragment_within_2_kb(db, client, coordinator, officer, lead,
                                                                        htmx_headers, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    for index in range(60):
        workflow.note(submission, officer, submission.version, f"Ghi chú nội bộ số {index}: " + LONG_TEXT[:900])
    workflow.draft(submission, officer, submission.version, LONG_TEXT[:9000])
    login_as(lead)
    fragment = client.get(f"/can-bo/ho-so/{submission.id}", headers=htmx_headers)
    html = fragment.get_data(as_text=True)
    assert "Ghi chú nội bộ số 59" in html and "Ghi chú nội bộ số 3:" not in html
    assert len(gzip.compress(fragment.get_data())) <= 2048
    page = client.get(f"/can-bo/ho-so/{submission.id}")
    assert len(gzip.compress(page.get_data())) <= 14600
    earlier = re.search(r'href="(/can-bo/ho-so/\d+/dien-bien\?before=\d+)"', html).group(1)
    older = client.get(earlier, headers=htmx_headers)
    older_html = older.get_data(as_text=True)
    assert "Ghi chú nội bộ số 51" in older_html and "Ghi chú nội bộ số 59" not in older_html
    assert "<html" not in older_html and len(gzip.compress(older.get_data())) <= 14600
    assert "Ghi chú nội bộ số 51" in client.get(earlier).get_data(as_text=True)  # without JavaScript too
    whole = client.get(f"/can-bo/ho-so/{submission.id}/du-thao").get_data(as_text=True)
    assert LONG_TEXT[8000:8100] in whole


def test_transfer_has_a_page_of_its_own(db, client, coordinator, lead, login_as):
    submission = _assigned(coordinator)
    login_as(lead)
    case = client.get(f"/can-bo/ho-so/{submission.id}").get_data(as_text=True)
    assert f'href="/can-bo/ho-so/{submission.id}/buoc/transfer"' in case and 'name="transfer-agency_id"' not in case
    page = client.get(f"/can-bo/ho-so/{submission.id}/buoc/transfer")
    assert page.status_code == 200 and 'name="transfer-agency_id"' in page.get_data(as_text=True)
    version = submission.version
    refused = post_step(client, submission, "transfer", version=version, agency_id=str(agency_id("BTC")), reason="")
    assert refused.status_code == 422 and 'name="transfer-agency_id"' in refused.get_data(as_text=True)
    assert post_step(client, submission, "transfer", version=version, agency_id=str(agency_id("BTC")),
                     reason="Thuộc thẩm quyền Bộ Tài chính").status_code == 303


# Input a real office types.

def _phone_photo() -> bytes:
    """A photo of more than 5 MB, as a phone takes them (noise does not compress)."""
    image = Image.frombytes("RGB", (2400, 2000), random.Random(14).randbytes(2400 * 2000 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_phone_photo_over_5_mb_is_accepted_and_stored_shrunk(app):
    photo = _phone_photo()
    assert len(photo) > 5 * 1024 * 1024
    with app.test_request_context():
        data, content_type, name = attachments.prepare(FileStorage(io.BytesIO(photo), "anh-chup.jpg"))
    assert content_type == "image/jpeg" and name.endswith(".jpg")
    assert len(data) < len(photo) // 3
    assert max(Image.open(io.BytesIO(data)).size) <= attachments.MAX_SIDE


def test_the_body_limits_let_three_large_photos_through(app):
    assert app.config["MAX_CONTENT_LENGTH"] >= 3 * app.config["IMAGE_MAX_BYTES"] + app.config["MAX_FORM_MEMORY_SIZE"]
    nginx = (Path(app.root_path).parent / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    limits = re.findall(r"client_max_body_size\s+(\d+)m;", nginx)
    assert limits and all(int(limit) * 1024 * 1024 >= app.config["MAX_CONTENT_LENGTH"] for limit in limits)


def test_an_expired_token_names_every_file_to_attach_again(client, db, app):
    html = client.get("/gop-y/moi").get_data(as_text=True)
    data = feedback_form_data(html, csrf_token="expired-or-forged-token")
    data["attachments"] = [(io.BytesIO(pdf_bytes()), "bien-ban-hop-thon.pdf"), (io.BytesIO(pdf_bytes()), "don.pdf")]
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = client.post("/gop-y/moi", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Thôn chúng tôi không có sóng 4G ổn định" in page
    assert "chọn lại trước khi gửi: bien-ban-hop-thon.pdf, don.pdf" in page


# Coordinators act on several submissions at once.

def _bulk(client, **fields):
    page = client.get("/can-bo").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **fields}
    return client.post("/can-bo/hang-loat", data=data)


def test_coordinators_assign_several_at_once_one_event_each(db, client, coordinator, login_as):
    first, _t = make_submission(title="Hồ sơ thứ nhất")
    second, _t = make_submission(title="Hồ sơ thứ hai")
    login_as(coordinator)
    page = client.get("/can-bo").get_data(as_text=True)
    assert f'form="bulk" name="ids" value="{first.id}"' in page
    response = _bulk(client, ids=[str(first.id), str(second.id)], action="assign", agency_id=str(agency_id("BKHCN")))
    assert response.status_code == 303
    for submission in (first, second):
        ext_db.session.refresh(submission)
        assert submission.status == Status.ASSIGNED and submission.agency_id == agency_id("BKHCN")
        assert [e.action for e in submission.events].count("assign") == 1


def test_a_refused_bulk_action_changes_nothing_and_says_which(db, client, coordinator, login_as):
    fresh, _t = make_submission(title="Hồ sơ mới")
    routed = _assigned(coordinator, title="Đã chuyển rồi")
    login_as(coordinator)
    response = _bulk(client, ids=[str(fresh.id), str(routed.id)], action="reject", note="Trùng với 25-000-001")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert routed.code[:3] in html and "Không có gì thay đổi" in html
    assert f'value="{fresh.id}" id="pick-{fresh.id}" aria-labelledby="title-{fresh.id}" checked' in html
    ext_db.session.refresh(fresh)
    assert fresh.status == Status.RECEIVED and [e.action for e in fresh.events] == ["submit"]
    done = _bulk(client, ids=[str(fresh.id)], action="reject", note="Trùng với 25-000-001")
    assert done.status_code == 303
    ext_db.session.refresh(fresh)
    assert fresh.status == Status.REJECTED and fresh.events[-1].internal_note == "Trùng với 25-000-001"


def test_only_coordinators_act_in_bulk(db, client, officer, login_as):
    login_as(officer)
    assert 'id="bulk"' not in client.get("/can-bo").get_data(as_text=True)
