"""The password rule: long enough, and not among the passwords guessers try first.

zxcvbn (Dropbox's estimator) knows the common and breached passwords, keyboard walks, dates,
l33t spellings and the person's own name, e-mail or phone (given as user inputs); a score
below PASSWORD_MIN_SCORE (0-4) means a guesser finds it in far fewer than 10^10 tries."""
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from app.common.text import strip_diacritics

MAX_LENGTH = 128


def password_problem(password: str, *user_inputs: str | None) -> str | None:
    """Why this password is refused (translated), or None when it may be used."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10)
    if len(password) < minimum:
        return _("Use at least %(n)d characters: a few unrelated words are easy to remember and hard to guess.",
                 n=minimum)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    inputs = [part for value in user_inputs if value for part in _parts(value)]
    # zxcvbn's cost grows with the length; the first 64 characters decide the score.
    if zxcvbn(password[:64], user_inputs=inputs)["score"] < current_app.config.get("PASSWORD_MIN_SCORE", 3):
        return _("This password is too easy to guess: it is common, or built from your name, e-mail or phone. "
                 "Add a few unrelated words.")
    return None


def _parts(value: str) -> list[str]:
    """The value and its pieces, with and without diacritics: "Phạm Minh Tuấn" gives
    "phamminhtuan" and "tuan" too, "nguyen.van.a@example.vn" the name's parts."""
    lowered = strip_diacritics(value.lower())
    pieces = [value.lower(), lowered, lowered.split("@", 1)[0]]
    words = lowered.replace("@", " ").replace(".", " ").replace("-", " ").split()
    pieces += ["".join(words), *(word for word in words if len(word) > 2)]
    return pieces
