"""Where messages go: SMTP for e-mail; an HTTP gateway for SMS, or a file in development.

A send either returns (delivered to the server or gateway) or raises: `ChannelDown` when the
server or gateway could not be reached or is failing as a whole (the outbox then postpones
the channel's whole queue), `Undeliverable` when it proved this recipient cannot be reached
(the message is given up and the person told on their page), anything else a fault of this
one message, retried with back-off."""
import json
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app


class ChannelDown(Exception):
    """The mail server or SMS gateway is unreachable, or refuses everything for now."""


class Undeliverable(Exception):
    """The server proved this recipient cannot be reached: a hard bounce, an invalid number."""

    def __init__(self, failure: str, detail: str):
        super().__init__(detail)
        self.failure = failure


def send_email(recipient: str, subject: str, body: str, html: str | None = None,
               message_id: str | None = None, headers: dict | None = None) -> None:
    """A message sent again after a crashed worker keeps its Message-ID, so mail clients
    can recognise the copy."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="gopy.local")
    # The outbox row's own headers (alerts: RFC 8058 List-Unsubscribe and List-Unsubscribe-Post);
    # the outbox passes OutboxMessage.headers here.
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if not config.get("MAIL_SERVER"):
        _write_file("mail", message["Message-ID"].strip("<>"), message.as_bytes())
        return
    try:
        # The timeout bounds every read of the conversation: a server that accepts and never
        # answers costs the sender this long, never a page (delivery runs outside requests).
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 10)) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise Undeliverable("bounced", f"{codes[0]} recipient refused") from error
        raise
    except (smtplib.SMTPConnectError, smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError) as error:
        # The server turns everyone away (busy, our sender or login refused): the channel waits.
        raise ChannelDown(f"SMTP {error.smtp_code}") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise ChannelDown(f"SMTP {error.smtp_code}") from error
        raise
    except OSError as error:  # refused, reset, timed out, disconnected (SMTPServerDisconnected)
        raise ChannelDown(f"{type(error).__name__}: {error}") from error


def send_sms(recipient: str, text: str) -> None:
    """With SMS_GATEWAY_URL set, POST the message to the provider; otherwise append one JSON
    line to SMS_FILE. Any error raises, and the outbox retries with back-off."""
    if current_app.config.get("SMS_GATEWAY_URL"):
        _post_to_gateway(recipient, text)
        return
    record = json.dumps({"to": recipient, "text": text}, ensure_ascii=False) + "\n"
    path = Path(current_app.config["SMS_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(record)


def _post_to_gateway(recipient: str, text: str) -> None:
    """The common shape of Vietnamese SMS brandname gateways: JSON with the number, the text
    and the sender name, a bearer token; a 2xx answer means accepted."""
    config = current_app.config
    payload = {"to": recipient, "text": text, "sender": config["SMS_SENDER"]}
    request = urllib.request.Request(
        config["SMS_GATEWAY_URL"], data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=current_app.config.get("SMS_TIMEOUT", 10)) as response:
            response.read()
    except urllib.error.HTTPError as error:
        if error.code in (400, 404, 422) and _says_invalid_number(error):
            raise Undeliverable("invalid", f"gateway: invalid number ({error.code})") from error
        if error.code >= 500 or error.code in (401, 403, 408, 429):
            raise ChannelDown(f"gateway HTTP {error.code}") from error
        raise
    except OSError as error:  # refused, unreachable, timed out (URLError is an OSError)
        raise ChannelDown(f"{type(error).__name__}: {error}") from error


def _says_invalid_number(error) -> bool:
    """The gateway's answer names the number as the fault: {"error": "invalid_number"} (the
    common shape of Vietnamese brandname gateways' JSON errors)."""
    try:
        answer = json.loads(error.read() or b"{}")
    except ValueError:
        return False
    return isinstance(answer, dict) and str(answer.get("error", "")).lower() in ("invalid_number", "invalid_phone")


def _write_file(folder: str, name: str, data: bytes) -> None:
    directory = Path(current_app.instance_path) / folder
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.eml").write_bytes(data)
