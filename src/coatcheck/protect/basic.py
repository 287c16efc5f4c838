"""redact, drop and keep: the operators that need neither keys nor shape knowledge."""

from __future__ import annotations

from coatcheck.protect.base import Operator, Params, Scope
from coatcheck.protect.placeholders import placeholder_alias

__all__ = ["DROP", "KEEP", "REDACT", "DropParams", "KeepParams", "RedactParams"]


class RedactParams(Params):
    """Parameters of redact.

    Attributes:
        numbered: ``[EMAIL_1]`` (restorable, one number per distinct value in the session) or ``[EMAIL]``.
    """

    numbered: bool = True


class DropParams(Params):
    """drop takes no parameters: the value is removed."""


class KeepParams(Params):
    """keep takes no parameters: the value stays as it is."""


def _redact(value: str, scope: Scope, params: RedactParams) -> str:
    if not params.numbered:
        return f"[{placeholder_alias(scope.entity.type)}]"
    return scope.ctx.minter.mint(scope.entity.type, value)


def _drop(value: str, scope: Scope, params: DropParams) -> str:
    return ""


def _keep(value: str, scope: Scope, params: KeepParams) -> str:
    return value


REDACT: Operator[RedactParams] = Operator("redact", RedactParams, _redact, mapped=True)
DROP: Operator[DropParams] = Operator("drop", DropParams, _drop)
KEEP: Operator[KeepParams] = Operator("keep", KeepParams, _keep)
