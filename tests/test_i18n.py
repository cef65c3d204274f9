"""Vietnamese first: a complete catalog, no English on Vietnamese pages, a language switch
that needs no JavaScript and sticks."""
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.factories import make_submission

CATALOG = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PAGES = ["/", "/gop-y", "/gop-y/moi", "/tra-cuu", "/dang-nhap", "/dang-ky", "/quyen-rieng-tu", "/khong-co-trang-nay",
         "/thong-ke", "/thong-ke/co-quan", "/du-lieu-mo", "/du-lieu-mo/tu-dien"]


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_vietnamese_catalog_is_complete_and_not_fuzzy():
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOG)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_every_vietnamese_translation_keeps_its_placeholders():
    for message in _catalog():
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)[sd]", message.id)) == set(re.findall(r"%\(\w+\)[sd]",
                                                                              message.string)), message.id


def _english_phrases() -> list[str]:
    """Interface phrases whose Vietnamese differs: none may appear on a Vietnamese page."""
    phrases = []
    for message in _catalog():
        if message.id and isinstance(message.id, str) and message.string != message.id and len(message.id) > 3:
            phrases.append(message.id.split("%(")[0].split("<")[0].strip())
    return [p for p in phrases if len(p) > 3]


@pytest.mark.parametrize("url", PAGES)
def test_default_locale_pages_show_no_english(client, db, url):
    response = client.get(url)
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    text = text.replace("English", "")  # the language switch names its language in that language
    leaked = [phrase for phrase in _english_phrases() if re.search(rf"\b{re.escape(phrase)}\b", text)]
    assert not leaked, leaked


def test_tracking_page_in_vietnamese_has_no_english(client, db):
    submission, token = make_submission(consent_publish=True)
    for url in (f"/tra-cuu/{submission.code}", f"/tra-cuu/rieng/{token}?sent=1", f"/gop-y/{submission.code}"):
        text = re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)).replace("English", "")
        assert not [p for p in _english_phrases() if re.search(rf"\b{re.escape(p)}\b", text)]


def test_language_switch_without_javascript_sticks(client):
    response = client.get("/ngon-ngu/en?next=/tra-cuu")
    assert response.status_code == 303 and response.headers["Location"] == "/tra-cuu"
    page = client.get("/tra-cuu").get_data(as_text=True)
    assert '<html lang="en">' in page and "Track a submission" in page
    client.get("/ngon-ngu/vi")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_accept_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_switch_refuses_other_hosts_and_languages(client):
    assert client.get("/ngon-ngu/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/ngon-ngu/fr").status_code == 404


def test_dates_are_in_ho_chi_minh_time(client, db):
    from datetime import datetime

    submission, _token = make_submission()
    submission.received_at = datetime(2026, 11, 23, 20, 30)  # UTC: already the 24th in Việt Nam
    db.session.commit()
    page = client.get(f"/tra-cuu/{submission.code}").get_data(as_text=True)
    assert "03:30 24/11/2026" in page
