"""The layout shared by every page: the header's links follow the permission rules, decided
in code, not in the template."""
import pytest

from app.common.roles import Role
from tests.factories import make_staff, make_user

DESK_LINK, ADMIN_LINK = 'href="/can-bo"', 'href="/quan-tri"'


@pytest.mark.parametrize(("role", "desk", "admin"), [
    (None, False, False),
    (Role.CITIZEN, False, False),
    (Role.MODERATOR, False, False),
    (Role.COORDINATOR, True, False),
    (Role.OFFICER, True, False),
    (Role.LEAD, True, False),
    (Role.ADMIN, False, True),
])
def test_the_header_offers_the_desk_to_staff_and_administration_to_administrators(client, db, role, desk, admin,
                                                                                   login_as):
    if role is not None:
        user = make_staff(role, "BKHCN") if role in Role.AGENCY_STAFF else make_user(role)
        login_as(user)
    header = client.get("/quyen-rieng-tu").get_data(as_text=True).split("</header>")[0]
    assert (DESK_LINK in header, ADMIN_LINK in header) == (desk, admin)
    assert ('href="/dang-nhap"' in header) == (role is None)


def test_a_disabled_account_is_offered_nothing(client, db, login_as):
    user = make_staff(Role.OFFICER, "BKHCN", active=False)
    login_as(user)
    assert DESK_LINK not in client.get("/quyen-rieng-tu").get_data(as_text=True)


@pytest.mark.parametrize(("language", "offered"), [("vi", ">English</a>"), ("en", ">Tiếng Việt</a>")])
def test_the_header_offers_the_other_language_and_comes_back_to_this_page(client, language, offered):
    html = client.get("/gop-y?q=so", headers={"Accept-Language": language}).get_data(as_text=True)
    other = "en" if language == "vi" else "vi"
    assert offered in html
    assert f'href="/ngon-ngu/{other}?next=/gop-y?q%3Dso"' in html
