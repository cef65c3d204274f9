"""Every page type and htmx fragment the budgets and the benchmark measure: one table.

A later feature adds its pages here (one line each) and is then held to the same budgets by
tests/test_budgets.py and measured by `make bench`. Placeholders in a path are filled from
the data the caller made: {code} a public tracking code (of a published submission), {token}
that submission's private link token, {agency} an agency's id, {organisation} the id of an
organisation the submitter owns. `login` says who is signed in to fetch the page: SUBMITTER
(the account that sent those submissions and owns that organisation), or a role name
(app.common.roles.Role: "admin", "moderator", "coordinator", "officer", "lead") played by a
staff account the caller makes (officers and leads in the agency BKHCN). A signed-in page is
never stored by a cache, so a `login` page is `personal`.
"""
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

SUBMITTER = "submitter"
ADMIN, COORDINATOR = "admin", "coordinator"  # app.common.roles.Role names (bench imports no app)

# DESIGN.md, "Low bandwidth is a feature, with numbers".
PAGE_GZIP_BUDGET = 14_600  # one TCP initial congestion window
FRAGMENT_GZIP_BUDGET = 2_048
FIRST_VISIT_GZIP_BUDGET = 30 * 1024  # HTML + CSS + JS


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    fragment: bool = False  # sent with HX-Request: answers markup without the layout
    personal: bool = False  # shows someone's own data: never stored by a cache
    login: str | None = None  # who is signed in to fetch it: SUBMITTER or a role name (see above)
    status: int = 200
    # False where every render must differ (a form with a one-time idempotency key), so
    # answering 304 from a cached copy would be wrong.
    conditional: bool = True

    def __post_init__(self):
        if self.login and not self.personal:
            raise ValueError(f"{self.name}: a signed-in page is personal (never stored by a cache)")

    def url(self, **values) -> str:
        return self.path.format(**values)


PAGES = [
    Page("home", "/"),
    Page("submit form", "/gop-y/moi", personal=True, conditional=False),
    Page("submit form, communes of a province", "/gop-y/moi?province_code=1", personal=True, conditional=False),
    Page("confirmation (private link)", "/tra-cuu/rieng/{token}?sent=1", personal=True),
    Page("tracking lookup form", "/tra-cuu"),
    Page("tracking lookup result", "/tra-cuu?code={code}"),
    Page("tracking status page", "/tra-cuu/{code}"),
    Page("tracking unknown code", "/tra-cuu?code=1234567894", status=404),  # valid check digit
    Page("tracking code with a typo", "/tra-cuu?code=1234567891", status=422),
    Page("privacy notice", "/quyen-rieng-tu"),
    # A form's CSRF token is signed with the time, so its page changes every second: a
    # conditional GET can only answer 304 when both requests fall in the same second.
    Page("login", "/dang-nhap", conditional=False),
    Page("register", "/dang-ky", conditional=False),
    Page("my submissions", "/tai-khoan/gop-y", personal=True, login=SUBMITTER),
    Page("profile", "/tai-khoan", personal=True, login=SUBMITTER),
    Page("registered: check your messages", "/dang-ky/da-gui"),
    Page("forgot password", "/tai-khoan/quen-mat-khau", conditional=False),
    Page("forgot password: link sent", "/tai-khoan/quen-mat-khau/da-gui"),
    Page("reset link that no longer works", "/tai-khoan/dat-lai-mat-khau/{token}", personal=True),
    Page("change password", "/tai-khoan/mat-khau", personal=True, login=SUBMITTER, conditional=False),
    Page("two-step sign-in", "/tai-khoan/xac-thuc-hai-buoc", personal=True, login=SUBMITTER),
    Page("two-step sign-in: turn on (QR code)", "/tai-khoan/xac-thuc-hai-buoc/bat", personal=True, login=SUBMITTER,
         conditional=False),
    Page("my organisations", "/tai-khoan/to-chuc", personal=True, login=SUBMITTER),
    Page("one organisation (members, submissions)", "/tai-khoan/to-chuc/{organisation}", personal=True,
         login=SUBMITTER, conditional=False),
    Page("not found (404)", "/khong-co-trang-nay", status=404),
    Page("public list", "/gop-y"),
    Page("public search", "/gop-y?q=chuyen+doi+so"),
    Page("forum boards", "/dien-dan"),
    Page("forum search", "/dien-dan/tim-kiem?q=du+lieu"),
    Page("moderation log", "/kiem-duyet/nhat-ky"),
    Page("notification settings", "/tai-khoan/thong-bao/cai-dat", personal=True, login=SUBMITTER),
    Page("notifications", "/tai-khoan/thong-bao", personal=True, login=SUBMITTER),
    Page("my data (consents, export, erase)", "/tai-khoan/du-lieu", personal=True, login=SUBMITTER, conditional=False),
    Page("my data export status", "/tai-khoan/du-lieu/xuat", personal=True, login=SUBMITTER, conditional=False),
    Page("erase my account", "/tai-khoan/xoa", personal=True, login=SUBMITTER, conditional=False),
    # Staff and administrators.
    Page("counter form (assisted intake)", "/gop-y/tai-quay", personal=True, login=COORDINATOR, conditional=False),
    Page("admin: outbox", "/quan-tri/hop-thu-di", personal=True, login=ADMIN),
    Page("admin: staff reads of personal data", "/quan-tri/quyen-rieng-tu/nhat-ky-doc", personal=True, login=ADMIN),
    Page("admin: organisation requests", "/quan-tri/to-chuc", personal=True, login=ADMIN),
    Page("API guide", "/api"),
    Page("API reference (cases)", "/api/tham-chieu/cases"),
    # A guest's support form carries a CSRF token: the page changes every second.
    Page("public page of a submission", "/gop-y/{code}", conditional=False),
    Page("public list by supports", "/gop-y?sort=supports"),
    Page("statistics", "/thong-ke"),
    Page("statistics, filtered", "/thong-ke?period=all&kind=concern&province=1"),
    Page("scorecard of the agencies", "/thong-ke/co-quan?sort=on_time"),
    Page("statistics of one agency", "/thong-ke/co-quan/{agency}"),
    Page("open data", "/du-lieu-mo"),
    Page("data dictionary", "/du-lieu-mo/tu-dien"),
]

FRAGMENTS = [
    Page("commune list", "/gop-y/xa-phuong?province_code=1", fragment=True),
    Page("lookup result", "/tra-cuu?code={code}", fragment=True),
    Page("lookup unknown code", "/tra-cuu?code=1234567894", fragment=True, status=404),
    Page("my submissions list", "/tai-khoan/gop-y", fragment=True, personal=True, login=SUBMITTER),
    Page("public search results", "/gop-y?q=chuyen+doi+so", fragment=True),
    Page("notifications list", "/tai-khoan/thong-bao", fragment=True, personal=True, login=SUBMITTER),
    Page("my data export status", "/tai-khoan/du-lieu/xuat", fragment=True, personal=True, login=SUBMITTER,
         conditional=False),
    Page("notification settings form", "/tai-khoan/thong-bao/cai-dat", fragment=True, personal=True, login=SUBMITTER),
    Page("similar submissions under the title", "/gop-y/tuong-tu?title=S%C3%B3ng+di+%C4%91%E1%BB%99ng+y%E1%BA%BFu",
         fragment=True),
]

ALL = PAGES + FRAGMENTS
HTMX_HEADERS = {"HX-Request": "true"}


class _AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and attrs.get("href") and ({"stylesheet", "icon", "preload", "modulepreload"} & set(rel)):
            self.assets.append(attrs["href"])
        elif tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "object" and attrs.get("data"):
            self.assets.append(attrs["data"])


def assets_of(html: str) -> list[str]:
    """Every URL a browser fetches on its own to show the page (CSS, scripts, images)."""
    parser = _AssetParser()
    parser.feed(html)
    return [url for url in parser.assets if not url.startswith("data:")]  # inline: no request


def is_same_host(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc
