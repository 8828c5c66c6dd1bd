"""Password hashing with Argon2id, and the password policy (zxcvbn)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
# zxcvbn's scale: 0-2 fall to an online or a slow offline attack (common passwords,
# repeats like "aaaaaaaaaa", keyboard runs, a word and a year); 3 and up are refused by none.
MIN_PASSWORD_SCORE = 3


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches. Without a hash (no such account) a dummy one is checked
    all the same, so that the answer takes as long and tells nobody which accounts exist."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def too_easy(password: str, *, user_inputs: tuple[str, ...] = ()) -> bool:
    """Whether the policy refuses ``password``: shorter than MIN_PASSWORD_LENGTH, or easy to
    guess by zxcvbn's measure (its lists of common passwords, names and words, repeats,
    sequences, dates; and ``user_inputs``, e.g. the user's own name and address)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return True
    # zxcvbn's cost grows with the length; past 100 characters the rest adds nothing.
    return zxcvbn(password[:100], user_inputs=list(user_inputs))["score"] < MIN_PASSWORD_SCORE
