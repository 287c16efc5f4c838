"""Policy as code: one reviewed YAML file says what is sensitive, what each destination may see, how sure the
detector must be and who may get originals back. The library, CLI, batch jobs and gateway all read it.

Typical use::

    policy = load_policy("policy.yaml")          # or Policy.default()
    effective = effective_policy(policy, "acme")  # base + tenant overrides, merged
    entities = effective.detector().detect(text)
    effective.decide(entities).raise_if_blocked()
    table = effective.method_table("llm")         # for coatcheck.protect.protect_text
"""

from __future__ import annotations

from coatcheck.policy.effective import Decision, DestinationRules, EffectivePolicy, effective_policy
from coatcheck.policy.lint import lint
from coatcheck.policy.load import load_policy, loads_policy, parse_policy, policy_schema
from coatcheck.policy.model import (
    CustomRecognizer,
    Decisions,
    Destination,
    Detection,
    FieldRule,
    Grant,
    MethodRule,
    Policy,
    Response,
    Retention,
    Review,
    Tenant,
)
from coatcheck.policy.observe import ObservationReport, observe
from coatcheck.policy.preview import Preview, preview

__all__ = [
    "CustomRecognizer",
    "Decision",
    "Decisions",
    "Destination",
    "DestinationRules",
    "Detection",
    "EffectivePolicy",
    "FieldRule",
    "Grant",
    "MethodRule",
    "ObservationReport",
    "Policy",
    "Preview",
    "Response",
    "Retention",
    "Review",
    "Tenant",
    "effective_policy",
    "lint",
    "load_policy",
    "loads_policy",
    "observe",
    "parse_policy",
    "policy_schema",
    "preview",
]
