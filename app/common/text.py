"""Vietnamese text helpers: search that ignores diacritics, Vietnamese alphabetical order,
SMS-safe text, and personal data masked out of text that is published."""
import re
import unicodedata
from functools import cache, lru_cache

import pyuca

# Zero-width, bidirectional-override and other invisible characters used to fool filters.
# Control characters too: PostgreSQL refuses NUL in text, and none belongs in a message.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
                        "\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
LIKE_ESCAPE = "\\"
_LIKE_SPECIAL = re.compile(r"[%_\\]")


def strip_diacritics(text: str) -> str:
    """'Chuyển đổi số' -> 'Chuyen doi so'; đ/Đ are letters of their own, not accented d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def search_key(text: str) -> str:
    """The normalised form stored beside text and compared against normalised queries."""
    return _SPACES.sub(" ", strip_diacritics(text or "").lower()).strip()


def contains_text(column, text: str):
    """`column LIKE '%text%'` with the typed text taken literally: someone searching for
    "50%" or "a_b" means those characters, not LIKE's wildcards. The one way a list is
    searched for typed text."""
    literal = _LIKE_SPECIAL.sub(lambda match: LIKE_ESCAPE + match.group(), text)
    return column.like(f"%{literal}%", escape=LIKE_ESCAPE)


def clean_line(text: str) -> str:
    """One line of user text: NFC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def clean_block(text: str) -> str:
    """A block of user text: NFC, no invisible characters, Unix newlines, trimmed."""
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def sms_text(text: str) -> str:
    """SMS without diacritics fits the 7-bit alphabet: 160 characters a message."""
    return strip_diacritics(unicodedata.normalize("NFC", text))


# What may identify a person in published text: an e-mail address, and any run of nine or
# more digits (a phone number, a 9- or 12-digit identity card number, a tax code), however
# it is grouped with spaces, dots or dashes. Shorter numbers (a decree's "13/2023") stay.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?\d){8,}(?![\w])")
REDACTED = "[…]"


def redact_personal(text: str, known: tuple[str, ...] = ()) -> str:
    """`text` with e-mail addresses, long numbers and the `known` values (a sender's name,
    phone, e-mail) replaced by REDACTED: what a page or a file may publish."""
    if not text:
        return text or ""
    lowered = text.lower()
    for value in sorted({v.strip() for v in known if v and len(v.strip()) >= 4}, key=len, reverse=True):
        if value.lower() in lowered:  # most texts hold none: no pattern compiled for them
            text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    if "@" in text:
        text = _EMAIL.sub(REDACTED, text)
    return _LONG_NUMBER.sub(REDACTED, text)


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# each letter primary; the five tones weigh only when the letters are equal, in dictionary
# order (none, huyền, sắc, hỏi, ngã, nặng). The Unicode collation (pyuca's DUCET) treats
# ă, â, đ, ê, ô, ơ, ư as a, d, e, o, u with an accent, so it is tailored here, once.
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_LETTERS_AFTER = {"ă": ("a", 1), "â": ("a", 2), "đ": ("d", 1), "ê": ("e", 1), "ô": ("o", 1),
                  "ơ": ("o", 2), "ư": ("u", 1)}


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


@lru_cache(maxsize=4096)
def _primary(char: str) -> tuple:
    """The primary weights of one character (those before DUCET's level separator 0),
    tailored for the Vietnamese letters that follow another."""
    base, step = _LETTERS_AFTER.get(char, (char, 0))
    key = _collator().sort_key(base)
    weights = key[:key.index(0)] if 0 in key else key
    if step and weights:
        weights = weights[:-1] + (weights[-1] + step / 10,)
    return weights


def vi_sort_key(text: str) -> tuple:
    """The key that sorts names the Vietnamese way: Cà Mau before Cao Bằng, Đ after D (not
    after Z), Ă and Â after A. The one sort of every list of names people read."""
    decomposed = unicodedata.normalize("NFD", text or "")
    tones = tuple(_TONES.get(ch, 0) for ch in decomposed if unicodedata.category(ch) != "Mn" or ch in _TONES)
    letters = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES)).lower()
    primary = tuple(weight for char in letters for weight in _primary(char))
    return primary, tones, _collator().sort_key(text or "")


def vi_person_key(full_name: str) -> tuple:
    """A Vietnamese full name sorts by the given name (its last word), then the whole name:
    'Trần Văn An' before 'Lê Thị Bình'."""
    words = (full_name or "").split()
    return vi_sort_key(words[-1] if words else ""), vi_sort_key(full_name or "")


def vi_sorted(items, key=lambda item: item) -> list:
    """`items` in Vietnamese order of `key(item)`, a name."""
    return sorted(items, key=lambda item: vi_sort_key(key(item)))
