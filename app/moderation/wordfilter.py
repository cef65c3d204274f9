"""The profanity filter: matches with or without diacritics and through spacing tricks
('d.m', 'đ m', 'Đ-M'), but not a differently accented word ('đồ ngủ' is not 'đồ ngu')."""
import re
import unicodedata

from sqlalchemy import select

from app.common.text import clean_block, strip_diacritics
from app.extensions import db
from app.moderation.models import FilterWord

# Seeded mild entries; administrators keep the real list in the database.
SEED_WORDS = ("đồ ngu", "ngu như bò", "khốn nạn", "mất dạy", "vãi chưởng", "đm", "vcl")
_WORD = re.compile(r"\w+")
# Look-alike digits people use to dodge filters.
_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a"})


def _tokens(text: str) -> list[tuple[str, str]]:
    """(as typed, without diacritics) for each word, lower-cased, underscores split."""
    text = unicodedata.normalize("NFC", clean_block(text).lower().replace("_", " ")).translate(_LOOKALIKES)
    return [(word, strip_diacritics(word)) for word in _WORD.findall(text)]


def _entry(word: str) -> tuple[str, str]:
    parts = _tokens(word)
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


def find_hits(text: str, words: list[str]) -> list[str]:
    """Filter entries found in text. Consecutive words of the text, glued together, must
    spell the entry: 'd m' and 'd.m' are 'dm', 'admin' is not. Text typed without
    diacritics matches any accenting; text typed with them must match the entry's."""
    wanted = {}
    for word in words:
        typed, plain = _entry(word)
        if plain:
            wanted.setdefault(plain, []).append((typed, word))
    if not wanted:
        return []
    longest = max(len(key) for key in wanted)
    parts = _tokens(text)
    hits: list[str] = []
    for start in range(len(parts)):
        typed = plain = ""
        for word_typed, word_plain in parts[start:]:
            typed, plain = typed + word_typed, plain + word_plain
            if len(plain) > longest:
                break
            for entry_typed, entry in wanted.get(plain, ()):
                if typed in (plain, entry_typed) and entry not in hits:
                    hits.append(entry)
    return hits


def current_words() -> list[str]:
    return list(db.session.scalars(select(FilterWord.word)))


def hits(text: str) -> list[str]:
    return find_hits(text, current_words())
