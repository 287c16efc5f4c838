"""The public names of `coatcheck.policy` are deliberate: this list changes only on purpose."""

from __future__ import annotations

import coatcheck.policy


def test_exported_names() -> None:
    assert coatcheck.policy.__all__ == sorted(coatcheck.policy.__all__)
    assert coatcheck.policy.__all__ == [
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
    for name in coatcheck.policy.__all__:
        assert getattr(coatcheck.policy, name).__module__.startswith("coatcheck.policy"), name
