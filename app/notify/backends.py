"""Where messages go: SMTP for e-mail; an HTTP gateway for SMS, or a file in development."""
import json
import smtplib
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app


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
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


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
    with urllib.request.urlopen(request, timeout=15) as response:  # non-2xx raises HTTPError
        response.read()


def _write_file(folder: str, name: str, data: bytes) -> None:
    directory = Path(current_app.instance_path) / folder
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.eml").write_bytes(data)
