"""How strong a production secret is (``ACTLAB_ADMIN_TOKEN``): the rule ``Settings`` enforces in production.

A token must be long, varied and high in estimated entropy — length × log2(number of distinct characters),
a cheap estimate that already refuses ``aaaaaaaaaaaaaaaa`` and sixteen spaces — unpadded, and free of the
words people use when they fill in a placeholder. ``secrets.token_urlsafe(32)`` gives 43 characters and
about 250 bits by this estimate.
"""

from __future__ import annotations

import math

SECRET_MIN_CHARS = 16
SECRET_MIN_DISTINCT = 10
SECRET_MIN_BITS = 64
#: Words and runs that make a secret guessable wherever they appear in it (compared case-insensitively).
SECRET_DENYLIST = (
    "changeme", "change-me", "change_me", "password", "passw0rd", "secret", "admin", "letmein", "qwerty",
    "123456", "abcdef", "default", "example", "token",
)  # fmt: skip


def secret_bits(secret: str) -> float:
    """The estimated entropy of a secret: its length × log2 of the number of distinct characters in it."""
    distinct = len(set(secret))
    return len(secret) * math.log2(distinct) if distinct > 1 else 0.0


def weak_secret_reason(secret: str) -> str | None:
    """Why ``secret`` is not fit for production (None when it is): blank, padded, short, repetitive, low in
    estimated entropy, or containing a common word."""
    if not secret.strip():
        return "is not set (or blank)"
    if secret != secret.strip():
        return "starts or ends with whitespace"
    if len(secret) < SECRET_MIN_CHARS:
        return f"has {len(secret)} characters, fewer than {SECRET_MIN_CHARS}"
    if len(set(secret)) < SECRET_MIN_DISTINCT:
        return f"uses only {len(set(secret))} different characters, fewer than {SECRET_MIN_DISTINCT}"
    if secret_bits(secret) < SECRET_MIN_BITS:
        return f"has about {secret_bits(secret):.0f} bits of entropy, fewer than {SECRET_MIN_BITS}"
    folded = secret.casefold()
    word = next((w for w in SECRET_DENYLIST if w in folded), None)
    if word is not None:
        return f"contains the common word or pattern '{word}'"
    return None
