"""`LogMasker`: the shared core of the logging filter and the structlog processor.

Logging is a hot path, so two things keep it cheap: a string-only pre-check that lets lines with no digit, no
``@`` and no key-like token through untouched, and the fast detection profile (no ML model). The pre-check
trades recall for speed: a bare name with nothing else in the line is not looked at (``precheck=False``
scans every line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from coatcheck.errors import MissingKeyError
from coatcheck.protect.context import ProtectContext
from coatcheck.protect.text import protect_text

if TYPE_CHECKING:
    from coatcheck.policy.model import Policy
    from coatcheck.protect.base import KeyMaterial
    from coatcheck.protect.protector import DetectorLike
    from coatcheck.protect.registry import MethodTable

__all__ = ["PRECHECK", "LogMasker"]

_DIGIT_OR_AT = re.compile(r"[0-9@]")
_KEYWORDS = ("pass", "pwd", "secret", "token", "bearer", "apikey", "api_key", "api-key", "auth", "credential",
             "begin", "sk-", "ghp_", "xox")  # fmt: skip
_LONG_WORD = 24


def PRECHECK(text: str) -> bool:  # noqa: N802 - reads as the constant it replaces
    """Whether a line is worth scanning: a digit, an ``@``, a secret keyword or a long token-like word.

    Plain string operations, no backtracking regex: this runs on every log line.
    """
    if _DIGIT_OR_AT.search(text):
        return True
    low = text.lower()
    if any(word in low for word in _KEYWORDS):
        return True
    return max(map(len, text.split()), default=0) >= _LONG_WORD

_MAX_DEPTH = 8
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


class LogMasker:
    """Mask personal data and secrets in log text with the methods of one policy destination.

    Args:
        detector: any object with ``detect_batch`` (default: a fast-profile `Detector`).
        methods: entity type -> method, overriding the policy (``{"default": "mask"}`` style mapping).
        policy: whose ``destination`` methods apply (default: `Policy.default()`, where logs get masks and
            credentials and government or financial identifiers become ``[TYPE]``).
        destination: the policy destination, ``logs`` by default.
        keys: key material, needed only when a keyed method (hash) is configured.
        precheck: skip lines without digits, ``@`` or key-like tokens (see the module docstring).
    """

    def __init__(
        self,
        detector: DetectorLike | None = None,
        *,
        methods: Mapping[str, Any] | None = None,
        policy: Policy | None = None,
        destination: str = "logs",
        keys: KeyMaterial | None = None,
        precheck: bool = True,
    ) -> None:
        self.table = _table(methods, policy, destination)
        if self.table.keyed and keys is None:
            raise MissingKeyError("a keyed method (hash, encrypt, tokenize, surrogate) needs keys")
        if detector is None:
            from coatcheck.detect.engine import Detector

            detector = Detector("fast")
        self.detector = detector
        self.keys = keys
        self.precheck = precheck

    def __repr__(self) -> str:
        return f"LogMasker(default={self.table.default.name!r}, precheck={self.precheck})"

    def wants(self, text: str) -> bool:
        """Whether ``text`` may hold something to mask (the pre-check)."""
        return bool(text) and (not self.precheck or PRECHECK(text))

    def mask(self, text: str) -> str:
        """``text`` with every finding masked; the same object when nothing was found.

        Percent-encoded text (a URL path such as ``/users/a%40b.com``) is decoded first when that reveals
        something to mask, and then logged decoded and masked.
        """
        return self.mask_many([text])[0]

    def mask_many(self, texts: list[str]) -> list[str]:
        """`mask` for several texts, detected in one batch."""
        wanted = [i for i, t in enumerate(texts) if self.wants(t)]
        out = list(texts)
        if not wanted:
            return out
        views = [_decoded(texts[i]) for i in wanted]
        found = self.detector.detect_batch(views)
        for i, view, entities in zip(wanted, views, found, strict=True):
            if entities:
                out[i] = protect_text(view, entities, self.table, ProtectContext(keys=self.keys)).text
        return out

    def mask_value(self, value: Any, depth: int = 0) -> Any:
        """Strings masked inside dicts, lists and tuples; other values returned as they are."""
        if isinstance(value, str):
            return self.mask(value)
        if depth >= _MAX_DEPTH:
            return value
        if isinstance(value, dict):
            return {k: self.mask_value(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_value(v, depth + 1) for v in value]
        if isinstance(value, tuple):
            return tuple(self.mask_value(v, depth + 1) for v in value)
        return value


def _decoded(text: str) -> str:
    """The percent-decoded form of URL-like text (``%40`` -> ``@``), else the text itself."""
    if "%" not in text or not _PERCENT.search(text):
        return text
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def _table(methods: Mapping[str, Any] | None, policy: Policy | None, destination: str) -> MethodTable:
    if methods is not None:
        from coatcheck.protect.registry import configure_methods

        return configure_methods(methods, default="mask")
    from coatcheck.policy import Policy, effective_policy

    return effective_policy(policy or Policy.default()).method_table(destination)
