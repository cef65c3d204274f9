"""Every e-mail and SMS in the recipient's language: the mail templates (.txt and .html) are
extracted into the catalogs, and each kind of message, rendered in Vietnamese, carries no
English taken from the interface (and in English, no Vietnamese interface text)."""
import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts import services as accounts
from app.common.roles import Role
from app.config import BASE_DIR
from app.notify.models import Channel, Notification, OutboxMessage
from app.submissions import supports, workflow
from tests.factories import agency_id, make_staff, make_submission, make_user

TRANSLATIONS = BASE_DIR / "translations"
# The templates that become e-mail or SMS (a message's body, not a page).
MAIL_TEMPLATES = sorted([*BASE_DIR.glob("templates/**/*.txt"), BASE_DIR / "templates/submissions/step.html"])
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_WORD = re.compile(r"[A-Za-z]{4,}")


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_babel_extracts_the_plain_text_templates():
    config = (TRANSLATIONS / "babel.cfg").read_text()
    assert "[jinja2: **.txt]" in config and "[jinja2: **.html]" in config


@pytest.mark.parametrize("template", MAIL_TEMPLATES, ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_every_msgid_of_a_mail_template_is_translated(template: Path):
    found = [message for _line, message, _comments, _context in
             extract_from_file("jinja2", str(template), keywords={"_": None, "gettext": None, "ngettext": (1, 2)})]
    assert found, "no message found: is the template extracted at all?"
    vi = _catalog("vi")
    for msgid in found:
        key = msgid if isinstance(msgid, str) else msgid[0]
        entry = vi.get(key) if isinstance(msgid, str) else vi.get(msgid)
        assert entry is not None and entry.string and not entry.fuzzy, f"{key!r} of {template.name} not in vi"


def _english_words() -> set[str]:
    """Words of the interface's English (the msgids), less those the Vietnamese shares
    (Góp Ý written without accents in SMS, SMS, webhook...)."""
    vi = _catalog("vi")
    english, shared = set(), set()
    for entry in vi:
        if not entry.id:
            continue
        for text in ([entry.id] if isinstance(entry.id, str) else entry.id):
            english.update(word.lower() for word in _WORD.findall(_PLACEHOLDER.sub(" ", text)))
        for text in ([entry.string] if isinstance(entry.string, str) else entry.string):
            shared.update(word.lower() for word in _WORD.findall(_PLACEHOLDER.sub(" ", text or "")))
    return english - shared


def _vietnamese_fragments() -> set[str]:
    """Pieces of the interface's Vietnamese long enough to be recognised."""
    fragments = set()
    for entry in _catalog("vi"):
        for text in ([entry.string] if isinstance(entry.string, str) else entry.string):
            for piece in re.split(r"%\(\w+\)[sd]|[\n:.,;“”()]", text or ""):
                piece = piece.strip()
                if len(piece) >= 10 and " " in piece and not piece.isascii():
                    fragments.add(piece)
    return fragments


def _readable(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"https?://\S+|\S+@\S+", " ", text)


def _every_kind_of_message(app, locale: str) -> list[str]:
    """Each kind of message a person gets, in their language: every public step by e-mail
    (subject, text, HTML), SMS and inbox; a follower's; a verification and a support code."""
    coordinator, officer = make_staff(Role.COORDINATOR), make_staff(Role.OFFICER, "BKHCN")
    for person in (coordinator, officer):  # the staff told of each step read it in the same language
        person.locale = locale
    citizen = make_user(Role.CITIZEN, email=f"{locale}@example.vn", phone="0987654321", locale=locale)
    follower = make_user(Role.CITIZEN, locale=locale)
    follower.email_verified_at = follower.created_at
    submission, _token = make_submission(user=citizen, contact_email=citizen.email, locale=locale,
                                         consent_publish=True)
    supports.follow(submission, follower)
    with app.test_request_context():
        workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
        workflow.take(submission, officer, submission.version)
        workflow.request_info(submission, officer, submission.version, "Xin cho biết thêm số nhà.")
        other, _t = make_submission(contact_email=f"other-{locale}@example.vn", locale=locale)
        workflow.reject(other, coordinator, other.version, "duplicate")
        with force_locale(locale):
            accounts.send_verification_code(citizen, Channel.EMAIL)
            supports.request_phone_support(submission, "0911222333")
    texts = []
    for message in app.extensions["sqlalchemy"].session.scalars(select(OutboxMessage)):
        texts += [message.subject or "", message.body, message.html or ""]
    texts += app.extensions["sqlalchemy"].session.scalars(select(Notification.body)).all()
    return [text for text in texts if text]


def test_every_message_in_vietnamese_has_no_english(app, db):
    english = _english_words()
    texts = _every_kind_of_message(app, "vi")
    assert len(texts) >= 10
    for text in texts:
        leaked = {word for word in _WORD.findall(_readable(text)) if word.lower() in english}
        assert not leaked, f"English in a Vietnamese message: {sorted(leaked)} in {text[:200]!r}"


def test_every_message_in_english_has_no_vietnamese_interface_text(app, db):
    fragments = _vietnamese_fragments()
    texts = _every_kind_of_message(app, "en")
    assert len(texts) >= 10
    for text in texts:
        readable = _readable(text)
        leaked = [fragment for fragment in fragments if fragment in readable]
        assert not leaked, f"Vietnamese in an English message: {leaked} in {text[:200]!r}"
