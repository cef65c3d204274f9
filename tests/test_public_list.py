"""The public list: only what senders agreed to publish, searchable without diacritics."""
import re

import pytest

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


@pytest.mark.parametrize("query", [f"province={10**30}", f"topic={2**63}", f"province={2**31}", "topic=-1"])
def test_a_filter_number_no_list_offers_is_a_422(client, db, query):
    response = client.get(f"/gop-y?{query}")
    assert response.status_code == 422
    assert "Hãy chọn một trong các lựa chọn" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", [0, -1, 2**31, 2**63, 10**30])
def test_any_page_number_answers_a_page(client, db, page):
    make_submission(consent_publish=True, title="Đề nghị mở dữ liệu xe buýt")
    assert client.get(f"/gop-y?page={page}").status_code == 200


def test_the_pages_of_a_search_keep_its_filters(client, db):
    for index in range(25):
        make_submission(consent_publish=True, title=f"Dữ liệu xe buýt số {index:02d}", province_code=1)
    page = client.get("/gop-y?q=xe+buyt&province=1").get_data(as_text=True)
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "q=xe+buyt" in next_link and "province=1" in next_link and "page=2" in next_link
    second = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Dữ liệu xe buýt số 00" in second and 'rel="prev"' in second
