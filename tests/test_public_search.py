"""Search that shows what it searched: the public (the list, the similar hints, the open data,
the nightly dump) finds only what the public can read, the title, the published content and
the answer, never hidden text, an identity number, a phone, a name or an internal note;
the desk finds a case by the sender's name, phone or e-mail, for the agency handling it."""
import gzip
import re

import pytest

from app.common.roles import Role
from app.opendata.dump import write_dump
from app.stats.refresh import refresh
from app.submissions import workflow
from tests.factories import agency_id, make_staff, make_submission

HIDDEN_PHRASE = "mật khẩu trạm phát là hoa sen vàng"  # only in an unpublished body
REPLY_PHRASE = "cột sóng nằm sau nhà văn hóa thôn"  # the submitter's reply: staff only
NOTE_PHRASE = "chuyển tổ kỹ thuật viễn thông kiểm tra"  # an internal note
PHONE, ID_CARD = "0987654321", "001203004567"
NAME, CONTACT_PHONE, EMAIL = "Lò Thị Bí Mật", "0912000111", "bi.mat@example.vn"
ANSWER_PHRASE = "lắp thêm trạm phát sóng trong quý ba"


@pytest.fixture()
def world(db):
    """One unpublished submission; one published, whose body holds a phone and an ID-card
    number, taken through the desk to a published answer."""
    make_submission(consent_publish=False, title="Một việc riêng của thôn",
                    content=f"Xin ghi nhận giúp: {HIDDEN_PHRASE}, cảm ơn các anh chị.")
    published, _token = make_submission(
        consent_publish=True, title="Sóng điện thoại chập chờn ở thôn Khuổi Nặm",
        content=f"Cần liên hệ thì gọi {PHONE[:4]} {PHONE[4:7]} {PHONE[7:]}, số căn cước {ID_CARD}. Tôi là {NAME}.",
        contact_name=NAME, contact_phone=CONTACT_PHONE, contact_email=EMAIL)
    coordinator, officer = make_staff(Role.COORDINATOR), make_staff(Role.OFFICER, "BKHCN")
    lead = make_staff(Role.LEAD, "BKHCN")
    workflow.assign(published, coordinator, published.version, agency_id("BKHCN"))
    workflow.take(published, officer, published.version)
    workflow.request_info(published, officer, published.version, "Trạm nào bị mất sóng?")
    workflow.provide_info(published, f"Trạm ở đầu bản, {REPLY_PHRASE}.")
    workflow.note(published, officer, published.version, f"Đã {NOTE_PHRASE}.")
    workflow.draft(published, officer, published.version, f"Doanh nghiệp viễn thông sẽ {ANSWER_PHRASE}.")
    workflow.answer(published, lead, published.version)
    return {"published": published, "officer": officer}


SECRETS = [HIDDEN_PHRASE, REPLY_PHRASE, NOTE_PHRASE, PHONE, "0987 654 321", ID_CARD, NAME, "bi mat",
           CONTACT_PHONE, EMAIL]


def _listed(client, url: str) -> bool:
    return "/gop-y/" in re.sub(r'href="/gop-y/(moi|tuong-tu)[^"]*"', "", client.get(url).get_data(as_text=True)
                               .split('id="results"', 1)[-1])


def _open_data(client) -> str:
    """Every open-data file, whole, as served."""
    return "".join(client.get(url).get_data(as_text=True) for url in (
        "/du-lieu-mo/gop-y.csv", "/du-lieu-mo/gop-y.jsonl", "/du-lieu-mo/buoc-xu-ly.csv",
        "/du-lieu-mo/buoc-xu-ly.jsonl", "/thong-ke/du-lieu.csv"))


@pytest.mark.parametrize("typed", SECRETS)
def test_hidden_text_and_identifiers_are_found_by_no_public_search(client, world, typed):
    assert not _listed(client, f"/gop-y?q={typed}"), f"the public list finds {typed!r}"
    rows = client.get(f"/du-lieu-mo/gop-y.csv?q={typed}").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1, f"the open data finds {typed!r}"  # the header only
    steps = client.get(f"/du-lieu-mo/buoc-xu-ly.jsonl?q={typed}").get_data(as_text=True)
    assert steps == "", f"the open data's steps find {typed!r}"
    hints = client.get(f"/gop-y/tuong-tu?title={typed}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "/gop-y/" not in hints.replace('hx-get="/gop-y/tuong-tu"', ""), f"the similar hints find {typed!r}"


def test_no_open_data_file_holds_hidden_text_or_identifiers(client, world, app, tmp_path):
    refresh()
    files = _open_data(client)
    write_dump(tmp_path)
    files += "".join(gzip.decompress(path.read_bytes()).decode() for path in tmp_path.glob("*.gz"))
    public_page = client.get(f"/gop-y/{world['published'].code}").get_data(as_text=True)
    for text in (files, public_page):
        digits = re.sub(r"\D", "", text)
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), f"{secret!r} is published"
        for number in (PHONE, ID_CARD, CONTACT_PHONE):
            assert number not in digits, f"{number} is published, even with its digits apart"
    assert "Sóng điện thoại chập chờn" in files and "[…]" in files  # the text is there, masked


def test_a_published_answers_phrase_is_found(client, world):
    code = world["published"].code
    for typed in (ANSWER_PHRASE, "lap them tram phat song"):
        assert f"/gop-y/{code}" in client.get(f"/gop-y?q={typed}").get_data(as_text=True), typed
        assert code in client.get(f"/du-lieu-mo/gop-y.csv?q={typed}").get_data(as_text=True), typed
    assert ANSWER_PHRASE in client.get(f"/gop-y/{code}").get_data(as_text=True)


@pytest.mark.parametrize("typed", [NAME, "lo thi bi mat", CONTACT_PHONE, "0912 000 111", EMAIL.upper()])
def test_the_handling_desk_finds_a_case_by_its_senders_details(client, world, login_as, typed):
    login_as(world["officer"])
    assert f"/can-bo/ho-so/{world['published'].id}" in client.get("/can-bo", query_string={"q": typed}).get_data(
        as_text=True), typed
    login_as("other_officer")  # another agency: the same words find nothing there
    assert "/can-bo/ho-so/" not in client.get("/can-bo", query_string={"q": typed}).get_data(as_text=True)
