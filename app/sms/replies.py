"""Every text the platform sends back by SMS, written once here in the platform's language
(Vietnamese): each must fit one 160-character GSM-7 message once sms_text() has taken the
diacritics off (tests/test_sms.py renders every one)."""
from flask_babel import force_locale
from flask_babel import gettext as _

from app.common.text import sms_text
from app.submissions import codes
from app.submissions.states import status_label

# GSM 03.38: the basic alphabet (one septet each) and its extension table (two septets:
# the escape and the character). Anything else forces UCS-2 and 70 characters a message.
GSM7_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = set("^{}\\[~]|€\f")
SMS_SEPTETS = 160


def septets(text: str) -> int | None:
    """The length of `text` in GSM-7 septets, or None when a character is not in GSM-7."""
    total = 0
    for char in text:
        if char in GSM7_BASIC:
            total += 1
        elif char in GSM7_EXTENSION:
            total += 2
        else:
            return None
    return total


def fits_one_sms(text: str) -> bool:
    count = septets(text)
    return count is not None and count <= SMS_SEPTETS


def _vi(render) -> str:
    """SMS replies are written in Vietnamese, the language of the phone owners they serve."""
    with force_locale("vi"):
        return sms_text(render())


def help_text() -> str:
    return _vi(lambda: _("Gop Y: send GY <your feedback> to submit it; TC <code> or just the code for its status; "
                         "HUY to stop messages."))


def consent_request(privacy_url: str) -> str:
    return _vi(lambda: _("Gop Y: to file your feedback, reply DONG Y to agree to the privacy notice %(url)s. "
                         "Reply HUY to stop.", url=privacy_url))


def received(code: str) -> str:
    return _vi(lambda: _("Gop Y received your feedback. Tracking code: %(code)s. Send TC %(plain)s for its status.",
                         code=codes.display(code), plain=code))


def nothing_to_agree() -> str:
    return _vi(lambda: _("Gop Y: no feedback is waiting for your agreement. Send GY <your feedback> to submit."))


def status(code: str, state: str) -> str:
    return _vi(lambda: _("Gop Y: submission %(code)s: %(status)s.", code=codes.display(code),
                         status=status_label(state)))


def unknown_code(typed: str) -> str:
    return _vi(lambda: _("Gop Y: no submission has the code %(code)s. Check the 10 digits and send again.",
                         code=typed[:14]))


def stopped() -> str:
    return _vi(lambda: _("Gop Y: you will get no more messages from us. To submit again, send GY <your feedback>."))
