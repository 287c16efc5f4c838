"""The safe default policy, used when no file is given, and the built-in destinations every policy has."""

from __future__ import annotations

from typing import Any

from coatcheck.entities import ENTITY_TYPES, Sensitivity

__all__ = ["CREDENTIALS", "DEFAULT_POLICY", "GOVERNMENT_FINANCIAL"]

CREDENTIALS: tuple[str, ...] = ("API_KEY", "CONNECTION_STRING", "JWT", "PASSWORD", "PRIVATE_KEY")
# Identifiers of people and their money; business codes such as SWIFT_BIC (class internal) are not among them.
GOVERNMENT_FINANCIAL: tuple[str, ...] = tuple(
    sorted(
        name
        for name, row in ENTITY_TYPES.items()
        if row.category in ("government_id", "financial") and row.sensitivity >= Sensitivity.PERSONAL
    )
)


_SECRET = {"method": "redact", "numbered": False}  # "[API_KEY]": nothing to restore, nothing to correlate


def _destination(default: str) -> dict[str, Any]:
    methods: dict[str, Any] = {"public": "keep", "internal": "keep"}
    methods.update({name: _SECRET for name in CREDENTIALS})
    return {"default": default, "methods": methods}


def _no_clear_identifiers(spec: dict[str, Any], method: Any) -> dict[str, Any]:
    spec["methods"].update({name: method for name in GOVERNMENT_FINANCIAL})
    return spec


DEFAULT_POLICY: dict[str, Any] = {
    "version": 1,
    "description": "coatcheck's safe defaults: used when no policy file is given.",
    "mode": "enforce",
    "detection": {"profile": "accurate"},
    "destinations": {
        # The model sees numbered placeholders ([EMAIL_1]), restored in its answer; secrets never reach it.
        "llm": _destination("redact"),
        "logs": _no_clear_identifiers(_destination("mask"), _SECRET),
        "dashboard": _destination("mask"),
        "compliance": _destination("encrypt"),
        "training": _destination("surrogate"),
        "embeddings": _no_clear_identifiers(_destination("surrogate"), _SECRET),
    },
    "response": {"action": "redact"},
}
