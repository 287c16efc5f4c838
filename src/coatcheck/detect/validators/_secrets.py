"""Credentials: JWTs, provider keys, generic secrets, passwords and connection strings."""

from __future__ import annotations

import base64
import binascii
import json

from coatcheck.detect.validators._common import all_same, is_placeholder, shannon_entropy
from coatcheck.detect.validators._tables import PROSE_WORDS


def jwt(value: str) -> bool:
    """Three base64url parts whose first decodes to a JSON object naming an ``alg``."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def prefixed_token(value: str) -> bool:
    """A provider-prefixed key whose random part is not a placeholder (``sk_live_xxxx...``)."""
    tail = value.rsplit("_", 1)[-1].rsplit("-", 1)[-1]
    return not is_placeholder(value) and not all_same(tail) and shannon_entropy(value) >= 3.0


def _identifier_path(v: str) -> bool:
    """``settings.SECRET_KEY``, ``process.env.API_KEY`` or an env var name: code, not a secret."""
    parts = v.split(".")
    if len(parts) >= 2 and all(p.isidentifier() for p in parts):
        return True
    return "_" in v and v.replace("_", "").isalnum() and (v.isupper() or v.islower())


def generic_secret(value: str) -> bool:
    """A value assigned to ``token``/``secret``/``api_key``: long, random-looking, not a placeholder."""
    v = value.strip("'\"`")
    if len(v) < 16 or is_placeholder(v) or _identifier_path(v):
        return False
    classes = sum((any(c.islower() for c in v), any(c.isupper() for c in v), any(c.isdigit() for c in v)))
    if classes < 2:
        return False
    hexish = all(c in "0123456789abcdefABCDEF" for c in v)
    return shannon_entropy(v) >= (3.0 if hexish else 3.5)


def random_key(value: str) -> bool:
    """A prefixed key whose body mixes digits and both cases (``sk-learn-style-names`` do not)."""
    body = value.split("-", 1)[-1]
    return (
        any(c.isdigit() for c in body)
        and any(c.isupper() for c in body)
        and any(c.islower() for c in body)
        and prefixed_token(value)
    )


def aws_secret_key(value: str) -> bool:
    """An AWS secret access key: exactly 40 base64 characters that look random."""
    return len(value) == 40 and generic_secret(value)


def _looks_like_code(v: str) -> bool:
    if v.endswith(("(", ")", "[", "]")) or v.startswith(("{", "[", "/", "~/", "./", "../")):
        return True
    for bracket in "([":
        if bracket in v and v.split(bracket, 1)[0].replace(".", "").isidentifier():
            return True
    low = v.lower()
    return (
        low.replace("_", "").isalpha() and "_" in v and any(w in low for w in ("pass", "pwd", "secret", "token", "key"))
    )


def password(value: str) -> bool:
    """A value after ``password:``/``pwd=``: not a placeholder, a mask, a type hint or a code expression."""
    v = value.strip("'\"`")
    return len(v) >= 4 and not is_placeholder(v) and not _looks_like_code(v)


def password_phrase(value: str) -> bool:
    """A value after "password is": as :func:`password`, and not an ordinary word of the sentence."""
    v = value.strip("'\"`").rstrip(".,;:!?")
    return password(v) and v.lower() not in PROSE_WORDS


def connection_string(value: str) -> bool:
    """A URI or ADO string that carries a real password (not empty, not a ``${VAR}`` or ``<...>``)."""
    if "://" in value:
        userinfo = value.split("://", 1)[1].rpartition("@")[0]
        user, sep, secret = userinfo.partition(":")
        return bool(sep and secret) and not is_placeholder(secret) and not (user and is_placeholder(user))
    for item in value.split(";"):
        key, sep, val = item.partition("=")
        if sep and key.strip().lower() in ("password", "pwd", "accountkey", "sharedaccesskey"):
            v = val.strip().strip("'\"")
            return bool(v) and not is_placeholder(v)
    return False
