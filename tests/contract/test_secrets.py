"""In production the admin token must be a real secret: long, varied, high in estimated entropy, unpadded and
free of common words; the refusal says what is needed and how to make one."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.secret_strength import secret_bits, weak_secret_reason

WEAK = {
    "aaaaaaaaaaaaaaaa": "different characters",
    " " * 16: "blank",
    "": "not set",
    "short": "fewer than 16",
    "abababababababababababab": "different characters",
    "0123456789012345": "bits of entropy",
    " q7Zp3vKx9LmR2tYw8NcB": "whitespace",
    "q7Zp3vKx9LmR2tYw8NcB\n": "whitespace",
    "MyChangeMe-Token-9x7Q": "changeme",
    "xQ9-PASSWORD-zr71Lk": "password",
    "Kz81-secret-Vn4q-Yp": "secret",
    "admin-admin-admin-admin-1234XYZ": "admin",
    "ADMINadminADMINadmin7Qz": "admin",
}


@pytest.mark.parametrize("token, reason", WEAK.items())
def test_weak_tokens_are_refused_with_the_reason(tmp_path: Path, token: str, reason: str) -> None:
    assert reason in (weak_secret_reason(token) or "")
    with pytest.raises(ValidationError) as raised:
        Settings(environment="production", database_url=f"sqlite:///{tmp_path / 'p.db'}", admin_token=token)
    message = str(raised.value)
    assert "ACTLAB_ADMIN_TOKEN" in message and reason in message
    assert "secrets.token_urlsafe(32)" in message and "16 characters" in message


def test_generated_tokens_are_accepted(tmp_path: Path) -> None:
    for _ in range(50):
        token = secrets.token_urlsafe(32)
        if weak_secret_reason(token) is None:  # a random 43 characters holding a listed word: ~never
            settings = Settings(
                environment="production", database_url=f"sqlite:///{tmp_path / 'p.db'}", admin_token=token
            )
            assert settings.admin_token is not None
    assert weak_secret_reason("q7Zp-3vKx_9LmR2tYw8NcB4hJd6FgS1e") is None
    assert secret_bits("aaaa") == 0.0 and round(secret_bits("0123456789abcdef")) == 64


def test_development_and_test_do_not_require_a_secret(tmp_path: Path) -> None:
    for environment in ("development", "test"):
        assert Settings(environment=environment, database_url=f"sqlite:///{tmp_path / 'd.db'}").admin_token is None
