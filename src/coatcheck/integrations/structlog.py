"""A structlog processor that masks personal data and secrets in every event: the message, every value
(nested dicts and lists too) and the rendered exception.

Put it last before the renderer::

    structlog.configure(processors=[
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        PrivacyProcessor(),
        structlog.processors.JSONRenderer(),
    ])

An ``exc_info`` entry is rendered to an ``exception`` string first (as ``format_exc_info`` does) so the
traceback text is masked too.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from coatcheck.integrations._masker import LogMasker

__all__ = ["PrivacyProcessor"]


class PrivacyProcessor:
    """Mask every value of a structlog event dict (see the module docstring).

    Args:
        masker: a configured `LogMasker` (default: fast profile, the default policy's ``logs`` methods).
        skip: keys left as they are (timestamps, levels, logger names).
    """

    def __init__(
        self,
        masker: LogMasker | None = None,
        *,
        skip: frozenset[str] = frozenset({"timestamp", "level", "logger", "logger_name"}),
    ) -> None:
        self.masker = masker or LogMasker()
        self.skip = skip

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if event_dict.get("exc_info"):
            from structlog.processors import format_exc_info

            event_dict = format_exc_info(logger, method_name, event_dict)
        keys = [k for k, v in event_dict.items() if k not in self.skip and isinstance(v, str)]
        for key, masked in zip(keys, self.masker.mask_many([event_dict[k] for k in keys]), strict=True):
            event_dict[key] = masked
        for key, value in event_dict.items():
            if key not in self.skip and isinstance(value, dict | list | tuple):
                event_dict[key] = self.masker.mask_value(value)
        return event_dict
