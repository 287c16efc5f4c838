"""Mask personal data and secrets in every log record: message, arguments, extra fields, exception text.

One line covers every logger of the process, including third-party ones (uvicorn, httpx) and handlers that
are configured later::

    import coatcheck.integrations.logging as cc_logging
    cc_logging.install()

`install` wraps ``logging.Logger.makeRecord``, so records are masked once, when they are made, before any
handler or formatter sees them (extra fields included). For explicit, per-handler use there is
`PrivacyFilter`, e.g. in ``dictConfig``: ``{"()": "coatcheck.integrations.logging.PrivacyFilter"}``.

Argument tuples keep their shape, so formatters that read ``record.args`` (uvicorn's access formatter) still
work; only when a non-string argument (a URL object, a number) holds a finding is the message formatted and
masked as a whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from coatcheck.integrations._masker import LogMasker

if TYPE_CHECKING:
    from coatcheck.policy.model import Policy
    from coatcheck.protect.base import KeyMaterial
    from coatcheck.protect.protector import DetectorLike

__all__ = ["Installation", "PrivacyFilter", "install", "mask_record", "uninstall"]

_MARK = "_coatcheck_masked"
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", _MARK}
_lock = threading.Lock()
_installed: Installation | None = None


def _args(masker: LogMasker, args: Any) -> tuple[Any, bool]:
    """Masked arguments with their shape kept, and whether the message must be flattened instead."""
    if isinstance(args, Mapping):
        items = list(args.items())
        values = [v for _, v in items]
    elif isinstance(args, tuple):
        values = list(args)
    else:
        return args, False
    texts = [v for v in values if isinstance(v, str)]
    masked = iter(masker.mask_many(texts))
    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            out.append(next(masked))
        elif value is None or isinstance(value, bool | float):
            out.append(value)
        elif isinstance(value, int) or not isinstance(value, dict | list | tuple):
            rendered = str(value)
            if masker.mask(rendered) != rendered:
                return args, True
            out.append(value)
        else:
            out.append(masker.mask_value(value))
    if isinstance(args, Mapping):
        return dict(zip((k for k, _ in items), out, strict=True)), False
    return tuple(out), False


def mask_record(record: logging.LogRecord, masker: LogMasker, *, keep_exc_info: bool = False) -> None:
    """Mask one record in place (idempotent: a record is masked once).

    With ``keep_exc_info=False`` the exception is rendered, masked into ``exc_text`` and ``exc_info`` is
    dropped, so no formatter can render the original exception message again.
    """
    if getattr(record, _MARK, False):
        return
    setattr(record, _MARK, True)
    flatten = False
    if record.args:
        record.args, flatten = _args(masker, record.args)
    if flatten:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            message = str(record.msg)
        record.msg, record.args = masker.mask(message), ()
    elif isinstance(record.msg, str):
        record.msg = masker.mask(record.msg)
    elif isinstance(record.msg, dict | list | tuple):
        record.msg = masker.mask_value(record.msg)
    else:  # an exception or another object logged as the message
        record.msg = masker.mask(str(record.msg))
    for key, value in list(record.__dict__.items()):
        if key not in _STANDARD:
            record.__dict__[key] = masker.mask_value(value)
    if record.exc_info and record.exc_info[0] is not None:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if not keep_exc_info:
            record.exc_info = None
    if record.exc_text:
        record.exc_text = masker.mask(record.exc_text)
    if record.stack_info:
        record.stack_info = masker.mask(record.stack_info)


class PrivacyFilter(logging.Filter):
    """A `logging.Filter` that masks each record it sees (see `mask_record`); it never drops a record.

    Args:
        masker: a configured `LogMasker` (default: fast profile, the default policy's ``logs`` methods).
        keep_exc_info: keep the exception object for handlers that need it (its message is not masked).
    """

    def __init__(self, masker: LogMasker | None = None, *, keep_exc_info: bool = False, name: str = "") -> None:
        super().__init__(name)
        self.masker = masker or LogMasker()
        self.keep_exc_info = keep_exc_info

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record, self.masker, keep_exc_info=self.keep_exc_info)
        return True


class Installation:
    """The process-wide masking set up by `install`; `uninstall` (or ``with``) restores logging."""

    def __init__(self, masker: LogMasker, original: Callable[..., logging.LogRecord], keep_exc_info: bool) -> None:
        self.masker = masker
        self.keep_exc_info = keep_exc_info
        self._original = original

    def uninstall(self) -> None:
        global _installed
        with _lock:
            if _installed is self:
                logging.Logger.makeRecord = self._original  # type: ignore[method-assign]
                _installed = None

    def __enter__(self) -> Installation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def install(
    masker: LogMasker | None = None,
    *,
    detector: DetectorLike | None = None,
    methods: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
    destination: str = "logs",
    keys: KeyMaterial | None = None,
    precheck: bool = True,
    keep_exc_info: bool = False,
) -> Installation:
    """Mask every log record of every logger in this process from now on. Calling it again reconfigures.

    Arguments other than ``keep_exc_info`` configure the `LogMasker` when none is given.
    """
    global _installed
    chosen = masker or LogMasker(
        detector, methods=methods, policy=policy, destination=destination, keys=keys, precheck=precheck
    )
    with _lock:
        original = _installed._original if _installed is not None else logging.Logger.makeRecord
        installation = Installation(chosen, original, keep_exc_info)

        def make_record(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
            record = original(self, *args, **kwargs)
            mask_record(record, installation.masker, keep_exc_info=installation.keep_exc_info)
            return record

        logging.Logger.makeRecord = make_record  # type: ignore[method-assign]
        _installed = installation
    return installation


def uninstall() -> None:
    """Undo `install` (no-op when not installed)."""
    if _installed is not None:
        _installed.uninstall()
