"""The inbound side of SMS: check the gateway's signature, keep each gateway message id
once, hold the parts of a long message until all are here, limit each number, then read
the syntax (GY, DONG Y, TC <ma> or <ma>, HUY) and answer through notify's SMS channel."""
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.common.text import clean_block, clean_line, sms_text
from app.common.time import utcnow
from app.common.validators import normalize_mobile
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.sms import replies
from app.sms.models import SmsInbound, SmsPart, SmsPending
from app.submissions import codes, intake, lookups
from app.submissions.states import ConsentMethod, IntakeChannel, Kind

SIGNATURE_HEADER = "X-Gopy-Signature"
SIGNATURE_PREFIX = "sha256="
MAX_PARTS = 10  # a gateway joins at most this many 153-character parts: about 1,500 characters
TITLE_LENGTH = 80
PARTS_KEPT = timedelta(days=1)


class Outcome:
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    WAITING = "waiting"  # a part of a long message, kept until the others arrive
    LIMITED = "rate_limited"


class BadMessage(ValueError):
    """The gateway's JSON is not a message this contract describes (docs/sms.md)."""


@dataclass(frozen=True)
class Inbound:
    gateway_id: str
    phone: str
    text: str
    reference: str | None = None
    part: int = 1
    total: int = 1


def sign(body: bytes, secret: str) -> str:
    """The header value a gateway sends with `body` (and the fake carrier of the tests)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str) -> bool:
    """HMAC-SHA256 of the raw body with the shared secret, compared in constant time. With no
    secret configured every message is refused: an open webhook would let anyone file."""
    secret = current_app.config.get("SMS_WEBHOOK_SECRET") or ""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode())


def parse(payload) -> Inbound:
    """The gateway's JSON: {"id", "from", "text"} and, for a part of a long message,
    {"ref", "part", "parts"}."""
    if not isinstance(payload, dict):
        raise BadMessage("the body must be a JSON object")
    gateway_id, sender, text = payload.get("id"), payload.get("from"), payload.get("text")
    if not isinstance(gateway_id, str | int) or not str(gateway_id).strip() or len(str(gateway_id)) > 64:
        raise BadMessage("id: a string of 1 to 64 characters")
    phone = normalize_mobile(sender) if isinstance(sender, str) else None
    if phone is None:
        raise BadMessage("from: a Vietnamese mobile number")
    if not isinstance(text, str) or len(text) > 2000:
        raise BadMessage("text: a string of at most 2,000 characters")
    total, part, reference = payload.get("parts", 1), payload.get("part", 1), payload.get("ref")
    if not (isinstance(total, int) and isinstance(part, int) and 1 <= part <= total <= MAX_PARTS):
        raise BadMessage(f"part and parts: whole numbers, 1 <= part <= parts <= {MAX_PARTS}")
    if total > 1 and (not isinstance(reference, str | int) or not str(reference).strip() or len(str(reference)) > 32):
        raise BadMessage("ref: required for a part of a long message, at most 32 characters")
    return Inbound(gateway_id=str(gateway_id).strip(), phone=phone, text=text,
                   reference=str(reference).strip() if total > 1 else None, part=part, total=total)


def receive(message: Inbound) -> str:
    """Process one post of the gateway once, whatever the gateway retries."""
    if db.session.scalar(select(SmsInbound.id).where(SmsInbound.gateway_id == message.gateway_id)):
        return Outcome.DUPLICATE
    if _received_last_hour(message.phone) >= current_app.config["SMS_INBOUND_PER_HOUR"]:
        return Outcome.LIMITED
    db.session.add(SmsInbound(gateway_id=message.gateway_id, phone=message.phone))
    try:
        db.session.flush()
    except IntegrityError:  # the same id, posted twice at once: the other request has it
        db.session.rollback()
        return Outcome.DUPLICATE
    text = message.text if message.total == 1 else _join(message)
    if text is None:
        db.session.commit()
        return Outcome.WAITING
    handle(message.phone, text)
    db.session.commit()
    return Outcome.PROCESSED


def _received_last_hour(phone: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(select(func.count()).select_from(SmsInbound)
                             .where(SmsInbound.phone == phone, SmsInbound.received_at > since))


def _join(message: Inbound) -> str | None:
    """Keep this part; once every part of the reference is here, the whole text (the parts
    in order, as the phone split it: mid-word, so joined with nothing between)."""
    # The parts of a long message that never completed (a lost part) are dropped after a day.
    db.session.execute(delete(SmsPart).where(SmsPart.phone == message.phone,
                                             SmsPart.received_at < utcnow() - PARTS_KEPT))
    same = (SmsPart.phone == message.phone, SmsPart.reference == message.reference)
    if db.session.scalar(select(SmsPart.id).where(*same, SmsPart.part == message.part)) is None:
        db.session.add(SmsPart(phone=message.phone, reference=message.reference, part=message.part,
                               total=message.total, text=message.text))
        db.session.flush()
    parts = db.session.scalars(select(SmsPart).where(*same).order_by(SmsPart.part)).all()
    if len({p.part for p in parts}) < message.total:
        return None
    db.session.execute(delete(SmsPart).where(*same))
    return "".join(p.text for p in parts)


_SEPARATOR = re.compile(r"[\s:.,;!-]+")


def _keyword(text: str) -> tuple[str, str]:
    """('GY', the rest as typed) for 'gy: Đường hỏng'; the keyword without accents, in capitals."""
    stripped = (text or "").strip()
    match = re.match(r"(\S+?)(?:[:.,;!-]+|\s+|$)(.*)", stripped, re.DOTALL)
    if not match:
        return "", ""
    return sms_text(match.group(1)).upper(), match.group(2).strip()


def handle(phone: str, text: str) -> None:
    """Read one whole message and answer it (the answers are in replies.py)."""
    keyword, rest = _keyword(text)
    plain = _SEPARATOR.sub(" ", sms_text(text).upper()).strip()
    if keyword == "GY":
        _ask_consent(phone, rest)
    elif plain in ("DONG Y", "DONGY"):
        _file_pending(phone)
    elif plain == "HUY":
        _stop(phone)
    elif keyword == "TC" and rest:
        _status(phone, rest)
    elif codes.normalize(text.strip()).isdigit():
        _status(phone, text.strip())
    else:
        _reply(phone, replies.help_text())


def _reply(phone: str, text: str, submission_id: int | None = None) -> None:
    notify.enqueue(Channel.SMS, phone, text, submission_id=submission_id)


def _ask_consent(phone: str, content: str) -> None:
    """Nothing is filed yet: the sender first agrees to the privacy notice by SMS."""
    content = clean_block(content)
    if not content:
        _reply(phone, replies.help_text())
        return
    notify.opt_in_sms(phone)  # writing to submit is asking to be answered again
    db.session.execute(delete(SmsPending).where(SmsPending.phone == phone))
    db.session.add(SmsPending(phone=phone, content=content))
    _reply(phone, replies.consent_request(notify.public_url("core.privacy")))


def _file_pending(phone: str) -> None:
    """DONG Y: file the waiting text through the submission core, consent recorded as given
    by SMS under the current notice, the phone as the verified contact; answer the code."""
    pending = db.session.scalar(select(SmsPending).where(SmsPending.phone == phone))
    wait = timedelta(hours=current_app.config["SMS_CONSENT_WAIT_HOURS"])
    if pending is None or pending.created_at < utcnow() - wait:
        if pending is not None:
            db.session.delete(pending)
        _reply(phone, replies.nothing_to_agree())
        return
    key = hashlib.sha256(f"sms:{phone}:{pending.id}:{pending.created_at.isoformat()}".encode()).hexdigest()[:32]
    data = intake.SubmissionInput(
        idempotency_key=key, kind=Kind.CONCERN, topic_id=None, province_code=None, ward_code=None,
        title=_title(pending.content), content=pending.content, contact_phone=phone, consent_processing=True,
        channel=IntakeChannel.SMS, consent_method=ConsentMethod.SMS, locale="vi")
    db.session.delete(pending)
    submission, _token = intake.submit_feedback(data)  # commits this message's records with it
    _reply(phone, replies.received(submission.code), submission_id=submission.id)


def _title(content: str) -> str:
    """The first words of the text, cut at a space: an SMS has no title of its own."""
    line = clean_line(content)
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0]
    return f"{cut}…"


def _status(phone: str, typed: str) -> None:
    submission = lookups.find_by_typed_code(typed)
    if submission is None:
        _reply(phone, replies.unknown_code(codes.normalize(sms_text(typed))))
        return
    _reply(phone, replies.status(submission.code, submission.status), submission_id=submission.id)


def _stop(phone: str) -> None:
    """HUY: the confirmation is the last SMS this number gets; a waiting GY is dropped."""
    db.session.execute(delete(SmsPending).where(SmsPending.phone == phone))
    _reply(phone, replies.stopped())
    notify.opt_out_sms(phone)
