"""Warnings for valid but risky policies, shown by `coatcheck policy check` for the reviewer.

Errors stop a policy from loading; these do not, because each may be intended (an internal tool may well send
employee emails to its model). They make the choice visible in review.
"""

from __future__ import annotations

from coatcheck.entities import ENTITY_TYPES
from coatcheck.policy._defaults import CREDENTIALS, GOVERNMENT_FINANCIAL
from coatcheck.policy.effective import EffectivePolicy, effective_policy
from coatcheck.policy.model import Policy

__all__ = ["lint", "lint_effective"]

_GUARDED_DESTINATIONS = ("llm", "logs", "embeddings")


def lint(policy: Policy) -> list[str]:
    """Every warning for the base policy and each tenant, each line prefixed with where it applies."""
    out = []
    for tenant in (None, *policy.tenant_names()):
        label = "base" if tenant is None else f"tenant {tenant}"
        out += [f"{label}: {w}" for w in lint_effective(effective_policy(policy, tenant))]
    return out


def lint_effective(effective: EffectivePolicy) -> list[str]:
    """Warnings for one effective policy."""
    warnings = []
    if effective.is_observe:
        warnings.append("mode is observe: data is detected and reported but reaches every destination unchanged")
    for destination in _GUARDED_DESTINATIONS:
        methods = effective.rules_for(destination)
        clear = [t for t in (*CREDENTIALS, *GOVERNMENT_FINANCIAL) if methods[t].method == "keep"]
        if clear:
            warnings.append(f"{destination} receives {', '.join(clear)} in clear (keep)")
    review = effective.review
    if review is not None:
        targets = set(review.targets)
        unreachable = [
            name
            for name in ENTITY_TYPES
            if (not targets or name in targets or str(effective.sensitivity(name)) in targets)
            and effective.threshold_for(name) >= review.high
        ]
        if unreachable:
            warnings.append(
                f"review band [{review.low:g}, {review.high:g}) lies below the detection threshold of "
                f"{', '.join(unreachable)}: those detections never reach review"
            )
    return warnings
