"""Deployed and draft policies for the playground: a draft is parsed once per distinct text and never deployed."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import yaml

from coatcheck.errors import PolicyError
from coatcheck.policy import EffectivePolicy, Policy, effective_policy, loads_policy

__all__ = ["DraftCache", "policy_yaml", "resolve_tenant", "tenant_label"]

MAX_POLICY_CHARS = 200_000
_HIDDEN_NOTE = "# deny-list values are not shown here; a draft runs without them\n"


class _Flow(dict[str, Any]):
    """A method rule, written on one line (``{method: mask, visible: 4}``)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)


def _inline_methods(node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) <= {"method", "params"} and isinstance(node.get("method"), str):
            params = node.get("params") or {}
            return node["method"] if not params else _Flow({"method": node["method"], **params})
        return {k: _inline_methods(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_methods(v) for v in node]
    return node


def policy_yaml(policy: Policy) -> str:
    """A policy as YAML to start a draft from. Deny-list keys are values of the data itself: they are left out."""
    data = policy.model_dump(mode="json", exclude_defaults=True)
    hidden = False
    for section in [data, *data.get("tenants", [])]:
        detection = section.get("detection")
        if isinstance(detection, dict) and detection.pop("deny", None):
            hidden = True
    body = yaml.dump(
        {"version": 1, **_inline_methods(data)},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return (_HIDDEN_NOTE if hidden else "") + body


def tenant_label(tenant: str | None) -> str:
    """How audit and metrics name a tenant (the base policy is ``default``)."""
    return tenant or "default"


def resolve_tenant(policy: Policy, tenant: str | None) -> EffectivePolicy:
    """The effective policy of ``tenant`` ("" or "default" mean the base policy when no such tenant exists)."""
    if tenant in (None, "", "default") and "default" not in policy.tenant_names():
        return effective_policy(policy, None)
    return effective_policy(policy, tenant)


class DraftCache:
    """Parsed drafts by content hash (small LRU), so live edits re-parse only what changed."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: OrderedDict[str, Policy | PolicyError] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> Policy:
        """The policy in ``text``.

        Raises:
            PolicyError: the draft is invalid (the message names the line), or too long.
        """
        if len(text) > MAX_POLICY_CHARS:
            raise PolicyError(
                f"draft: a policy of more than {MAX_POLICY_CHARS} characters is not accepted here"
            )
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
        if found is None:
            try:
                found = loads_policy(text, "draft")
            except PolicyError as exc:
                found = exc
            with self._lock:
                self._items[key] = found
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        if isinstance(found, PolicyError):
            raise PolicyError(str(found))
        return found
