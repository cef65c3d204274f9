"""Tracking codes: ten digits, random (not guessable in sequence), the last a Damm check
digit that catches every single-digit typo and every swap of two neighbouring digits."""
import re
import secrets

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
CODE_LENGTH = 10
_SEPARATORS = re.compile(r"[\s.\-–]")


def check_digit(digits: str) -> str:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return str(interim)


def is_valid(code: str) -> bool:
    # isdigit() alone admits "²" and other digits int() cannot read: ASCII only.
    return len(code) == CODE_LENGTH and code.isascii() and code.isdigit() and check_digit(code) == "0"


def new_code() -> str:
    body = str(secrets.randbelow(9 * 10 ** (CODE_LENGTH - 2)) + 10 ** (CODE_LENGTH - 2))
    return body + check_digit(body)


def normalize(raw: str) -> str:
    """What a person typed, read aloud or copied: spaces, dots and dashes are dropped."""
    return _SEPARATORS.sub("", raw or "")


def display(code: str) -> str:
    """Grouped for reading aloud: 123 456 7890."""
    return f"{code[:3]} {code[3:6]} {code[6:]}" if len(code) == CODE_LENGTH else code
