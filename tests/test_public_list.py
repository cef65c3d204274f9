"""The public list: only what senders agreed to publish, searchable without diacritics."""
from tests.factories import make_submission


def test_only_published_submissions_are_listed(client, db):
    make_submission(consent_publish=True, title="Đề nghị mở dữ liệu xe buýt")
    make_submission(consent_publish=False, title="Chuyện riêng không công khai")
    page = client.get("/gop-y").get_data(as_text=True)
    assert "Đề nghị mở dữ liệu xe buýt" in page
    assert "Chuyện riêng không công khai" not in page


def test_search_ignores_diacritics_and_case(client, db):
    make_submission(consent_publish=True, title="Thúc đẩy chuyển đổi số ở cấp xã")
    make_submission(consent_publish=True, title="Phí đăng ký sáng chế còn cao")
    for query in ("chuyen doi so", "CHUYỂN ĐỔI SỐ", "Chuyển doi"):
        page = client.get("/gop-y", query_string={"q": query}).get_data(as_text=True)
        assert "Thúc đẩy chuyển đổi số ở cấp xã" in page, query
        assert "Phí đăng ký sáng chế" not in page, query


def test_search_treats_like_wildcards_as_text(client, db):
    make_submission(consent_publish=True, title="Một tiêu đề bình thường")
    page = client.get("/gop-y", query_string={"q": "%"}).get_data(as_text=True)
    assert "Một tiêu đề bình thường" not in page


def test_filters_and_pages(client, db):
    for index in range(25):
        make_submission(consent_publish=True, title=f"Góp ý số {index:02d} về dữ liệu",
                        province_code=1 if index % 2 else 79)
    first = client.get("/gop-y").get_data(as_text=True)
    assert 'rel="next"' in first and "Góp ý số 24" in first and "Góp ý số 00" not in first
    second = client.get("/gop-y?page=2").get_data(as_text=True)
    assert "Góp ý số 00" in second and 'rel="prev"' in second
    hanoi = client.get("/gop-y?province=1").get_data(as_text=True)
    assert "Góp ý số 01" in hanoi and "Góp ý số 02" not in hanoi


def test_list_answers_a_fragment_to_htmx(client, db, htmx_headers):
    make_submission(consent_publish=True, title="Đề nghị mở dữ liệu xe buýt")
    response = client.get("/gop-y?q=xe+buyt", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="results">') and "<html" not in page
    assert "Đề nghị mở dữ liệu xe buýt" in page


def test_bad_filter_is_a_422_with_message(client, db):
    response = client.get("/gop-y?status=hacked&page=abc")
    assert response.status_code == 422
    assert "Hãy chọn một trong các lựa chọn" in response.get_data(as_text=True)


def test_no_personal_data_in_the_list(client, db):
    make_submission(consent_publish=True, contact_name="Lò Thị Kín", contact_phone="0988777666")
    page = client.get("/gop-y").get_data(as_text=True)
    assert "Lò Thị Kín" not in page and "0988777666" not in page
