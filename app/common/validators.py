"""Vietnamese identifiers: mobile numbers, tax codes (mã số thuế), and what people sign in with."""
import re

import phonenumbers

_MOBILE = re.compile(r"^(?:\+?84|0)(\d{9})$")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


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
    """A 10-digit code with its check digit, or 13 digits (a branch: 10 + '-' + 3).
    Returns the canonical form, or None when the code cannot be right."""
    compact = re.sub(r"[\s.]", "", raw or "")
    match = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", compact)
    if not match or not _tax_check_digit_ok(match.group(1)):
        return None
    head, branch = match.groups()
    if branch is not None and branch == "000":
        return None
    return f"{head}-{branch}" if branch else head


def _tax_check_digit_ok(ten: str) -> bool:
    total = sum(int(d) * w for d, w in zip(ten[:9], _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return check < 10 and check == int(ten[9])
