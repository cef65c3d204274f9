"""Looking a code up: the check digit, the public page without personal data, htmx."""
import itertools
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db as ext_db
from app.submissions import codes, lookups
from tests.factories import make_submission


def test_codes_are_ten_digits_with_a_valid_check_digit():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500
    assert all(len(code) == 10 and code.isdigit() and codes.is_valid(code) for code in made)


def test_check_digit_catches_every_single_digit_typo_and_neighbour_swap():
    code = codes.new_code()
    for position, digit in itertools.product(range(10), "0123456789"):
        typo = code[:position] + digit + code[position + 1:]
        assert codes.is_valid(typo) == (typo == code)
    for position in range(9):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
        assert codes.is_valid(swapped) == (swapped == code)


def test_lookup_shows_status_and_no_personal_data(client, db):
    submission, _token = make_submission(contact_name="Lò Văn Riêng", contact_phone="0911222333",
                                         contact_email="rieng@example.vn")
    response = client.get(f"/tra-cuu?code={codes.display(submission.code)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã tiếp nhận" in page and codes.display(submission.code) in page
    for private in ("Lò Văn Riêng", "0911222333", "rieng@example.vn", submission.title):
        assert private not in page  # the title too, since publication was not agreed


def test_published_title_is_shown(client, db):
    submission, _token = make_submission(consent_publish=True, title="Đề nghị mở dữ liệu giao thông")
    page = client.get(f"/tra-cuu/{submission.code}").get_data(as_text=True)
    assert "Đề nghị mở dữ liệu giao thông" in page


@pytest.mark.parametrize("typed,status,message", [
    ("12345", 422, "gồm 10 chữ số"),
    ("abcdefghij", 422, "gồm 10 chữ số"),
    ("", 422, "Nhập mã tra cứu"),
])
def test_malformed_codes_are_explained(client, typed, status, message):
    response = client.get(f"/tra-cuu?code={typed}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_typo_is_caught_before_the_database(client, db):
    submission, _token = make_submission()
    code = submission.code
    typo = code[:4] + str((int(code[4]) + 1) % 10) + code[5:]
    with _submission_queries() as queries:
        response = client.get(f"/tra-cuu?code={typo}")
    assert response.status_code == 422
    assert "gõ nhầm" in response.get_data(as_text=True)
    assert queries == [], "a code with a wrong check digit reached the database"


def test_a_stored_code_with_a_wrong_check_digit_is_not_found(client, db):
    """Only the check digit stands between this lookup and the row: the body is stored with a
    wrong check digit, so a lookup that skipped the check would find it."""
    submission, _token = make_submission()
    body = submission.code[:-1]
    wrong = body + str((int(codes.check_digit(body)) + 1) % 10)
    submission.code = wrong
    db.session.commit()
    assert lookups.find_by_code(wrong) is None and lookups.find_by_typed_code(codes.display(wrong)) is None
    response = client.get(f"/tra-cuu?code={wrong}")
    assert response.status_code == 422 and "gõ nhầm" in response.get_data(as_text=True)
    assert client.get(f"/tra-cuu/{wrong}").status_code == 404


@contextmanager
def _submission_queries():
    """The SQL statements that read the submission table while the block runs."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if re.search(r"\bFROM submission\b", statement):
            seen.append(statement)

    event.listen(ext_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ext_db.engine, "before_cursor_execute", record)


def test_unknown_valid_code_is_404_with_message(client, db):
    body = "123456789"
    response = client.get(f"/tra-cuu?code={body}{codes.check_digit(body)}")
    assert response.status_code == 404
    assert "Không có góp ý nào mang mã này" in response.get_data(as_text=True)


def test_lookup_answers_a_fragment_to_htmx(client, db, htmx_headers):
    submission, _token = make_submission()
    response = client.get(f"/tra-cuu?code={submission.code}", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="lookup"') and "<html" not in page
    assert 'id="status"' in page
    bad = client.get("/tra-cuu?code=1", headers=htmx_headers)
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)


def test_private_link_shows_own_details_and_is_never_cached(client, db):
    submission, token = make_submission(contact_phone="0911222333")
    response = client.get(f"/tra-cuu/rieng/{token}")
    assert response.status_code == 200
    assert "0911222333" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/tra-cuu/rieng/{'0' * 40}").status_code == 404


def test_public_status_page_answers_304_when_unchanged(client, db):
    submission, _token = make_submission()
    first = client.get(f"/tra-cuu/{submission.code}")
    assert first.headers.get("ETag")
    again = client.get(f"/tra-cuu/{submission.code}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_lookups_are_rate_limited_in_redis(db):
    from app import create_app
    from tests.conftest import SuiteConfig

    limited = type("Limited", (SuiteConfig,), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "TRACKING_LOOKUP_LIMIT": "3 per minute", "RATELIMIT_KEY_PREFIX": f"test-{codes.new_code()}"})
    client = create_app(limited).test_client()
    statuses = [client.get("/tra-cuu?code=1234567890").status_code for _ in range(4)]
    assert statuses[:3] == [422, 422, 422] and statuses[3] == 429
    assert client.get("/tra-cuu").status_code == 200  # the empty form is never limited


def _discussed(consent_publish: bool):
    from app.common.roles import Role
    from app.forum import services as forum
    from tests.forum_support import established, make_board

    submission, token = make_submission(consent_publish=consent_publish)
    thread = forum.create_thread(established(Role.MODERATOR), make_board(), "Bàn về sóng di động ở thôn",
                                 "Mời mọi người cùng bàn.")
    # Linked directly: the forum itself refuses to link a submission that is not published.
    thread.submission_id = submission.id
    ext_db.session.commit()
    return submission, token


def test_forum_discussions_of_a_published_submission_are_linked_wherever_its_status_shows(client, db, htmx_headers):
    submission, token = _discussed(consent_publish=True)
    link = "Thảo luận trên diễn đàn: Bàn về sóng di động ở thôn"
    for url, headers in ((f"/tra-cuu/{submission.code}", {}), (f"/tra-cuu/{submission.code}", htmx_headers),
                         (f"/tra-cuu?code={submission.code}", {}), (f"/tra-cuu/rieng/{token}", {}),
                         (f"/tra-cuu/rieng/{token}", htmx_headers)):
        assert link in client.get(url, headers=headers).get_data(as_text=True), (url, headers)


def test_forum_discussions_stay_off_an_unpublished_submission(client, db, htmx_headers):
    submission, token = _discussed(consent_publish=False)
    for url in (f"/tra-cuu/{submission.code}", f"/tra-cuu/rieng/{token}"):
        assert "Thảo luận trên diễn đàn" not in client.get(url).get_data(as_text=True)


def test_the_status_block_polls_where_it_was_shown(client, db, htmx_headers):
    submission, token = make_submission()
    public = client.get(f"/tra-cuu/{submission.code}", headers=htmx_headers).get_data(as_text=True)
    private = client.get(f"/tra-cuu/rieng/{token}", headers=htmx_headers).get_data(as_text=True)
    assert f'hx-get="/tra-cuu/{submission.code}"' in public
    assert f'hx-get="/tra-cuu/rieng/{token}"' in private


@pytest.mark.parametrize("typed", ["²" * 10, "١٢٣٤٥٦٧٨٩٠", "１２３４５６７８９０"])
def test_digits_that_are_not_ascii_are_no_code(client, typed):
    """str.isdigit() admits superscripts and other scripts' digits; they are refused, not a 500."""
    assert client.get(f"/tra-cuu?code={typed}").status_code == 422
    assert client.get(f"/tra-cuu/{typed}").status_code == 404
