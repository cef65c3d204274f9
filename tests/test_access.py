"""Who may reach what. Every endpoint of `app.url_map` is swept for every role, so a new route is
swept without anyone remembering: a role the route's decorator does not allow gets 403 (or the
sign-in page when anonymous), someone else's object gets 404, and no route answers 500 to a
number too big for the database, in its path or in its query string."""
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from wtforms.fields.core import UnboundField

from app import create_app
from app.accounts import organisations
from app.api import tokens, webhooks
from app.api.docs import TAGS
from app.common import paging
from app.common.assets import manifest
from app.common.roles import Role
from app.common.time import utcnow
from app.desk import answers
from app.extensions import db as ext_db
from app.forum import services as forum
from app.moderation import services as moderation
from app.notify import preferences
from app.notify.models import Channel, OutboxMessage
from app.opendata.dump import write_dump
from app.submissions import alerts, intake, workflow
from tests.conftest import SuiteConfig, csrf_token
from tests.factories import ROLES, agency_id, make_person, make_staff, make_submission, make_user, submission_input
from tests.forum_support import make_board, make_thread

# Numbers past every id column (PostgreSQL integer, SQLite's 64-bit rowid) and past Python's
# fixed-width conversions: each must be "no such thing", never a 500.
HUGE = (2**31, 2**63, 10**30)
# The part each swept person plays in the decorators' terms.
ROLE_OF = {"organisation": Role.CITIZEN, "expert": Role.CITIZEN, "other_officer": Role.OFFICER}
# Where a role passes the decorator but the object is not theirs. The world below decides whose
# each object is: the citizen sent the submission (assigned to BKHCN, whose officer and lead
# handle it; other_officer is at BTC) and wrote the hidden post under appeal; the swept post
# and thread belong to someone outside the sweep.
NOT_THE_HANDLERS = {"anonymous", "organisation", "other_officer", "expert", "moderator", "admin"}
OBJECT_RULES = {
    "desk.show": {"other_officer": 404},
    "desk.take_step": {"other_officer": 404},
    # A receipt is printed by whoever filed it for the resident or handles the submission.
    "feedback.receipt": {"other_officer": 404},
    "desk.step_page": {"other_officer": 404},
    "desk.timeline": {"other_officer": 404},
    "desk.draft": {"other_officer": 404},
    "tracking.mine": {role: 404 for role in ROLES if role not in ("anonymous", "citizen")},
    "tracking.attachment": {role: 404 for role in NOT_THE_HANDLERS},
    "forum.edit": {role: 403 for role in ROLES if role not in ("anonymous", "moderator", "admin")},
    "forum.delete": {role: 403 for role in ROLES if role != "anonymous"},
    "forum.mark_answer": {"citizen": 403, "organisation": 403, "expert": 403},
    "moderation.appeal": {role: 404 for role in ROLES if role not in ("anonymous", "citizen")},
    # Only the sender withdraws a consent given with their submission.
    "privacy.withdraw": {"organisation": 404, "expert": 404},
    # An agency's cases answer tokens, never a session: 401 whoever is signed in
    # (tests/test_api_access.py sweeps them for every token scope).
    "api_v1.cases": {role: 401 for role in ROLES},
    "api_v1.case": {role: 401 for role in ROLES},
    "api_v1.case_attachment": {role: 401 for role in ROLES},
    # The swept `token` is a private link, not an Open311 creation token.
    "open311.token_lookup": {role: 404 for role in ROLES},
    # The sweep's app configures no identity provider: the swept name is none of them
    # (tests/test_identity.py runs the sign-in against a real provider).
    "accounts.oidc_start": {role: 404 for role in ROLES},
    "accounts.oidc_callback": {role: 404 for role in ROLES},
    "accounts.oidc_link": {role: 404 for role in ROLES if role != "anonymous"},
    # The swept organisation is the organisation account's own, verified.
    "accounts.organisation": {role: 404 for role in ROLES if role not in ("anonymous", "organisation")},
    "accounts.remove_member": {role: 404 for role in ROLES if role not in ("anonymous", "organisation")},
}
# Endpoints the sweep does not request, each with the reason. Empty today: keep it short.
SKIPPED: dict[str, str] = {}
# Endpoints that answer 500 to a huge number today, with the reason; each is an xfail(strict)
# case of test_no_500_for_huge_numbers, so the mark must go once the route is fixed.
KNOWN_500: dict[str, str] = {}

_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclass
class World:
    people: dict
    values: dict


@pytest.fixture()
def world(app) -> World:
    """Real objects for every URL argument, and one person for every role."""
    old = utcnow() - timedelta(days=60)  # established accounts: never held, never rate-limited
    people = {role: make_person(role, created_at=old) for role in ROLES}
    author = make_user(Role.CITIZEN, created_at=old)
    # Published, so its public page, supports and follows are swept like any page.
    submission, token = intake.submit_feedback(submission_input(consent_publish=True), files=[_photo()],
                                               user=people["citizen"])
    workflow.assign(submission, people["coordinator"], submission.version, agency_id("BKHCN"))
    board = make_board()
    thread = make_thread(author=author, board=board)
    post = forum.reply(author, thread, "Ý kiến về sóng di động ở thôn.")
    hidden = forum.reply(people["citizen"], thread, "Bài viết sẽ bị ẩn để thử kháng nghị.")
    decision = moderation.decide(people["moderator"], "hide", "post", hidden.id, "spam")
    appeal = moderation.appeal(people["citizen"], decision.id, "Tôi không quảng cáo, xin xem lại.")
    word = moderation.add_word(people["admin"], "tu-cam-thu")
    saved_reply = moderation.add_canned_reply(people["moderator"], "Lạc đề", "Bài này không đúng chủ đề.")
    api_token, _value = tokens.issue(tokens.TokenRequest("Cổng một cửa", [tokens.Scope.READ_PUBLIC], "it@example.vn",
                                                         30))
    endpoint = webhooks.add_endpoint(api_token.id, "https://hook.example.vn/gopy", ["submission.created"])
    message = OutboxMessage(channel=Channel.WEBHOOK, recipient=endpoint.url, body="{}", submission_id=submission.id)
    watched = alerts.subscribe(people["citizen"], province_code=1)
    ext_db.session.add(message)
    ext_db.session.commit()
    template = answers.save_template(agency_id("BKHCN"), "Trả lời mẫu", "Kính gửi {xung_ho}, về góp ý {ma_so}.")
    write_dump(app.config["OPENDATA_DIR"])  # the nightly open-data files, served by name
    organisation = organisations.request_verification(people["organisation"], "Công ty Sông Hồng", "0100109106",
                                                      _photo())
    organisations.review(people["admin"], organisation.id, approve=True)
    member = organisations.add_member(people["organisation"], organisation, author.email)
    values = {
        "submission_id": submission.id, "step": "note", "code": submission.code, "token": token,
        "attachment_id": submission.attachments[0].id, "user_id": people["officer"].id,
        "slug": board.slug, "thread_id": thread.id, "post_id": post.id, "kind": "bai", "target_id": post.id,
        "decision_id": decision.id, "appeal_id": appeal.id, "word_id": word.id,
        "reply_id": saved_reply.id,
        "token_id": api_token.id, "endpoint_id": endpoint.id, "message_id": message.id, "action": "tat",
        "fmt": "json", "service_code": submission.topic.slug if submission.topic else "x",
        "service_request_id": submission.code, "province_code": 1, "tag": next(iter(TAGS)),
        "channel": "email", "lang": "vi", "filename": next(iter(manifest.name_by_hashed)),
        "agency_id": agency_id("BKHCN"), "name": "SHA256SUMS", "purpose": "publish",
        "provider": "vneid", "organisation_id": organisation.id, "member_id": member.id,
        "subscription_id": watched.id, "signature": preferences.unsubscribe_token(people["citizen"].id, "forum"),
        "template_id": template.id,
    }
    return World(people=people, values=values)


def _photo() -> FileStorage:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    out.seek(0)
    return FileStorage(out, filename="anh.png", content_type="image/png")


# Where one argument name takes other values on another endpoint: open data is CSV or JSON
# Lines, Open311 JSON or XML.
ENDPOINT_VALUES = {"opendata.": {"fmt": "csv"}, "stats.": {"fmt": "csv"}}


def _url(rule, values: dict) -> str:
    for prefix, override in ENDPOINT_VALUES.items():
        if rule.endpoint.startswith(prefix):
            values = {**values, **override}
    return _ARGUMENT.sub(lambda match: str(values[match.group("name")]), rule.rule)


def _refusal(app, endpoint: str, role: str) -> int | None:
    """The status this role must get here, or None when the role may reach it."""
    view = app.view_functions[endpoint]
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])  # restrict_blueprint guards a whole area
    if role == "anonymous" and (getattr(view, "requires_login", False) or getattr(blueprint, "requires_login", False)):
        return 303
    allowed = getattr(view, "allowed_roles", None) or getattr(blueprint, "allowed_roles", None)
    if allowed is not None and ROLE_OF.get(role, role) not in allowed:
        return 403
    return OBJECT_RULES.get(endpoint, {}).get(role)


def _swept_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED),
                  key=lambda rule: (rule.endpoint, rule.rule))


def _token(client) -> str:
    return csrf_token(client.get("/gop-y/moi").get_data(as_text=True))


def _send(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})


def _refused_as(response, expected: int) -> bool:
    if expected == 303:
        return response.status_code == 303 and "/dang-nhap" in response.headers.get("Location", "")
    return response.status_code == expected


def test_the_sweep_covers_every_endpoint(app, world):
    """An endpoint is swept when the world has a value for each of its URL arguments; a new
    argument name fails here until the world gives it a real object (or SKIPPED a reason)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unbuildable = {rule.endpoint: sorted(set(rule.arguments) - world.values.keys()) for rule in _swept_rules(app)
                   if set(rule.arguments) - world.values.keys()}
    assert unbuildable == {}, "give these URL arguments a value in the world fixture, or SKIPPED a reason"
    assert set(SKIPPED) <= endpoints, "SKIPPED names an endpoint that no longer exists"
    assert set(OBJECT_RULES) <= endpoints, "OBJECT_RULES names an endpoint that no longer exists"
    assert set(KNOWN_500) <= endpoints, "KNOWN_500 names an endpoint that no longer exists"
    assert {rule.endpoint for rule in _swept_rules(app)} | set(SKIPPED) == endpoints


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_every_role(app, client, login_as, world, role):
    """GET everything; POST (with a valid CSRF token) wherever the role must be refused."""
    login_as(world.people[role])
    token = _token(client)
    wrong = []
    for rule in _swept_rules(app):
        url = _url(rule, world.values)
        refusal = _refusal(app, rule.endpoint, role)
        if "GET" in rule.methods:
            response = client.get(url)
            if refusal is not None and not _refused_as(response, refusal):
                wrong.append((rule.endpoint, "GET", url, response.status_code, f"expected {refusal}"))
            elif refusal is None and response.status_code >= 400:
                wrong.append((rule.endpoint, "GET", url, response.status_code, "expected to reach it"))
        if "POST" in rule.methods and refusal is not None:
            response = _send(client, "POST", url, token)
            if not _refused_as(response, refusal):
                wrong.append((rule.endpoint, "POST", url, response.status_code, f"expected {refusal}"))
    assert wrong == [], "\n".join(map(str, wrong))


def _query_keys(app) -> list[str]:
    """Every query key the app reads: request.args.get/int_arg/id_arg by name, the page, and the
    fields of each form built from request.args. Read from the source, so a new key is swept."""
    keys = {paging.PAGE_ARG}
    root = Path(app.root_path)
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'request\.args\.get\(\s*"(\w+)"', text))
        keys |= set(re.findall(r'\b(?:int_arg|id_arg)\(\s*"(\w+)"', text))
        module = None
        for form_name in re.findall(r"\b(\w+Form)\(\s*request\.args", text):
            if module is None:
                dotted = ".".join(path.relative_to(root.parent).with_suffix("").parts)
                module = __import__(dotted, fromlist=["_"])
            form_class = getattr(module, form_name)
            keys |= {name for klass in form_class.__mro__ for name, value in vars(klass).items()
                     if isinstance(value, UnboundField)}
    return sorted(keys)


def _reaching_role(app, endpoint: str) -> str:
    """Someone who gets past the decorator and the object check, so the numbers reach the view."""
    return next((role for role in ("citizen", "coordinator", "moderator", "admin")
                 if _refusal(app, endpoint, role) is None), "citizen")


def _endpoints() -> list:
    names = sorted({rule.endpoint for rule in create_app(SuiteConfig).url_map.iter_rules()} - set(SKIPPED))
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_500[name])) if name in KNOWN_500
            else name for name in names]


@pytest.mark.parametrize("endpoint", _endpoints())
def test_no_500_for_huge_numbers(app, client, login_as, world, endpoint):
    """Each path argument in turn, then every query key at once and one by one, holds a huge
    number; GET and POST alike. 'No such thing' (404), a redirect or a form error are fine."""
    login_as(world.people[_reaching_role(app, endpoint)])
    token = _token(client)
    keys = _query_keys(app)
    failed = []
    for rule in (rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint):
        base = _url(rule, world.values)
        urls = [_url(rule, {**world.values, name: number}) for name in sorted(rule.arguments) for number in HUGE]
        urls += [f"{base}?{urlencode(dict.fromkeys(keys, number))}" for number in HUGE]
        urls += [f"{base}?{urlencode({key: HUGE[-1]})}" for key in keys]
        for method in sorted(rule.methods & {"GET", "POST"}):
            for url in urls:
                try:
                    status = _send(client, method, url, token).status_code
                except Exception as error:  # TESTING propagates what would be a 500
                    status = f"500 ({type(error).__name__}: {str(error)[:80]})"
                    ext_db.session.rollback()
                if str(status).startswith("500"):
                    failed.append((method, url, status))
    assert failed == [], "\n".join(map(str, failed))


# The desk by hand: what each role gets, step by step, on one submission.

DESK = {"officer", "lead", "coordinator", "other_officer"}
CASE = {"officer", "lead", "coordinator"}


def _routes(submission_id: int, staff_id: int):
    """(method, url, roles allowed, what allowed roles get)."""
    case = f"/can-bo/ho-so/{submission_id}"
    return [
        ("GET", "/can-bo", DESK, 200),
        ("GET", "/can-bo?q=song&due=overdue&mine=y", DESK, 200),
        ("GET", "/can-bo/dung-han", DESK, 200),
        ("GET", case, CASE, 200),
        ("POST", f"{case}/note", CASE, 303),
        ("POST", f"{case}/take", {"officer", "lead"}, 303),
        ("POST", f"{case}/answer", set(), None),
        ("GET", "/quan-tri", {"admin"}, 200),
        ("GET", "/quan-tri/can-bo", {"admin"}, 200),
        ("GET", f"/quan-tri/can-bo/{staff_id}", {"admin"}, 200),
        ("GET", "/quan-tri/han-xu-ly", {"admin"}, 200),
        ("GET", "/quan-tri/co-quan", {"admin"}, 200),
        ("GET", "/quan-tri/linh-vuc", {"admin"}, 200),
    ]


def _expected_refusal(role: str, url: str) -> tuple:
    if role == "anonymous":
        return (303,)
    if role == "other_officer" and url.startswith("/can-bo/ho-so/"):
        return (404,)
    return (403,)


@pytest.mark.parametrize("role", ("anonymous", "citizen", "moderator", "other_officer", "officer", "lead",
                                  "coordinator", "admin"))
def test_every_staff_route_for_every_role(app, client, db, login_as, role, monkeypatch):
    coordinator = make_staff(Role.COORDINATOR, email="router@example.vn")
    submission, _token = make_submission(title="Sóng yếu ở bản")
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    login_as(role)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the walk tests roles, not tokens
    for method, url, allowed, status in _routes(submission.id, coordinator.id):
        ext_db.session.refresh(submission)
        version = str(submission.version)
        data = {"note-version": version, "note-text": "Ghi chú", "take-version": version, "answer-version": version}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        if role in allowed:
            assert response.status_code == status, (role, method, url, response.status_code)
        elif url.endswith("/answer") and role in CASE:
            # Only a lead may approve, and only a pending draft: here there is none.
            assert response.status_code == (409 if role == "lead" else 403), (role, url)
        else:
            assert response.status_code in _expected_refusal(role, url), (role, method, url, response.status_code)
        if role in ("anonymous", "citizen", "moderator", "admin", "other_officer") and url.startswith("/can-bo/ho-so"):
            assert "0912345678" not in response.get_data(as_text=True)


def test_htmx_request_without_sign_in_gets_hx_redirect(client, htmx_headers):
    response = client.get("/can-bo", headers=htmx_headers)
    assert response.status_code == 204 and "/dang-nhap" in response.headers["HX-Redirect"]


def test_submitter_routes_need_the_right_link_or_account(client, db, login_as):
    submission, _token = make_submission()
    for url in ("/tra-cuu/rieng/" + "0" * 40 + "/bo-sung", "/tra-cuu/rieng/" + "0" * 40 + "/danh-gia",
                "/tra-cuu/rieng/" + "0" * 40 + "/xem-xet-lai"):
        assert client.post(url, data={}).status_code in (400, 404)
    login_as("citizen")
    assert client.get(f"/tai-khoan/gop-y/{submission.code}/rieng").status_code == 404


def test_public_status_has_no_personal_data(client, db):
    submission, _token = make_submission(contact_email="an@example.vn")
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/tra-cuu/{submission.code}", headers=headers).get_data(as_text=True)
        assert "0912345678" not in html and "an@example.vn" not in html and "Lò Văn Thử" not in html
