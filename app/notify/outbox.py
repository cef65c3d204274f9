"""Delivering the outbox: claim a due message, send it, record the outcome. Each message is
claimed by one UPDATE before it is sent, so two workers never send it twice, and a claim
lapses after a lease, so a worker that died loses nothing.

Nothing is given up silently: while a channel is down its messages stay pending and are
tried again with a capped back-off for as long as it takes (days), then go out in order per
recipient. A message is given up only by an administrator or when the channel proved the
address unreachable (a hard bounce, an invalid number); the person's page then says so."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, Failure, MessageStatus, OutboxMessage

# A claimed message not marked sent within this time belongs to a worker that died.
CLAIM_LEASE = timedelta(minutes=5)
# E-mail and SMS: one minute after the first failure, doubling, never more than half an hour
# apart, so a message waits at most half an hour after its channel is back.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(minutes=30)
# A webhook is retried for as long as it takes, at least this often.
PERSISTENT_MAX_BACKOFF = timedelta(hours=6)
# The channels whose servers are shared by every recipient: one connection error means the
# whole channel is down, and the rest of its queue waits instead of burning attempts.
SHARED_CHANNELS = (Channel.EMAIL, Channel.SMS)
_WAITING = (MessageStatus.PENDING, MessageStatus.SENDING)


def due_ids(limit: int = 100) -> list[int]:
    release_dead_claims()
    return db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow(),
               _not_behind_an_earlier_one())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


def _not_behind_an_earlier_one():
    """A message waits while an earlier one to the same recipient on the same channel is still
    undelivered: a person gets their messages in order, after an outage too. A webhook waits
    only for the earlier events of the same submission (a receiver's order is per submission)."""
    earlier = aliased(OutboxMessage)
    same_line = or_(OutboxMessage.channel.not_in(Channel.PERSISTENT),
                    earlier.submission_id == OutboxMessage.submission_id)
    waiting = exists().where(earlier.channel == OutboxMessage.channel, earlier.recipient == OutboxMessage.recipient,
                             earlier.id < OutboxMessage.id, earlier.status.in_(_WAITING), same_line)
    return ~waiting


def deliver_pending(limit: int = 100) -> int:
    """Send what is due, here and now, until nothing more is (a recipient's next message is
    due once the earlier one went out)."""
    sent = 0
    while sent < limit:
        delivered = sum(1 for message_id in due_ids(limit - sent) if deliver(message_id))
        if not delivered:
            break
        sent += delivered
    return sent


def release_dead_claims() -> int:
    """A worker that died mid-send left its claim: after the lease, the message is due again."""
    released = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.next_attempt_at < utcnow())
        .values(status=MessageStatus.PENDING)
    ).rowcount
    db.session.commit()
    return released


def claim(message_id: int) -> bool:
    """Take a message for sending; only one worker's UPDATE can match the pending, due row
    (a message its channel's outage postponed since the list was read is left alone)."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING,
               OutboxMessage.next_attempt_at <= utcnow())
        .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                next_attempt_at=utcnow() + CLAIM_LEASE)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def attempts(message_id: int) -> int:
    return db.session.get(OutboxMessage, message_id).attempts


def deliver(message_id: int) -> bool:
    if not claim(message_id):
        return False
    message = db.session.get(OutboxMessage, message_id)
    # The claim is committed and the transaction ended: a slow server holds no lock meanwhile.
    db.session.commit()
    try:
        _send(message)
    except backends.Undeliverable as error:
        current_app.logger.warning("message %s undeliverable: %s", message_id, error.failure)
        _fail(message, error.failure, str(error))
        return False
    except Exception as error:  # any transport fault: retry later with back-off
        channel_down = isinstance(error, backends.ChannelDown)
        current_app.logger.warning("delivery of message %s failed: %s%s", message_id, type(error).__name__,
                                   " (channel down)" if channel_down else "")
        message.last_error = str(error)[:500] or type(error).__name__
        message.status = MessageStatus.PENDING
        message.next_attempt_at = utcnow() + backoff(message.channel, message.attempts)
        if channel_down:
            _postpone_channel(message)
        db.session.commit()
        return False
    message.status, message.sent_at, message.last_error = MessageStatus.SENT, utcnow(), None
    db.session.commit()
    return True


def following(message_id: int) -> int | None:
    """The next message due to the same recipient after this one went out (the queue hands
    it over at once rather than at the next sweep)."""
    message = db.session.get(OutboxMessage, message_id)
    ids = [candidate for candidate in due_ids(20) if candidate != message_id]
    same = db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.id.in_(ids), OutboxMessage.channel == message.channel,
        OutboxMessage.recipient == message.recipient).order_by(OutboxMessage.id).limit(1)) if ids else None
    return same


def _send(message: OutboxMessage) -> None:
    if message.channel == Channel.EMAIL:
        backends.send_email(message.recipient, message.subject or "", message.body, message.html,
                            message_id=f"<outbox-{message.id}@gopy.local>", headers=message.headers)
    elif message.channel == Channel.SMS:
        backends.send_sms(message.recipient, message.body)
    else:
        current_app.extensions["notify_senders"][message.channel](message)


def backoff(channel: str, attempts: int) -> timedelta:
    """How long after its attempts-th failure a message waits."""
    if channel in Channel.PERSISTENT:
        return min(timedelta(minutes=2 ** min(attempts, 12)), PERSISTENT_MAX_BACKOFF)
    return min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 12), BACKOFF_CAP)


def _postpone_channel(message: OutboxMessage) -> None:
    """The circuit breaker: the server could not be reached, so every other message waiting on
    that channel (on that endpoint, for a webhook) waits as long as this one, without an
    attempt of its own; they go out in order once the next try gets through."""
    query = update(OutboxMessage).where(OutboxMessage.channel == message.channel,
                                        OutboxMessage.status == MessageStatus.PENDING,
                                        OutboxMessage.next_attempt_at < message.next_attempt_at,
                                        OutboxMessage.id != message.id)
    if message.channel not in SHARED_CHANNELS:
        query = query.where(OutboxMessage.recipient == message.recipient)
    db.session.execute(query.values(next_attempt_at=message.next_attempt_at))


def _fail(message: OutboxMessage, failure: str, detail: str, by_id: int | None = None) -> None:
    message.status, message.failure, message.last_error = MessageStatus.FAILED, failure, detail[:500]
    message.given_up_at, message.given_up_by_id = utcnow(), by_id
    db.session.commit()


def messages_to(recipient: str, limit: int = 100) -> list[OutboxMessage]:
    """The latest messages to one recipient, newest first (a webhook's delivery log)."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                   .order_by(OutboxMessage.id.desc()).limit(limit)))


def send_again(message_id: int, recipient: str) -> bool:
    """Put a message (sent, failed or waiting) back in line to go now, keeping its identity so
    the receiver can tell a repeat; only for the recipient named, never one mid-send."""
    return bool(_change(recipient, only_id=message_id, **_back_in_line()))


def retry_now(recipient: str) -> int:
    """Every message still waiting for this recipient is due now (after an outage ended)."""
    return _change(recipient, next_attempt_at=utcnow())


def give_up(recipient: str, by_id: int | None = None) -> int:
    """An administrator gives up on a recipient: what still waits for it is marked failed."""
    return _change(recipient, status=MessageStatus.FAILED, failure=Failure.ADMIN, given_up_at=utcnow(),
                   given_up_by_id=by_id, last_error="given up by an administrator")


def _back_in_line() -> dict:
    return dict(status=MessageStatus.PENDING, next_attempt_at=utcnow(), failure=None, given_up_at=None,
                given_up_by_id=None)


def _change(recipient: str, only_id: int | None = None, **values) -> int:
    """Update this recipient's waiting messages (or the one named, whatever its state but
    mid-send), commit, and say how many changed."""
    query = update(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if only_id is None:
        query = query.where(OutboxMessage.status == MessageStatus.PENDING)
    else:
        query = query.where(OutboxMessage.id == only_id, OutboxMessage.status != MessageStatus.SENDING)
    changed = db.session.execute(query.values(**values)).rowcount
    db.session.commit()
    return changed


# The administrator's outbox page (app/admin/outbox.py).

def retry_message(message_id: int) -> bool:
    """A waiting or given-up message goes now (never one mid-send or already sent)."""
    changed = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status.in_((MessageStatus.PENDING, MessageStatus.FAILED)))
        .values(**_back_in_line())).rowcount
    db.session.commit()
    return bool(changed)


def retry_channel(channel: str) -> int:
    """Every message waiting on a channel is due now (its server is known to be back)."""
    changed = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.status == MessageStatus.PENDING)
        .values(next_attempt_at=utcnow())).rowcount
    db.session.commit()
    return changed


def give_up_message(message_id: int, by_id: int) -> bool:
    """An administrator's decision, recorded with who took it: this waiting message is dropped."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != MessageStatus.PENDING:
        return False
    _fail(message, Failure.ADMIN, "given up by an administrator", by_id)
    return True


def counts() -> dict[str, dict[str, int]]:
    """Per channel: queued (never tried), retrying (tried and waiting), sending, failed."""
    tried = func.sum(case((OutboxMessage.attempts > 0, 1), else_=0))
    rows = db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count(), tried)
        .where(OutboxMessage.status != MessageStatus.SENT)
        .group_by(OutboxMessage.channel, OutboxMessage.status)).all()
    found: dict[str, dict[str, int]] = {}
    for channel, status, count, retried in rows:
        per = found.setdefault(channel, {"queued": 0, "retrying": 0, "sending": 0, "failed": 0})
        if status == MessageStatus.PENDING:
            per["retrying"] += int(retried or 0)
            per["queued"] += count - int(retried or 0)
        else:
            per[status] = per.get(status, 0) + count
    return found


def unreachable(user_id: int | None = None, submission_id: int | None = None) -> list[OutboxMessage]:
    """The addresses we gave up on for this person (an account, or a submission's contact),
    one message each, unless a later message to the same address got through."""
    if user_id is None and submission_id is None:
        return []
    later = aliased(OutboxMessage)
    delivered_since = exists().where(later.channel == OutboxMessage.channel, later.recipient == OutboxMessage.recipient,
                                     later.id > OutboxMessage.id, later.status == MessageStatus.SENT)
    whose = OutboxMessage.user_id == user_id if user_id is not None else OutboxMessage.submission_id == submission_id
    found = db.session.scalars(select(OutboxMessage).where(
        whose, OutboxMessage.status == MessageStatus.FAILED, OutboxMessage.channel.in_(SHARED_CHANNELS),
        ~delivered_since).order_by(OutboxMessage.id.desc()).limit(20)).all()
    seen, result = set(), []
    for message in found:
        if (message.channel, message.recipient) not in seen:
            seen.add((message.channel, message.recipient))
            result.append(message)
    return result


STATES = ("queued", "retrying", "sending", "failed", "sent")


def listing(channel: str | None = None, state: str | None = None):
    """The outbox's messages, newest first, for the administrator's page (a query to page)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if state == "queued":
        query = query.where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.attempts == 0)
    elif state == "retrying":
        query = query.where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.attempts > 0)
    elif state in STATES:
        query = query.where(OutboxMessage.status == state)
    return query


def state_of(message: OutboxMessage) -> str:
    if message.status == MessageStatus.PENDING:
        return "retrying" if message.attempts else "queued"
    return message.status


def masked(recipient: str) -> str:
    """Enough of an address for an administrator to tell two apart, not enough to write to."""
    if "@" in recipient:
        local, _at, domain = recipient.rpartition("@")
        return f"{local[:1]}…@{domain}"
    if recipient.lstrip("+").isdigit():
        return f"{recipient[:3]}…{recipient[-3:]}"
    return recipient  # a webhook endpoint: a machine's address, not a person's
