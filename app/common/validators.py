"""Vietnamese identifiers: mobile numbers, tax codes (mã số thuế), and what people sign in with."""
import re

import phonenumbers
from stdnum.vn import mst

_MOBILE = re.compile(r"^(?:\+?84|0)(\d{9})$")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalize_mobile(raw: str) -> str | None:
    """'+84 912 345 678', '0912.345.678' -> '0912345678'; None when not a Vietnamese mobile.

    Ten digits are not enough: the prefixes no carrier has been given (050, 071-075, 080...)
    are refused by the numbering plan `phonenumbers` keeps up to date. Stored in the national
    form, as every number so far."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    match = _MOBILE.match(digits)
    if not match:
        return None
    number = phonenumbers.parse("+84" + match.group(1))
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return "0" + str(number.national_number)


def normalize_identifier(raw: str) -> tuple[str, str] | None:
    """('email', address) or ('phone', number) for what someone typed to sign in."""
    raw = (raw or "").strip()
    if "@" in raw:
        local, _, domain = raw.rpartition("@")
        return ("email", raw.lower()) if local and "." in domain else None
    phone = normalize_mobile(raw)
    return ("phone", phone) if phone else None


def normalize_tax_code(raw: str) -> str | None:
    """A 10-digit code with its check digit, or 13 digits (a branch: 10 + '-' + 3), as
    python-stdnum's stdnum.vn.mst checks it. Returns the canonical form ('0100109106',
    '0100109106-001'), or None when the code cannot be right."""
    compact = re.sub(r"[\s.]", "", raw or "")
    if not re.fullmatch(r"\d{10}(?:-?\d{3})?", compact) or not mst.is_valid(compact):
        return None
    return mst.format(compact)
